import { describe, expect, it } from "vitest";
import { canonicalJson, normaliseTaskDefinition, taskCpuString, taskMemoryString } from "../../../src/ecs/normalise.js";
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

describe("normal form: each default and conversion on its own", () => {
  type Obj = Record<string, unknown>;
  const containerOf = (def: Obj, i = 0): Obj => (normaliseTaskDefinition(def).containerDefinitions as Obj[])[i]!;
  const one = (container: Obj, more: Obj = {}): Obj => ({
    family: "f",
    ...more,
    containerDefinitions: [{ name: "app", image: "i", ...container }],
  });

  it("task cpu and memory in the units ECS stores, from numbers, units and any case or spacing", () => {
    expect(taskCpuString(512)).toBe("512");
    expect(taskCpuString(" 512 ")).toBe("512");
    expect(taskCpuString("0.25 vCPU")).toBe("256");
    expect(taskCpuString("1vcpu")).toBe("1024");
    expect(taskCpuString("2 VCPU")).toBe("2048");
    expect(taskCpuString("0.5vCPU")).toBe("512");
    expect(taskCpuString("16 vCPU")).toBe("16384");
    expect(taskCpuString("x1 vcpu")).toBe("x1 vcpu");
    expect(taskCpuString("1 vcpus")).toBe("1 vcpus");
    expect(taskCpuString(".5 vcpu")).toBe(".5 vcpu");
    expect(taskCpuString(true)).toBe(true);
    expect(taskMemoryString(1024)).toBe("1024");
    expect(taskMemoryString(" 1024 ")).toBe("1024");
    expect(taskMemoryString("1 GB")).toBe("1024");
    expect(taskMemoryString("0.5gb")).toBe("512");
    expect(taskMemoryString("3 Gb")).toBe("3072");
    expect(taskMemoryString("30 GB")).toBe("30720");
    expect(taskMemoryString("0.25 GB")).toBe("256");
    expect(taskMemoryString("512 MiB")).toBe("512");
    expect(taskMemoryString("512mb")).toBe("512");
    expect(taskMemoryString("1 GBx")).toBe("1 GBx");
    expect(taskMemoryString("x1 GB")).toBe("x1 GB");
    expect(taskMemoryString("512 MiBs")).toBe("512 MiBs");
    expect(taskMemoryString("x512 MiB")).toBe("x512 MiB");
    expect(taskMemoryString("1.5 MiB")).toBe("1.5 MiB");
    expect(taskMemoryString(null)).toBe(null);
  });

  it("task cpu and memory are converted in the definition; absent or null stay absent", () => {
    expect(normaliseTaskDefinition({ family: "f", cpu: "1 vCPU", memory: "2 GB" })).toMatchObject({ cpu: "1024", memory: "2048" });
    const n = normaliseTaskDefinition({ family: "f", cpu: null, memory: null });
    expect(n).not.toHaveProperty("cpu");
    expect(n).not.toHaveProperty("memory");
  });

  it("fault injection defaults to false; true is kept", () => {
    expect(normaliseTaskDefinition({ family: "f", enableFaultInjection: null }).enableFaultInjection).toBe(false);
    expect(normaliseTaskDefinition({ family: "f", enableFaultInjection: true }).enableFaultInjection).toBe(true);
  });

  it("an empty execution role ARN is no role too; a real role ARN is kept", () => {
    expect(normaliseTaskDefinition({ family: "f", executionRoleArn: "" })).not.toHaveProperty("executionRoleArn");
    expect(normaliseTaskDefinition({ family: "f", taskRoleArn: "arn:r" }).taskRoleArn).toBe("arn:r");
  });

  it("anything but an object is an empty definition; no containers is an empty list", () => {
    expect(normaliseTaskDefinition(null as unknown as Obj)).toEqual({});
    expect(normaliseTaskDefinition([] as unknown as Obj)).toEqual({});
    expect(normaliseTaskDefinition({ family: "f" }).containerDefinitions).toEqual([]);
    expect(normaliseTaskDefinition({ family: "f", containerDefinitions: "x" }).containerDefinitions).toEqual([]);
  });

  it("containers sorted by name (non-objects dropped); volumes sorted by name; placement constraints sorted; compatibilities a sorted set", () => {
    const n = normaliseTaskDefinition({
      family: "f",
      containerDefinitions: [
        { name: "web", image: "i" },
        5,
        { name: "api", image: "i" },
        { image: "nameless" },
        { name: "APP", image: "i" },
      ],
      volumes: [{ name: "z" }, "junk", { name: "a" }, { host: { sourcePath: "/x" } }, { name: "Data" }],
      placementConstraints: [
        { type: "memberOf", expression: "b" },
        { type: "memberOf", expression: "a" },
      ],
      requiresCompatibilities: ["FARGATE", "EC2", "FARGATE"],
    });
    expect((n.containerDefinitions as Obj[]).map((c) => c.name ?? c.image)).toEqual(["nameless", "APP", "api", "web"]);
    expect((n.volumes as Obj[]).map((v) => v.name ?? "-")).toEqual(["-", "Data", "a", "z"]);
    expect(n.placementConstraints).toEqual([
      { expression: "a", type: "memberOf" },
      { expression: "b", type: "memberOf" },
    ]);
    expect(n.requiresCompatibilities).toEqual(["EC2", "FARGATE"]);
  });

  it("container essential, cpu and memory: defaults only where absent, digit strings as numbers", () => {
    expect(containerOf(one({ essential: false, cpu: 128 }))).toMatchObject({ essential: false, cpu: 128 });
    expect(containerOf(one({ essential: null, cpu: null }))).toMatchObject({ essential: true, cpu: 0 });
    expect(containerOf(one({ cpu: " 512 ", memory: "1024", memoryReservation: "50" }))).toMatchObject({
      cpu: 512,
      memory: 1024,
      memoryReservation: 50,
    });
    expect(containerOf(one({ memory: "1.5", memoryReservation: "50m" }))).toMatchObject({ memory: "1.5", memoryReservation: "50m" });
    expect(containerOf(one({ memory: "x50" })).memory).toBe("x50");
  });

  it("port mappings: protocol lower-cased or tcp, digit strings as numbers, hostPort filled only under awsvpc and host", () => {
    const pm = (def: Obj) => containerOf(def).portMappings;
    expect(pm(one({ portMappings: [{ containerPort: "53", protocol: "UDP" }] }, { networkMode: "host" }))).toEqual([
      { containerPort: 53, hostPort: 53, protocol: "udp" },
    ]);
    expect(pm(one({ portMappings: [{ containerPort: 80, hostPort: "8080" }] }, { networkMode: "bridge" }))).toEqual([
      { containerPort: 80, hostPort: 8080, protocol: "tcp" },
    ]);
    expect(pm(one({ portMappings: [{ containerPort: 80, hostPort: null }] }, { networkMode: "awsvpc" }))).toEqual([
      { containerPort: 80, hostPort: 80, protocol: "tcp" },
    ]);
    expect(pm(one({ portMappings: [{ containerPort: 80, hostPort: 0 }] }, { networkMode: "awsvpc" }))).toEqual([
      { containerPort: 80, hostPort: 0, protocol: "tcp" },
    ]);
    expect(pm(one({ portMappings: [{ containerPort: "http" }, "junk"] }, { networkMode: "awsvpc" }))).toEqual([
      { containerPort: "http", protocol: "tcp" },
    ]);
    expect(pm(one({ portMappings: [{ containerPort: "8080/tcp", hostPort: "80x" }] }, {}))).toEqual([
      { containerPort: "8080/tcp", hostPort: "80x", protocol: "tcp" },
    ]);
    expect(pm(one({ portMappings: [{ containerPort: "x80", hostPort: "x8080" }] }, {}))).toEqual([
      { containerPort: "x80", hostPort: "x8080", protocol: "tcp" },
    ]);
    expect(pm(one({ portMappings: [{ containerPort: 80 }] }))).toEqual([{ containerPort: 80, protocol: "tcp" }]);
  });

  it("environment and secrets: values as ECS stringifies them, entries without a name dropped, a secret without valueFrom is empty", () => {
    const c = containerOf(
      one({
        environment: [{ name: "N", value: 5 }, { name: "B", value: true }, { value: "nameless" }, "junk", { name: "Z", value: null }],
        secrets: [{ name: "S" }, { name: "R", valueFrom: "arn:r" }],
      }),
    );
    expect(c.environment).toEqual([
      { name: "B", value: "true" },
      { name: "N", value: "5" },
    ]);
    expect(c.secrets).toEqual([
      { name: "R", valueFrom: "arn:r" },
      { name: "S", valueFrom: "" },
    ]);
  });

  it("health check: interval 30, timeout 5, retries 3 where absent or null; given values kept", () => {
    expect(containerOf(one({ healthCheck: { command: ["CMD", "true"], timeout: null } })).healthCheck).toEqual({
      command: ["CMD", "true"],
      interval: 30,
      retries: 3,
      timeout: 5,
    });
    expect(containerOf(one({ healthCheck: { command: ["CMD", "true"], interval: 10, timeout: 2, retries: 9 } })).healthCheck).toEqual({
      command: ["CMD", "true"],
      interval: 10,
      retries: 9,
      timeout: 2,
    });
  });

  it("log secret options are a name-keyed set; log options without them are unchanged", () => {
    const c = containerOf(
      one({
        logConfiguration: {
          logDriver: "splunk",
          secretOptions: [
            { name: "token", valueFrom: "arn:b" },
            { name: "ca", valueFrom: "arn:a" },
            { name: "token", valueFrom: "arn:c" },
          ],
        },
      }),
    );
    expect(c.logConfiguration).toEqual({
      logDriver: "splunk",
      secretOptions: [
        { name: "ca", valueFrom: "arn:a" },
        { name: "token", valueFrom: "arn:c" },
      ],
    });
    expect(containerOf(one({ logConfiguration: { logDriver: "awslogs", options: { b: "1" } } })).logConfiguration).toEqual({
      logDriver: "awslogs",
      options: { b: "1" },
    });
  });

  it("every order-free container list is compared as a set; command and entry point keep their order", () => {
    const lists: Record<string, [Obj, Obj]> = {
      portMappings: [{ containerPort: 2 }, { containerPort: 1 }],
      mountPoints: [{ sourceVolume: "b" }, { sourceVolume: "a" }],
      volumesFrom: [{ sourceContainer: "b" }, { sourceContainer: "a" }],
      ulimits: [{ name: "nproc" }, { name: "core" }],
      systemControls: [{ namespace: "b" }, { namespace: "a" }],
      extraHosts: [{ hostname: "b" }, { hostname: "a" }],
      environmentFiles: [{ value: "b" }, { value: "a" }],
      resourceRequirements: [{ type: "b" }, { type: "a" }],
      dependsOn: [{ containerName: "b" }, { containerName: "a" }],
      dockerSecurityOptions: ["b" as unknown as Obj, "a" as unknown as Obj],
      links: ["b" as unknown as Obj, "a" as unknown as Obj],
      credentialSpecs: ["b" as unknown as Obj, "a" as unknown as Obj],
    };
    for (const [key, [x, y]] of Object.entries(lists)) {
      expect(sameTaskDefinition(one({ [key]: [x, y] }), one({ [key]: [y, x] })), key).toBe(true);
      expect(sameTaskDefinition(one({ [key]: [x, y] }), one({ [key]: [x] })), key).toBe(false);
    }
    expect(sameTaskDefinition(one({ entryPoint: ["sh", "-c"] }), one({ entryPoint: ["-c", "sh"] }))).toBe(false);
  });

  it("lists ECS returns as [] when left out are [] in the normal form, on the task and every container", () => {
    const n = normaliseTaskDefinition(one({}));
    expect(n.volumes).toEqual([]);
    expect(n.placementConstraints).toEqual([]);
    const c = (n.containerDefinitions as Obj[])[0]!;
    for (const key of ["mountPoints", "volumesFrom", "systemControls", "portMappings", "environment"]) expect(c[key], key).toEqual([]);
    expect(c).not.toHaveProperty("secrets");
    expect(c).not.toHaveProperty("ulimits");
  });

  it("nulls, empty lists and empty maps vanish at every depth; false, 0 and empty strings stay", () => {
    const c = containerOf(
      one({
        ulimits: [],
        dnsServers: [null],
        linuxParameters: { capabilities: { add: [], drop: [null] }, initProcessEnabled: false },
        dockerLabels: {},
        workingDirectory: "",
        startTimeout: 0,
        command: ["a", null, "b"],
      }),
    );
    expect(c).not.toHaveProperty("ulimits");
    expect(c).not.toHaveProperty("dnsServers");
    expect(c).not.toHaveProperty("dockerLabels");
    expect(c.linuxParameters).toEqual({ initProcessEnabled: false });
    expect(c.workingDirectory).toBe("");
    expect(c.startTimeout).toBe(0);
    expect(c.command).toEqual(["a", "b"]);
  });

  it("keys are sorted inside lists too; canonical JSON of dates and of nothing", () => {
    const c = containerOf(one({ dependsOn: [{ containerName: "a", condition: "START" }] }));
    expect(Object.keys((c.dependsOn as Obj[])[0]!)).toEqual(["condition", "containerName"]);
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: new Date("2026-01-01T00:00:00Z") })).toBe(
      '{"a":"2026-01-01T00:00:00.000Z","b":[{"c":2,"d":1}]}',
    );
    expect(canonicalJson(undefined)).toBe("null");
  });
});
