// Formats configuration warnings for a terminal or a CI log, like errors: `warning file:line:col field: message`, then a hint.
// A warning names configuration keys and values: each field is made terminal-safe before it is laid
// out, and the result has no line a CI runner would take as a workflow command (escape.ts).
import path from "node:path";
import type { ConfigWarning } from "../render/template-vars.js";
import { terminalOutput, terminalSafe } from "./escape.js";

export function formatWarnings(warnings: ConfigWarning[], opts: { cwd?: string; color?: boolean } = {}): string {
  const color = opts.color ?? false;
  const cwd = opts.cwd ?? process.cwd();
  const yellow = (s: string) => (color ? `\x1b[33m${s}\x1b[39m` : s);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
  const text = warnings
    .map((warning) => {
      const w = terminalSafe(warning);
      const rel = path.relative(cwd, w.location.file) || w.location.file;
      const lines = [`${yellow("warning")} ${rel}:${w.location.line}:${w.location.column} ${w.field}: ${w.message}`];
      if (w.hint) lines.push(`  ${dim("hint:")} ${w.hint}`);
      return lines.join("\n");
    })
    .join("\n");
  return terminalOutput(text, { keepColour: color });
}
