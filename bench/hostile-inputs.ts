// The hostile configuration files of the adversarial-input suite (test/fixtures/hostile-inputs.ts, one
// list for the test and the benchmark), as the benchmark runs them: each refused with its message, or
// accepted. The test asserts file:line, memory and no AWS call; the benchmark measures CPU time.
import type { TempRepo } from "../test/fixtures/config/repo.js";
import { HOSTILE_FILES, WITHIN_LIMITS } from "../test/fixtures/hostile-inputs.js";

export interface HostileInput {
  name: string;
  /** Sets the repository up (one file written or extended). */
  apply(repo: TempRepo): void;
  /** What `deployer validate` must answer: refused (exit 1) with this message, or accepted (exit 0). */
  expect: { refused: RegExp } | "accepted";
}

export const HOSTILE_INPUTS: HostileInput[] = [
  ...HOSTILE_FILES.map((h) => ({
    name: h.name,
    apply: (repo: TempRepo) => repo.write(h.file, h.content()),
    expect: { refused: h.message },
  })),
  ...WITHIN_LIMITS.map((w) => ({ name: `${w.name} (accepted)`, apply: w.edit, expect: "accepted" as const })),
];
