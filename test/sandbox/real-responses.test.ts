// The sandbox against real responses (test/fixtures/aws, provenance in its README): registering the
// request of a published request/response pair, the sandbox's DescribeTaskDefinition contains every
// field, with the same value, that AWS returned (it may add more: the later defaults ECS has since added).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { assumeDeployer } from "./clients.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/aws");
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), "utf8")) as Record<string, unknown>;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.stop();
});

/** Every key of `real` is in `mine` with a deep-equal value; objects recurse, lists compare element-wise. */
function expectContains(mine: unknown, real: unknown, where: string): void {
  if (Array.isArray(real)) {
    expect(Array.isArray(mine), where).toBe(true);
    expect((mine as unknown[]).length, where).toBe(real.length);
    real.forEach((r, i) => expectContains((mine as unknown[])[i], r, `${where}[${i}]`));
  } else if (real && typeof real === "object") {
    expect(mine && typeof mine === "object", where).toBe(true);
    for (const [k, v] of Object.entries(real)) expectContains((mine as Record<string, unknown>)[k], v, `${where}.${k}`);
  } else {
    expect(mine, where).toEqual(real);
  }
}

describe("sandbox vs real RegisterTaskDefinition request/response pairs", () => {
  for (const pair of ["aws-cli-docs-sleep360", "botocore-example-sleep360"]) {
    it(`${pair}: the sandbox returns every field ECS returned`, async () => {
      const request = fixture(`register-task-definition.${pair}.request.json`);
      const real = (fixture(`register-task-definition.${pair}.json`).taskDefinition ?? {}) as Record<string, unknown>;
      const arn = sb.admin.registerTaskDefinition({ account: "222222222222", region: "eu-west-1", input: request });
      const dev = await assumeDeployer(sb, "222222222222");
      const mine = (await dev.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition as Record<
        string,
        unknown
      >;
      const { taskDefinitionArn, revision, ...comparable } = real;
      expect(taskDefinitionArn).toMatch(/:task-definition\/sleep360:\d+$/);
      expect(typeof revision).toBe("number");
      expectContains(mine, comparable, "taskDefinition");
      expect(mine.taskRoleArn).toBeUndefined(); // "" is not echoed
    });
  }
});
