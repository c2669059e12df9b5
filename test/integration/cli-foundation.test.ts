// The foundation commands run as users run them: `node bin/deployer.js …` in a subprocess
// (the global setup builds lib/ first), against the example repo and broken copies of it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exampleRepo, oneServiceRoot, projectRoot, type TempRepo } from "../fixtures/config/repo.js";

const bin = path.join(projectRoot, "bin/deployer.js");
const deployer = (args: string[], cwd = oneServiceRoot) =>
  execa(process.execPath, [bin, ...args], { cwd, reject: false, env: { NO_COLOR: "1", FORCE_COLOR: "0" } });

let repo: TempRepo;
beforeEach(() => {
  repo = exampleRepo();
});
afterEach(() => repo.cleanup());

describe("deployer validate", () => {
  it("passes on the example: one verdict per target, exit 0", async () => {
    const r = await deployer(["validate"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("✓ ")).map((l) => l.split(/\s+/)[1])).toEqual(["dev", "staging", "prod-eu", "prod-us"]);
    expect(lines.at(-1)).toMatch(/^4 targets valid/);
  });

  it("a broken field of an environment file: file and line on stderr, exit 1", async () => {
    repo.edit("environments/prod-eu.yaml", 'account: "444444444444"', "account: 012345678901");
    const r = await deployer(["validate"], repo.dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error CONFIG_INVALID environments/prod-eu.yaml:2:10 account:");
    expect(r.stderr).toContain('account: "012345678901"');
    expect(r.stdout).toBe("");
  });

  it("a template problem fails only the affected targets", async () => {
    repo.edit(
      "templates/task-definition.json.hbs",
      '"{{vars.logLevel}}"',
      '"{{vars.logLevel}}{{#if (eq target.name "prod-us")}}{{vars.missing}}{{/if}}"',
    );
    const r = await deployer(["validate", "--stage", "prod"], repo.dir);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^✓ prod-eu /m);
    expect(r.stdout).toMatch(/^✗ prod-us .*1 error$/m);
    expect(r.stderr).toMatch(
      /error TEMPLATE_ERROR templates\/task-definition\.json\.hbs:21:\d+ \{\{vars\.missing\}\} is not defined \(rendering for target "prod-us"\)/,
    );
  });

  it("--output json reports every target and its errors", async () => {
    repo.write("environments/dev.yaml", `${repo.read("environments/dev.yaml")}taskRole: arn:aws:iam::333333333333:role/shop-api-task\n`);
    const r = await deployer(["--output", "json", "validate"], repo.dir);
    expect(r.exitCode).toBe(1);
    const body = JSON.parse(r.stdout);
    expect(body.ok).toBe(false);
    expect(body.errors).toEqual([
      expect.objectContaining({
        code: "CONFIG_INVALID",
        field: "taskRole",
        target: "dev",
        location: { file: "environments/dev.yaml", line: repo.lineOf("environments/dev.yaml", "taskRole:"), column: 11 },
      }),
    ]);
    const ok = JSON.parse((await deployer(["-o", "json", "validate", "--env", "dev,prod-us"])).stdout);
    expect(ok.targets.map((t: { name: string; ok: boolean }) => `${t.name}:${t.ok}`)).toEqual(["dev:true", "prod-us:true"]);
  });

  it("an unknown --env is refused with the valid names, exit 1", async () => {
    const r = await deployer(["validate", "--env", "prod-ue"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('error SELECTION_EMPTY unknown environment "prod-ue" (--env)');
    expect(r.stderr).toContain("Valid environments: dev, staging, prod-eu, prod-us.");
  });

  it("no deployer.yaml: CONFIG_NOT_FOUND, exit 1", async () => {
    const r = await deployer(["validate"], path.dirname(repo.dir));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error CONFIG_NOT_FOUND");
  });
});

describe("deployer render", () => {
  it("prints the task definition as JSON, with sensitive values masked", async () => {
    const r = await deployer(["render", "--env", "prod-eu", "--image", "sha-abc"]);
    expect(r.exitCode).toBe(0);
    const def = JSON.parse(r.stdout);
    expect(def.family).toBe("shop-api-prod-eu");
    expect(def.containerDefinitions[0].image).toBe("444444444444.dkr.ecr.eu-west-1.amazonaws.com/shop/api:sha-abc");
    expect(def.containerDefinitions[0].environment).toContainEqual({ name: "SENTRY_DSN", value: "(sensitive)" });
    const shown = JSON.parse((await deployer(["render", "--env", "prod-eu", "--image", "sha-abc", "--show-sensitive"])).stdout);
    expect(shown.containerDefinitions[0].environment).toContainEqual({
      name: "SENTRY_DSN",
      value: "https://0f1e2d3c4b5a@o1.ingest.sentry.example/42",
    });
  });

  it("--output-file writes the file", async () => {
    const out = repo.file("td.json");
    const r = await deployer(["render", "--env", "dev", "--image", `sha256:${"1".repeat(64)}`, "--out-json", out], repo.dir);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(true);
    expect(JSON.parse(readFileSync(out, "utf8")).containerDefinitions[0].image).toBe(
      `111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:${"1".repeat(64)}`,
    );
  });

  it("refuses a malformed image and a missing --env", async () => {
    const bad = await deployer(["render", "--env", "dev", "--image", "not a tag"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("error INVALID_ARGUMENT");
    const missing = await deployer(["render", "--image", "x"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("required option '-e, --env <name>' not specified");
  });
});

describe("deployer targets", () => {
  it("lists targets as a table, by stage, and as JSON", async () => {
    const text = await deployer(["targets"]);
    expect(text.exitCode).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines[0]).toMatch(/^TARGET\s+STAGE\s+ACCOUNT\s+REGION\s+CLUSTER\s+SERVICE\s+IMAGE REPOSITORY$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4).join(" "))).toEqual([
      "dev dev 222222222222 eu-west-1",
      "staging staging 333333333333 eu-west-1",
      "prod-eu prod 444444444444 eu-west-1",
      "prod-us prod 555555555555 us-east-1",
    ]);
    const prod = JSON.parse((await deployer(["--output", "json", "targets", "--stage", "prod"])).stdout);
    expect(prod.targets.map((t: { name: string; cluster: string; file: string }) => `${t.name}:${t.cluster}:${t.file}`)).toEqual([
      "prod-eu:shop-prod-eu:environments/prod-eu.yaml",
      "prod-us:shop-prod-us:environments/prod-us.yaml",
    ]);
    expect(prod).toMatchObject({ formatVersion: 1, service: "shop-api", config: "deployer.yaml" });
  });
});

describe("help", () => {
  it.each(["validate", "render", "targets"])("%s --help shows an example", async (cmd) => {
    const r = await deployer([cmd, "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`$ deployer `);
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n\\s+\\$ deployer (--output json )?${cmd}`));
  });
});
