// Issue 18, cross-account checks: what `taskAssumes` loads to (patterns in _defaults.yaml included,
// a bad ARN at its file:line), which roles a task role's policies let it assume, and which Service
// Connect namespaces of a live service belong to another account.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadProject } from "../../../src/config/load.js";
import { assumedRolesIn } from "../../../src/checks/task-assumes.js";
import { crossAccountNamespaces } from "../../../src/checks/service-connect.js";
import { errorsOf, exampleRepo, type TempRepo } from "../../fixtures/config/repo.js";

let repo: TempRepo;
beforeEach(() => {
  repo = exampleRepo();
});
afterEach(() => repo.cleanup());

describe("taskAssumes", () => {
  it("is a list of role ARNs; written once in _defaults.yaml with placeholders, each target gets its own", async () => {
    repo.write(
      "environments/_defaults.yaml",
      `${repo.read("environments/_defaults.yaml")}taskAssumes:\n  - arn:{partition}:iam::333333333333:role/{stage}-events\n`,
    );
    const { targets } = await loadProject({ cwd: repo.dir });
    expect(targets.find((t) => t.name === "dev")!.taskAssumes).toEqual(["arn:aws:iam::333333333333:role/dev-events"]);
    expect(targets.find((t) => t.name === "prod-eu")!.taskAssumes).toEqual(["arn:aws:iam::333333333333:role/prod-events"]);
  });

  it("refuses what is not a role ARN, at its file and line", async () => {
    repo.edit("environments/dev.yaml", "externalId: shop-deployer-dev\n", "externalId: shop-deployer-dev\ntaskAssumes:\n  - not-an-arn\n");
    const errors = await errorsOf(() => loadProject({ cwd: repo.dir }));
    const e = errors.find((x) => (x.field ?? "").startsWith("taskAssumes"));
    expect(e, errors.map((x) => `${x.field} ${x.message}`).join("\n")).toBeDefined();
    expect(e!.location?.file).toBe(repo.file("environments/dev.yaml"));
    expect(e!.location?.line).toBe(repo.lineOf("environments/dev.yaml", "- not-an-arn"));
  });
});

describe("roles a task role's policies let it assume", () => {
  it("Allow statements with sts:AssumeRole (or a wildcard covering it) on role ARNs of other accounts; no wildcards, no Deny, not its own account", () => {
    const found = assumedRolesIn(
      [
        { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::333333333333:role/a" },
        { Effect: "Allow", Action: ["s3:GetObject", "sts:*"], Resource: ["arn:aws:iam::444444444444:role/b", "arn:aws:s3:::x"] },
        { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/c" },
        { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::222222222222:role/own" },
        { Effect: "Deny", Action: "sts:AssumeRole", Resource: "arn:aws:iam::555555555555:role/d" },
        { Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "arn:aws:iam::666666666666:role/e" },
      ],
      "222222222222",
    );
    expect(found).toEqual(["arn:aws:iam::333333333333:role/a", "arn:aws:iam::444444444444:role/b"]);
  });
});

describe("Service Connect namespaces of another account", () => {
  it("by ARN of another account, from every deployment that is not INACTIVE; names and own namespaces are left out", () => {
    const ns = "arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-shopinternal0001";
    const refs = crossAccountNamespaces(
      [
        { id: "ecs-svc/1", status: "PRIMARY", serviceConnectNamespace: ns },
        { id: "ecs-svc/2", status: "ACTIVE", serviceConnectNamespace: ns },
        { id: "ecs-svc/3", status: "ACTIVE", serviceConnectNamespace: "shop.internal" },
        {
          id: "ecs-svc/4",
          status: "ACTIVE",
          serviceConnectNamespace: "arn:aws:servicediscovery:eu-west-1:222222222222:namespace/ns-own00001",
        },
        {
          id: "ecs-svc/5",
          status: "INACTIVE",
          serviceConnectNamespace: "arn:aws:servicediscovery:eu-west-1:999999999999:namespace/ns-old00001",
        },
        { id: "ecs-svc/6", status: "ACTIVE" },
      ],
      "222222222222",
    );
    expect(refs).toEqual([
      { arn: ns, region: "eu-west-1", owner: "111111111111", usedBy: ["deployment ecs-svc/1 (PRIMARY)", "deployment ecs-svc/2 (ACTIVE)"] },
    ]);
  });
});
