// `deployer iam` as a user runs it (no AWS call): --help that teaches, bad flags refused before
// anything is written, the document alone on stdout (notes on stderr), --out-dir probed before the
// first file is written.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRun, runCli } from "../helpers/sandbox-cli.js";
import { projectRoot } from "../fixtures/config/repo.js";

const dir = mkdtempSync(path.join(tmpdir(), "deployer-iam-cmd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const noRepo = { GITHUB_REPOSITORY: undefined };

describe("deployer iam (command)", () => {
  it("--help says what it writes for each role and shows examples", async () => {
    const r = await runCli(["iam", "--help"], { cwd: projectRoot, env: noRepo });
    expect(r.exitCode, describeRun(r)).toBe(0);
    for (const s of ["--format", "--out-dir", "--github-repository", "--deploy-environment", "viewRole", "aws:SourceAccount", "Examples:"])
      expect(r.stdout).toContain(s);
  });

  it("prints the JSON document alone on stdout (it parses), the notes on stderr", async () => {
    const r = await runCli(["iam", "--github-repository", "acme/shop-deploy"], { cwd: projectRoot, env: noRepo });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const doc = JSON.parse(r.stdout) as { accounts: Array<{ account: string }> };
    expect(doc.accounts.map((a) => a.account)).toEqual(["111111111111", "222222222222", "333333333333", "444444444444", "555555555555"]);
    expect(r.stderr).toMatch(/Notes:[\s\S]*oidc-provider/);
  });

  it.each([
    [["iam"], /--github-repository is required/],
    [["iam", "--github-repository", "not a repo"], /is not OWNER\/NAME/],
    [["iam", "--github-repository", "a/b", "--ci-account", "123"], /12-digit account id/],
    [["iam", "--github-repository", "a/b", "--no-deploy-branch"], /assumable from nowhere/],
    [["iam", "--github-repository", "a/b", "--format", "cloudformation"], /writes \d+ files: give --out-dir/],
  ])("refuses %j (exit 1, nothing printed on stdout)", async (args, message) => {
    const r = await runCli(args, { cwd: projectRoot, env: noRepo });
    expect(r.exitCode, describeRun(r)).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });

  it("--out-dir: created when missing; every file is probed before the first is written", async () => {
    const out = path.join(dir, "new/cfn");
    const r0 = await runCli(["iam", "--github-repository", "a/b", "--format", "cloudformation", "--out-dir", out], { cwd: projectRoot });
    expect(r0.exitCode, describeRun(r0)).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      "central-repository-policy.json",
      "ci-account-111111111111.json",
      "stackset-parameters",
      "stackset-template.json",
    ]);
    // The last file cannot be written (a directory has its name): nothing is written at all.
    const blocked = path.join(dir, "blocked");
    mkdirSync(path.join(blocked, "central-repository-policy.json"), { recursive: true });
    const r1 = await runCli(["iam", "--github-repository", "a/b", "--format", "cloudformation", "--out-dir", blocked], {
      cwd: projectRoot,
    });
    expect(r1.exitCode, describeRun(r1)).toBe(1);
    expect(r1.stderr).toMatch(/--out-dir/);
    expect(readdirSync(blocked).filter((f) => f.endsWith(".json") && f !== "central-repository-policy.json")).toEqual([]);
    // --out-dir naming a file.
    writeFileSync(path.join(dir, "file"), "");
    const r2 = await runCli(["iam", "--github-repository", "a/b", "--out-dir", path.join(dir, "file")], { cwd: projectRoot });
    expect(r2.exitCode, describeRun(r2)).toBe(1);
    expect(r2.stderr).toMatch(/--out-dir/);
  });
});
