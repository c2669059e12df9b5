import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadProject } from "../../../src/config/load.js";
import type { DeployerError } from "../../../src/errors.js";
import { errorsOf, exampleRepo, oneServiceRoot, type TempRepo } from "../../fixtures/config/repo.js";

let repo: TempRepo;
beforeEach(() => {
  repo = exampleRepo();
});
afterEach(() => repo.cleanup());

const load = () => loadProject({ cwd: repo.dir });
const at = (e: DeployerError | undefined) =>
  e?.location && `${path.relative(repo.dir, e.location.file)}:${e.location.line}:${e.location.column}`;
const only = (errors: DeployerError[]) => {
  expect(errors.map((e) => `${at(e)} ${e.field} ${e.message}`)).toHaveLength(1);
  return errors[0]!;
};

describe("loadProject on the example repository", () => {
  it("loads every target, sorted by stage order then name, with defaults merged", async () => {
    const project = await loadProject({ cwd: oneServiceRoot });
    expect(project.targets.map((t) => `${t.stage}/${t.name}`)).toEqual(["dev/dev", "staging/staging", "prod/prod-eu", "prod/prod-us"]);
    expect(project.config.service).toBe("shop-api");
    expect(project.config.stages).toEqual([{ name: "dev" }, { name: "staging" }, { name: "prod", maxParallel: 2 }]);
    expect(project.config.template).toBe(path.join(oneServiceRoot, "templates/task-definition.json.hbs"));
    expect(project.template.source).toContain('"family"');
    const [dev, staging, prodEu, prodUs] = project.targets;
    // _defaults.yaml under every target; the target's own value wins.
    expect(dev!.vars).toMatchObject({ cpu: 256, memory: 512, logLevel: "debug", containerPort: 8080 });
    expect(staging!.vars).toMatchObject({ cpu: 256, logLevel: "info" });
    // _prod.yaml between _defaults.yaml and the target.
    expect(prodEu!.vars).toMatchObject({ cpu: 512, memory: 1024, logLevel: "warn" });
    expect(prodUs!.vars).toMatchObject({ cpu: 512, memory: 1024, containerPort: 8080 });
    expect(prodEu!.imageRepository).toBe("444444444444.dkr.ecr.eu-west-1.amazonaws.com/shop/api");
    expect(dev!.sensitive).toEqual(["vars.sentryDsn"]);
    expect(dev!.externalId).toBe("shop-deployer-dev");
  });

  it("records where every field was written, including inherited ones", async () => {
    const project = await load();
    const prodEu = project.targets.find((t) => t.name === "prod-eu")!;
    // A role ARN pattern of _defaults.yaml: where the pattern was written.
    expect(prodEu.locations["taskRole"]).toEqual({
      file: repo.file("environments/_defaults.yaml"),
      line: repo.lineOf("environments/_defaults.yaml", "taskRole:"),
      column: 11,
    });
    expect(prodEu.locations["vars.cpu"]).toEqual({
      file: repo.file("environments/_prod.yaml"),
      line: repo.lineOf("environments/_prod.yaml", "cpu:"),
      column: 8,
    });
    expect(prodEu.locations["vars.sentryDsn"]?.file).toBe(repo.file("environments/_defaults.yaml"));
    expect(prodEu.locations["sensitive[0]"]?.line).toBe(repo.lineOf("environments/_defaults.yaml", "sensitive:"));
  });

  it("finds deployer.yaml walking up from a subdirectory, or from --config", async () => {
    expect((await loadProject({ cwd: repo.file("environments") })).config.file).toBe(repo.file("deployer.yaml"));
    expect((await loadProject({ config: repo.file("deployer.yaml") })).targets).toHaveLength(4);
    expect((await loadProject({ config: repo.dir })).targets).toHaveLength(4);
  });
});

describe("sensitive: the union over _defaults, _<stage> and the target", () => {
  it("a target that marks its own path keeps what _defaults.yaml marked (the README's layout)", async () => {
    // The example's _defaults.yaml marks vars.sentryDsn; prod-eu marks vars.apiKey as well.
    repo.write(
      "environments/prod-eu.yaml",
      repo.read("environments/prod-eu.yaml") + "sensitive: [vars.apiKey]\nvars:\n  apiKey: k3y-for-prod-eu-0000\n",
    );
    repo.write("environments/_prod.yaml", repo.read("environments/_prod.yaml") + "sensitive: [vars.dbPassword]\n");
    const project = await load();
    const prodEu = project.targets.find((t) => t.name === "prod-eu")!;
    expect(prodEu.sensitive).toEqual(["vars.sentryDsn", "vars.dbPassword", "vars.apiKey"]);
    expect(prodEu.locations["sensitive[1]"]?.file).toBe(repo.file("environments/_prod.yaml"));
    // A target cannot un-mark: an empty list adds nothing and removes nothing.
    repo.edit("environments/prod-eu.yaml", "sensitive: [vars.apiKey]", "sensitive: []");
    const again = (await load()).targets.find((t) => t.name === "prod-eu")!;
    expect(again.sensitive).toEqual(["vars.sentryDsn", "vars.dbPassword"]);
  });

  it("a `sensitive` that is not a list is reported at the layer that wrote it", async () => {
    repo.write(
      "environments/_defaults.yaml",
      repo.read("environments/_defaults.yaml").replace(/sensitive:.*\n/, "sensitive: vars.sentryDsn\n"),
    );
    const errors = await errorsOf(load);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.field === "sensitive" && e.location?.file === repo.file("environments/_defaults.yaml"))).toBe(true);
  });

  it("a sensitive value shorter than 8 characters is refused at its line, without the value", async () => {
    repo.edit(
      "environments/dev.yaml",
      "vars:",
      'sensitive: [vars.pin, vars.db]\nvars:\n  pin: "7391"\n  db: { user: app, password: long-enough-pass }',
    );
    const errors = await errorsOf(load);
    expect(errors.map((e) => [e.field, at(e)])).toEqual([
      ["vars.pin", `environments/dev.yaml:${repo.lineOf("environments/dev.yaml", "pin:")}:8`],
      ["vars.db.user", `environments/dev.yaml:${repo.lineOf("environments/dev.yaml", "db:")}:15`],
    ]);
    for (const e of errors) {
      expect(e.code).toBe("CONFIG_INVALID");
      expect(e.message).toMatch(/is marked sensitive, but its value \(a string\) is shorter than 8 characters/);
      expect(e.hint).toMatch(/at least 8 characters/);
      expect(JSON.stringify(e)).not.toMatch(/7391|"app"/);
    }
  });
});

describe("defaults merging", () => {
  it("merges maps deeply and replaces lists (but `sensitive`, which adds up); the target wins", async () => {
    const roles = repo.read("environments/_defaults.yaml").replace(/^vars:[^]*/m, ""); // the role ARN patterns
    repo.write(
      "environments/_defaults.yaml",
      `${roles}vars:\n  cpu: 256\n  memory: 512\n  nested: { a: 1, b: 2 }\n  list: [1, 2, 3]\nsensitive: [vars.a, vars.b]\n`,
    );
    repo.write("environments/_prod.yaml", "vars:\n  cpu: 1024\n  memory: 2048\n  nested: { b: 20 }\n");
    repo.write(
      "environments/prod-us.yaml",
      repo.read("environments/prod-us.yaml") + "vars:\n  logLevel: error\n  nested: { c: 3 }\n  list: [9]\nsensitive: [vars.c]\n",
    );
    const project = await load();
    const prodUs = project.targets.find((t) => t.name === "prod-us")!;
    expect(prodUs.vars).toEqual({ cpu: 1024, memory: 2048, logLevel: "error", nested: { a: 1, b: 20, c: 3 }, list: [9] });
    expect(prodUs.sensitive).toEqual(["vars.a", "vars.b", "vars.c"]);
    expect(prodUs.locations["sensitive[0]"]?.file).toBe(repo.file("environments/_defaults.yaml"));
    expect(prodUs.locations["sensitive[2]"]?.file).toBe(repo.file("environments/prod-us.yaml"));
    expect(prodUs.locations["vars.nested.a"]?.file).toBe(repo.file("environments/_defaults.yaml"));
    expect(prodUs.locations["vars.nested.b"]?.file).toBe(repo.file("environments/_prod.yaml"));
    expect(prodUs.locations["vars.list[0]"]?.file).toBe(repo.file("environments/prod-us.yaml"));
    expect(prodUs.locations["vars.list[1]"]).toBeUndefined();
    const prodEu = project.targets.find((t) => t.name === "prod-eu")!;
    expect(prodEu.vars).toEqual({ cpu: 1024, memory: 2048, nested: { a: 1, b: 20 }, list: [1, 2, 3] });
    expect(prodEu.sensitive).toEqual(["vars.a", "vars.b"]);
    const dev = project.targets.find((t) => t.name === "dev")!;
    expect(dev.vars).toMatchObject({ cpu: 256, logLevel: "debug" });
  });

  it("points an invalid inherited value at the defaults file", async () => {
    repo.edit("environments/_defaults.yaml", "sensitive: [vars.sentryDsn]", "sensitive: vars.sentryDsn");
    const e = only(await errorsOf(load));
    expect(e.code).toBe("CONFIG_INVALID");
    expect(at(e)).toBe(`environments/_defaults.yaml:${repo.lineOf("environments/_defaults.yaml", "sensitive:")}:12`);
    expect(e.field).toBe("sensitive");
    expect(e.message).toMatch(/expected a list of dotted paths/);
  });

  it("rejects per-stage defaults for a stage that does not exist", async () => {
    repo.write("environments/_prd.yaml", "vars:\n  cpu: 1\n");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("environments/_prd.yaml:1:1");
    expect(e.hint).toMatch(/Did you mean _prod\.yaml\?/);
  });

  it("rejects `stage` in a per-stage defaults file", async () => {
    repo.write("environments/_prod.yaml", "stage: dev\n");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("environments/_prod.yaml:1:1");
    expect(e.field).toBe("stage");
  });
});

describe("validation rules (each error names file, line, column and field)", () => {
  it("an unquoted account id loses its leading zero: error with a hint to quote it", async () => {
    repo.edit("environments/prod-eu.yaml", 'account: "444444444444"', "account: 012345678901");
    const e = only(await errorsOf(load));
    expect(e.code).toBe("CONFIG_INVALID");
    expect(at(e)).toBe("environments/prod-eu.yaml:2:10");
    expect(e.field).toBe("account");
    expect(e.target).toBe("prod-eu");
    expect(e.message).toContain("got a whole number");
    expect(e.hint).toContain('account: "012345678901"');
  });

  it("an unquoted 12-digit account is refused too (quoted-string safe)", async () => {
    repo.edit("environments/dev.yaml", 'account: "222222222222"', "account: 222222222222");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("environments/dev.yaml:2:10");
    expect(e.hint).toContain('account: "222222222222"');
  });

  it("an account id must have 12 digits", async () => {
    repo.edit("environments/dev.yaml", 'account: "222222222222"', 'account: "22222222222"');
    const errors = await errorsOf(load);
    const e = errors.find((x) => x.field === "account")!;
    expect(at(e)).toBe("environments/dev.yaml:2:10");
    expect(e.message).toMatch(/12-digit AWS account id/);
  });

  it.each(["deployRole", "viewRole", "taskRole", "executionRole"])("%s must be a role in the target's own account", async (field) => {
    // A target's own value wins over the pattern in _defaults.yaml.
    repo.write("environments/dev.yaml", `${repo.read("environments/dev.yaml")}${field}: arn:aws:iam::333333333333:role/x\n`);
    const e = only(await errorsOf(load));
    expect(at(e)).toBe(`environments/dev.yaml:${repo.lineOf("environments/dev.yaml", `${field}:`)}:${field.length + 3}`);
    expect(e.field).toBe(field);
    expect(e.message).toBe(`${field} is in account 333333333333, but target "dev" is account 222222222222`);
    expect(e.hint).toContain(`arn:aws:iam::222222222222:role/x`);
  });

  it("imageRepository must be a replica in the target's account or the central account", async () => {
    repo.edit("environments/prod-eu.yaml", "imageRepository: 444444444444.dkr.ecr", "imageRepository: 999999999999.dkr.ecr");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe(`environments/prod-eu.yaml:${repo.lineOf("environments/prod-eu.yaml", "imageRepository:")}:18`);
    expect(e.field).toBe("imageRepository");
    expect(e.message).toBe(
      'imageRepository is in account 999999999999, but target "prod-eu" is account 444444444444 and the central repository is in 111111111111',
    );
    expect(e.hint).toContain("leave imageRepository out");
  });

  it("a replica in the central account, in the target's region, is accepted", async () => {
    repo.edit("environments/prod-eu.yaml", "imageRepository: 444444444444.dkr.ecr", "imageRepository: 111111111111.dkr.ecr");
    const project = await load();
    expect(project.targets.find((t) => t.name === "prod-eu")!.imageRepository).toBe(
      "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api",
    );
  });

  it("a replica in another region than the target's is an error naming both regions", async () => {
    repo.edit(
      "environments/prod-eu.yaml",
      "imageRepository: 444444444444.dkr.ecr.eu-west-1",
      "imageRepository: 111111111111.dkr.ecr.us-east-1",
    );
    const e = only(await errorsOf(load));
    expect(e.field).toBe("imageRepository");
    expect(e.message).toBe('imageRepository is in region us-east-1, but target "prod-eu" is in region eu-west-1');
    expect(e.hint).toContain("111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api");
  });

  it("roles are ARNs of the target's partition", async () => {
    repo.write("environments/dev.yaml", `${repo.read("environments/dev.yaml")}taskRole: arn:aws-cn:iam::222222222222:role/shop-api-task\n`);
    const e = only(await errorsOf(load));
    expect(e.field).toBe("taskRole");
    expect(at(e)).toBe(`environments/dev.yaml:${repo.lineOf("environments/dev.yaml", "taskRole:")}:11`);
    expect(e.message).toBe('taskRole is in partition aws-cn, but target "dev" is in region eu-west-1 (partition aws)');
    expect(e.hint).toContain("arn:aws:iam::222222222222:role/shop-api-task");
  });

  it("a replica's host follows its region's partition (amazonaws.com.cn in China), and a correct one is accepted", async () => {
    repo.edit("environments/dev.yaml", "region: eu-west-1", "region: cn-north-1");
    repo.edit("environments/_defaults.yaml", /arn:aws:iam::/g, "arn:{partition}:iam::");
    repo.write(
      "environments/dev.yaml",
      `${repo.read("environments/dev.yaml")}imageRepository: 222222222222.dkr.ecr.cn-north-1.amazonaws.com/shop/api\n`,
    );
    const e = only(await errorsOf(load));
    expect(e.field).toBe("imageRepository");
    expect(e.message).toBe("imageRepository's host is not one of cn-north-1's (amazonaws.com.cn)");
    expect(e.hint).toContain("222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn/shop/api");
    repo.edit("environments/dev.yaml", "cn-north-1.amazonaws.com/", "cn-north-1.amazonaws.com.cn/");
    const dev = (await load()).targets.find((t) => t.name === "dev")!;
    expect(dev.imageRepository).toBe("222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn/shop/api");
  });

  it("a target in another partition than the central repository needs a repository of its own", async () => {
    repo.edit("environments/dev.yaml", "region: eu-west-1", "region: cn-north-1");
    // The roles follow the target's partition ({partition} in the shared patterns).
    repo.edit("environments/_defaults.yaml", /arn:aws:iam::/g, "arn:{partition}:iam::");
    const e = only(await errorsOf(load));
    expect(e.field).toBe("region");
    expect(e.message).toContain("cannot pull across partitions");
  });

  it("a role must be an IAM role ARN", async () => {
    repo.write("environments/dev.yaml", `${repo.read("environments/dev.yaml")}taskRole: shop-api-task\n`);
    const e = only(await errorsOf(load));
    expect(at(e)).toBe(`environments/dev.yaml:${repo.lineOf("environments/dev.yaml", "taskRole:")}:11`);
    expect(e.message).toMatch(/is not an IAM role ARN/);
  });

  it("a target's stage must exist", async () => {
    repo.edit("environments/staging.yaml", "stage: staging", "stage: stagin");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("environments/staging.yaml:1:8");
    expect(e.field).toBe("stage");
    expect(e.hint).toContain('Did you mean "staging"?');
    expect(e.hint).toContain("dev, staging, prod");
  });

  it("(account, region, cluster, service) is unique across targets", async () => {
    repo.write("environments/dev2.yaml", repo.read("environments/dev.yaml"));
    const e = only(await errorsOf(load));
    expect(at(e)).toBe(`environments/dev2.yaml:${repo.lineOf("environments/dev2.yaml", "service:")}:10`);
    expect(e.message).toContain('targets "dev" and "dev2" both deploy service api in cluster shop-dev');
    expect(e.hint).toContain(`dev.yaml:${repo.lineOf("environments/dev.yaml", "service:")}`);
  });

  it("target names are unique (.yaml and .yml)", async () => {
    repo.write("environments/dev.yml", repo.read("environments/dev.yaml"));
    const errors = await errorsOf(load);
    const e = errors.find((x) => x.message.includes("two files"))!;
    expect(at(e)).toMatch(/^environments\/dev\.ya?ml:1:1$/);
  });

  it("target names come from valid file names", async () => {
    repo.write("environments/prod eu.yaml", repo.read("environments/prod-eu.yaml"));
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("environments/prod eu.yaml:1:1");
    expect(e.message).toContain('"prod eu"');
  });

  it("an unknown field is reported at its key with a did-you-mean (and not also as missing)", async () => {
    repo.edit("environments/prod-us.yaml", "cluster: shop-prod-us", "clustr: shop-prod-us");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("environments/prod-us.yaml:4:1");
    expect(e.field).toBe("clustr");
    expect(e.hint).toMatch(/^Did you mean "cluster"\?/);
  });

  it("a missing required field is reported at the file with the field name", async () => {
    repo.edit("environments/prod-us.yaml", "region: us-east-1\n", "");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("environments/prod-us.yaml:1:1");
    expect(e.field).toBe("region");
    expect(e.message).toMatch(/missing required field "region"/);
  });

  it("a malformed region and an imageRepository with a tag are rejected", async () => {
    repo.edit("environments/prod-eu.yaml", "region: eu-west-1", "region: eu-west");
    repo.edit("environments/prod-eu.yaml", "/shop/api", "/shop/api:latest");
    const errors = await errorsOf(load);
    expect(errors.map((e) => `${at(e)} ${e.field}`)).toEqual([
      "environments/prod-eu.yaml:3:9 region",
      `environments/prod-eu.yaml:${repo.lineOf("environments/prod-eu.yaml", "imageRepository")}:18 imageRepository`,
    ]);
  });

  it("a cluster ARN must be in the target's account and region", async () => {
    repo.edit("environments/dev.yaml", "cluster: shop-dev", "cluster: arn:aws:ecs:eu-west-1:999999999999:cluster/shop-dev");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("environments/dev.yaml:4:10");
    expect(e.field).toBe("cluster");
  });

  it("a cluster ARN of the target's account but another region is refused", async () => {
    repo.edit("environments/dev.yaml", "cluster: shop-dev", "cluster: arn:aws:ecs:us-east-1:222222222222:cluster/shop-dev");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("environments/dev.yaml:4:10");
    expect(e).toMatchObject({ code: "CONFIG_INVALID", field: "cluster" });
    expect(e.message).toContain("us-east-1");
  });

  it("a cluster ARN of the target's own account and region is accepted", async () => {
    repo.edit("environments/dev.yaml", "cluster: shop-dev", "cluster: arn:aws:ecs:eu-west-1:222222222222:cluster/shop-dev");
    const project = await load();
    expect(project.targets.find((t) => t.name === "dev")?.cluster).toBe("arn:aws:ecs:eu-west-1:222222222222:cluster/shop-dev");
  });

  it("a YAML syntax error names the file and line, and other files' errors are still reported", async () => {
    repo.edit("environments/staging.yaml", "cluster: shop-staging", "cluster: [shop-staging");
    repo.write(
      "environments/prod-us.yaml",
      `${repo.read("environments/prod-us.yaml")}deployRole: arn:aws:iam::444444444444:role/deployer\n`,
    );
    repo.edit("deployer.yaml", "service: shop-api", "service: shop api");
    const errors = await errorsOf(load);
    expect(errors.map((e) => `${e.code} ${at(e)}`)).toEqual([
      "CONFIG_INVALID deployer.yaml:3:10",
      `CONFIG_INVALID environments/prod-us.yaml:${repo.lineOf("environments/prod-us.yaml", "deployRole:")}:13`,
      `YAML_SYNTAX environments/staging.yaml:${repo.lineOf("environments/staging.yaml", "cluster:")}:10`,
    ]);
  });

  it("a duplicate key is a YAML error", async () => {
    repo.edit("environments/dev.yaml", "service: api", "service: api\nservice: web");
    const e = only(await errorsOf(load));
    expect(e.code).toBe("YAML_SYNTAX");
    expect(at(e)).toBe("environments/dev.yaml:6:1");
  });

  it("an empty environment file is reported", async () => {
    repo.write("environments/dev.yaml", "");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("environments/dev.yaml:1:1");
    expect(e.message).toMatch(/must be a map of fields, got an empty file/);
  });
});

describe("deployer.yaml", () => {
  it("stage names are unique and maxParallel is a whole number >= 1", async () => {
    repo.edit("deployer.yaml", "  - name: staging", "  - name: dev");
    repo.edit("deployer.yaml", "maxParallel: 2", "maxParallel: 0");
    const errors = await errorsOf(load);
    const dup = errors.find((e) => e.message.includes("listed twice"))!;
    expect(at(dup)).toBe(`deployer.yaml:${repo.lineOf("deployer.yaml", "- name: dev") + 1}:11`);
    const par = errors.find((e) => e.field === "stages[2].maxParallel")!;
    expect(at(par)).toBe(`deployer.yaml:${repo.lineOf("deployer.yaml", "maxParallel")}:18`);
  });

  it("a missing template file is reported at the template field", async () => {
    repo.edit("deployer.yaml", "template: templates/task-definition.json.hbs", "template: templates/nope.json.hbs");
    const e = only(await errorsOf(load));
    expect(at(e)).toBe("deployer.yaml:4:11");
    expect(e.field).toBe("template");
  });

  it("registryRole must be in the registry's account", async () => {
    repo.edit("deployer.yaml", "stages:", "  registryRole: arn:aws:iam::222222222222:role/registry\nstages:");
    const e = only(await errorsOf(load));
    expect(e.field).toBe("image.registryRole");
    expect(e.hint).toContain("arn:aws:iam::111111111111:role/registry");
  });

  it("CONFIG_NOT_FOUND when no deployer.yaml is found", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "deployer-empty-"));
    try {
      mkdirSync(path.join(empty, "sub"));
      const [e] = await errorsOf(() => loadProject({ cwd: path.join(empty, "sub") }));
      expect(e!.code).toBe("CONFIG_NOT_FOUND");
      expect(e!.hint).toMatch(/--config/);
      const [e2] = await errorsOf(() => loadProject({ config: path.join(empty, "missing.yaml") }));
      expect(e2!.code).toBe("CONFIG_NOT_FOUND");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
