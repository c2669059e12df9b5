import { describe, expect, it } from "vitest";
import type { LiveTaskDefinition, ServiceEvent } from "../../../src/aws/ports.js";
import { deployedImage, lastDeploymentFailure, serviceHealth } from "../../../src/fleet/deployed.js";
import { DIGEST_A, DIGEST_B, REPO, serviceFor, loadExample } from "./fleet-fakes.js";

function td(image: string, tags: Record<string, string> = {}): LiveTaskDefinition {
  return {
    arn: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:3",
    family: "shop-api-dev",
    revision: 3,
    status: "ACTIVE",
    raw: { containerDefinitions: [{ name: "app", image }] },
    tags,
  };
}

const ev = (id: string, at: string, message: string): ServiceEvent => ({
  id,
  createdAt: `2025-03-01T${at}:00.000Z`,
  message: `(service api) ${message}`,
});

describe("deployedImage", () => {
  it("takes the digest from the image and the tag, and says when they agree", () => {
    const d = deployedImage(
      td(`${REPO}@${DIGEST_A}`, { "deployer:image-digest": DIGEST_A, "deployer:image-tag": "9c1e4b7", "deployer:git-sha": "9c1e4b7" }),
    );
    expect(d).toEqual({
      ref: `${REPO}@${DIGEST_A}`,
      digest: DIGEST_A,
      imageDigest: DIGEST_A,
      tagDigest: DIGEST_A,
      conflict: false,
      imageTag: "9c1e4b7",
      gitSha: "9c1e4b7",
    });
  });

  it("flags an image that disagrees with its deployer:image-digest tag, and trusts the image", () => {
    const d = deployedImage(td(`${REPO}@${DIGEST_B}`, { "deployer:image-digest": DIGEST_A }));
    expect(d.conflict).toBe(true);
    expect(d.digest).toBe(DIGEST_B);
  });

  it("falls back to the tag for an image by tag, and knows nothing without either", () => {
    expect(deployedImage(td(`${REPO}:latest`, { "deployer:image-digest": DIGEST_A })).digest).toBe(DIGEST_A);
    const none = deployedImage(td(`${REPO}:latest`));
    expect(none.digest).toBeUndefined();
    expect(none.ref).toBe(`${REPO}:latest`);
  });
});

describe("lastDeploymentFailure", () => {
  const failed = ev("f", "10:00", "(deployment ecs-svc/2) deployment failed: tasks failed to start.");
  const rollingBack = ev("r", "10:00", "rolling back to deployment ecs-svc/1.");
  const old = ev("o", "09:00", "(deployment ecs-svc/1) deployment completed.");

  it("a failure ECS rolled back still stands after the rollback's own completion, and reports the failure event", () => {
    const rollbackDone = ev("c1", "10:05", "(deployment ecs-svc/3) deployment completed.");
    expect(lastDeploymentFailure([rollbackDone, rollingBack, failed, old])).toEqual(failed);
    // ECS may list the two events of one instant in either order.
    expect(lastDeploymentFailure([rollbackDone, failed, rollingBack, old])).toEqual(failed);
  });

  it("a newer successful deployment clears it", () => {
    const rollbackDone = ev("c1", "10:05", "(deployment ecs-svc/3) deployment completed.");
    const next = ev("c2", "11:00", "(deployment ecs-svc/4) deployment completed.");
    expect(lastDeploymentFailure([next, rollbackDone, rollingBack, failed, old])).toBeUndefined();
  });

  it("without a rollback, any later completion clears it; none keeps it", () => {
    expect(lastDeploymentFailure([failed, old])).toEqual(failed);
    expect(lastDeploymentFailure([ev("c", "10:30", "(deployment ecs-svc/4) deployment completed."), failed, old])).toBeUndefined();
  });

  it("no failure in the events: none", () => {
    expect(lastDeploymentFailure([ev("s", "09:01", "has reached a steady state."), old])).toBeUndefined();
    expect(lastDeploymentFailure([])).toBeUndefined();
  });
});

describe("serviceHealth", () => {
  it("classifies each kind of service snapshot", async () => {
    const project = await loadExample();
    const dev = project.targets.find((t) => t.name === "dev")!;
    const arn = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:3";
    expect(serviceHealth(serviceFor(dev, arn, "stable")).state).toBe("stable");
    const inProgress = serviceHealth(serviceFor(dev, arn, "in-progress"));
    expect(inProgress.state).toBe("in-progress");
    expect(inProgress.reason).toContain("ecs-svc/2 (shop-api-dev:4) in progress: 1/2 running, 2 deployments");
    const rollingBack = serviceHealth(serviceFor(dev, arn, "failed-rolling-back"));
    expect(rollingBack.state).toBe("failed");
    expect(rollingBack.reason).toContain(
      "ecs-svc/2 (shop-api-dev:4) FAILED: ECS deployment circuit breaker: tasks failed to start.; ECS is rolling back to shop-api-dev:3",
    );
    const rolledBack = serviceHealth(serviceFor(dev, arn, "rolled-back"));
    expect(rolledBack.state).toBe("failed");
    expect(rolledBack.reason).toBe(
      "(deployment ecs-svc/2) deployment failed: tasks failed to start (2025-03-01T08:59:30.000Z); ECS rolled back to shop-api-dev:3",
    );
    const degraded = serviceHealth(serviceFor(dev, arn, "degraded"));
    expect(degraded).toMatchObject({ state: "degraded", reason: "1 of 2 tasks running" });
  });

  it("desiredCount 0 is scaled to zero, never stable (issue 11, case 8)", async () => {
    const project = await loadExample();
    const s = serviceFor(project.targets[0]!, "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:3");
    const zero = {
      ...s,
      desiredCount: 0,
      runningCount: 0,
      deployments: s.deployments.map((d) => ({ ...d, desiredCount: 0, runningCount: 0 })),
    };
    expect(serviceHealth(zero)).toMatchObject({ state: "scaled-to-zero", reason: "desiredCount 0: no task runs shop-api-dev:3" });
  });

  it("a FAILED PRIMARY next to the old deployment (no ECS rollback) is failed", async () => {
    const project = await loadExample();
    const s = serviceFor(project.targets[0]!, "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:3");
    const failed = {
      ...s,
      deployments: [
        {
          ...s.deployments[0]!,
          id: "ecs-svc/9",
          taskDefinition: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:4",
          rolloutState: "FAILED",
          rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
          runningCount: 0,
        },
        { ...s.deployments[0]!, status: "ACTIVE" },
      ],
    };
    expect(serviceHealth(failed)).toMatchObject({ state: "failed" });
  });

  it("a service that is not ACTIVE is degraded", async () => {
    const project = await loadExample();
    const s = serviceFor(project.targets[0]!, "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:3");
    expect(serviceHealth({ ...s, status: "DRAINING" })).toMatchObject({ state: "degraded", reason: "service is DRAINING" });
  });
});
