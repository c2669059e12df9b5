// Files a command writes on request (--report, --save, --json, --markdown, --output-file) are checked
// before anything else happens: a rollout must not deploy and then fail to write its report. Each
// path is probed the way it will be written: its directory must exist, and the file must be
// creatable there (or, when it exists, writable). A probe creates nothing that stays behind.
// Running as root, access(2) says yes to almost everything (/proc/x.json included): only an actual
// open tells the truth.
import { open, unlink } from "node:fs/promises";
import path from "node:path";
import { DeployerError, DeployerErrors, errorMessage } from "../errors.js";

export interface OutputFile {
  /** The flag, for messages: `--report`. */
  flag: string;
  path: string;
}

/** Throws DeployerErrors (INVALID_ARGUMENT) naming every output file that cannot be written. */
export async function checkOutputFiles(files: Array<OutputFile | undefined>): Promise<void> {
  const errors: DeployerError[] = [];
  for (const f of files) {
    if (!f) continue;
    const problem = await probe(f.path);
    if (problem) errors.push(unwritable(f, problem));
  }
  if (errors.length > 0) throw new DeployerErrors(errors, "output files cannot be written");
}

/** The files given among `candidates` (flag → path or undefined). */
export function outputFiles(candidates: Record<string, string | undefined>): OutputFile[] {
  return Object.entries(candidates)
    .filter((e): e is [string, string] => typeof e[1] === "string")
    .map(([flag, p]) => ({ flag, path: p }));
}

/** Runs a write of an output file; a failure becomes a clear error naming the flag and the reason. */
export async function writeOutputFile(f: OutputFile, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    throw unwritable(f, describe(e));
  }
}

async function probe(file: string): Promise<string | undefined> {
  const abs = path.resolve(file);
  try {
    const handle = await open(abs, "wx");
    await handle.close();
    await unlink(abs).catch(() => undefined);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") return describe(e, abs);
  }
  // It exists: it must be a file we may write (opened without truncating it).
  try {
    const handle = await open(abs, "r+");
    await handle.close();
    return undefined;
  } catch (e) {
    return describe(e, abs);
  }
}

function describe(e: unknown, abs?: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return abs
        ? `directory ${path.dirname(abs)} does not exist or does not accept new files (ENOENT)`
        : "its directory does not exist (ENOENT)";
    case "ENOTDIR":
      return "a part of the path is not a directory (ENOTDIR)";
    case "EISDIR":
      return "it is a directory (EISDIR)";
    case "EACCES":
    case "EPERM":
      return `permission denied (${code})`;
    case "EROFS":
      return "read-only file system (EROFS)";
    case "ENOSPC":
      return "no space left on the device (ENOSPC)";
    default:
      return code ?? errorMessage(e);
  }
}

function unwritable(f: OutputFile, why: string): DeployerError {
  return new DeployerError({
    code: "INVALID_ARGUMENT",
    message: `${f.flag} ${f.path} cannot be written: ${why}`,
    hint: `Give ${f.flag} a file in an existing, writable directory (relative paths start from the current directory).`,
  });
}
