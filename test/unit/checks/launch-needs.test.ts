// What a task needs from AWS at launch, read from the rendered definition (src/checks/launch-needs.ts):
// the ECR repositories, the SSM parameters / Secrets Manager secrets of valueFrom, and the awslogs
// groups. valueFrom forms as the ECS guide writes them:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
import { describe, expect, it } from "vitest";
import {
  ecrRepositoryOfImage,
  kmsAliasArn,
  launchNeeds,
  logGroupArn,
  logStreamArn,
  parameterArn,
  secretSource,
} from "../../../src/checks/launch-needs.js";
import type { ContainerDefinition, TaskDefinitionInput } from "../../../src/config/types.js";

const target = { region: "eu-west-1", account: "222222222222" };
const ECR = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api";
const DIGEST = `sha256:${"ab".repeat(32)}`;

function def(...containers: Array<Partial<ContainerDefinition> & Record<string, unknown>>): TaskDefinitionInput {
  return { family: "shop-api", containerDefinitions: containers.map((c, i) => ({ name: `c${i}`, image: ECR, ...c })) };
}

describe("ecrRepositoryOfImage", () => {
  const repo = { registryId: "111111111111", region: "eu-west-1", name: "shop/api", uri: ECR };

  it("finds the repository of an image by digest, by tag, by both, and untagged", () => {
    expect(ecrRepositoryOfImage(`${ECR}@${DIGEST}`)).toEqual(repo);
    expect(ecrRepositoryOfImage(`${ECR}:3f2a9c1`)).toEqual(repo);
    expect(ecrRepositoryOfImage(`${ECR}:3f2a9c1@${DIGEST}`)).toEqual(repo);
    expect(ecrRepositoryOfImage(ECR)).toEqual(repo);
  });

  it("is undefined for images of other registries", () => {
    expect(ecrRepositoryOfImage("nginx:latest")).toBeUndefined();
    expect(ecrRepositoryOfImage("public.ecr.aws/nginx/nginx:1.27")).toBeUndefined();
    expect(ecrRepositoryOfImage("ghcr.io/acme/api@" + DIGEST)).toBeUndefined();
  });
});

describe("secretSource", () => {
  it("reads an SSM parameter ARN: its own region and account, the name with its leading slash", () => {
    const arn = "arn:aws:ssm:us-east-1:333333333333:parameter/shop-api/database-url";
    expect(secretSource(arn, target)).toEqual({
      kind: "ssm",
      region: "us-east-1",
      account: "333333333333",
      name: "/shop-api/database-url",
      arn,
    });
  });

  it("drops a :version or :label selector from a parameter ARN or name", () => {
    expect(secretSource("arn:aws:ssm:eu-west-1:222222222222:parameter/shop-api/db:3", target)).toMatchObject({
      kind: "ssm",
      name: "/shop-api/db",
      arn: "arn:aws:ssm:eu-west-1:222222222222:parameter/shop-api/db",
    });
    expect(secretSource("plain:prod", target)).toMatchObject({ kind: "ssm", name: "plain" });
  });

  it("reads a parameter name as a parameter of the task's region and account", () => {
    expect(secretSource("/shop-api/database-url", target)).toEqual({
      kind: "ssm",
      region: "eu-west-1",
      account: "222222222222",
      name: "/shop-api/database-url",
      arn: "arn:aws:ssm:eu-west-1:222222222222:parameter/shop-api/database-url",
    });
    expect(secretSource("db_url.v-2", target)).toMatchObject({
      kind: "ssm",
      arn: "arn:aws:ssm:eu-west-1:222222222222:parameter/db_url.v-2",
    });
  });

  it("builds the parameter ARN in the partition of the task's region", () => {
    expect(secretSource("/x", { region: "cn-north-1", account: "222222222222" })).toMatchObject({
      arn: "arn:aws-cn:ssm:cn-north-1:222222222222:parameter/x",
    });
  });

  it("reads a Secrets Manager ARN, without its json-key / version part, keeping the json key", () => {
    const base = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:shop/db-AbCdEf";
    expect(secretSource(base, target)).toEqual({ kind: "secretsmanager", region: "eu-west-1", account: "333333333333", secretId: base });
    expect(secretSource(`${base}:password::`, target)).toEqual({
      kind: "secretsmanager",
      region: "eu-west-1",
      account: "333333333333",
      secretId: base,
      jsonKey: "password",
    });
    const versioned = secretSource(`${base}::AWSCURRENT:`, target);
    expect(versioned).toEqual({ kind: "secretsmanager", region: "eu-west-1", account: "333333333333", secretId: base });
    expect(secretSource(`${base}:password:AWSPREVIOUS:1234`, target)).toMatchObject({ secretId: base, jsonKey: "password" });
  });

  it("keeps the partition of a Secrets Manager ARN", () => {
    expect(secretSource("arn:aws-cn:secretsmanager:cn-north-1:333333333333:secret:db-AbCdEf", target)).toMatchObject({
      secretId: "arn:aws-cn:secretsmanager:cn-north-1:333333333333:secret:db-AbCdEf",
      region: "cn-north-1",
    });
  });

  it("sees a parameter under /aws/reference/secretsmanager/ as a secret read through SSM", () => {
    expect(secretSource("/aws/reference/secretsmanager/shop-db", target)).toEqual({
      kind: "ssm-secret-reference",
      region: "eu-west-1",
      account: "222222222222",
      name: "/aws/reference/secretsmanager/shop-db",
    });
    expect(secretSource("arn:aws:ssm:eu-west-1:333333333333:parameter/aws/reference/secretsmanager/shop-db", target)).toMatchObject({
      kind: "ssm-secret-reference",
      account: "333333333333",
    });
  });

  it("calls other ARNs and malformed names invalid, saying why", () => {
    expect(secretSource("arn:aws:s3:::bucket/key", target)).toEqual({
      kind: "invalid",
      why: "an ARN that is neither an SSM parameter nor a Secrets Manager secret",
    });
    // Too many `:` parts after the secret name: not the documented form.
    expect(secretSource("arn:aws:secretsmanager:eu-west-1:333333333333:secret:db:a:b:c:d", target).kind).toBe("invalid");
    // A parameter ARN with an account that is not 12 digits.
    expect(secretSource("arn:aws:ssm:eu-west-1:2222:parameter/x", target).kind).toBe("invalid");
    for (const bad of ["bad name", "!x", "x!", " arn:aws:ssm:eu-west-1:222222222222:parameter/x", ""]) {
      expect(secretSource(bad, target), bad).toEqual({ kind: "invalid", why: "not a parameter name" });
    }
  });
});

describe("ARNs of what a task reads", () => {
  it("parameter ARNs never repeat the name's leading slash, and keep inner ones", () => {
    expect(parameterArn("eu-west-1", "222222222222", "/a/b")).toBe("arn:aws:ssm:eu-west-1:222222222222:parameter/a/b");
    expect(parameterArn("eu-west-1", "222222222222", "a/b")).toBe("arn:aws:ssm:eu-west-1:222222222222:parameter/a/b");
  });

  it("log group, log stream and KMS alias ARNs", () => {
    expect(logGroupArn("eu-west-1", "222222222222", "/ecs/shop-api/dev")).toBe(
      "arn:aws:logs:eu-west-1:222222222222:log-group:/ecs/shop-api/dev",
    );
    const need = { container: "app", group: "/ecs/shop", region: "us-gov-west-1", createGroup: false };
    expect(logStreamArn(need, "222222222222")).toBe(
      "arn:aws-us-gov:logs:us-gov-west-1:222222222222:log-group:/ecs/shop:log-stream:ecs/app/00000000000000000000000000000000",
    );
    expect(logStreamArn({ ...need, streamPrefix: "shop" }, "222222222222")).toBe(
      "arn:aws-us-gov:logs:us-gov-west-1:222222222222:log-group:/ecs/shop:log-stream:shop/app/00000000000000000000000000000000",
    );
    expect(kmsAliasArn("eu-west-1", "222222222222", "alias/shop")).toBe("arn:aws:kms:eu-west-1:222222222222:alias/shop");
  });
});

describe("launchNeeds", () => {
  it("lists every container's image, with its ECR repository when it has one", () => {
    const needs = launchNeeds(def({ name: "app", image: `${ECR}@${DIGEST}` }, { name: "proxy", image: "envoyproxy/envoy:v1.31" }), target);
    expect(needs.images).toEqual([
      {
        container: "app",
        image: `${ECR}@${DIGEST}`,
        repository: { registryId: "111111111111", region: "eu-west-1", name: "shop/api", uri: ECR },
      },
      { container: "proxy", image: "envoyproxy/envoy:v1.31" },
    ]);
    expect(needs.secrets).toEqual([]);
    expect(needs.logs).toEqual([]);
  });

  it("skips a container without a string image, and a definition without containers", () => {
    expect(launchNeeds(def({ name: "x", image: 42 as unknown as string }), target).images).toEqual([]);
    expect(launchNeeds({ family: "f", containerDefinitions: "nope" as unknown as ContainerDefinition[] }, target)).toEqual({
      images: [],
      secrets: [],
      logs: [],
    });
  });

  it("lists secrets and log secretOptions with the field they are written in", () => {
    const needs = launchNeeds(
      def({
        name: "app",
        secrets: [
          { name: "DATABASE_URL", valueFrom: "/shop-api/database-url" },
          { name: "BROKEN", valueFrom: 7 as unknown as string },
        ],
        logConfiguration: {
          logDriver: "splunk",
          secretOptions: [
            { name: "splunk-token", valueFrom: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:splunk-AbCdEf" },
            { name: "x" },
            { valueFrom: "tok" },
          ],
        },
      }),
      target,
    );
    expect(needs.secrets).toEqual([
      {
        container: "app",
        name: "DATABASE_URL",
        valueFrom: "/shop-api/database-url",
        field: "secrets",
        source: secretSource("/shop-api/database-url", target),
      },
      {
        container: "app",
        name: "splunk-token",
        valueFrom: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:splunk-AbCdEf",
        field: "logConfiguration.secretOptions",
        source: {
          kind: "secretsmanager",
          region: "eu-west-1",
          account: "222222222222",
          secretId: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:splunk-AbCdEf",
        },
      },
      { container: "app", name: "", valueFrom: "tok", field: "logConfiguration.secretOptions", source: secretSource("tok", target) },
    ]);
    // Not an awslogs driver: no log group needed.
    expect(needs.logs).toEqual([]);
  });

  it("skips null entries of secrets and secretOptions (a template that rendered null) instead of crashing", () => {
    const needs = launchNeeds(
      def({ secrets: [null as never, { name: "A", valueFrom: "/a" }], logConfiguration: { logDriver: "awslogs", secretOptions: [null] } }),
      target,
    );
    expect(needs.secrets.map((s) => s.name)).toEqual(["A"]);
  });

  it("ignores secrets and secretOptions that are not lists", () => {
    const needs = launchNeeds(def({ secrets: "x" as never, logConfiguration: { logDriver: "awslogs", secretOptions: {} } }), target);
    expect(needs.secrets).toEqual([]);
  });

  it('lists awslogs groups: region from awslogs-region else the task\'s, create-group only for "true", the stream prefix', () => {
    const needs = launchNeeds(
      def(
        { name: "a", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/a" } } },
        {
          name: "b",
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": "/ecs/b",
              "awslogs-region": "us-east-1",
              "awslogs-create-group": "True",
              "awslogs-stream-prefix": "shop",
            },
          },
        },
        {
          name: "c",
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": "/ecs/c", "awslogs-region": "", "awslogs-create-group": "false" },
          },
        },
        { name: "d", logConfiguration: { logDriver: "awslogs", options: { "awslogs-region": "us-east-1" } } },
        { name: "e", logConfiguration: { logDriver: "fluentd", options: { "awslogs-group": "/ecs/e" } } },
        { name: "f", logConfiguration: { logDriver: "awslogs" } },
      ),
      target,
    );
    expect(needs.logs).toEqual([
      { container: "a", group: "/ecs/a", region: "eu-west-1", createGroup: false },
      { container: "b", group: "/ecs/b", region: "us-east-1", createGroup: true, streamPrefix: "shop" },
      { container: "c", group: "/ecs/c", region: "eu-west-1", createGroup: false },
    ]);
  });
});
