// Paths in JSON outputs are relative (to the deploy repository's root in documents, to the current
// directory in errors, as the text shows them): the same output on every machine, and no home
// directory or CI workspace path in a published artifact. Every `file` member holding an absolute
// path is rewritten; other values are left as they are.
import path from "node:path";

/** A deep copy of `value` with every absolute `file` member made relative to `base` (with `/` separators). */
export function relativeFiles<T>(value: T, base: string): T {
  return walk(value, base) as T;
}

/** One path relative to `base`, with `/` separators; a relative one as it is. */
export function relativePath(file: string, base: string): string {
  if (!path.isAbsolute(file)) return file;
  return (path.relative(base, file) || ".").split(path.sep).join("/");
}

function walk(v: unknown, base: string): unknown {
  if (Array.isArray(v)) return v.map((x) => walk(x, base));
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === "file" && typeof x === "string" ? relativePath(x, base) : walk(x, base);
  return out;
}
