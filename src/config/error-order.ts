// The order errors are reported in: duplicates dropped, at most MAX_ERRORS_PER_FILE per file (the
// rest counted), then by file, line and column, so one run lists every problem once, readably.
import path from "node:path";
import { DeployerError } from "../errors.js";

export function dedupeErrors(errors: DeployerError[]): DeployerError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const l = e.location;
    const key = [e.code, l?.file, l?.line, l?.column, e.field, e.message].join("|");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Errors shown per file; a file with thousands of unknown keys is one problem, not a screenful per key. */
export const MAX_ERRORS_PER_FILE = 50;

export function capPerFile(errors: DeployerError[]): DeployerError[] {
  const perFile = new Map<string, number>();
  const out: DeployerError[] = [];
  for (const e of errors) {
    const file = e.location?.file ?? "";
    const n = (perFile.get(file) ?? 0) + 1;
    perFile.set(file, n);
    if (n <= MAX_ERRORS_PER_FILE) out.push(e);
  }
  for (const [file, n] of perFile) {
    if (file === "" || n <= MAX_ERRORS_PER_FILE) continue;
    const last = out.filter((e) => e.location?.file === file).at(-1)!;
    out.splice(
      out.indexOf(last) + 1,
      0,
      new DeployerError({
        code: last.code,
        message: `${n - MAX_ERRORS_PER_FILE} more errors in ${path.basename(file)} (the first ${MAX_ERRORS_PER_FILE} are shown)`,
        location: { file, line: 1, column: 1 },
        hint: "Fix the errors above and run again; a file this broken is often not the file it should be.",
      }),
    );
  }
  return out;
}

export function sortErrors(errors: DeployerError[]): DeployerError[] {
  return errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => {
      const la = a.e.location;
      const lb = b.e.location;
      if (!la || !lb) return la ? 1 : lb ? -1 : a.i - b.i;
      return la.file < lb.file ? -1 : la.file > lb.file ? 1 : la.line - lb.line || la.column - lb.column || a.i - b.i;
    })
    .map(({ e }) => e);
}
