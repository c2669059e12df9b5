// What the execution role is asked (src/checks/execution-role.ts): one simulation per request context,
// the execution role as policy source, each resource named from the metadata preflight read.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
import { describe, expect, it } from "vitest";
import { answerEvidence, customerKey, executionAnswer, executionRoleFacts } from "../../../src/checks/execution-role.js";
import { accessDenied } from "../../helpers/fake-aws.js";
import {
  CENTRAL_REPO_ARN,
  EXEC,
  GROUP_ARN,
  KEY_ARN,
  OTHER_KEY_ARN,
  OTHER_SECRET_ARN,
  OTHER_SECRET_ID,
  PARAM,
  PARAM_ARN,
  SECRET_ARN,
  SECRET_ID,
  STREAM_ARN,
  awslogs,
  callsTo,
  customerKey as keyOf,
  launchContext,
  launchWorld,
  secrets,
  simulations,
  target,
} from "./launch-fixtures.js";

describe("executionRoleFacts: the questions asked", () => {
  it("asks ecr:GetAuthorizationToken without resources, and the pull, secret and log actions on their ARNs, as the execution role", async () => {
    const world = launchWorld();
    world.account(target.account).secrets.set(`eu-west-1 ${SECRET_ID}`, { arn: SECRET_ARN, name: "shop/db", kmsKeyId: KEY_ARN });
    world.account(target.account).kmsKeys.set(`eu-west-1 ${KEY_ARN}`, keyOf());
    const ctx = await launchContext(world, { ...secrets(PARAM, SECRET_ID), ...awslogs({ "awslogs-create-group": "true" }) });
    await executionRoleFacts(ctx);
    const sims = simulations(world);
    expect(sims.every(([source]) => source === EXEC)).toBe(true);
    expect(sims).toContainEqual([EXEC, ["ecr:GetAuthorizationToken"], [], []]);
    const main = sims.find(([, actions]) => actions.includes("ecr:BatchGetImage"))!;
    expect(main[1]).toEqual([
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "ssm:GetParameters",
      "secretsmanager:GetSecretValue",
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]);
    // The secret is asked about by its full ARN (DescribeSecret's), not by valueFrom's partial one.
    expect(main[2]).toEqual([CENTRAL_REPO_ARN, PARAM_ARN, SECRET_ARN, GROUP_ARN, STREAM_ARN]);
    expect(main[3]).toEqual([]);
    // kms:Decrypt is asked in its own simulation, with kms:ViaService = the service that decrypts.
    expect(sims).toContainEqual([
      EXEC,
      ["kms:Decrypt"],
      [KEY_ARN],
      [{ key: "kms:ViaService", type: "string", values: ["secretsmanager.eu-west-1.amazonaws.com"] }],
    ]);
    expect(sims).toHaveLength(3);
  });

  it("asks kms:Decrypt via SSM for a SecureString parameter encrypted with a customer managed key", async () => {
    const world = launchWorld();
    world.account(target.account).parameters.set(`eu-west-1 ${PARAM}`, { name: PARAM, type: "SecureString", keyId: "alias/shop" });
    world.account(target.account).kmsKeys.set("eu-west-1 alias/shop", keyOf());
    const facts = await executionRoleFacts(await launchContext(world, secrets(PARAM)));
    expect(callsTo(world, "describeKey")).toEqual([["eu-west-1", "alias/shop"]]);
    expect(simulations(world)).toContainEqual([
      EXEC,
      ["kms:Decrypt"],
      [KEY_ARN],
      [{ key: "kms:ViaService", type: "string", values: ["ssm.eu-west-1.amazonaws.com"] }],
    ]);
    expect(executionAnswer(facts, "kms:Decrypt", KEY_ARN)).toMatchObject({ verdict: "allowed", method: "iam:SimulatePrincipalPolicy" });
    // The parameter had no ARN in its metadata: the one built from valueFrom stands for it.
    expect(facts.secrets[0]).toMatchObject({ resourceArn: PARAM_ARN, keyRef: "alias/shop", read: { ok: true, value: { arn: PARAM_ARN } } });
  });

  it("asks kms:Decrypt once per decrypting service, each with its own kms:ViaService", async () => {
    const world = launchWorld();
    const acct = world.account(target.account);
    acct.parameters.set(`eu-west-1 ${PARAM}`, { name: PARAM, arn: PARAM_ARN, type: "SecureString", keyId: KEY_ARN });
    acct.secrets.set(`eu-west-1 ${SECRET_ID}`, { arn: SECRET_ARN, name: "shop/db", kmsKeyId: OTHER_KEY_ARN });
    acct.kmsKeys.set(`eu-west-1 ${KEY_ARN}`, keyOf());
    acct.kmsKeys.set(`eu-west-1 ${OTHER_KEY_ARN}`, keyOf(OTHER_KEY_ARN));
    await executionRoleFacts(await launchContext(world, secrets(PARAM, SECRET_ID)));
    const kms = simulations(world).filter(([, actions]) => actions.includes("kms:Decrypt"));
    expect(kms).toEqual([
      [EXEC, ["kms:Decrypt"], [KEY_ARN], [{ key: "kms:ViaService", type: "string", values: ["ssm.eu-west-1.amazonaws.com"] }]],
      [
        EXEC,
        ["kms:Decrypt"],
        [OTHER_KEY_ARN],
        [{ key: "kms:ViaService", type: "string", values: ["secretsmanager.eu-west-1.amazonaws.com"] }],
      ],
    ]);
  });

  it("asks logs:CreateLogGroup only when the task creates its group", async () => {
    const world = launchWorld();
    await executionRoleFacts(await launchContext(world, awslogs()));
    expect(simulations(world).find(([, actions]) => actions.includes("logs:PutLogEvents"))?.[1]).toEqual([
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]);
  });

  it("asks nothing of ECR for images of other registries, and nothing at all for a definition that needs nothing", async () => {
    const world = launchWorld();
    const ctx = await launchContext(world);
    ctx.desired.taskDefinition.containerDefinitions[0]!.image = "nginx:1.27";
    const facts = await executionRoleFacts(ctx);
    expect(simulations(world)).toEqual([]);
    expect(facts).toEqual({
      needs: { images: [{ container: "app", image: "nginx:1.27" }], secrets: [], logs: [] },
      secrets: [],
      answers: new Map(),
    });
  });

  it("asks each (action, resource) once however many containers need it", async () => {
    const world = launchWorld();
    const ctx = await launchContext(world, secrets(PARAM, PARAM));
    ctx.desired.taskDefinition.containerDefinitions.push({ name: "sidecar", image: ctx.desired.imageRef, ...secrets(PARAM) });
    await executionRoleFacts(ctx);
    const main = simulations(world).find(([, actions]) => actions.includes("ssm:GetParameters"))!;
    expect(main[1]).toEqual(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ssm:GetParameters"]);
    expect(main[2]).toEqual([CENTRAL_REPO_ARN, PARAM_ARN]);
  });

  it("is computed once per target however many checks read it", async () => {
    const world = launchWorld();
    const ctx = await launchContext(world, secrets(PARAM));
    const first = await executionRoleFacts(ctx);
    const n = simulations(world).length;
    expect(await executionRoleFacts(ctx)).toBe(first);
    expect(simulations(world)).toHaveLength(n);
  });
});

describe("executionRoleFacts: the metadata read", () => {
  it("never reads a parameter of another account, and asks about its ARN as a cross-account resource", async () => {
    const world = launchWorld();
    const other = "arn:aws:ssm:eu-west-1:333333333333:parameter/shared/db";
    // IAM's own decision lacks the resource side; matched identity statements mean the identity side allows.
    world.account(target.account).simulation.set(`ssm:GetParameters ${other}`, "implicitDeny");
    world.account(target.account).simulationDetails.set(`ssm:GetParameters ${other}`, { matchedStatements: ["inline:shared"] });
    const facts = await executionRoleFacts(await launchContext(world, secrets(other)));
    expect(callsTo(world, "describeParameter")).toEqual([]);
    expect(facts.secrets[0]).toEqual({ need: expect.objectContaining({ valueFrom: other }), resourceArn: other });
    expect(executionAnswer(facts, "ssm:GetParameters", other)).toMatchObject({ verdict: "allowed", identityOnly: true });
  });

  it("does not read the AWS managed keys aws/ssm and aws/secretsmanager", async () => {
    const world = launchWorld();
    world
      .account(target.account)
      .secrets.set(`eu-west-1 ${SECRET_ID}`, { arn: SECRET_ARN, name: "shop/db", kmsKeyId: "alias/aws/secretsmanager" });
    const facts = await executionRoleFacts(await launchContext(world, secrets(PARAM, SECRET_ID)));
    expect(callsTo(world, "describeKey")).toEqual([]);
    expect(facts.secrets.map((f) => f.keyRef)).toEqual(["alias/aws/ssm", "alias/aws/secretsmanager"]);
    expect(simulations(world).some(([, actions]) => actions.includes("kms:Decrypt"))).toBe(false);
  });

  it("names no key for a plain String parameter nor for a secret without kmsKeyId", async () => {
    const world = launchWorld();
    world
      .account(target.account)
      .parameters.set(`eu-west-1 ${PARAM}`, { name: PARAM, arn: PARAM_ARN, type: "String", keyId: "alias/shop" });
    const facts = await executionRoleFacts(await launchContext(world, secrets(PARAM, SECRET_ID)));
    expect(facts.secrets[0]).toEqual({
      need: expect.anything(),
      resourceArn: PARAM_ARN,
      read: { ok: true, value: { arn: PARAM_ARN, type: "String", keyId: "alias/shop" } },
    });
    expect(facts.secrets[1]).toEqual({
      need: expect.anything(),
      resourceArn: SECRET_ARN,
      read: { ok: true, value: { arn: SECRET_ARN, keyId: undefined } },
    });
    expect(callsTo(world, "describeKey")).toEqual([]);
  });

  it("keeps a missing parameter or secret as read-but-absent, asking about valueFrom's ARN", async () => {
    const world = launchWorld();
    world.account(target.account).parameters.clear();
    world.account(target.account).secrets.clear();
    const facts = await executionRoleFacts(await launchContext(world, secrets(PARAM, SECRET_ID)));
    expect(facts.secrets.map((f) => [f.read, f.resourceArn, f.keyRef])).toEqual([
      [{ ok: true, value: undefined }, PARAM_ARN, undefined],
      [{ ok: true, value: undefined }, SECRET_ID, undefined],
    ]);
  });

  it("keeps a failed read as the error, without reading a key", async () => {
    const world = launchWorld();
    world.account(target.account).failures.set("describeParameter", accessDenied("ssm:DescribeParameters", PARAM));
    world.account(target.account).failures.set("describeSecret", accessDenied("secretsmanager:DescribeSecret", SECRET_ID));
    const facts = await executionRoleFacts(await launchContext(world, secrets(PARAM, SECRET_ID)));
    expect(facts.secrets.map((f) => (f.read?.ok === false ? f.read.error.awsCode : "read"))).toEqual(["AccessDenied", "AccessDenied"]);
    expect(facts.secrets.map((f) => f.keyRef)).toEqual([undefined, undefined]);
    expect(callsTo(world, "describeKey")).toEqual([]);
  });

  it("reads nothing for a parameter that references Secrets Manager, nor for an invalid valueFrom", async () => {
    const world = launchWorld();
    const facts = await executionRoleFacts(await launchContext(world, secrets("/aws/reference/secretsmanager/db", "arn:aws:s3:::b/k")));
    expect(facts.secrets.map((f) => Object.keys(f))).toEqual([["need"], ["need"]]);
    expect(callsTo(world, "describeParameter")).toEqual([]);
    expect(simulations(world).some(([, actions]) => actions.some((a) => a.startsWith("ssm:") || a.startsWith("secretsmanager:")))).toBe(
      false,
    );
  });

  it("asks kms:Decrypt on another account's key as a cross-account resource", async () => {
    const world = launchWorld();
    world
      .account(target.account)
      .secrets.set(`eu-west-1 ${OTHER_SECRET_ID}`, { arn: OTHER_SECRET_ARN, name: "shared/db", kmsKeyId: OTHER_KEY_ARN });
    world.account(target.account).kmsKeys.set(`eu-west-1 ${OTHER_KEY_ARN}`, keyOf(OTHER_KEY_ARN));
    for (const k of [`kms:Decrypt ${OTHER_KEY_ARN}`, `secretsmanager:GetSecretValue ${OTHER_SECRET_ARN}`]) {
      world.account(target.account).simulation.set(k, "implicitDeny");
      world.account(target.account).simulationDetails.set(k, { matchedStatements: ["inline:cross"] });
    }
    const facts = await executionRoleFacts(await launchContext(world, secrets(OTHER_SECRET_ID)));
    expect(executionAnswer(facts, "kms:Decrypt", OTHER_KEY_ARN)).toMatchObject({ verdict: "allowed", identityOnly: true });
    expect(executionAnswer(facts, "secretsmanager:GetSecretValue", OTHER_SECRET_ARN)).toMatchObject({
      verdict: "allowed",
      identityOnly: true,
    });
  });

  it("asks about the central repository as a cross-account resource, a repository of the target's account as its own", async () => {
    const world = launchWorld();
    const own = "arn:aws:ecr:eu-west-1:222222222222:repository/shop/api";
    for (const arn of [CENTRAL_REPO_ARN, own]) {
      world.account(target.account).simulation.set(`ecr:BatchGetImage ${arn}`, "implicitDeny");
      world.account(target.account).simulationDetails.set(`ecr:BatchGetImage ${arn}`, { matchedStatements: ["inline:pull"] });
    }
    const ctx = await launchContext(world);
    ctx.desired.taskDefinition.containerDefinitions.push({
      name: "replica",
      image: "222222222222.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1",
    });
    const facts = await executionRoleFacts(ctx);
    expect(executionAnswer(facts, "ecr:BatchGetImage", CENTRAL_REPO_ARN)).toMatchObject({ verdict: "allowed", identityOnly: true });
    expect(executionAnswer(facts, "ecr:BatchGetImage", own)).toMatchObject({ verdict: "denied", by: "no-allow" });
  });
});

describe("executionRoleFacts: when IAM cannot answer", () => {
  it("keeps the simulation's failure and, when the role's policies are unreadable too, that failure", async () => {
    const world = launchWorld();
    world.account(target.account).failures.set("simulatePrincipalPolicy", accessDenied("iam:SimulatePrincipalPolicy", EXEC));
    world.account(target.account).failures.set("listInlinePolicies", accessDenied("iam:ListRolePolicies", EXEC));
    const facts = await executionRoleFacts(await launchContext(world, secrets(PARAM)));
    expect(facts.simulateError).toMatchObject({ code: "ACCESS_DENIED", action: "iam:SimulatePrincipalPolicy" });
    expect(facts.readError).toMatchObject({ action: "iam:ListRolePolicies" });
    expect(executionAnswer(facts, "ssm:GetParameters", PARAM_ARN)).toMatchObject({ verdict: "unverified", method: "none" });
  });

  it("has neither error when IAM answered", async () => {
    const facts = await executionRoleFacts(await launchContext(launchWorld(), secrets(PARAM)));
    expect(Object.keys(facts).sort()).toEqual(["answers", "needs", "secrets"]);
  });

  it("answers unverified, naming the request, for what was never asked", async () => {
    const facts = await executionRoleFacts(await launchContext(launchWorld()));
    expect(executionAnswer(facts, "ssm:GetParameters", PARAM_ARN)).toEqual({
      verdict: "unverified",
      method: "none",
      why: `no answer for ssm:GetParameters on ${PARAM_ARN}`,
    });
    expect(executionAnswer(facts, "ecr:BatchGetImage", CENTRAL_REPO_ARN)).toMatchObject({ verdict: "allowed" });
  });
});

describe("customerKey", () => {
  const need = { container: "app", name: "X", valueFrom: PARAM, field: "secrets" as const, source: { kind: "invalid" as const, why: "" } };
  it("is the key only when it was read, exists and is customer managed", () => {
    expect(customerKey({ need, key: { ok: true, value: keyOf() } })).toEqual(keyOf());
    expect(customerKey({ need, key: { ok: true, value: keyOf(KEY_ARN, { keyManager: "AWS" }) } })).toBeUndefined();
    expect(customerKey({ need, key: { ok: true, value: undefined } })).toBeUndefined();
    expect(customerKey({ need, key: { ok: false, error: accessDenied("kms:DescribeKey", KEY_ARN) } })).toBeUndefined();
    expect(customerKey({ need })).toBeUndefined();
  });
});

describe("answerEvidence", () => {
  it("records the method, the decision and what it rests on", () => {
    expect(answerEvidence({ verdict: "allowed", method: "iam:SimulatePrincipalPolicy", matched: ["inline:a"] })).toEqual({
      method: "iam:SimulatePrincipalPolicy",
      decision: "allowed",
      matchedStatements: ["inline:a"],
    });
    expect(answerEvidence({ verdict: "allowed", method: "local-evaluation", matched: [], identityOnly: true })).toEqual({
      method: "local-evaluation",
      decision: "allowed",
      matchedStatements: [],
      side: "identity",
    });
    expect(answerEvidence({ verdict: "denied", by: "scp", method: "iam:SimulatePrincipalPolicy", matched: ["x"] })).toEqual({
      method: "iam:SimulatePrincipalPolicy",
      decision: "denied",
      deniedBy: "scp",
      matchedStatements: ["x"],
    });
    expect(answerEvidence({ verdict: "unverified", method: "none", why: "w" })).toEqual({
      method: "none",
      decision: "unverified",
      why: "w",
    });
    expect(
      answerEvidence({
        verdict: "unverified",
        method: "local-evaluation",
        why: "w",
        missing: ["aws:SourceVpce"],
        unsupported: ["ForAnyValue:Foo"],
      }),
    ).toEqual({
      method: "local-evaluation",
      decision: "unverified",
      why: "w",
      missingContextValues: ["aws:SourceVpce"],
      unsupported: ["ForAnyValue:Foo"],
    });
  });
});
