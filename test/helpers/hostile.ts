// Hostile text for the hostile-configuration suite, and what must never reach a sink: a workflow
// command the runner would act on, a terminal escape, an @mention, raw HTML, a secret.
//
// The runner rules (actions/runner, src/Runner.Common/ActionCommand.cs): a line is a `::command::`
// when it starts with `::` after leading whitespace is trimmed (.NET TrimStart, which also trims
// U+0085), and a legacy `##[command]` wherever `##[` appears in it. GitHub notifies `@name` and
// `@org/team` in comment text outside code (html-pipeline MentionFilter).

/** One payload per kind; each starts a line of its own when they are joined. */
export const PAYLOADS = {
  newline: "line one\nINJ-newline ✓ all checks passed",
  command: "::error title=pwned::INJ-command",
  stopCommands: "::stop-commands::INJ-stop",
  legacy: "##[error]INJ-legacy ##[group]INJ-group",
  ansi: "\u001b[2J\u001b[1A\u001b]8;;http://evil.example\u0007INJ-ansi\u009b31m",
  mention: "@acme/secteam INJ-mention @octocat",
  html: "<img src=x onerror=alert(1)><details open>INJ-html</details>",
} as const;

export type PayloadKind = keyof typeof PAYLOADS;

/** Every payload at once, one per line: what each hostile field gets. */
export const HOSTILE = Object.values(PAYLOADS).join("\n");

/** The payloads that can sit in one line (no line break), joined by spaces. */
export const HOSTILE_LINE = Object.entries(PAYLOADS)
  .filter(([k]) => k !== "newline")
  .map(([, v]) => v)
  .join(" ");

/** True when the runner would take the line as a workflow command. */
export function runnerCommandIn(line: string): boolean {
  return /^[\s\u0085]*::/.test(line) || line.includes("##[");
}

/** Lines as the runner splits them. */
const lines = (text: string) => text.split(/\r\n|\r|\n/);

/** Terminal-controlling characters that must never be written raw (C0 but \n and \t, DEL, C1, bidi overrides). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export type Sink = "terminal" | "markdown" | "json" | "action-log";

/**
 * What is wrong with `text` written to `sink`: raw control characters; a line the runner would act
 * on (in the Action's own log, only deployer's own commands, whose properties never carry payload
 * text); for Markdown, a mention or raw HTML outside code; for JSON, text that does not parse.
 */
export function violations(name: string, text: string, sink: Sink): string[] {
  const out: string[] = [];
  const bad = (why: string, line?: string) =>
    out.push(`${name}: ${why}${line !== undefined ? `: ${JSON.stringify(line.slice(0, 2000))}` : ""}`);
  const m = RAW_CONTROL.exec(text);
  if (m)
    bad(`raw control character U+${m[0].charCodeAt(0).toString(16).padStart(4, "0")}`, text.slice(Math.max(0, m.index - 40), m.index + 40));
  for (const line of lines(text)) {
    if (!runnerCommandIn(line)) continue;
    if (sink === "action-log" && isOwnCommand(line)) continue;
    bad("a line the runner would read as a workflow command", line);
  }
  if (sink === "markdown") {
    const prose = stripCode(text);
    const mention = /(^|[^\w`])@[A-Za-z0-9]/m.exec(prose);
    if (mention) bad("an @mention outside code", prose.slice(Math.max(0, mention.index - 40), mention.index + 40));
    for (const tag of ["<img", "<details open", "</details>INJ"])
      if (prose.includes(tag) && !prose.includes(`&lt;${tag.slice(1)}`)) bad(`raw HTML ${tag}`);
    if (/<img|<details open>INJ/.test(prose)) bad("raw HTML from a value");
  }
  if (sink === "json" && text.trim() !== "") {
    try {
      JSON.parse(text);
    } catch (e) {
      bad(`not JSON (${(e as Error).message})`);
    }
  }
  return out;
}

/**
 * A command the Action writes itself through @actions/core: one of these names, properties escaped
 * by core (`:` as %3A, `,` as %2C, line breaks as %0A: payload text may sit inside a title, but
 * cannot end it), data escaped (%0A), so it stays on its line. The injected `::error title=pwned::`
 * would parse with the property `title=pwned` itself.
 */
function isOwnCommand(line: string): boolean {
  const m = /^::(group|endgroup|add-mask|error|warning|notice|debug)( [^:]*)?::(.*)$/.exec(line);
  if (!m) return false;
  if (/(^|,)\s*title=pwned\s*(,|$)/.test((m[2] ?? "").trim())) return false;
  return !line.includes("##[");
}

/** Markdown with fenced blocks, inline code spans and <code> elements removed. */
function stripCode(md: string): string {
  return md
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1`*\s*$/gm, "")
    .replace(/(`+)[\s\S]*?\1/g, "")
    .replace(/<code>[\s\S]*?<\/code>/g, "");
}

/** Where any of `needles` appears in `text`. */
export function leaks(name: string, text: string, needles: readonly string[]): string[] {
  return needles.filter((n) => text.includes(n)).map((n) => `${name} contains ${JSON.stringify(n)}`);
}
