// Reading the files of a deploy repository: only inside the directory that holds deployer.yaml
// (contained-file.ts), at most MAX_CONFIG_FILE_BYTES each, every failure a located error.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { DeployerError, type SourceLocation } from "../errors.js";
import { type Containment } from "./contained-file.js";

/**
 * Configuration files are small; anything larger is a mistake (a generated blob, a binary) and YAML
 * parsing of it could take minutes. Refused before it is read.
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

export interface Root {
  /** The directory holding deployer.yaml, as found. */
  lexical: string;
  /** The same, symlinks resolved. */
  real: string;
}

/** The error for a path that leaves the repository (or cannot be resolved). Names paths, never content. */
export function notContained(
  where: Exclude<Containment, { ok: true }>,
  what: string,
  location: SourceLocation,
  field: string | undefined,
  hint: string,
): DeployerError {
  const message =
    where.reason === "outside"
      ? `${what} is outside the directory of deployer.yaml${where.via && where.via !== where.shown ? ` (it leads to ${where.via})` : ""}`
      : `${what} cannot be read (${where.code})`;
  return new DeployerError({ code: "CONFIG_INVALID", message, location, ...(field ? { field } : {}), hint });
}

/** `real`: where the file really is (containment checked); `file` is the path errors name. */
export async function readText(file: string, real: string): Promise<string> {
  let size: number | undefined;
  try {
    size = (await stat(real)).size;
  } catch {
    // reported by readFile below
  }
  if (size !== undefined && size > MAX_CONFIG_FILE_BYTES) {
    throw new DeployerError({
      code: "CONFIG_INVALID",
      message: `${path.basename(file)} is ${(size / (1024 * 1024)).toFixed(1)} MiB; configuration files and templates are limited to ${MAX_CONFIG_FILE_BYTES / (1024 * 1024)} MiB`,
      location: { file, line: 1, column: 1 },
      hint: "keep large values out of deployer's files: reference them (an SSM parameter or secret through `secrets`/valueFrom) instead",
    });
  }
  try {
    return await readFile(real, "utf8");
  } catch (e) {
    throw new DeployerError({
      code: "CONFIG_NOT_FOUND",
      message: `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      location: { file, line: 1, column: 1 },
    });
  }
}
