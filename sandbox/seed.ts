// Builds the sandbox world from a fixture: IAM and ECR through World.addAccount, ECS task
// definitions, clusters and services (already stable) through the ECS model.
import type { Rollouts } from "./deployments.js";
import { applyDeploymentConfiguration, defaultSettings } from "./deployment-config.js";
import type { AccountFixture } from "./fixture.js";
import { ensureNetwork } from "./network.js";
import { registerTaskDefinition, resolveTaskDefinition, validateTaskDefinitionInput } from "./task-definitions.js";
import type { EcsService, World } from "./world.js";

export function seedAccount(world: World, rollouts: Rollouts, a: AccountFixture, createdAt: number): void {
  world.addAccount(a, createdAt);
  for (const t of a.taskDefinitions ?? []) {
    validateTaskDefinitionInput(t.input);
    const state = world.region(a.id, t.region);
    const td = registerTaskDefinition(state, t.region, a.id, t.input, `arn:aws:iam::${a.id}:root`, createdAt, world.disabledDefaults);
    if (t.tags && Object.keys(t.tags).length > 0) state.tags.set(td.arn, { ...t.tags });
  }
  for (const c of a.clusters ?? []) {
    const state = world.region(a.id, c.region);
    const arn = `arn:aws:ecs:${c.region}:${a.id}:cluster/${c.name}`;
    const cluster = state.clusters.get(c.name) ?? { name: c.name, arn, status: "ACTIVE" as const, services: new Map() };
    state.clusters.set(c.name, cluster);
    for (const s of c.services ?? []) {
      const td = resolveTaskDefinition(state, s.taskDefinition);
      if (!td)
        throw new Error(
          `sandbox fixture: account ${a.id} service ${c.name}/${s.name}: task definition ${s.taskDefinition} is not registered`,
        );
      const networkConfiguration: Record<string, unknown> = s.networkConfiguration ?? {
        awsvpcConfiguration: {
          subnets: [`subnet-0${a.id.slice(0, 8)}a1`, `subnet-0${a.id.slice(0, 8)}b2`],
          securityGroups: [`sg-0${a.id.slice(0, 8)}c3`],
          assignPublicIp: "DISABLED",
        },
      };
      // The service could only have been created with subnets and groups that existed (network.ts).
      ensureNetwork(world, a.id, c.region, networkConfiguration.awsvpcConfiguration as Record<string, unknown> | undefined);
      const controller = s.deploymentController ?? "ECS";
      const settings = applyDeploymentConfiguration(
        {
          ...defaultSettings(),
          circuitBreaker: s.circuitBreaker
            ? { enable: Boolean(s.circuitBreaker.enable), rollback: Boolean(s.circuitBreaker.rollback) }
            : { enable: false, rollback: false },
        },
        s.deploymentConfiguration as Record<string, unknown> | undefined,
        controller,
      );
      const service: EcsService = {
        name: s.name,
        arn: `arn:aws:ecs:${c.region}:${a.id}:service/${c.name}/${s.name}`,
        clusterName: c.name,
        clusterArn: arn,
        account: a.id,
        region: c.region,
        status: "ACTIVE" as const,
        desiredCount: s.desiredCount,
        taskDefinition: td.arn,
        ...settings,
        deploymentController: controller,
        serviceDeployments: [],
        revisions: [],
        createdAt,
        createdBy: `arn:aws:iam::${a.id}:role/admin`,
        deployments: [],
        events: [],
        networkConfiguration: structuredClone(networkConfiguration),
        ...(s.serviceConnectConfiguration ? { serviceConnectConfiguration: structuredClone(s.serviceConnectConfiguration) } : {}),
      };
      rollouts.seedStable(service, td.arn, createdAt + 60_000);
      cluster.services.set(s.name, service);
    }
  }
}

export function seedWorld(world: World, rollouts: Rollouts): void {
  const createdAt = Date.now() - 30 * 24 * 3600 * 1000;
  const accounts = world.fixtureAccounts();
  for (const a of accounts) seedAccount(world, rollouts, a, createdAt);
  world.seedSharing(accounts, createdAt);
}
