// Role ARN patterns (issue 18): deployRole, viewRole, taskRole and executionRole written once in
// _defaults.yaml / _<stage>.yaml with {account}, {region}, {name}, {stage}, {partition}, filled in per
// target; errors point at the line of the pattern and name the targets it was expanded for.
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadProject } from "../../../src/config/load.js";
import type { DeployerError } from "../../../src/errors.js";
import { errorsOf, exampleRepo, type TempRepo } from "../../fixtures/config/repo.js";

let repo: TempRepo;
beforeEach(() => {
  repo = exampleRepo();
});
afterEach(() => repo.cleanup());

const load = () => loadProject({ cwd: repo.dir });
const at = (e: DeployerError | undefined) =>
  e?.location && `${path.relative(repo.dir, e.location.file)}:${e.location.line}:${e.location.column}`;
const describeErrors = (errors: DeployerError[]) => errors.map((e) => `${at(e)} ${e.field} ${e.message}`);

/** Replaces the value of `field` in _defaults.yaml. */
function setDefault(field: string, value: string): void {
  repo.edit("environments/_defaults.yaml", new RegExp(`^${field}: .*$`, "m"), `${field}: ${value}`);
}

describe("role ARN patterns", () => {
  it("the example repository writes its roles once: every target gets its own account's ARNs, located at the pattern", async () => {
    const { targets } = await load();
    for (const t of targets) {
      expect(t.deployRole).toBe(`arn:aws:iam::${t.account}:role/deployer`);
      expect(t.viewRole).toBe(`arn:aws:iam::${t.account}:role/deployer-viewer`);
      expect(t.viewExternalId).toBe("shop-viewer");
      expect(t.taskRole).toBe(`arn:aws:iam::${t.account}:role/shop-api-task`);
      expect(t.executionRole).toBe(`arn:aws:iam::${t.account}:role/shop-api-exec`);
      expect(t.locations["deployRole"]).toEqual({
        file: repo.file("environments/_defaults.yaml"),
        line: repo.lineOf("environments/_defaults.yaml", "deployRole:"),
        column: 13,
      });
    }
  });

  it("fills in {account}, {region}, {name}, {stage} and {partition}; a stage file's pattern wins over _defaults, a target's own value over both", async () => {
    setDefault("deployRole", "arn:{partition}:iam::{account}:role/{stage}/{name}-{region}");
    repo.write("environments/_prod.yaml", `${repo.read("environments/_prod.yaml")}taskRole: arn:aws:iam::{account}:role/{name}-task\n`);
    repo.write("environments/dev.yaml", `${repo.read("environments/dev.yaml")}executionRole: arn:aws:iam::222222222222:role/dev-exec\n`);
    const byName = new Map((await load()).targets.map((t) => [t.name, t]));
    expect(byName.get("prod-us")!.deployRole).toBe("arn:aws:iam::555555555555:role/prod/prod-us-us-east-1");
    expect(byName.get("dev")!.deployRole).toBe("arn:aws:iam::222222222222:role/dev/dev-eu-west-1");
    expect(byName.get("prod-eu")!.taskRole).toBe("arn:aws:iam::444444444444:role/prod-eu-task");
    expect(byName.get("prod-eu")!.locations["taskRole"]?.file).toBe(repo.file("environments/_prod.yaml"));
    expect(byName.get("staging")!.taskRole).toBe("arn:aws:iam::333333333333:role/shop-api-task");
    expect(byName.get("dev")!.executionRole).toBe("arn:aws:iam::222222222222:role/dev-exec");
    expect(byName.get("staging")!.executionRole).toBe("arn:aws:iam::333333333333:role/shop-api-exec");
  });

  it("{partition} follows each target's region", async () => {
    setDefault("deployRole", "arn:{partition}:iam::{account}:role/deployer");
    setDefault("viewRole", "arn:{partition}:iam::{account}:role/deployer-viewer");
    setDefault("taskRole", "arn:{partition}:iam::{account}:role/shop-api-task");
    setDefault("executionRole", "arn:{partition}:iam::{account}:role/shop-api-exec");
    repo.edit("environments/prod-us.yaml", "region: us-east-1", "region: cn-north-1");
    // Nothing crosses partitions: a target in aws-cn pulls from a repository of its own partition.
    repo.write(
      "environments/prod-us.yaml",
      `${repo.read("environments/prod-us.yaml")}imageRepository: 555555555555.dkr.ecr.cn-north-1.amazonaws.com.cn/shop/api\n`,
    );
    const project = await load().catch((e: unknown) => {
      throw new Error(describeErrors((e as { errors: DeployerError[] }).errors).join("\n"));
    });
    const prodUs = project.targets.find((t) => t.name === "prod-us")!;
    expect(prodUs.deployRole).toBe("arn:aws-cn:iam::555555555555:role/deployer");
    expect(prodUs.executionRole).toBe("arn:aws-cn:iam::555555555555:role/shop-api-exec");
  });

  it("an unknown placeholder is one error at the pattern's line, naming every target it was expanded for (and no schema error besides)", async () => {
    setDefault("deployRole", "arn:aws:iam::{acount}:role/deployer");
    const errors = await errorsOf(load);
    expect(describeErrors(errors)).toEqual([
      `environments/_defaults.yaml:${repo.lineOf("environments/_defaults.yaml", "deployRole:")}:13 deployRole deployRole: unknown placeholder {acount} (expanded for targets "dev", "prod-eu", "prod-us", "staging")`,
    ]);
    expect(errors[0]!.hint).toContain("Did you mean {account}?");
    expect(errors[0]!.code).toBe("CONFIG_INVALID");
  });

  it("a brace left open is an error at the pattern", async () => {
    setDefault("taskRole", "arn:aws:iam::{account:role/shop-api-task");
    const errors = await errorsOf(load);
    expect(describeErrors(errors)).toEqual([
      `environments/_defaults.yaml:${repo.lineOf("environments/_defaults.yaml", "taskRole:")}:11 taskRole taskRole: a \`{\` without its \`}\` (expanded for targets "dev", "prod-eu", "prod-us", "staging")`,
    ]);
  });

  it("a pattern that expands to an invalid ARN is reported at the pattern, naming the targets", async () => {
    setDefault("viewRole", "arn:aws:iam::{account}:role/{name} viewer");
    const errors = await errorsOf(load);
    const line = repo.lineOf("environments/_defaults.yaml", "viewRole:");
    expect(errors.map((e) => `${at(e)} ${e.field}`)).toEqual(expect.arrayContaining([`environments/_defaults.yaml:${line}:11 viewRole`]));
    expect(errors.every((e) => e.field === "viewRole" && at(e) === `environments/_defaults.yaml:${line}:11`)).toBe(true);
    const named = errors.map((e) => e.message).join("\n");
    for (const t of ["dev", "staging", "prod-eu", "prod-us"]) expect(named).toContain(`"${t}"`);
    expect(named).toMatch(/is not an IAM role ARN/);
  });

  it("a literal account in a stage pattern is caught per target, at the pattern's line, naming the target", async () => {
    repo.write("environments/_prod.yaml", `${repo.read("environments/_prod.yaml")}deployRole: arn:aws:iam::444444444444:role/deployer\n`);
    const errors = await errorsOf(load);
    expect(describeErrors(errors)).toEqual([
      `environments/_prod.yaml:${repo.lineOf("environments/_prod.yaml", "deployRole:")}:13 deployRole deployRole is in account 444444444444, but target "prod-us" is account 555555555555`,
    ]);
    expect(errors[0]!.target).toBe("prod-us");
  });

  it("a role ARN in another partition than the target's region is refused, with {partition} in the hint", async () => {
    repo.edit("environments/prod-us.yaml", "region: us-east-1", "region: us-gov-west-1");
    repo.write(
      "environments/prod-us.yaml",
      `${repo.read("environments/prod-us.yaml")}imageRepository: 555555555555.dkr.ecr.us-gov-west-1.amazonaws.com/shop/api\n`,
    );
    const errors = await errorsOf(load);
    expect(errors.map((e) => `${e.field} ${e.target} ${e.message}`)).toEqual(
      ["deployRole", "viewRole", "taskRole", "executionRole"].map(
        (f) => `${f} prod-us ${f} is in partition aws, but target "prod-us" is in region us-gov-west-1 (partition aws-us-gov)`,
      ),
    );
    expect(errors[0]!.hint).toContain("arn:aws-us-gov:iam::555555555555:role/deployer");
    expect(errors[0]!.hint).toContain("arn:{partition}:");
  });

  it("a placeholder whose source is invalid does not add errors of its own: the source's error says it", async () => {
    repo.edit("environments/staging.yaml", /^region: .*$/m, "region: europe");
    const errors = await errorsOf(load);
    expect(describeErrors(errors)).toEqual([expect.stringMatching(/^environments\/staging\.yaml:3:9 region /)]);
  });
});

describe("viewRole", () => {
  it("viewRole may not be the deploy role", async () => {
    setDefault("viewRole", "arn:aws:iam::{account}:role/deployer");
    const errors = await errorsOf(load);
    expect(errors).toHaveLength(4);
    const e = errors.find((x) => x.target === "dev")!;
    expect(e.field).toBe("viewRole");
    expect(at(e)).toBe(`environments/_defaults.yaml:${repo.lineOf("environments/_defaults.yaml", "viewRole:")}:11`);
    expect(e.message).toBe(
      "viewRole is the deploy role arn:aws:iam::222222222222:role/deployer: the viewer must be a read-only role of its own",
    );
  });

  it("viewExternalId without viewRole is an error (once, at its line); without both, a target has no viewer", async () => {
    repo.edit("environments/_defaults.yaml", /^viewRole: .*\n/m, "");
    const errors = await errorsOf(load);
    expect(describeErrors(errors)).toEqual([
      `environments/_defaults.yaml:${repo.lineOf("environments/_defaults.yaml", "viewExternalId:")}:17 viewExternalId viewExternalId is set but viewRole is not`,
    ]);
    repo.edit("environments/_defaults.yaml", /^viewExternalId: .*\n/m, "");
    const { targets } = await load();
    expect(targets.every((t) => t.viewRole === undefined && t.viewExternalId === undefined)).toBe(true);
  });
});
