// What the plan needs to roll a target back safely (src/checks/rollback-target.ts): the service's
// current service deployment, its state, and a revision known to have run healthy — read to know
// whether it is INACTIVE (a rollback then registers a copy), dropped when it no longer exists.
import { describe, expect, it } from "vitest";
import { currentOf, readRollbackState } from "../../../src/checks/rollback-target.js";
import type { CheckContext } from "../../../src/checks/context.js";
import type { Outcome } from "../../../src/checks/target-reads.js";
import type { LiveService, LiveTaskDefinition, ServiceDeploymentInfo } from "../../../src/aws/ports.js";
import type { DeploymentHistory } from "../../../src/ecs/deployment-history.js";
import { DeployerError } from "../../../src/errors.js";
import { liveService, makeRevision } from "../../helpers/factories.js";

const A = "222222222222";
const TD1 = `arn:aws:ecs:eu-west-1:${A}:task-definition/shop-api:1`;
const TD2 = `arn:aws:ecs:eu-west-1:${A}:task-definition/shop-api:2`;
const SD = (id: string) => `arn:aws:ecs:eu-west-1:${A}:service-deployment/shop-dev/api/${id}`;

function sd(id: string, status: string, extra: Partial<ServiceDeploymentInfo> = {}): ServiceDeploymentInfo {
  return { arn: SD(id), status, detailed: true, ...extra };
}

/** The history: the current deployment (of TD2) in progress, the one before it SUCCESSFUL with TD1. */
function history(): DeploymentHistory {
  return {
    entries: [
      { deployment: sd("cur", "IN_PROGRESS", { lifecycleStage: "BAKE_TIME" }), targetTaskDefinition: TD2 },
      { deployment: sd("old", "SUCCESSFUL", { finishedAt: "2025-03-01T08:00:00Z" }), targetTaskDefinition: TD1 },
    ],
  };
}

/** A service deploying TD2 (its PRIMARY deployment IN_PROGRESS); current service deployment "cur" unless given. */
function deploying(overrides: Partial<LiveService> = {}): LiveService {
  const s = liveService(A, "shop-dev", TD2, { currentServiceDeployment: SD("cur"), ...overrides });
  s.deployments = [{ ...s.deployments[0]!, rolloutState: "IN_PROGRESS", runningCount: 0, pendingCount: 1 }];
  return s;
}

/** A context whose reads serve `h` and the task definitions given (a read of any other fails the test unless `read` says otherwise). */
function ctxWith(h: DeploymentHistory, read: (arn: string) => Outcome<LiveTaskDefinition | undefined>) {
  const asked: string[] = [];
  const reads = {
    history: async () => h,
    taskDefinition: async (arn: string) => {
      asked.push(arn);
      return read(arn);
    },
  };
  return { ctx: { reads } as unknown as CheckContext, asked };
}

const td2 = makeRevision(A, 2, { family: "shop-api" });

describe("currentOf: the service's current service deployment", () => {
  it("the one the service names, from the history", () => {
    expect(currentOf(deploying({ currentServiceDeployment: SD("old") }), history())?.arn).toBe(SD("old"));
    expect(currentOf(deploying(), history())?.arn).toBe(SD("cur"));
  });

  it("none when the history does not have the one the service names (not an older one instead)", () => {
    expect(currentOf(deploying({ currentServiceDeployment: SD("gone") }), history())).toBeUndefined();
  });

  it("the newest when the service names none (or is not there)", () => {
    const s = deploying();
    delete s.currentServiceDeployment;
    expect(currentOf(s, history())?.arn).toBe(SD("cur"));
    expect(currentOf(undefined, history())?.arn).toBe(SD("cur"));
    expect(currentOf(s, { entries: [] })).toBeUndefined();
  });
});

describe("readRollbackState", () => {
  it("a stable service: rolls back to what runs, its status known without another read", async () => {
    const s = liveService(A, "shop-dev", TD2);
    const { ctx, asked } = ctxWith({ entries: [] }, () => {
      throw new Error("not read");
    });
    const r = await readRollbackState(ctx, s, td2);
    expect(r.state.kind).toBe("stable");
    expect(r.rollbackTo).toMatchObject({ taskDefinitionArn: TD2, source: "steady-state", status: "ACTIVE" });
    expect(r.history).toEqual({ entries: [] });
    expect("currentServiceDeployment" in r).toBe(false);
    expect(asked).toEqual([]);
  });

  it("mid-deployment: the revision the history shows healthy before it, read for its status (ACTIVE)", async () => {
    const h = history();
    const { ctx, asked } = ctxWith(h, (arn) => ({
      ok: true,
      value: makeRevision(A, Number(arn.split(":").pop()), { family: "shop-api" }),
    }));
    const r = await readRollbackState(ctx, deploying(), td2);
    expect(r.history).toBe(h);
    expect(r.currentServiceDeployment?.arn).toBe(SD("cur"));
    // The current service deployment decides the state: in progress, in its bake time.
    expect(r.state).toMatchObject({ kind: "in-progress", reason: expect.stringContaining("BAKE_TIME") });
    expect(r.rollbackTo).toMatchObject({ taskDefinitionArn: TD1, source: "service-deployments", status: "ACTIVE" });
    expect(asked).toEqual([TD1]);
  });

  it("an INACTIVE known-good revision stays the target, marked INACTIVE (the rollback registers a copy)", async () => {
    const { ctx } = ctxWith(history(), () => ({ ok: true, value: makeRevision(A, 1, { family: "shop-api" }, "INACTIVE") }));
    const r = await readRollbackState(ctx, deploying(), td2);
    expect(r.rollbackTo).toMatchObject({ taskDefinitionArn: TD1, status: "INACTIVE" });
  });

  it("a known-good revision that no longer exists: nothing to roll back to (the state is still reported)", async () => {
    const { ctx } = ctxWith(history(), () => ({ ok: true, value: undefined }));
    const r = await readRollbackState(ctx, deploying(), td2);
    expect(r.rollbackTo).toBeUndefined();
    expect("rollbackTo" in r).toBe(false);
    expect(r.state.kind).toBe("in-progress");
    expect(r.currentServiceDeployment?.arn).toBe(SD("cur"));
  });

  it("a known-good revision that could not be read stays the target, its status unknown", async () => {
    const error = new DeployerError({ code: "ACCESS_DENIED", message: "denied", action: "ecs:DescribeTaskDefinition" });
    const { ctx } = ctxWith(history(), () => ({ ok: false, error }));
    const r = await readRollbackState(ctx, deploying(), td2);
    expect(r.rollbackTo).toMatchObject({ taskDefinitionArn: TD1, source: "service-deployments" });
    expect(r.rollbackTo?.status).toBeUndefined();
  });

  it("no known-good revision: none, and no read", async () => {
    const { ctx, asked } = ctxWith({ entries: [history().entries[0]!] }, () => {
      throw new Error("not read");
    });
    const r = await readRollbackState(ctx, deploying(), td2);
    expect(r).not.toHaveProperty("rollbackTo");
    expect(asked).toEqual([]);
  });

  it("a missing service: state missing, nothing to roll back to", async () => {
    const { ctx } = ctxWith({ entries: [] }, () => ({ ok: true, value: undefined }));
    const r = await readRollbackState(ctx, undefined, undefined);
    expect(r.state.kind).toBe("missing");
    expect(r.rollbackTo).toBeUndefined();
  });
});
