import { describe, expect, it } from "vitest";
import { canonicalJson, normaliseTaskDefinition } from "../../../src/ecs/normalise.js";
import { fingerprint } from "../../../src/plan/fingerprint.js";
import { diffTaskDefinitions } from "../../../src/plan/diff.js";
import { DIGEST_A, REPO, modelledDescription, renderTemplate, makeTarget } from "../../helpers/factories.js";
import { sameTaskDefinition } from "../../../src/ecs/normalise.js";

describe("normaliseTaskDefinition", () => {
  it("finds no difference between real DescribeTaskDefinition output and the rendered template", () => {
    const live = modelledDescription("task-definition.shop-api-dev.json").taskDefinition;
    const rendered = renderTemplate(makeTarget(), `${REPO}@${DIGEST_A}`) as unknown as Record<string, unknown>;
    expect(canonicalJson(normaliseTaskDefinition(live))).toBe(canonicalJson(normaliseTaskDefinition(rendered)));
    expect(fingerprint(live)).toBe(fingerprint(rendered));
    expect(diffTaskDefinitions(live, rendered)).toEqual([]);
  });

  it("drops what ECS adds on registration, and tags", () => {
    const live = modelledDescription("task-definition.shop-api-dev.json").taskDefinition;
    const n = normaliseTaskDefinition({ ...live, tags: [{ key: "a", value: "b" }] });
    for (const k of [
      "taskDefinitionArn",
      "revision",
      "status",
      "requiresAttributes",
      "compatibilities",
      "registeredAt",
      "registeredBy",
      "deregisteredAt",
      "tags",
    ]) {
      expect(n).not.toHaveProperty(k);
    }
    expect(n.family).toBe("shop-api-dev");
  });

  it("matches a minimal hand-written definition against a console-created one with every ECS default", () => {
    const live = modelledDescription("task-definition.console-fargate.json").taskDefinition;
    // What a template author writes for the same definition: no defaults, other orders, numbers.
    const written = {
      family: "orders-worker",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "1 vCPU",
      memory: "2 GB",
      taskRoleArn: "arn:aws:iam::555555555555:role/orders-worker-task",
      executionRoleArn: "arn:aws:iam::555555555555:role/ecsTaskExecutionRole",
      ephemeralStorage: { sizeInGiB: 21 },
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      volumes: [{ name: "scratch" }],
      containerDefinitions: [
        {
          name: "log-router",
          image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
          essential: false,
          memoryReservation: "50",
          user: "0",
          firelensConfiguration: { type: "fluentbit", options: { "enable-ecs-log-metadata": "true" } },
        },
        {
          name: "worker",
          image: "555555555555.dkr.ecr.us-east-1.amazonaws.com/orders/worker:2.14.0",
          command: ["node", "dist/worker.js"],
          environment: [
            { name: "NODE_ENV", value: "production" },
            { name: "QUEUE_URL", value: "https://sqs.us-east-1.amazonaws.com/555555555555/orders" },
          ],
          mountPoints: [{ sourceVolume: "scratch", containerPath: "/scratch", readOnly: false }],
          ulimits: [{ name: "nofile", softLimit: 65536, hardLimit: 65536 }],
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": "/ecs/orders-worker",
              "awslogs-region": "us-east-1",
              "awslogs-stream-prefix": "ecs",
              "awslogs-create-group": "true",
            },
          },
          healthCheck: { command: ["CMD-SHELL", "test -f /tmp/healthy || exit 1"] },
        },
      ],
    };
    expect(diffTaskDefinitions(live, written)).toEqual([]);
    expect(sameTaskDefinition(live, written)).toBe(true);
  });

  it("fills essential, container cpu, protocol and hostPort (awsvpc) on the rendered side", () => {
    const n = normaliseTaskDefinition({
      family: "f",
      networkMode: "awsvpc",
      cpu: 256,
      memory: 512,
      containerDefinitions: [{ name: "app", image: "x", portMappings: [{ containerPort: 8080 }] }],
    });
    const c = (n.containerDefinitions as Array<Record<string, unknown>>)[0]!;
    expect(n.cpu).toBe("256");
    expect(n.memory).toBe("512");
    expect(n.enableFaultInjection).toBe(false);
    expect(n.volumes).toEqual([]);
    expect(n.placementConstraints).toEqual([]);
    expect(c.essential).toBe(true);
    expect(c.cpu).toBe(0);
    expect(c.portMappings).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }]);
    expect(c.mountPoints).toEqual([]);
    expect(c.volumesFrom).toEqual([]);
    expect(c.systemControls).toEqual([]);
  });

  it("does not invent a hostPort under bridge networking", () => {
    const n = normaliseTaskDefinition({
      family: "f",
      networkMode: "bridge",
      containerDefinitions: [{ name: "app", image: "x", portMappings: [{ containerPort: 80 }] }],
    });
    const c = (n.containerDefinitions as Array<Record<string, unknown>>)[0]!;
    expect(c.portMappings).toEqual([{ containerPort: 80, protocol: "tcp" }]);
  });

  it("treats environment and secrets as name-keyed sets: order is irrelevant", () => {
    const a = {
      family: "f",
      containerDefinitions: [
        {
          name: "app",
          image: "x",
          environment: [
            { name: "B", value: "2" },
            { name: "A", value: "1" },
          ],
          secrets: [
            { name: "Z", valueFrom: "arn:z" },
            { name: "Y", valueFrom: "arn:y" },
          ],
        },
      ],
    };
    const b = {
      containerDefinitions: [
        {
          secrets: [
            { valueFrom: "arn:y", name: "Y" },
            { valueFrom: "arn:z", name: "Z" },
          ],
          environment: [
            { value: "1", name: "A" },
            { value: "2", name: "B" },
          ],
          image: "x",
          name: "app",
        },
      ],
      family: "f",
    };
    expect(fingerprint(a)).toBe(fingerprint(b));
    const n = normaliseTaskDefinition(a);
    const env = (n.containerDefinitions as Array<{ environment: unknown }>)[0]!.environment;
    expect(env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
  });

  it("a name given twice in environment or secrets: the last entry wins (what the container gets)", () => {
    const def = (env: Array<{ name: string; value: string }>, secrets: Array<{ name: string; valueFrom: string }>) => ({
      family: "f",
      containerDefinitions: [{ name: "app", image: "x", environment: env, secrets }],
    });
    const twice = def(
      [
        { name: "LOG_LEVEL", value: "info" },
        { name: "LOG_LEVEL", value: "debug" },
      ],
      [
        { name: "DB", valueFrom: "arn:old" },
        { name: "DB", valueFrom: "arn:new" },
      ],
    );
    const c = (normaliseTaskDefinition(twice).containerDefinitions as Array<Record<string, unknown>>)[0]!;
    expect(c.environment).toEqual([{ name: "LOG_LEVEL", value: "debug" }]);
    expect(c.secrets).toEqual([{ name: "DB", valueFrom: "arn:new" }]);
    expect(sameTaskDefinition(twice, def([{ name: "LOG_LEVEL", value: "debug" }], [{ name: "DB", valueFrom: "arn:new" }]))).toBe(true);
    expect(sameTaskDefinition(twice, def([{ name: "LOG_LEVEL", value: "info" }], [{ name: "DB", valueFrom: "arn:old" }]))).toBe(false);
  });

  it("keeps the order of lists where order means something", () => {
    const mk = (command: string[]) => ({ family: "f", containerDefinitions: [{ name: "app", image: "x", command }] });
    expect(fingerprint(mk(["a", "b"]))).not.toBe(fingerprint(mk(["b", "a"])));
  });

  it("orders keys stably at every level", () => {
    const n = normaliseTaskDefinition({ memory: "512", family: "f", cpu: "256", containerDefinitions: [{ name: "app", image: "x" }] });
    expect(Object.keys(n)).toEqual([...Object.keys(n)].sort());
    expect(JSON.stringify(n)).toBe(canonicalJson(n));
  });

  it("is idempotent", () => {
    const live = modelledDescription("task-definition.console-fargate.json").taskDefinition;
    const once = normaliseTaskDefinition(live);
    expect(normaliseTaskDefinition(once)).toEqual(once);
  });

  it("fingerprints as sha256:<64 hex>", () => {
    expect(fingerprint({ family: "f", containerDefinitions: [] })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('volume defaults ECS fills in: configuredAtLaunch false and EFS rootDirectory "/" equal absent; true and another root do not', () => {
    const base = { family: "f", containerDefinitions: [{ name: "app", image: "i" }] };
    const written = { ...base, volumes: [{ name: "shared", efsVolumeConfiguration: { fileSystemId: "fs-1" } }, { name: "scratch" }] };
    const live = {
      ...base,
      volumes: [
        { name: "scratch", host: {}, configuredAtLaunch: false },
        { name: "shared", efsVolumeConfiguration: { fileSystemId: "fs-1", rootDirectory: "/" }, configuredAtLaunch: false },
      ],
    };
    expect(sameTaskDefinition(written, live)).toBe(true);
    const atLaunch = structuredClone(live);
    atLaunch.volumes[0]!.configuredAtLaunch = true;
    expect(sameTaskDefinition(written, atLaunch)).toBe(false);
    const otherRoot = structuredClone(live);
    otherRoot.volumes[1]!.efsVolumeConfiguration!.rootDirectory = "/data";
    expect(sameTaskDefinition(written, otherRoot)).toBe(false);
  });

  it("an environment entry without a value is dropped (ECS does), and an empty role ARN is no role", () => {
    const live = { family: "f", containerDefinitions: [{ name: "app", image: "i", environment: [{ name: "A", value: "1" }] }] };
    const written = {
      family: "f",
      taskRoleArn: "",
      containerDefinitions: [{ name: "app", image: "i", environment: [{ name: "A", value: "1" }, { name: "B" }] }],
    };
    expect(sameTaskDefinition(written, live)).toBe(true);
    const emptyValue = structuredClone(written);
    emptyValue.containerDefinitions[0]!.environment[1] = { name: "B", value: "" };
    expect(sameTaskDefinition(emptyValue, live)).toBe(false);
  });
});
