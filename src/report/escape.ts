// The one place where text that deployer did not write itself (configuration values, the template,
// what AWS said) meets an output. Every output picks the function of its sink:
//
//   terminal / CI log (CLI stdout and stderr, the Action's log lines, annotations, setFailed):
//     terminalText(value)        each value, before it is laid out: control characters, terminal
//                                escapes, zero-width and bidi characters shown as `\u001b`, `\n`…,
//                                so a value can neither paint the terminal nor start a line of its own
//     terminalSafe(data)         terminalText applied to every string of a value (a plan, a report)
//     terminalOutput(text)       the laid-out text, last: runner workflow commands broken on every
//                                line, stray control characters shown escaped (keepColour: our own
//                                SGR colour codes stay)
//   Markdown (pull-request comment, job summary, `-o markdown`, `--markdown FILE`):
//     markdownText(value)        inline text: HTML and Markdown syntax escaped, @mentions broken,
//                                ARNs in code spans
//     markdownCode(value)        an inline code span that cannot be closed early
//     markdownCodeBlock(lines)   a fenced block that cannot be closed early
//     htmlText(value)            text inside HTML (`<summary>`): entities, @mentions broken
//     markdownOutput(text)       the laid-out document, last: runner workflow commands broken (the
//                                document is printed to a CI log too)
//   JSON (plan JSON, reports, `-o json`):
//     jsonText(value, indent)    JSON.stringify as is, plus the few lossless escapes (`\u0023` in
//                                `##[`, C1 and line separators as `\u…`) that keep a JSON document
//                                printed to a CI log from being read as a workflow command
//
// Why these rules (GitHub Actions runner, actions/runner):
//  - a `::command::` is recognised only at the start of a line after leading whitespace is trimmed
//    (ActionCommand.TryParseV2: `message.TrimStart()` then `StartsWith("::")`),
//  - the legacy `##[command]` form is recognised ANYWHERE in a line (ActionCommand.TryParse:
//    `message.IndexOf("##[")`), and the log viewer renders `##[group]`, `##[error]`… the same way,
//  - `::stop-commands::TOKEN` stops both forms until `::TOKEN::` (ActionCommandManager).
//  Sources: https://github.com/actions/runner/blob/main/src/Runner.Common/ActionCommand.cs,
//  https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs,
//  https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
//  Both checks are .NET string comparisons that are culture-sensitive (ICU ignores zero-width
//  characters there), so the breaks below use a visible backslash, never a zero-width character.
// Why the Markdown rules: GitHub turns `@name` and `@org/team` in text into notifications, except
// inside <pre>, <code> and <a> (html-pipeline's MentionFilter, the open-source form of GitHub's:
// https://github.com/gjtorikian/html-pipeline/blob/v2.14.3/lib/html/pipeline/mention_filter.rb, whose
// pattern needs `@` directly followed by a letter or digit).

/**
 * Characters that control a terminal or hide text: C0 controls, DEL, C1 controls (U+009B is a
 * one-byte CSI), zero-width and directional marks, line/paragraph separators, bidi embeddings,
 * overrides and isolates, word joiners and invisible operators, the BOM, interlinear annotations.
 */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

const uEscape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** A value in a terminal or CI log line: every hidden or controlling character shown as an escape. */
export function terminalText(value: string): string {
  return value.replace(HIDDEN, (ch) => NAMED[ch] ?? uEscape(ch));
}

/** True when terminalText would change the value (it holds a control or hidden character). */
export function hasHiddenCharacters(value: string): boolean {
  HIDDEN.lastIndex = 0;
  const hit = HIDDEN.test(value);
  HIDDEN.lastIndex = 0;
  return hit;
}

/** `fn` applied to every string of a JSON-like value, keys included (a deep copy). */
export function mapStrings<T>(value: T, fn: (s: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return fn(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[fn(k)] = walk(item);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** Every string of `data` (a plan, a report, an error) made safe for a terminal line. */
export function terminalSafe<T>(data: T): T {
  return mapStrings(data, terminalText);
}

const LINE_BREAK = /(\r\n|\r|\n)/;
/** .NET's String.TrimStart() whitespace: Unicode White_Space plus U+0085 (JS `\s` lacks U+0085). */
const LEADING_COMMAND = /^([\s\u0085]*):(?=:)/;

/**
 * One line (or several) as the runner must see it: a leading `::` (after whitespace) becomes `:\:`
 * and every `##[` becomes `##\[`, so no line is read as a workflow command.
 */
export function breakWorkflowCommands(text: string): string {
  if (!text.includes("::") && !text.includes("##[")) return text;
  return text
    .split(LINE_BREAK)
    .map((part) => (LINE_BREAK.test(part) ? part : part.replace(LEADING_COMMAND, "$1:\\").replace(/##\[/g, "##\\[")))
    .join("");
}

// SGR ("colour") sequences our own formatters write through picocolors: ESC [ digits;… m.
const SGR = /\u001b\[[0-9;]*m/g;

/**
 * Laid-out terminal text, just before it is written: workflow commands broken on every line, and
 * any control character left (but line breaks, tabs and, with keepColour, our SGR colours) escaped.
 */
export function terminalOutput(text: string, opts: { keepColour?: boolean } = {}): string {
  const escapeRest = (s: string) => s.replace(HIDDEN, (ch) => (ch === "\n" || ch === "\t" ? ch : (NAMED[ch] ?? uEscape(ch))));
  let out: string;
  if (opts.keepColour) {
    const parts: string[] = [];
    let from = 0;
    for (const m of text.matchAll(SGR)) {
      parts.push(escapeRest(text.slice(from, m.index)), m[0]);
      from = m.index + m[0].length;
    }
    parts.push(escapeRest(text.slice(from)));
    out = parts.join("");
  } else {
    out = escapeRest(text);
  }
  return breakWorkflowCommands(out);
}

// ---------------------------------------------------------------------------------------------
// Markdown (GitHub-flavoured)

const ZWSP = "\u200b";
/** `@` followed by what GitHub would read as a user or team name. */
const MENTION = /@(?=[A-Za-z0-9])/g;
/** An ARN: shown as code, so its `@`s, `*`s and `_`s are literal and it can be copied. */
const ARN = /arn:[A-Za-z0-9-]+:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[0-9]*:[^\s`|<>"']+/g;

function breakMentions(s: string): string {
  return s.replace(MENTION, `@${ZWSP}`);
}

function entities(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Inline Markdown text on one line: no HTML, no emphasis/links/tables, no mention, ARNs as code. */
export function markdownText(value: string, opts: { table?: boolean } = {}): string {
  const plain = (s: string) =>
    breakMentions(entities(terminalText(s)))
      // Everything CommonMark may read as syntax in running text (`#`, `+`, `-`, `.` only matter
      // at a line start, which a value never is here, but `!` before `[` makes an image).
      .replace(/([\\`*_{}[\]()!|~#])/g, "\\$1");
  let out = "";
  let from = 0;
  for (const m of value.matchAll(ARN)) {
    out += plain(value.slice(from, m.index)) + markdownCode(m[0], opts);
    from = m.index + m[0].length;
  }
  return out + plain(value.slice(from));
}

/**
 * An inline code span holding `value` literally: delimited by more backticks than any run inside,
 * padded when it starts or ends with one; on one line; `|` escaped inside tables (GFM reads a pipe
 * as a cell boundary even in a code span: https://github.github.com/gfm/#tables-extension-).
 */
export function markdownCode(value: string, opts: { table?: boolean } = {}): string {
  let s = terminalText(value);
  if (opts.table) s = s.replace(/\|/g, "\\|");
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = "`".repeat(longest + 1);
  const pad = s.startsWith("`") || s.endsWith("`") || s === "" ? " " : "";
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** A fenced code block (```diff …```) whose content cannot close it early; lines kept as given. */
export function markdownCodeBlock(lines: readonly string[], info = ""): string {
  const safe = lines.map(terminalText);
  let longest = 0;
  for (const l of safe) for (const m of l.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${safe.join("\n")}${safe.length > 0 ? "\n" : ""}${fence}`;
}

/** Text inside an HTML element of a Markdown document (`<summary>`, `<b>`): entities, no mention. */
export function htmlText(value: string): string {
  let out = "";
  let from = 0;
  for (const m of value.matchAll(ARN)) {
    out += breakMentions(entities(terminalText(value.slice(from, m.index)))) + `<code>${entities(terminalText(m[0]))}</code>`;
    from = m.index + m[0].length;
  }
  return out + breakMentions(entities(terminalText(value.slice(from))));
}

/** A laid-out Markdown document, last: no line of it is a workflow command when printed to a CI log. */
export function markdownOutput(text: string): string {
  return breakWorkflowCommands(text);
}

// ---------------------------------------------------------------------------------------------
// JSON

/**
 * JSON text of `value`, as JSON.stringify writes it, with lossless escapes for what JSON.stringify
 * leaves raw and a CI log would act on: `##[` (as `#\u0023[`), C1 controls, U+2028/U+2029 and the
 * other hidden characters (as `\u…`). JSON.parse gives back exactly the same value.
 */
export function jsonText(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent);
  if (text === undefined) return text;
  // Outside strings JSON has only punctuation, digits and literals, so these only ever hit string content.
  return text.replace(HIDDEN, (ch) => (ch.charCodeAt(0) < 0x20 ? ch : uEscape(ch))).replace(/##\[/g, "#\\u0023[");
}
