// Issue 15: the README's flag table (between `<!-- flag-table:start -->` and `<!-- flag-table:end -->`)
// matches `--help` of every command: the same commands, per command the same long flags in the same
// order (hidden deprecated aliases are not listed, as --help does not list them), and the same `-o`
// formats as the help's "Output formats (-o)" line.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../../src/cli/program.js";
import { projectRoot } from "../../fixtures/config/repo.js";

interface Row {
  flags: string[];
  formats: string[];
}

function readmeTable(): Map<string, Row> {
  const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");
  const start = readme.indexOf("<!-- flag-table:start -->");
  const end = readme.indexOf("<!-- flag-table:end -->");
  expect(start, "README.md has no flag table markers").toBeGreaterThan(0);
  const rows = new Map<string, Row>();
  for (const line of readme.slice(start, end).split("\n")) {
    const m = /^\| `([a-z-]+)` \| (.*) \| (.*) \|$/.exec(line);
    if (!m) continue;
    rows.set(m[1]!, {
      flags: [...m[2]!.matchAll(/`(--[a-z-]+)`/g)].map((x) => x[1]!),
      formats: m[3]!.split(",").map((f) => f.trim()),
    });
  }
  return rows;
}

/** What `deployer <cmd> --help` prints, in process (commander's outputHelp, with the text added after it). */
function helpOf(cmd: Command): string {
  let out = "";
  cmd.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  cmd.outputHelp();
  return out;
}

function fromHelp(help: string): Row {
  const options = help.slice(help.indexOf("\nOptions:"), help.indexOf("\nGlobal Options:"));
  const flags = [...options.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((f) => f !== "--help");
  const formats = /^Output formats \(-o\): (.*)\.$/m.exec(help)?.[1]?.split(", ") ?? ["text", "json", "markdown"];
  return { flags, formats };
}

describe("README flag table", () => {
  const program = buildProgram();
  const table = readmeTable();

  it("lists every command, and only those", () => {
    expect([...table.keys()]).toEqual(program.commands.map((c) => c.name()));
  });

  for (const cmd of program.commands) {
    it(`${cmd.name()}: the flags and -o formats of its --help`, () => {
      expect(table.get(cmd.name()), `README flag table: no row for ${cmd.name()}`).toBeDefined();
      expect(table.get(cmd.name())).toEqual(fromHelp(helpOf(cmd)));
    });
  }
});
