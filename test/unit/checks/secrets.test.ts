// Check `secrets` (src/checks/secrets.ts): every valueFrom exists and the execution role may read it,
// else ECS stops the tasks with ResourceInitializationError
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html,
// secrets-envvar-secrets-manager.html); what deployer cannot see is unverified, never a failure.
import { describe, expect, it } from "vitest";
import { checkSecrets } from "../../../src/checks/secrets.js";
import type { CheckResult } from "../../../src/checks/check-result.js";
import { DeployerError } from "../../../src/errors.js";
import { accessDenied, type FakeWorld } from "../../helpers/fake-aws.js";
import {
  EXEC,
  KEY_ARN,
  OTHER_KEY_ARN,
  OTHER_SECRET_ARN,
  OTHER_SECRET_ID,
  PARAM,
  PARAM_ARN,
  SECRET_ARN,
  SECRET_ID,
  customerKey,
  launchContext,
  launchWorld,
  secrets,
  target,
} from "./launch-fixtures.js";

const TEMPLATE = "/repo/templates/task-definition.json.hbs";
const STRICT = "--strict turns this warning into an error.";

async function run(world: FakeWorld, ...valueFrom: string[]): Promise<CheckResult> {
  return checkSecrets(await launchContext(world, secrets(...valueFrom)));
}

/** The one secret's sub-check. */
async function one(world: FakeWorld, valueFrom: string): Promise<CheckResult> {
  const r = await run(world, valueFrom);
  expect(r.children).toHaveLength(1);
  return r.children![0]!;
}

function withKey(world: FakeWorld, key = customerKey()): FakeWorld {
  const acct = world.account(target.account);
  acct.parameters.set(`eu-west-1 ${PARAM}`, { name: PARAM, arn: PARAM_ARN, type: "SecureString", keyId: "alias/shop" });
  acct.kmsKeys.set("eu-west-1 alias/shop", key);
  return world;
}

function deny(world: FakeWorld, action: string, resource: string, details: Record<string, unknown> = {}): FakeWorld {
  world.account(target.account).simulation.set(`${action} ${resource}`, "implicitDeny");
  if (Object.keys(details).length > 0) world.account(target.account).simulationDetails.set(`${action} ${resource}`, details);
  return world;
}

describe("check: secrets", () => {
  it("passes when the definition reads no secrets", async () => {
    const r = await checkSecrets(await launchContext(launchWorld()));
    expect(r).toMatchObject({ id: "secrets", verdict: "pass", message: "the task definition reads no secrets" });
    expect(r.children).toBeUndefined();
  });

  it("passes a parameter that exists and that the execution role may read, with its evidence", async () => {
    const r = await run(launchWorld(), PARAM);
    expect(r).toMatchObject({ id: "secrets", verdict: "pass", message: `1 secret found and readable by ${EXEC}` });
    expect(r.children![0]).toMatchObject({
      id: "secrets:app/S0",
      title: `S0 of container app (${PARAM})`,
      verdict: "pass",
      message: `${PARAM} exists and ${EXEC} may read it`,
      evidence: {
        valueFrom: PARAM,
        field: "secrets",
        source: "ssm",
        parameter: { arn: PARAM_ARN, type: "SecureString", keyId: "alias/aws/ssm" },
        "ssm:GetParameters": { decision: "allowed", method: "iam:SimulatePrincipalPolicy" },
      },
    });
  });

  it("counts the secrets in its pass message", async () => {
    const r = await run(launchWorld(), PARAM, SECRET_ID);
    expect(r.message).toBe(`2 secrets found and readable by ${EXEC}`);
    expect(r.children!.map((c) => c.verdict)).toEqual(["pass", "pass"]);
  });

  it("fails SECRET_NOT_FOUND for a parameter that does not exist, with the command that creates it", async () => {
    const world = launchWorld();
    world.account(target.account).parameters.clear();
    const r = await run(world, PARAM);
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(
      `SSM parameter ${PARAM} does not exist in 222222222222/eu-west-1: ECS would stop the tasks with ResourceInitializationError (invalid parameters)`,
    );
    expect(r.hint).toBe(
      `Create it (aws ssm put-parameter --region eu-west-1 --name ${PARAM} --type SecureString --value …), or fix valueFrom in ${TEMPLATE}.`,
    );
    expect(r.error).toMatchObject({ code: "SECRET_NOT_FOUND", action: "ssm:GetParameters", resource: PARAM_ARN, target: "dev" });
  });

  it("is unverified when the parameter's metadata cannot be read, asking to allow the deploy role", async () => {
    const world = launchWorld();
    world.account(target.account).failures.set("describeParameter", accessDenied("ssm:DescribeParameters", PARAM));
    const c = await one(world, PARAM);
    expect(c.verdict).toBe("unverified");
    expect(c.message).toBe(`could not read the parameter ${PARAM} (ssm:DescribeParameters: AccessDenied)`);
    expect(c.hint).toBe(`Allow ${target.deployRole} ssm:DescribeParameters (metadata only: deployer never reads a value). ${STRICT}`);
    expect(c.error).toMatchObject({ awsCode: "AccessDenied" });
  });

  it("passes on the hint of a read failure that is not a refusal, else only says --strict", async () => {
    const world = launchWorld();
    const throttled = new DeployerError({ code: "AWS_ERROR", message: "slow down", awsCode: "ThrottlingException", hint: "Retry later." });
    world.account(target.account).failures.set("describeParameter", throttled);
    const c = await one(world, PARAM);
    expect(c).toMatchObject({
      verdict: "unverified",
      message: `could not read the parameter ${PARAM} (ssm:DescribeParameters: ThrottlingException)`,
    });
    expect(c.hint).toBe("Retry later.");

    const bare = launchWorld();
    bare.account(target.account).failures.set("describeParameter", new DeployerError({ code: "AWS_ERROR", message: "boom" }));
    const b = await one(bare, PARAM);
    expect(b.message).toBe(`could not read the parameter ${PARAM} (ssm:DescribeParameters: AWS_ERROR)`);
    expect(b.hint).toBe(STRICT);
  });

  it("is unverified (not read) for a parameter of another account", async () => {
    const other = "arn:aws:ssm:eu-west-1:333333333333:parameter/shared/db";
    const c = await one(launchWorld(), other);
    expect(c.verdict).toBe("unverified");
    expect(c.message).toBe(
      `${other} is a parameter of account 333333333333: readable across accounts only when shared through AWS RAM (advanced parameters), which deployer does not check`,
    );
    expect(c.hint).toBe(`Prefer a parameter in 222222222222, or a Secrets Manager secret with a resource policy. ${STRICT}`);
  });

  it("is unverified for a parameter that references Secrets Manager", async () => {
    const ref = "/aws/reference/secretsmanager/shop-db";
    const c = await one(launchWorld(), ref);
    expect(c).toMatchObject({
      verdict: "unverified",
      message: `${ref} reads a Secrets Manager secret through SSM (${ref}): deployer does not check those`,
      hint: `Check by hand that the secret exists and that ${EXEC} may ssm:GetParameters and secretsmanager:GetSecretValue on it. ${STRICT}`,
    });
    expect(c.evidence).toMatchObject({ source: "ssm-secret-reference" });
  });

  it("fails an invalid valueFrom, pointing at the template", async () => {
    const c = await one(launchWorld(), "arn:aws:s3:::bucket/key");
    expect(c.verdict).toBe("fail");
    expect(c.message).toBe("valueFrom arn:aws:s3:::bucket/key is an ARN that is neither an SSM parameter nor a Secrets Manager secret");
    expect(c.hint).toBe(`Write an SSM parameter ARN or name, or a Secrets Manager secret ARN, in ${TEMPLATE}.`);
    expect(c.error).toMatchObject({ code: "SECRET_NOT_FOUND" });
  });

  it("fails EXECUTION_ROLE_DENIED when no policy allows ssm:GetParameters, with the statement to add", async () => {
    const r = await run(deny(launchWorld(), "ssm:GetParameters", PARAM_ARN), PARAM);
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(
      `no policy of ${EXEC} allows ssm:GetParameters on ${PARAM_ARN}: ECS would stop the tasks with ResourceInitializationError`,
    );
    expect(r.hint).toBe(`Add to a policy of ${EXEC}: {"Effect":"Allow","Action":"ssm:GetParameters","Resource":"${PARAM_ARN}"}`);
    expect(r.error).toMatchObject({ code: "EXECUTION_ROLE_DENIED", action: "ssm:GetParameters", resource: PARAM_ARN });
    expect(r.evidence).toMatchObject({ "ssm:GetParameters": { decision: "denied", deniedBy: "no-allow" } });
  });

  it("names the Deny statement that forbids the read", async () => {
    const world = launchWorld();
    world.account(target.account).simulation.set(`ssm:GetParameters ${PARAM_ARN}`, "explicitDeny");
    world.account(target.account).simulationDetails.set(`ssm:GetParameters ${PARAM_ARN}`, { matchedStatements: ["inline:no-ssm"] });
    const c = await one(world, PARAM);
    expect(c.message).toContain(`a Deny statement (inline:no-ssm) forbids ${EXEC} ssm:GetParameters on ${PARAM_ARN}`);
    expect(c.hint).toContain("Narrow the Deny (inline:no-ssm) so it no longer covers this request");
  });

  it("is unverified when IAM's answer depends on context deployer cannot know", async () => {
    const world = deny(launchWorld(), "ssm:GetParameters", PARAM_ARN, { missingContextValues: ["aws:SourceVpce"] });
    const c = await one(world, PARAM);
    expect(c.verdict).toBe("unverified");
    expect(c.message).toMatch(new RegExp(`^could not verify ssm:GetParameters on ${PARAM_ARN} for ${EXEC}: IAM's answer .*aws:SourceVpce`));
    expect(c.hint).toBe(
      `Check by hand that ${EXEC} may: {"Effect":"Allow","Action":"ssm:GetParameters","Resource":"${PARAM_ARN}"}. ${STRICT}`,
    );
    expect(c.error).toBeUndefined();
  });

  describe("the KMS key of a SecureString parameter", () => {
    it("passes with kms:Decrypt allowed, recording the key", async () => {
      const c = await one(withKey(launchWorld()), PARAM);
      expect(c.verdict).toBe("pass");
      expect(c.evidence).toMatchObject({
        parameter: { keyId: "alias/shop" },
        key: { arn: KEY_ARN, keyManager: "CUSTOMER", state: "Enabled" },
        "kms:Decrypt": { decision: "allowed" },
      });
    });

    it("records an enabled key without keyState as Enabled, a disabled one as Disabled", async () => {
      const c = await one(withKey(launchWorld(), customerKey(KEY_ARN, { keyState: undefined })), PARAM);
      expect(c.evidence).toMatchObject({ key: { state: "Enabled" } });
      const d = await one(withKey(launchWorld(), customerKey(KEY_ARN, { keyState: undefined, enabled: false })), PARAM);
      expect(d.evidence).toMatchObject({ key: { state: "Disabled" } });
      expect(d.message).toBe(`the KMS key ${KEY_ARN} that encrypts ${PARAM} is disabled: nothing can decrypt it`);
    });

    it("fails when kms:Decrypt is not allowed via SSM, with the ViaService condition in the statement", async () => {
      const c = await one(deny(withKey(launchWorld()), "kms:Decrypt", KEY_ARN), PARAM);
      expect(c.verdict).toBe("fail");
      expect(c.message).toBe(
        `no policy of ${EXEC} allows kms:Decrypt on ${KEY_ARN}: ECS would stop the tasks with ResourceInitializationError`,
      );
      expect(c.hint).toBe(
        `Add to a policy of ${EXEC}: {"Effect":"Allow","Action":"kms:Decrypt","Resource":"${KEY_ARN}","Condition":{"StringEquals":{"kms:ViaService":"ssm.eu-west-1.amazonaws.com"}}}`,
      );
      expect(c.error).toMatchObject({ code: "EXECUTION_ROLE_DENIED", action: "kms:Decrypt", resource: KEY_ARN });
    });

    it("fails SECRET_NOT_FOUND when the key does not exist", async () => {
      const world = withKey(launchWorld());
      world.account(target.account).kmsKeys.clear();
      const c = await one(world, PARAM);
      expect(c.verdict).toBe("fail");
      expect(c.message).toBe(`the KMS key alias/shop that encrypts ${PARAM} does not exist`);
      expect(c.hint).toBe(`Fix the key of ${PARAM}, or re-encrypt it with an existing key.`);
      expect(c.error).toMatchObject({ code: "SECRET_NOT_FOUND", action: "kms:DescribeKey", resource: "alias/shop" });
    });

    it("fails when the key is disabled or pending deletion, with the command that enables it", async () => {
      const c = await one(withKey(launchWorld(), customerKey(KEY_ARN, { enabled: false, keyState: "PendingDeletion" })), PARAM);
      expect(c.verdict).toBe("fail");
      expect(c.message).toBe(`the KMS key ${KEY_ARN} that encrypts ${PARAM} is PendingDeletion: nothing can decrypt it`);
      expect(c.hint).toBe(`Enable the key (aws kms enable-key --key-id ${KEY_ARN}).`);
      expect(c.error).toMatchObject({ code: "SECRET_NOT_FOUND", action: "kms:Decrypt", resource: KEY_ARN });
      expect(c.evidence).toMatchObject({ key: { state: "PendingDeletion" } });
    });

    it("is unverified when the key cannot be described", async () => {
      const world = withKey(launchWorld());
      world.account(target.account).failures.set("describeKey", accessDenied("kms:DescribeKey", "alias/shop"));
      const c = await one(world, PARAM);
      expect(c.verdict).toBe("unverified");
      expect(c.message).toBe("could not read the KMS key alias/shop (kms:DescribeKey: AccessDenied)");
      expect(c.hint).toBe(`Allow ${target.deployRole} kms:DescribeKey (metadata only: deployer never reads a value). ${STRICT}`);
    });

    it("asks nothing of KMS for a key that turns out to be AWS managed", async () => {
      const c = await one(withKey(launchWorld(), customerKey(KEY_ARN, { keyManager: "AWS" })), PARAM);
      expect(c.verdict).toBe("pass");
      expect(c.evidence).not.toHaveProperty("kms:Decrypt");
    });

    it("shows every failure when both the parameter and its key are denied, the first one's error", async () => {
      const world = deny(deny(withKey(launchWorld()), "kms:Decrypt", KEY_ARN), "ssm:GetParameters", PARAM_ARN);
      const c = await one(world, PARAM);
      expect(c.verdict).toBe("fail");
      expect(c.message).toBe(
        `no policy of ${EXEC} allows ssm:GetParameters on ${PARAM_ARN}: ECS would stop the tasks with ResourceInitializationError; ` +
          `no policy of ${EXEC} allows kms:Decrypt on ${KEY_ARN}: ECS would stop the tasks with ResourceInitializationError`,
      );
      expect(c.hint).toMatch(/^Add to a policy of .*"ssm:GetParameters".* Add to a policy of .*"kms:Decrypt"/);
      expect(c.error).toMatchObject({ action: "ssm:GetParameters" });
    });

    it("fails when the read is denied, even if the key then cannot be described", async () => {
      const world = deny(withKey(launchWorld()), "ssm:GetParameters", PARAM_ARN);
      world.account(target.account).failures.set("describeKey", accessDenied("kms:DescribeKey", "alias/shop"));
      const c = await one(world, PARAM);
      expect(c.verdict).toBe("fail");
      expect(c.message).toBe(
        `no policy of ${EXEC} allows ssm:GetParameters on ${PARAM_ARN}: ECS would stop the tasks with ResourceInitializationError`,
      );
      expect(c.error).toMatchObject({ code: "EXECUTION_ROLE_DENIED" });
    });

    it("shows only the failures when another finding is merely unverified", async () => {
      const world = deny(withKey(launchWorld()), "kms:Decrypt", KEY_ARN);
      deny(world, "ssm:GetParameters", PARAM_ARN, { missingContextValues: ["aws:SourceVpce"] });
      const c = await one(world, PARAM);
      expect(c.verdict).toBe("fail");
      expect(c.message).toBe(
        `no policy of ${EXEC} allows kms:Decrypt on ${KEY_ARN}: ECS would stop the tasks with ResourceInitializationError`,
      );
      expect(c.hint).not.toContain("Check by hand");
    });
  });

  describe("Secrets Manager secrets", () => {
    it("passes a secret of the target's account the execution role may read, asked by its full ARN", async () => {
      const c = await one(launchWorld(), SECRET_ID);
      expect(c.verdict).toBe("pass");
      expect(c.message).toBe(`${SECRET_ID} exists and ${EXEC} may read it`);
      expect(c.evidence).toMatchObject({
        source: "secretsmanager",
        secret: { arn: SECRET_ARN, kmsKeyId: "aws/secretsmanager" },
        "secretsmanager:GetSecretValue": { decision: "allowed" },
      });
    });

    it("records the json key without checking it (that would read the value)", async () => {
      const c = await one(launchWorld(), `${SECRET_ID}:password::`);
      expect(c.evidence).toMatchObject({ jsonKey: "password (not checked: that would read the value)" });
      const plain = await one(launchWorld(), SECRET_ID);
      expect(plain.evidence).not.toHaveProperty("jsonKey");
    });

    it("fails SECRET_NOT_FOUND for a secret that does not exist", async () => {
      const world = launchWorld();
      world.account(target.account).secrets.clear();
      const c = await one(world, SECRET_ID);
      expect(c.verdict).toBe("fail");
      expect(c.message).toBe(
        `Secrets Manager secret ${SECRET_ID} does not exist: ECS would stop the tasks with ResourceInitializationError`,
      );
      expect(c.hint).toBe(`Create it (aws secretsmanager create-secret --region eu-west-1 --name …), or fix valueFrom in ${TEMPLATE}.`);
      expect(c.error).toMatchObject({ code: "SECRET_NOT_FOUND", action: "secretsmanager:GetSecretValue", resource: SECRET_ID });
    });

    it("is unverified when the secret cannot be described", async () => {
      const world = launchWorld();
      world.account(target.account).failures.set("describeSecret", accessDenied("secretsmanager:DescribeSecret", SECRET_ID));
      const c = await one(world, SECRET_ID);
      expect(c.verdict).toBe("unverified");
      expect(c.message).toBe(`could not read the secret ${SECRET_ID} (secretsmanager:DescribeSecret: AccessDenied)`);
    });

    it("fails when secretsmanager:GetSecretValue is denied", async () => {
      const c = await one(deny(launchWorld(), "secretsmanager:GetSecretValue", SECRET_ARN), SECRET_ID);
      expect(c.verdict).toBe("fail");
      expect(c.hint).toBe(
        `Add to a policy of ${EXEC}: {"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"${SECRET_ARN}"}`,
      );
      expect(c.error).toMatchObject({ code: "EXECUTION_ROLE_DENIED", resource: SECRET_ARN });
    });

    it("checks a customer managed key via Secrets Manager", async () => {
      const world = launchWorld();
      world.account(target.account).secrets.set(`eu-west-1 ${SECRET_ID}`, { arn: SECRET_ARN, name: "shop/db", kmsKeyId: KEY_ARN });
      world.account(target.account).kmsKeys.set(`eu-west-1 ${KEY_ARN}`, customerKey());
      const c = await one(deny(world, "kms:Decrypt", KEY_ARN), SECRET_ID);
      expect(c.verdict).toBe("fail");
      expect(c.hint).toContain(`"Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.eu-west-1.amazonaws.com"}}`);
      expect(c.evidence).toMatchObject({ secret: { kmsKeyId: KEY_ARN } });
    });

    describe("of another account", () => {
      function crossWorld(kmsKeyId?: string, key = customerKey(OTHER_KEY_ARN)): FakeWorld {
        const world = launchWorld();
        const acct = world.account(target.account);
        acct.secrets.set(`eu-west-1 ${OTHER_SECRET_ID}`, { arn: OTHER_SECRET_ARN, name: "shared/db", ...(kmsKeyId ? { kmsKeyId } : {}) });
        if (kmsKeyId) acct.kmsKeys.set(`eu-west-1 ${kmsKeyId}`, key);
        return world;
      }

      it("is unverified with a customer managed key: the secret's resource policy is not read", async () => {
        const c = await one(crossWorld(OTHER_KEY_ARN), OTHER_SECRET_ID);
        expect(c.verdict).toBe("unverified");
        expect(c.message).toBe(
          `${OTHER_SECRET_ARN} is a secret of account 333333333333: its resource policy must also allow ${EXEC} secretsmanager:GetSecretValue, and deployer does not read it`,
        );
        expect(c.hint).toBe(
          `Check the secret's resource policy (aws secretsmanager get-resource-policy --secret-id ${OTHER_SECRET_ARN}). ${STRICT}`,
        );
        expect(c.evidence).toMatchObject({ key: { arn: OTHER_KEY_ARN }, "kms:Decrypt": { decision: "allowed" } });
      });

      it("fails with the AWS managed key, named or not, or read as AWS managed: it cannot be used across accounts", async () => {
        for (const world of [
          crossWorld(),
          crossWorld("alias/aws/secretsmanager"),
          crossWorld(OTHER_KEY_ARN, customerKey(OTHER_KEY_ARN, { keyManager: "AWS" })),
        ]) {
          const c = await one(world, OTHER_SECRET_ID);
          expect(c.verdict).toBe("fail");
          expect(c.message).toBe(
            `${OTHER_SECRET_ARN} is a secret of account 333333333333 encrypted with the AWS managed key aws/secretsmanager, which cannot be used across accounts`,
          );
          expect(c.hint).toContain("Encrypt the secret with a customer managed key whose key policy allows the execution role");
          expect(c.error).toMatchObject({ code: "EXECUTION_ROLE_DENIED", action: "kms:Decrypt", resource: OTHER_SECRET_ARN });
        }
      });

      it("fails on its key alone, without the resource-policy warning, when the key is disabled", async () => {
        const c = await one(
          crossWorld(OTHER_KEY_ARN, customerKey(OTHER_KEY_ARN, { enabled: false, keyState: "Disabled" })),
          OTHER_SECRET_ID,
        );
        expect(c.verdict).toBe("fail");
        expect(c.message).toBe(`the KMS key ${OTHER_KEY_ARN} that encrypts ${OTHER_SECRET_ID} is Disabled: nothing can decrypt it`);
      });

      it("a key that cannot be described stays unverified beside the resource-policy warning", async () => {
        const world = crossWorld(OTHER_KEY_ARN);
        world.account(target.account).failures.set("describeKey", accessDenied("kms:DescribeKey", OTHER_KEY_ARN));
        const c = await one(world, OTHER_SECRET_ID);
        expect(c.verdict).toBe("unverified");
        expect(c.message).toBe(
          `could not read the KMS key ${OTHER_KEY_ARN} (kms:DescribeKey: AccessDenied); ${OTHER_SECRET_ARN} is a secret of account 333333333333: its resource policy must also allow ${EXEC} secretsmanager:GetSecretValue, and deployer does not read it`,
        );
        expect(c.error).toMatchObject({ awsCode: "AccessDenied", action: "kms:DescribeKey" });
      });
    });
  });

  it("the parent takes the worst secret's verdict and message", async () => {
    const world = launchWorld();
    world.account(target.account).secrets.clear();
    const r = await run(world, PARAM, SECRET_ID);
    expect(r.children!.map((c) => c.verdict)).toEqual(["pass", "fail"]);
    expect(r).toMatchObject({ verdict: "fail", message: expect.stringContaining(`Secrets Manager secret ${SECRET_ID} does not exist`) });
  });
});
