// Formats errors for a terminal or a CI log: `file:line:col  field  message`, then what AWS said and a hint.
// Every field of an error may carry text from the configuration or from AWS: each is made
// terminal-safe before it is laid out, and the result has no line a CI runner would take as a
// workflow command (escape.ts).
import type { ErrorInfo } from "../errors.js";
import path from "node:path";
import { jsonText, terminalOutput, terminalSafe } from "./escape.js";
import { relativeFiles } from "./json-paths.js";

export interface ErrorTextOptions {
  /** Paths are shown relative to this directory (default: process.cwd()). */
  cwd?: string;
  color?: boolean;
}

const red = (s: string, on: boolean) => (on ? `\x1b[31m${s}\x1b[39m` : s);
const dim = (s: string, on: boolean) => (on ? `\x1b[2m${s}\x1b[22m` : s);
const bold = (s: string, on: boolean) => (on ? `\x1b[1m${s}\x1b[22m` : s);

export function formatError(info: ErrorInfo, opts: ErrorTextOptions = {}): string {
  const color = opts.color ?? false;
  const e = terminalSafe(info);
  const cwd = opts.cwd ?? process.cwd();
  const head: string[] = [];
  if (e.location) {
    const rel = path.relative(cwd, e.location.file) || e.location.file;
    head.push(bold(`${rel}:${e.location.line}:${e.location.column}`, color));
  }
  // The target, unless the location already names it (its own environment file): a template error
  // at templates/…:7 means nothing without the target it was rendered for.
  const named = e.message.includes(`"${e.target}"`) || Boolean(e.location && path.basename(e.location.file).startsWith(`${e.target}.`));
  if (e.target && !named) {
    head.push(bold(`[${e.target}${e.account ? ` ${e.account}` : ""}]`, color));
  }
  if (e.field) head.push(`${e.field}:`);
  head.push(e.message);
  const lines = [`${red("error", color)} ${dim(`${e.code}`, color)} ${head.join(" ")}`];
  if (e.action || e.resource) lines.push(`  ${dim("aws:", color)} ${[e.action, e.resource].filter(Boolean).join(" on ")}`);
  if (e.awsCode || e.awsMessage) lines.push(`  ${dim("aws said:", color)} ${[e.awsCode, e.awsMessage].filter(Boolean).join(": ")}`);
  if (e.hint) lines.push(`  ${dim("hint:", color)} ${e.hint}`);
  return terminalOutput(lines.join("\n"), { keepColour: color });
}

export function formatErrors(errors: ErrorInfo[], opts: ErrorTextOptions = {}): string {
  return errors.map((e) => formatError(e, opts)).join("\n");
}

/** The errors of a failed command under `--output json`: `{ ok: false, errors: [...] }`. */
export function formatErrorsJson(errors: ErrorInfo[], cwd: string = process.cwd()): string {
  return jsonText(relativeFiles({ formatVersion: 1, ok: false, errors }, cwd), 2);
}
