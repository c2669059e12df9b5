// Issue 15: every command's `--output json` (and the JSON files it writes) validates against its
// schema in schemas/, through the built CLI against the sandbox: validate, targets, render, check,
// plan, rollout (deployed and failed), promote (before and after applying), rollback (dry run and
// applied), status, drift, history, init, and the errors of a failed command. The schemas are
// strict (additionalProperties: false): a field added to an output without its schema fails here.
// One sandbox for the file; the tests run in order, each building on the state the one before left.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, projectRoot, type TempRepo } from "../fixtures/config/repo.js";
import { describeRun, runCli, type CliResult } from "../helpers/sandbox-cli.js";

let sb: Sandbox;
let repo: TempRepo;
const empty = mkdtempSync(path.join(tmpdir(), "deployer-schemas-"));

const schemaDir = path.join(projectRoot, "schemas");
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addKeyword({ keyword: "x-hint", schemaType: "string" });
for (const f of readdirSync(schemaDir)) ajv.addSchema(JSON.parse(readFileSync(path.join(schemaDir, f), "utf8")) as object, f);
const validators = new Map<string, ValidateFunction>();
/** The validator of schemas/<name>.schema.json (compiled once). */
function schema(name: string): ValidateFunction {
  if (!validators.has(name)) validators.set(name, ajv.getSchema(`${name}.schema.json`)!);
  return validators.get(name)!;
}
/** Which schemas the test validated output against (every output schema must be used). */
const used = new Set<string>();

function expectValid(name: string, text: string, context = ""): Record<string, unknown> {
  const value = JSON.parse(text) as Record<string, unknown>;
  const validate = schema(name);
  used.add(name);
  const ok = validate(value);
  expect(ok, `${name}: ${ajv.errorsText(validate.errors, { separator: "\n" })}\n${context}`).toBe(true);
  return value;
}

beforeAll(async () => {
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
  repo = exampleRepo();
});
afterAll(async () => {
  await sb?.stop();
  repo?.cleanup();
  rmSync(empty, { recursive: true, force: true });
});

const run = (args: string[], cwd = repo.dir): Promise<CliResult> =>
  runCli(args, { cwd, sandbox: sb, timeoutMs: 90_000, env: { DEPLOYER_POLL_INTERVAL_MS: "100" } });

async function json(name: string, args: string[], exitCode: number | number[] = 0, cwd?: string): Promise<Record<string, unknown>> {
  const r = await run(["-o", "json", ...args], cwd);
  expect([exitCode].flat(), describeRun(r)).toContain(r.exitCode);
  return expectValid(name, r.stdout, describeRun(r));
}

describe("every JSON output validates against its schema", () => {
  it("validate, targets, render: no AWS", async () => {
    expect(await json("validate", ["validate"])).toMatchObject({ ok: true });
    await json("targets", ["targets", "--stage", "prod"]);
    await json("task-definition", ["render", "--env", "dev", "--image", "3f2a9c1"]);
  });

  it("check, plan (stdout and --out-json, --out-plan files)", async () => {
    await json("check", ["check", "--image", "8d1e4b7", "--env", "dev"]);
    const out = repo.file("plan.json");
    const saved = repo.file("saved.plan");
    await json("plan", ["plan", "--image", "8d1e4b7", "--all-stages", "--out-json", out, "--out-plan", saved]);
    expectValid("plan", readFileSync(out, "utf8"));
    expectValid("plan", readFileSync(saved, "utf8"));
  });

  it("rollout: the run report on stdout and in --out-report", async () => {
    const report = repo.file("report.json");
    const ok = await json("run-report", ["rollout", "--image", "8d1e4b7", "--stage", "dev", "--yes", "--out-report", report]);
    expect(ok).toMatchObject({ ok: true, command: "rollout" });
    expectValid("run-report", readFileSync(report, "utf8"));
  });

  it("promote: before applying (dry run), and the run report once applied", async () => {
    await json("promotion", ["promote", "--stage", "staging", "--dry-run"]);
    expect(await json("run-report", ["promote", "--stage", "staging", "--yes"])).toMatchObject({ ok: true, command: "promote" });
  });

  it("rollback: the plan of a dry run, the run report once applied", async () => {
    await json("plan", ["rollback", "--env", "staging", "--dry-run"]);
    expect(await json("run-report", ["rollback", "--env", "staging", "--yes"])).toMatchObject({ command: "rollback" });
  });

  it("a failed rollout (rolled back by ECS), status, drift (in sync and drifted), history", async () => {
    const failed = await json("run-report", ["rollout", "--image", "bad0001", "--stage", "dev", "--yes"], 1);
    expect(failed).toMatchObject({ ok: false, targets: [{ outcome: "failed", rollback: { by: "ecs" } }] });
    await json("status", ["status"]);
    await json("drift", ["drift"], [0, 2]);
    repo.edit("environments/dev.yaml", /logLevel: \w+/, "logLevel: trace");
    expect(await json("drift", ["drift", "--env", "dev"], 2)).toMatchObject({ drift: true });
    await json("history", ["history", "-n", "3"]);
  });

  it("init (in an empty directory) and the errors of a failed command", async () => {
    await json("init", ["init", "--name", "shop-api"], 0, empty);
    const errors = await json("errors", ["plan", "--image", "nope0000", "--env", "dev"], 1);
    expect(errors).toMatchObject({ ok: false });
    repo.write("environments/staging.yaml", "stage: [unclosed\n");
    await json("errors", ["validate"], 1);
  });

  it("every output schema in schemas/ was used above", () => {
    const inputs = ["deployer", "environment"];
    const outputs = readdirSync(schemaDir)
      .map((f) => f.replace(/\.schema\.json$/, ""))
      .filter((n) => !inputs.includes(n));
    expect([...used].sort()).toEqual(outputs.sort());
  });
});
