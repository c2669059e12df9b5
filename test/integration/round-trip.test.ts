// Issue 13, "never diff what AWS fills in", end to end: a template using volumes (bind, EFS), secrets,
// awslogs, a partial health check, ulimits, linuxParameters, ephemeralStorage, runtimePlatform,
// and proxyConfiguration is rolled out to the sandbox — whose
// DescribeTaskDefinition fills in every default ECS adds (sandbox/task-definitions.ts
// REGISTRATION_DEFAULTS: configuredAtLaunch, host {}, EFS rootDirectory, health-check defaults,
// secretOptions, enableFaultInjection, …) — and the next plan of the same image is no change.
import { afterEach, describe, expect, it } from "vitest";
import { startPipeline, type Pipeline } from "../helpers/pipeline.js";
import { REGISTRATION_DEFAULTS } from "../../sandbox/task-definitions.js";

let p: Pipeline | undefined;
afterEach(async () => {
  await p?.stop();
  p = undefined;
});

const RICH_TEMPLATE = `{
  "family": "{{service}}-{{target.name}}",
  "taskRoleArn": "{{taskRole}}",
  "executionRoleArn": "{{executionRole}}",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "{{vars.cpu}}",
  "memory": "{{vars.memory}}",
  "runtimePlatform": { "cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX" },
  "ephemeralStorage": { "sizeInGiB": 30 },
  "volumes": [
    { "name": "scratch" },
    { "name": "shared", "efsVolumeConfiguration": { "fileSystemId": "fs-0123456789abcdef0", "transitEncryption": "ENABLED" } }
  ],
  "proxyConfiguration": {
    "type": "APPMESH",
    "containerName": "app",
    "properties": [
      { "name": "IgnoredUID", "value": "1337" },
      { "name": "ProxyIngressPort", "value": "15000" },
      { "name": "ProxyEgressPort", "value": "15001" },
      { "name": "AppPorts", "value": "{{vars.containerPort}}" },
      { "name": "EgressIgnoredIPs", "value": "169.254.170.2,169.254.169.254" }
    ]
  },
  "containerDefinitions": [
    {
      "name": "app",
      "image": "{{image}}",
      "portMappings": [{ "containerPort": {{json vars.containerPort}} }],
      "environment": [
        { "name": "STAGE", "value": "{{target.stage}}" }
      ],
      "secrets": [
        { "name": "DATABASE_URL", "valueFrom": "arn:{{target.partition}}:ssm:{{target.region}}:{{target.account}}:parameter/shop-api/database-url" }
      ],
      "mountPoints": [
        { "sourceVolume": "scratch", "containerPath": "/tmp/scratch" },
        { "sourceVolume": "shared", "containerPath": "/mnt/shared", "readOnly": true }
      ],
      "healthCheck": { "command": ["CMD-SHELL", "curl -fsS http://localhost:{{vars.containerPort}}/healthz || exit 1"] },
      "ulimits": [{ "name": "nofile", "softLimit": 65536, "hardLimit": 65536 }],
      "linuxParameters": { "initProcessEnabled": true },
      "logConfiguration": {
        "logDriver": "awslogs",
        "options": {
          "awslogs-group": "/ecs/{{service}}/{{target.name}}",
          "awslogs-region": "{{target.region}}",
          "awslogs-stream-prefix": "app"
        }
      }
    }
  ]
}
`;

describe("round trip: render → register → describe → plan", () => {
  it("a template using every feature whose defaults ECS fills in plans as no change after its rollout", async () => {
    p = await startPipeline();
    p.repo.write("templates/task-definition.json.hbs", RICH_TEMPLATE);
    const first = await p.rollout({ stages: ["dev"] }, "8d1e4b7");
    expect(first.plan.targets[0]!.action).toBe("update");
    expect(first.report.ok).toBe(true);
    const again = await p.plan({ stages: ["dev"] }, "8d1e4b7");
    await again.run.sessions.close();
    const t = again.plan.targets[0]!;
    expect(t.diff).toEqual([]);
    expect(t.action).toBe("noop");
  });

  it("the sandbox fills in each default this test relies on (a default switched off would make it vacuous)", () => {
    expect([...REGISTRATION_DEFAULTS]).toEqual(
      expect.arrayContaining(["healthCheckDefaults", "volumeConfiguredAtLaunch", "volumeEmptyHost", "efsRootDirectory"]),
    );
  });
});
