// Fargate's task CPU/memory combinations (ECS rejects any other pair at RegisterTaskDefinition with
// "No Fargate configuration exists for given values").

/** CPU units -> valid memory sizes (MiB). */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, [1024, 2048, 3072, 4096]],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** "1024", "1 vCPU", "0.25 vCPU" -> CPU units; undefined if not parseable. */
export function cpuUnits(cpu: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(vCPU)?$/i.exec(cpu.trim());
  if (!m) return undefined;
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

/** "2048", "2 GB", "0.5GB" -> MiB; undefined if not parseable. */
export function memoryMiB(memory: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(GB)?$/i.exec(memory.trim());
  if (!m) return undefined;
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

/**
 * Windows containers on Fargate: "The CPU units cannot be less than 1 vCPU", and 8 and 16 vCPU are
 * Linux only (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size;
 * botocore ecs RegisterTaskDefinitionRequest.memory).
 */
export const FARGATE_WINDOWS_CPU: readonly number[] = [1024, 2048, 4096];

/** Describes the problem with a cpu/memory pair on Fargate, or undefined when it is valid. */
export function fargateSizeProblem(cpu: number, memory: number, os?: string): string | undefined {
  const valid = FARGATE_SIZES.get(cpu);
  if (!valid) return `cpu ${cpu} is not a Fargate size (valid: ${[...FARGATE_SIZES.keys()].join(", ")})`;
  if (os?.toUpperCase().startsWith("WINDOWS") && !FARGATE_WINDOWS_CPU.includes(cpu)) {
    return `cpu ${cpu} is not a Fargate size for ${os} (Windows: ${FARGATE_WINDOWS_CPU.join(", ")}; 256 and 512 are below 1 vCPU, 8192 and 16384 are Linux only)`;
  }
  if (!valid.includes(memory)) {
    const list = valid.length <= 7 ? valid.join(", ") : `${valid[0]} to ${valid[valid.length - 1]} in steps of ${valid[1]! - valid[0]!}`;
    return `memory ${memory} is not valid with cpu ${cpu} on Fargate (valid: ${list})`;
  }
  return undefined;
}
