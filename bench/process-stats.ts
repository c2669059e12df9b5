// Runs the built CLI once and measures the whole process: wall time (spawn to exit), and, when GNU
// time is installed (/usr/bin/time), its peak RSS and CPU time (user + system) from the kernel's
// rusage of the child. Without GNU time those two are reported as unavailable, never guessed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli, type CliOptions, type CliResult } from "../test/helpers/sandbox-cli.js";

const GNU_TIME = "/usr/bin/time";

export interface ProcessStats {
  wallMs: number;
  /** Peak resident set size of the deployer process, MB (undefined without GNU time). */
  peakRssMb?: number;
  /** User + system CPU time of the deployer process, ms (undefined without GNU time). */
  cpuMs?: number;
}

export interface MeasuredRun {
  result: CliResult;
  stats: ProcessStats;
}

export const canMeasureRusage = (): boolean => existsSync(GNU_TIME);

/** `deployer ARGS…` under GNU time (when available). */
export async function measureCli(args: string[], opts: CliOptions): Promise<MeasuredRun> {
  if (!canMeasureRusage()) {
    const result = await runCli(args, opts);
    return { result, stats: { wallMs: result.durationMs } };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "deployer-bench-time-"));
  const out = path.join(dir, "rusage");
  try {
    // %M: max RSS in KB; %U/%S: user/system CPU seconds.
    const result = await runCli(args, { ...opts, wrapper: [GNU_TIME, "-f", "%M %U %S", "-o", out] });
    const stats: ProcessStats = { wallMs: result.durationMs };
    const fields = existsSync(out) ? readFileSync(out, "utf8").trim().split("\n").at(-1)!.split(/\s+/).map(Number) : [];
    if (fields.length === 3 && fields.every(Number.isFinite)) {
      stats.peakRssMb = fields[0]! / 1024;
      stats.cpuMs = (fields[1]! + fields[2]!) * 1000;
    }
    return { result, stats };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
