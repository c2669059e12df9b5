// Mutation testing of the safety-critical modules (`npm run mutate`; README "Mutation testing";
// survivors and their reasons in test/MUTATION.md). Not part of `npm test`: too slow for every push.
//
//   npm run mutate                              every module below, incremental (only what changed since the last run)
//   npm run mutate -- --force                   everything again (rebuilds the incremental file)
//   MUTATE_SINCE=main npm run mutate            only the modules below that differ from main (git diff main...HEAD)
//   npm run mutate -- --mutate src/checks/pass-role.ts    one file
//
// Tests: the unit tests of these modules (vitest.mutate.config.ts), never the sandbox, subprocess or
// dist tests. The incremental file (reports/stryker-incremental.json) is a local cache, gitignored:
// it describes one working copy, and committing it would conflict on every merge.
import { execFileSync } from "node:child_process";

/** The safety-critical modules (issue 20). */
export const SAFETY_CRITICAL = [
  "src/checks/**/*.ts", // preflight checks: a wrong verdict lets a broken deploy go ahead
  "src/iam/**/*.ts", // the local IAM evaluator the checks fall back to
  "src/ecs/normalise.ts", // normal form + sameTaskDefinition: "is anything changing?"
  "src/ecs/deployment-state.ts", // the one deployment-state model: completed / failed / rolling back
  "src/render/redact.ts", // the redaction rule: which values never reach an output
  "src/render/sensitivity.ts", // taint marks carried from the template engine
  "src/plan/redact-plan.ts", // redaction of plans for output
  "src/plan/saved-plan.ts", // a saved plan applies only what was reviewed
  "src/config/rules.ts", // cross-field configuration rules (accounts, regions, ARNs, uniqueness)
];

function changedSince(ref) {
  const out = execFileSync("git", ["diff", "--name-only", `${ref}...HEAD`, "--", "src"], { encoding: "utf8" });
  const changed = new Set(out.split("\n").filter(Boolean));
  // Uncommitted changes count too.
  for (const f of execFileSync("git", ["diff", "--name-only", "HEAD", "--", "src"], { encoding: "utf8" }).split("\n"))
    if (f) changed.add(f);
  return [...changed];
}

function mutateList() {
  const since = process.env.MUTATE_SINCE;
  if (!since) return SAFETY_CRITICAL;
  const inScope = (f) =>
    SAFETY_CRITICAL.some((g) => (g.endsWith("/**/*.ts") ? f.startsWith(g.slice(0, -"**/*.ts".length)) && f.endsWith(".ts") : f === g));
  const files = changedSince(since).filter(inScope);
  // Nothing in scope changed: mutate nothing rather than everything.
  return files.length > 0 ? files : ["!src/**"];
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutate.config.ts" },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.stryker.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: "perTest",
  mutate: mutateList(),
  // Two shared cores: one worker by default. With the TypeScript checker, concurrency N gives
  // ceil(N/2) checkers and floor(N/2) runners; the checker is the slow part (each mutant is a rebuild),
  // so `-- --concurrency 3` (2 checkers, 1 runner) is the fastest use of two cores.
  concurrency: 1,
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  ignoreStatic: true,
  timeoutMS: 10_000,
  ignorePatterns: [
    "dist",
    "lib",
    "coverage",
    "bench",
    "reports",
    ".deployer",
    "test/action",
    "test/integration",
    "test/reliability",
    "test/sandbox",
  ],
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  // MUTATE_REPORT=reports/x names the reports of a run (module-by-module runs side by side).
  htmlReporter: { fileName: `${process.env.MUTATE_REPORT ?? "reports/mutation/mutation"}.html` },
  jsonReporter: { fileName: `${process.env.MUTATE_REPORT ?? "reports/mutation/mutation"}.json` },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: ".stryker-tmp",
};
