// The machine a benchmark ran on, recorded with its numbers (they mean little without it).
import os from "node:os";

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  /** 1-minute load average when the benchmark started: other work on the machine skews the numbers. */
  loadAverageAtStart: number;
}

export function machineInfo(): MachineInfo {
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}
