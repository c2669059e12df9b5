// Issue 18, "Done when": a `plan` of the example fleet against the sandbox makes no call with
// deploy-role credentials (the sandbox's request log, filter `role=`), while still reporting PassRole
// NG for a deploy role without it — the viewer role (`viewRole` in environments/_defaults.yaml) reads,
// and simulates the deploy role's policies. Without a viewRole, plan says it ran with write-capable
// credentials (text, JSON, Markdown); status and drift read as the viewer too; a rollout writes as
// the deploy role and only its writes need it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { describeRun, runCli } from "../helpers/sandbox-cli.js";

interface LogEntry {
  action: string;
  principal: string;
  status: number;
}

let sb: Sandbox;
let repo: TempRepo;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
  repo = exampleRepo();
});
afterAll(async () => {
  await sb.stop();
  repo.cleanup();
});

async function admin(route: string, body: unknown): Promise<number> {
  const res = await fetch(`${sb.endpoint}/_sandbox/${route}`, { method: "POST", body: JSON.stringify(body) });
  return res.status;
}

async function log(role?: string): Promise<LogEntry[]> {
  const q = role ? `?role=${encodeURIComponent(role)}` : "";
  return (await (await fetch(`${sb.endpoint}/_sandbox/log${q}`)).json()) as LogEntry[];
}

interface CheckNode {
  id: string;
  verdict: string;
  message?: string;
  hint?: string;
  evidence?: Record<string, unknown>;
  error?: { code: string };
  children?: CheckNode[];
}
interface PlanJson {
  writeCapableReads?: string[];
  targets: Array<{ target: { name: string }; action: string; checks: CheckNode[] }>;
}

const flat = (cs: CheckNode[]): CheckNode[] => cs.flatMap((c) => [c, ...flat(c.children ?? [])]);

describe("viewer roles: plan, status and drift never use deploy-role credentials", () => {
  it("plan of the whole example fleet: every call is the viewer's, and PassRole NG is still reported from the viewer's simulation", async () => {
    expect(await admin("log/clear", {})).toBe(200);
    const ok = await runCli(["plan", "--image", "8d1e4b7", "--all-stages", "-o", "json"], { cwd: repo.dir, sandbox: sb });
    expect(ok.exitCode, describeRun(ok)).toBe(0);
    const plan = JSON.parse(ok.stdout) as PlanJson;
    expect(plan.targets.map((t) => t.action)).toEqual(["update", "update", "update", "update"]);
    expect(plan.writeCapableReads).toBeUndefined();
    for (const t of plan.targets) {
      const ids = flat(t.checks).map((c) => c.id);
      expect(ids).toContain("assume-view-role");
      // The deploy role's trust is evaluated for the caller (read with iam:GetRole as the viewer), never assumed.
      const assume = flat(t.checks).find((c) => c.id === "assume-role");
      expect(assume?.verdict, assume?.message).toBe("pass");
      expect(assume?.evidence?.assumed).toBe(false);
      expect(flat(t.checks).find((c) => c.id === "pass-role:taskRole")?.verdict).toBe("pass");
    }
    expect(await log("deployer")).toEqual([]);
    const viewer = await log("deployer-viewer");
    expect(new Set(viewer.map((e) => e.principal.split(":")[4]))).toEqual(
      new Set(["222222222222", "333333333333", "444444444444", "555555555555"]),
    );
    expect(viewer.map((e) => e.action)).toContain("SimulatePrincipalPolicy");
    // No AssumeRole of a deploy role either (the CI identity's calls are STS and the central repository).
    const all = await log();
    expect(all.filter((e) => /assumed-role\/deployer\//.test(e.principal))).toEqual([]);

    // dev's deploy role loses iam:PassRole: the viewer's simulation of the deploy role says so.
    expect(await admin("iam/remove-action", { account: "222222222222", role: "deployer", policy: "deploy", action: "iam:PassRole" })).toBe(
      200,
    );
    await admin("log/clear", {});
    const ng = await runCli(["plan", "--image", "8d1e4b7", "--all-stages", "-o", "json"], { cwd: repo.dir, sandbox: sb });
    expect(ng.exitCode, describeRun(ng)).toBe(1);
    const blocked = JSON.parse(ng.stdout) as PlanJson;
    const dev = blocked.targets.find((t) => t.target.name === "dev")!;
    expect(dev.action).toBe("blocked");
    const passRole = flat(dev.checks).filter((c) => c.id.startsWith("pass-role:"));
    expect(passRole.map((c) => [c.id, c.verdict, c.error?.code])).toEqual([
      ["pass-role:taskRole", "fail", "PASSROLE_DENIED"],
      ["pass-role:executionRole", "fail", "PASSROLE_DENIED"],
    ]);
    expect(blocked.targets.filter((t) => t.action === "blocked").map((t) => t.target.name)).toEqual(["dev"]);
    expect(await log("deployer")).toEqual([]);
  }, 120_000);

  it("status and drift read as the viewer too", async () => {
    await admin("log/clear", {});
    const status = await runCli(["status"], { cwd: repo.dir, sandbox: sb });
    expect(status.exitCode, describeRun(status)).toBe(0);
    const drift = await runCli(["drift"], { cwd: repo.dir, sandbox: sb });
    expect([0, 2], describeRun(drift)).toContain(drift.exitCode);
    expect(await log("deployer")).toEqual([]);
    expect((await log("deployer-viewer")).length).toBeGreaterThan(0);
  }, 120_000);

  it("a rollout reads as the viewer and writes as the deploy role", async () => {
    await admin("log/clear", {});
    const r = await runCli(["rollout", "--image", "8d1e4b7", "--env", "staging"], { cwd: repo.dir, sandbox: sb });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const writes = (await log()).filter((e) => /^(RegisterTaskDefinition|UpdateService)$/.test(e.action));
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) expect(w.principal).toMatch(/^arn:aws:sts::333333333333:assumed-role\/deployer\//);
    const preflight = (await log("deployer-viewer")).map((e) => e.action);
    expect(preflight).toContain("SimulatePrincipalPolicy");
  }, 120_000);

  it("promote --dry-run reads as the viewer roles and never assumes a deploy role (the source stage runs one digest since the rollout above)", async () => {
    await admin("log/clear", {});
    const r = await runCli(["promote", "--stage", "prod", "--from", "staging", "--dry-run", "-o", "json"], { cwd: repo.dir, sandbox: sb });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const { plan } = JSON.parse(r.stdout) as { plan: PlanJson };
    expect(plan.targets.map((t) => [t.target.name, t.action])).toEqual([
      ["prod-eu", "update"],
      ["prod-us", "update"],
    ]);
    for (const t of plan.targets) expect(flat(t.checks).find((c) => c.id === "assume-role")?.evidence?.assumed).toBe(false);
    expect(await log("deployer")).toEqual([]);
    expect((await log()).filter((e) => /assumed-role\/deployer\//.test(e.principal))).toEqual([]);
    expect(new Set((await log("deployer-viewer")).map((e) => e.principal.split(":")[4]))).toEqual(
      new Set(["333333333333", "444444444444", "555555555555"]),
    );
  }, 120_000);

  it("plan names a deploy role the caller may not assume (wrong ExternalId) from its trust policy, without assuming it", async () => {
    repo.edit("environments/staging.yaml", /^externalId: .*$/m, "externalId: not-the-one");
    try {
      await admin("log/clear", {});
      const r = await runCli(["plan", "--image", "8d1e4b7", "--env", "staging", "-o", "json"], { cwd: repo.dir, sandbox: sb });
      expect(r.exitCode, describeRun(r)).toBe(1);
      const staging = (JSON.parse(r.stdout) as PlanJson).targets[0]!;
      expect(staging.action).toBe("blocked");
      const assume = flat(staging.checks).find((c) => c.id === "assume-role")!;
      expect([assume.verdict, assume.error?.code]).toEqual(["fail", "ASSUME_ROLE_DENIED"]);
      // It names the principal deployer runs as, and the statement to add (with the configured ExternalId).
      expect(assume.message).toContain('ExternalId "not-the-one"');
      expect(assume.hint).toContain('"sts:ExternalId":"not-the-one"');
      expect(assume.evidence?.caller).toMatch(/^arn:aws:iam::111111111111:user\//);
      expect(await log("deployer")).toEqual([]);
      expect((await log()).filter((e) => e.action === "AssumeRole" && e.status !== 200)).toEqual([]);
    } finally {
      repo.edit("environments/staging.yaml", /^externalId: .*$/m, "externalId: shop-deployer-staging");
    }
  }, 120_000);

  it("without a viewRole, plan reads as the deploy role and says so in text, JSON and Markdown", async () => {
    repo.edit("environments/_defaults.yaml", /^viewRole:.*\n/m, "");
    repo.edit("environments/_defaults.yaml", /^viewExternalId:.*\n/m, "");
    await admin("log/clear", {});
    const json = await runCli(["plan", "--image", "8d1e4b7", "--env", "staging", "-o", "json"], { cwd: repo.dir, sandbox: sb });
    expect(json.exitCode, describeRun(json)).toBe(0);
    expect((JSON.parse(json.stdout) as PlanJson).writeCapableReads).toEqual(["staging"]);
    expect((await log("deployer")).length).toBeGreaterThan(0);
    expect(await log("deployer-viewer")).toEqual([]);

    const text = await runCli(["plan", "--image", "8d1e4b7", "--env", "staging"], { cwd: repo.dir, sandbox: sb, env: { NO_COLOR: "1" } });
    expect(text.stdout).toMatch(/this plan ran with write-capable credentials: every target was read as its deploy role/);
    const md = await runCli(["plan", "--image", "8d1e4b7", "--env", "staging", "-o", "markdown"], { cwd: repo.dir, sandbox: sb });
    expect(md.stdout).toMatch(/> \[!WARNING\]\n> this plan ran with write-capable credentials/);
  }, 120_000);
});
