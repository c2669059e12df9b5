// Paths written in configuration (the template, environmentsDir) and the files deployer reads
// because of them (every environments/*.yaml) must stay inside the directory that holds
// deployer.yaml, after following symbolic links. Configuration comes from pull requests: without
// this, `template: /proc/self/environ`, `../../x` or a symlink would make deployer read any file of
// the runner, and its errors would quote it.
import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";

export type Containment =
  | { ok: true; real: string; kind: "file" | "dir" | "other" }
  | { ok: false; reason: "outside"; shown: string; via?: string }
  | { ok: false; reason: "missing"; code: string };

/** True when `p` is `root` or below it (both absolute and normalised). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Where `file` (absolute) really is, if inside `realRoot` (the real path of the repository root,
 * symlinks resolved). The lexical check comes first: a path outside is refused without being
 * touched. `shown` is what to name in an error (a path, never content).
 */
export async function containedPath(realRoot: string, lexicalRoot: string, file: string): Promise<Containment> {
  if (!isInside(lexicalRoot, file) && !isInside(realRoot, file)) return { ok: false, reason: "outside", shown: file };
  let real: string;
  try {
    real = await realpath(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
    // A dangling symlink: say where it points when that is outside.
    try {
      if ((await lstat(file)).isSymbolicLink()) {
        const { readlink } = await import("node:fs/promises");
        const target = path.resolve(path.dirname(file), await readlink(file));
        if (!isInside(realRoot, target) && !isInside(lexicalRoot, target))
          return { ok: false, reason: "outside", shown: file, via: target };
      }
    } catch {
      // fall through: missing
    }
    return { ok: false, reason: "missing", code };
  }
  if (!isInside(realRoot, real)) return { ok: false, reason: "outside", shown: file, via: real };
  const s = await stat(real);
  return { ok: true, real, kind: s.isFile() ? "file" : s.isDirectory() ? "dir" : "other" };
}
