// The rules ECS enforces at RegisterTaskDefinition that the JSON Schema cannot express (issue 13):
// awsvpc host ports, container memory within the task's, Windows Fargate sizes, the 64 KiB request,
// and tags (count with deployer's own, lengths, characters, the aws: prefix, duplicates).
import { describe, expect, it } from "vitest";
import { validateTaskDefinition } from "../../../src/render/validate-task-definition.js";
import { MAX_TAGS } from "../../../src/ecs/tags.js";

const ctx = { templateFile: "/repo/td.json.hbs", target: { name: "dev", account: "222222222222" } };

function fargate(extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) {
  return {
    family: "shop-api-dev",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "1024",
    memory: "2048",
    executionRoleArn: "arn:aws:iam::222222222222:role/shop-api-execution",
    containerDefinitions: [{ name: "app", image: "img:1", essential: true, ...container }],
    ...extra,
  };
}

const problems = (def: unknown) => validateTaskDefinition(def, ctx).map((e) => `${e.field}: ${e.message}`);

describe("registration rules", () => {
  it("a valid Fargate definition has no problem", () => {
    expect(problems(fargate({}, { portMappings: [{ containerPort: 8080, hostPort: 8080 }], memoryReservation: 1024 }))).toEqual([]);
  });

  it("awsvpc: hostPort absent or equal to containerPort", () => {
    const [p, ...rest] = problems(fargate({}, { portMappings: [{ containerPort: 8080, hostPort: 80 }] }));
    expect(rest).toEqual([]);
    expect(p).toContain(
      "containerDefinitions[0].portMappings[0].hostPort: rendered task definition: hostPort 80 differs from containerPort 8080",
    );
    expect(
      problems({
        ...fargate(),
        requiresCompatibilities: ["EC2"],
        networkMode: "bridge",
        containerDefinitions: [{ name: "app", image: "i", memory: 256, portMappings: [{ containerPort: 8080, hostPort: 80 }] }],
      }),
    ).toEqual([]);
  });

  it("containers' memory within the task's: one container, and the sum of reservations", () => {
    expect(problems(fargate({}, { memory: 4096 }))).toEqual([
      expect.stringContaining("container app's memory 4096 MiB is more than the task's 2048 MiB"),
      expect.stringContaining("the containers reserve 4096 MiB"),
    ]);
    const two = fargate();
    two.containerDefinitions = [
      { name: "app", image: "i", essential: true, memoryReservation: 1536 } as never,
      { name: "sidecar", image: "i", essential: false, memory: 1024 } as never,
    ];
    expect(problems(two)).toEqual([
      expect.stringContaining("the containers reserve 2560 MiB (memoryReservation, else memory), more than the task's 2048 MiB"),
    ]);
    // Equal is accepted (ECS's own errors say "greater than").
    two.containerDefinitions[0] = { name: "app", image: "i", essential: true, memoryReservation: 1024 } as never;
    expect(problems(two)).toEqual([]);
  });

  it("EC2 without task memory: each container needs memory or memoryReservation", () => {
    const def = { family: "x", containerDefinitions: [{ name: "app", image: "i" }] };
    expect(problems(def)).toEqual([expect.stringContaining("container app has neither memory nor memoryReservation")]);
  });

  it("Windows on Fargate: 1, 2 and 4 vCPU only", () => {
    const win = (cpu: string, memory: string) =>
      fargate({ cpu, memory, runtimePlatform: { operatingSystemFamily: "WINDOWS_SERVER_2022_CORE", cpuArchitecture: "X86_64" } });
    expect(problems(win("1024", "2048"))).toEqual([]);
    expect(problems(win("8192", "16384"))).toEqual([
      expect.stringContaining("cpu 8192 is not a Fargate size for WINDOWS_SERVER_2022_CORE"),
    ]);
    expect(problems(win("512", "1024"))).toEqual([expect.stringContaining("cpu 512 is not a Fargate size for WINDOWS_SERVER_2022_CORE")]);
    expect(problems(fargate({ cpu: "8192", memory: "16384" }))).toEqual([]);
  });

  it("a request over 64 KiB is refused", () => {
    const environment = Array.from({ length: 700 }, (_, i) => ({ name: `VAR_${i}`, value: "x".repeat(80) }));
    expect(problems(fargate({}, { environment }))).toEqual([expect.stringContaining("ECS refuses more than 65536")]);
    expect(problems(fargate({}, { environment: environment.slice(0, 300) }))).toEqual([]);
  });

  it("tags: lengths, characters, aws: prefix, duplicates and the count with deployer's own", () => {
    const tagged = (tags: Array<{ key: string; value: string }>) => problems(fargate({ tags }));
    expect(
      tagged([
        { key: "team", value: "shop" },
        { key: "deployer:by", value: "me" },
      ]),
    ).toEqual([]);
    expect(tagged([{ key: "k".repeat(129), value: "v" }])).toEqual([expect.stringContaining("tag key of 129 characters")]);
    expect(tagged([{ key: "k", value: "v".repeat(257) }])).toEqual([expect.stringContaining("tag value of 257 characters")]);
    expect(tagged([{ key: "cost#centre", value: "v" }])).toEqual([expect.stringContaining("a character ECS does not accept")]);
    expect(tagged([{ key: "AWS:owner", value: "v" }])).toEqual([expect.stringContaining('starts with "aws:"')]);
    expect(
      tagged([
        { key: "team", value: "a" },
        { key: "team", value: "b" },
      ]),
    ).toEqual([expect.stringContaining("tag key team is also written by tags[0]")]);
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: "v" }));
    expect(tagged(many(MAX_TAGS - 10))).toEqual([]);
    expect(tagged(many(MAX_TAGS - 9))).toEqual([expect.stringContaining(`make more than the ${MAX_TAGS} tags ECS allows`)]);
  });
});
