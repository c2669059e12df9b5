// The one escaping module (src/report/escape.ts): what each sink's function does to hostile text.
import { describe, expect, it } from "vitest";
import {
  breakWorkflowCommands,
  htmlText,
  jsonText,
  markdownCode,
  markdownCodeBlock,
  markdownText,
  terminalOutput,
  terminalSafe,
  terminalText,
} from "../../../src/report/escape.js";
import { runnerCommandIn } from "../../helpers/hostile.js";

describe("terminalText", () => {
  it("shows control characters, escapes, bidi and zero-width characters as escapes", () => {
    expect(terminalText("a\nb\r\tc")).toBe("a\\nb\\r\\tc");
    expect(terminalText("\u001b[2J\u001b]8;;http://x\u0007")).toBe("\\u001b[2J\\u001b]8;;http://x\\u0007");
    expect(terminalText("\u009b31m")).toBe("\\u009b31m");
    expect(terminalText("admin\u202e\u2066x\u200by\ufeff")).toBe("admin\\u202e\\u2066x\\u200by\\ufeff");
    expect(terminalText("plain text: ünïcödé, 日本, emoji 🚀")).toBe("plain text: ünïcödé, 日本, emoji 🚀");
  });

  it("terminalSafe applies it to every string of a value, keys included", () => {
    expect(terminalSafe({ "k\u001b": ["v\n", 1, { x: "\u0007" }] })).toEqual({ "k\\u001b": ["v\\n", 1, { x: "\\u0007" }] });
  });
});

describe("breakWorkflowCommands (runner log)", () => {
  const hostile = [
    "::error title=pwn::injected",
    "   ::add-mask::x",
    "\t::stop-commands::tok",
    "\u0085::warning::nel",
    "\u00a0\u2003::notice::nbsp",
    "prefix ##[error]legacy anywhere",
    "##[group]fake",
    "##[endgroup]",
  ];
  it.each(hostile)("breaks %j", (line) => {
    const out = breakWorkflowCommands(line);
    expect(runnerCommandIn(out)).toBe(false);
  });

  it("keeps what is not a command: an ARN's `::` mid-line, ordinary text, line structure", () => {
    expect(breakWorkflowCommands("role arn:aws:iam::123456789012:role/x")).toBe("role arn:aws:iam::123456789012:role/x");
    expect(breakWorkflowCommands("a\n::error::b\r\nc")).toBe("a\n:\\:error::b\r\nc");
    expect(breakWorkflowCommands("x ##[y")).toBe("x ##\\[y");
  });
});

describe("terminalOutput", () => {
  it("breaks commands on every line and escapes stray control characters, keeping line breaks", () => {
    const out = terminalOutput("ok\n::error::x\u001b[2J\n  ##[warning]y");
    expect(out).toBe("ok\n:\\:error::x\\u001b[2J\n  ##\\[warning]y");
  });

  it("keeps our own SGR colours when asked, and nothing else", () => {
    expect(terminalOutput("\u001b[31mred\u001b[39m \u001b]0;title\u0007", { keepColour: true })).toBe(
      "\u001b[31mred\u001b[39m \\u001b]0;title\\u0007",
    );
    expect(terminalOutput("\u001b[31mred\u001b[39m")).toBe("\\u001b[31mred\\u001b[39m");
  });
});

describe("Markdown", () => {
  it("markdownText: no HTML, no mention, no link or emphasis, one line", () => {
    const out = markdownText("hi @acme/secteam and @octocat <img src=x onerror=alert(1)> [x](http://e) *b* `c`\nnext");
    expect(out).not.toMatch(/@[A-Za-z0-9]/);
    expect(out).not.toMatch(/<[a-z]/i);
    expect(out).not.toMatch(/(?<!\\)[[\]*`]/);
    expect(out).not.toContain("\n");
    expect(out).toContain("&lt;img");
  });

  it("markdownText: ARNs are code spans, so their @ and * stay literal and copyable", () => {
    const out = markdownText("role arn:aws:iam::111111111111:role/@acme/secteam/x is denied");
    expect(out).toBe("role `arn:aws:iam::111111111111:role/@acme/secteam/x` is denied");
  });

  it("markdownCode: cannot be closed early; pipes escaped in tables", () => {
    expect(markdownCode("a`b")).toBe("``a`b``");
    expect(markdownCode("`x")).toBe("`` `x ``");
    expect(markdownCode("a|b", { table: true })).toBe("`a\\|b`");
    expect(markdownCode("a\nb")).toBe("`a\\nb`");
  });

  it("markdownCodeBlock: a fence longer than any backtick run inside", () => {
    const block = markdownCodeBlock(['+ x: "```"', "- y"], "diff");
    expect(block.startsWith("````diff\n")).toBe(true);
    expect(block.endsWith("\n````")).toBe(true);
  });

  it("htmlText: entities, mentions broken, ARNs in <code>", () => {
    expect(htmlText("<b>@team</b> arn:aws:iam::1:role/@x")).toBe("&lt;b&gt;@\u200bteam&lt;/b&gt; <code>arn:aws:iam::1:role/@x</code>");
  });
});

describe("jsonText", () => {
  it("is JSON.stringify, losslessly: the same value parses back", () => {
    const value = { "##[error]key": "##[group] \u009b \u2028 \u202e \u001b \n", n: 1, list: [true, null] };
    const text = jsonText(value, 2);
    expect(JSON.parse(text)).toEqual(value);
    for (const line of text.split("\n")) expect(runnerCommandIn(line), line).toBe(false);
    expect(text).not.toMatch(/[\u0080-\u009f\u2028\u202e]/);
  });
});
