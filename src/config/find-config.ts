// Finding deployer.yaml: `--config PATH` (a file, or a directory holding deployer.yaml), else the
// nearest deployer.yaml walking up from the working directory.
import { stat } from "node:fs/promises";
import path from "node:path";
import { DeployerError } from "../errors.js";

export const CONFIG_FILE_NAMES = ["deployer.yaml", "deployer.yml"] as const;

async function kind(p: string): Promise<"file" | "dir" | undefined> {
  try {
    const s = await stat(p);
    return s.isDirectory() ? "dir" : s.isFile() ? "file" : undefined;
  } catch {
    return undefined;
  }
}

async function inDir(dir: string): Promise<string | undefined> {
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = path.join(dir, name);
    if ((await kind(candidate)) === "file") return candidate;
  }
  return undefined;
}

/** The absolute path of the deployer.yaml to use; throws CONFIG_NOT_FOUND. */
export async function findConfigFile(opts: { config?: string; cwd?: string }): Promise<string> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  if (opts.config) {
    const given = path.resolve(cwd, opts.config);
    const k = await kind(given);
    if (k === "file") return given;
    if (k === "dir") {
      const found = await inDir(given);
      if (found) return found;
      throw new DeployerError({
        code: "CONFIG_NOT_FOUND",
        message: `no deployer.yaml in directory ${given}`,
        hint: "Pass the path of the deployer.yaml file, or of the directory that holds it, to --config.",
      });
    }
    throw new DeployerError({
      code: "CONFIG_NOT_FOUND",
      message: `config file ${given} does not exist`,
      hint: "Check the path given to --config (relative paths resolve from the current directory).",
    });
  }
  let dir = cwd;
  for (;;) {
    const found = await inDir(dir);
    if (found) return found;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new DeployerError({
    code: "CONFIG_NOT_FOUND",
    message: `no deployer.yaml found in ${cwd} or any parent directory`,
    hint: "Run deployer inside a deploy repository (one with deployer.yaml at its root), or pass --config PATH.",
  });
}
