// The rollback-target rule: only a revision known to have run healthy before the current deployment
// (from ECS's service deployment history, else deployer's provenance tag), never one whose deployment
// failed. The history below is issue 11's case 1: bad0001 (:3, rolled back by ECS to :2), then
// c0ffee1 (:4): a rollback goes to :2, never to :3.
import { describe, expect, it } from "vitest";
import type { EcsPort, LiveTaskDefinition, ServiceDeploymentInfo, ServiceRevisionInfo } from "../../../src/aws/ports.js";
import {
  knownGoodFromHistory,
  knownGoodFromTag,
  lastOutcome,
  readDeploymentHistory,
  type DeploymentHistory,
} from "../../../src/ecs/deployment-history.js";

const td = (n: number) => `arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:${n}`;
const rev = (n: number) => `arn:aws:ecs:eu-west-1:222222222222:service-revision/shop-dev/api/${String(n).padStart(19, "1")}`;
const sdArn = (n: number) => `arn:aws:ecs:eu-west-1:222222222222:service-deployment/shop-dev/api/sd${n}`;

function deployment(n: number, status: string, more: Partial<ServiceDeploymentInfo> = {}): ServiceDeploymentInfo {
  return {
    arn: sdArn(n),
    status,
    targetRevisionArn: rev(n),
    createdAt: `2025-03-0${n}T09:00:00.000Z`,
    finishedAt: `2025-03-0${n}T09:05:00.000Z`,
    detailed: true,
    ...more,
  };
}

/** Newest first: :4 SUCCESSFUL, :3 ROLLBACK_SUCCESSFUL back to :2, :2 SUCCESSFUL, :1 SUCCESSFUL. */
const HISTORY: DeploymentHistory = {
  entries: [
    { deployment: deployment(4, "SUCCESSFUL"), targetTaskDefinition: td(4), sourceTaskDefinitions: [td(2)] },
    {
      deployment: deployment(3, "ROLLBACK_SUCCESSFUL", { rollback: { serviceRevisionArn: rev(2) } }),
      targetTaskDefinition: td(3),
      rollbackTaskDefinition: td(2),
      sourceTaskDefinitions: [td(2)],
    },
    { deployment: deployment(2, "SUCCESSFUL"), targetTaskDefinition: td(2), sourceTaskDefinitions: [td(1)] },
    { deployment: deployment(1, "SUCCESSFUL"), targetTaskDefinition: td(1) },
  ],
};

describe("knownGoodFromHistory", () => {
  it("bad → good → rollback: the revision ECS rolled the bad one back to, not the bad one", () => {
    const k = knownGoodFromHistory(HISTORY, { currentArn: sdArn(4), exclude: [td(4)] });
    expect(k).toMatchObject({ taskDefinitionArn: td(2), source: "service-deployments" });
    expect(k!.evidence).toContain("ECS rolled service deployment sd3 back to it");
  });

  it("a current deployment that failed without rollback (STOPPED): the newest SUCCESSFUL before it", () => {
    const h: DeploymentHistory = { entries: [{ deployment: deployment(5, "STOPPED"), targetTaskDefinition: td(5) }, ...HISTORY.entries] };
    expect(knownGoodFromHistory(h, { currentArn: sdArn(5), exclude: [td(5)] })!.taskDefinitionArn).toBe(td(4));
  });

  it("skips what is excluded and deployments that never ended healthy", () => {
    const h: DeploymentHistory = {
      entries: [
        { deployment: deployment(6, "SUCCESSFUL"), targetTaskDefinition: td(6) },
        { deployment: deployment(5, "ROLLBACK_FAILED"), targetTaskDefinition: td(5) },
        { deployment: deployment(4, "STOPPED"), targetTaskDefinition: td(4) },
        { deployment: deployment(3, "SUCCESSFUL"), targetTaskDefinition: td(6) },
        { deployment: deployment(2, "SUCCESSFUL"), targetTaskDefinition: td(2) },
      ],
    };
    expect(knownGoodFromHistory(h, { exclude: [td(6)] })!.taskDefinitionArn).toBe(td(2));
  });

  it("nothing when no older deployment ended healthy", () => {
    expect(
      knownGoodFromHistory({ entries: [{ deployment: deployment(1, "SUCCESSFUL"), targetTaskDefinition: td(1) }] }, { exclude: [td(1)] }),
    ).toBeUndefined();
    expect(knownGoodFromHistory({ entries: [], unavailable: { code: "AWS_ERROR", message: "no API" } }, { exclude: [] })).toBeUndefined();
  });
});

describe("knownGoodFromTag", () => {
  const live = (tags: Record<string, string>): LiveTaskDefinition => ({
    arn: td(4),
    family: "shop-api-dev",
    revision: 4,
    status: "ACTIVE",
    raw: {},
    tags,
  });
  it("reads deployer:previous-task-definition", () => {
    expect(knownGoodFromTag(live({ "deployer:previous-task-definition": td(2) }), [td(4)])).toMatchObject({
      taskDefinitionArn: td(2),
      source: "provenance-tag",
    });
    expect(knownGoodFromTag(live({}), [])).toBeUndefined();
    expect(knownGoodFromTag(live({ "deployer:previous-task-definition": td(4) }), [td(4)])).toBeUndefined();
  });
});

describe("lastOutcome", () => {
  it("marks a revision by how its last deployment ended", () => {
    expect(lastOutcome(HISTORY, td(3))).toMatchObject({ healthy: false });
    expect(lastOutcome(HISTORY, td(3)).text).toContain("ROLLBACK_SUCCESSFUL");
    expect(lastOutcome(HISTORY, td(4))).toMatchObject({ healthy: true });
    expect(lastOutcome(HISTORY, td(2))).toMatchObject({ healthy: true });
    expect(lastOutcome(HISTORY, td(9)).healthy).toBeUndefined();
  });
});

describe("readDeploymentHistory", () => {
  it("lists, describes and resolves every revision to its task definition", async () => {
    const described = [
      deployment(2, "ROLLBACK_SUCCESSFUL", { rollback: { serviceRevisionArn: rev(1) }, sourceRevisionArns: [rev(1)] }),
      deployment(1, "SUCCESSFUL"),
    ];
    const revisions: ServiceRevisionInfo[] = [1, 2].map((n) => ({ arn: rev(n), taskDefinition: td(n) }));
    const asked: string[][] = [];
    const ecs = {
      listServiceDeployments: async () => described.map((d) => ({ arn: d.arn, status: d.status, detailed: false })),
      describeServiceDeployments: async () => described,
      describeServiceRevisions: async (arns: string[]) => {
        asked.push(arns);
        return revisions.filter((r) => arns.includes(r.arn));
      },
    } as unknown as EcsPort;
    const h = await readDeploymentHistory(ecs, "shop-dev", "api");
    expect(h.entries.map((e) => [e.deployment.status, e.targetTaskDefinition, e.rollbackTaskDefinition])).toEqual([
      ["ROLLBACK_SUCCESSFUL", td(2), td(1)],
      ["SUCCESSFUL", td(1), undefined],
    ]);
    expect(asked).toHaveLength(1);
  });

  it("an endpoint without the API, or a denied call, is 'unavailable', never a throw", async () => {
    expect((await readDeploymentHistory({} as EcsPort, "c", "s")).unavailable?.message).toMatch(/no service-deployment API/);
    const denied = {
      listServiceDeployments: async () => Promise.reject(new Error("AccessDenied")),
      describeServiceDeployments: async () => [],
      describeServiceRevisions: async () => [],
    } as unknown as EcsPort;
    expect((await readDeploymentHistory(denied, "c", "s")).unavailable?.message).toBe("AccessDenied");
  });
});
