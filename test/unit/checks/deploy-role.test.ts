// Check deploy-role-permissions (src/checks/deploy-role.ts): the deploy role may make the writes and
// the reads a rollout (and its rollback) makes. One iam:SimulatePrincipalPolicy, asked with the
// resources and request context the real calls carry; one child per action, each denial with the
// statement to add; a denial that only weakens a fallback is a warning (unverified), not a failure.
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEPLOY_READ_ACTIONS,
  DEPLOY_ROLE_CHECK,
  DEPLOY_WRITE_ACTIONS,
  NATIVE_ROLLBACK_ACTION,
  ONE_OFF_TASK_ACTIONS,
  answerFor,
  checkDeployRolePermissions,
  deployRoleAnswers,
  deployRoleQuestion,
  deployWriteCheckId,
} from "../../../src/checks/deploy-role.js";
import type { CheckContext } from "../../../src/checks/context.js";
import type { CheckResult } from "../../../src/checks/check-result.js";
import type { Target } from "../../../src/config/types.js";
import { checkContext } from "./check-context.js";
import { accessDenied, doc, healthyWorld, type FakeWorld } from "../../helpers/fake-aws.js";
import { DIGEST, EXAMPLE, makeDesired, makeTarget } from "../../helpers/factories.js";

const A = "222222222222";
const target = makeTarget({ account: A });
const TD_NEXT = `arn:aws:ecs:eu-west-1:${A}:task-definition/shop-api:2`;
const TD_ALL = `arn:aws:ecs:eu-west-1:${A}:task-definition/shop-api:*`;
const SERVICE = `arn:aws:ecs:eu-west-1:${A}:service/shop-dev/api`;
const CLUSTER = `arn:aws:ecs:eu-west-1:${A}:cluster/shop-dev`;
const ZERO = "0".repeat(32);
const SD = `arn:aws:ecs:eu-west-1:${A}:service-deployment/shop-dev/api/${ZERO}`;
const SR = `arn:aws:ecs:eu-west-1:${A}:service-revision/shop-dev/api/${ZERO}`;
const TASK = `arn:aws:ecs:eu-west-1:${A}:task/shop-dev/${ZERO}`;
const BOUNDARY = `arn:aws:iam::${A}:policy/cap`;

/** The target's service as a BLUE_GREEN service (StopServiceDeployment is then asked). */
function blueGreen(w: FakeWorld, current?: string): FakeWorld {
  const key = `${target.cluster}/${target.service}`;
  const svc = w.account(A).services.get(key)!;
  w.account(A).services.set(key, { ...svc, strategy: "BLUE_GREEN", ...(current ? { currentServiceDeployment: current } : {}) });
  return w;
}

/** A context whose unit runs a one-off task (unless --skip-tasks). */
async function ctxFor(w: FakeWorld, opts: { tasks?: boolean; skipTasks?: boolean; t?: Target } = {}): Promise<CheckContext> {
  const t = opts.t ?? target;
  const ctx = await checkContext(w, t);
  if (opts.tasks)
    ctx.project.config.services = ctx.project.config.services.map((s) => ({
      ...s,
      tasks: [{ name: "migrate", command: ["bin/migrate"], container: "app", timeoutSeconds: 600 }],
    }));
  if (opts.skipTasks) ctx.options = { ...ctx.options, skipTasks: true };
  return ctx;
}

function child(r: CheckResult, action: string): CheckResult {
  const c = r.children?.find((x) => x.id === `deploy-role-permissions:${action}`);
  if (!c) throw new Error(`no child for ${action}: ${r.children?.map((x) => x.id).join(", ")}`);
  return c;
}

const simCalls = (w: FakeWorld) => w.calls.filter((c) => c.method === "simulatePrincipalPolicy");

describe("deployRoleQuestion: what the deploy role is asked", () => {
  it("PassRole of both roles, the writes and the reads, on the resources the real calls name, with the deploy role as source", async () => {
    const { question, resources } = await deployRoleQuestion(await ctxFor(healthyWorld(target)));
    expect(question.key).toBe("deploy-role");
    expect(question.policySourceArn).toBe(target.deployRole);
    expect(question.actions).toEqual([
      "iam:PassRole",
      "ecs:RegisterTaskDefinition",
      "ecs:TagResource",
      "ecs:UpdateService",
      "ecs:DescribeServices",
      "ecs:ListServiceDeployments",
      "ecs:DescribeServiceDeployments",
      "ecs:DescribeServiceRevisions",
      "ecs:DescribeTaskDefinition",
    ]);
    expect(question.resources).toEqual([target.taskRole, target.executionRole, TD_NEXT, SERVICE, SD, SR, "*"]);
    expect(resources).toEqual({
      taskRole: target.taskRole,
      executionRole: target.executionRole,
      taskDefinition: TD_NEXT,
      taskDefinitions: TD_ALL,
      service: SERVICE,
      serviceDeployment: SD,
      serviceRevision: SR,
      serviceDeployments: `arn:aws:ecs:eu-west-1:${A}:service-deployment/shop-dev/api/*`,
      serviceRevisions: `arn:aws:ecs:eu-west-1:${A}:service-revision/shop-dev/api/*`,
      cluster: CLUSTER,
      task: TASK,
      tasks: `arn:aws:ecs:eu-west-1:${A}:task/shop-dev/*`,
      runsTasks: false,
      native: false,
    });
  });

  it("the request context of a registration: PassedToService, CreateAction, the tag keys and values known now", async () => {
    const ctx = await ctxFor(healthyWorld(target));
    ctx.desired = makeDesired(target, {
      tags: [
        { key: "team", value: "payments" },
        { key: "cost-centre", value: "42" },
      ],
    });
    const { question } = await deployRoleQuestion(ctx);
    expect(question.context).toEqual([
      { key: "iam:PassedToService", type: "string", values: ["ecs-tasks.amazonaws.com"] },
      { key: "ecs:CreateAction", type: "string", values: ["RegisterTaskDefinition"] },
      {
        key: "aws:TagKeys",
        type: "stringList",
        values: [
          "cost-centre",
          "deployer:by",
          "deployer:fingerprint",
          "deployer:image-digest",
          "deployer:image-tag",
          "deployer:run-id",
          "team",
        ],
      },
      { key: "aws:RequestTag/team", type: "string", values: ["payments"] },
      { key: "aws:RequestTag/cost-centre", type: "string", values: ["42"] },
      { key: "aws:RequestTag/deployer:image-digest", type: "string", values: [DIGEST] },
      { key: "aws:RequestTag/deployer:image-tag", type: "string", values: ["3f2a9c1"] },
    ]);
  });

  it("an image given by digest (no tag): no deployer:image-tag", async () => {
    const ctx = await ctxFor(healthyWorld(target));
    ctx.desired = { ...ctx.desired, image: { repository: ctx.desired.image.repository, digest: DIGEST } };
    const { question } = await deployRoleQuestion(ctx);
    expect(question.context.find((e) => e.key === "aws:TagKeys")?.values).toEqual([
      "deployer:by",
      "deployer:fingerprint",
      "deployer:image-digest",
      "deployer:run-id",
    ]);
    expect(question.context.map((e) => e.key)).not.toContain("aws:RequestTag/deployer:image-tag");
  });

  it("the next revision: the family's newest + 1; 1 for a new family or an unreadable one", async () => {
    const fresh = healthyWorld(target);
    fresh.account(A).taskDefinitions.clear();
    expect((await deployRoleQuestion(await ctxFor(fresh))).resources.taskDefinition).toBe(
      `arn:aws:ecs:eu-west-1:${A}:task-definition/shop-api:1`,
    );
    const unreadable = healthyWorld(target);
    unreadable.account(A).failures.set("describeTaskDefinition", accessDenied("ecs:DescribeTaskDefinition", "shop-api"));
    expect((await deployRoleQuestion(await ctxFor(unreadable))).resources.taskDefinition).toBe(
      `arn:aws:ecs:eu-west-1:${A}:task-definition/shop-api:1`,
    );
    const w = healthyWorld(target);
    const ctx = await ctxFor(w);
    await deployRoleQuestion(ctx);
    expect(w.calls.filter((c) => c.method === "describeTaskDefinition").map((c) => c.args)).toEqual([["shop-api"]]);
  });

  it("one role for both: asked once", async () => {
    const same = makeTarget({ account: A, executionRole: makeTarget().taskRole });
    const { question } = await deployRoleQuestion(await ctxFor(healthyWorld(same), { t: same }));
    expect(question.resources.filter((r) => r === same.taskRole)).toHaveLength(1);
  });

  it("a BLUE_GREEN service: StopServiceDeployment, on its current service deployment", async () => {
    const current = `arn:aws:ecs:eu-west-1:${A}:service-deployment/shop-dev/api/abc123`;
    const { question, resources } = await deployRoleQuestion(await ctxFor(blueGreen(healthyWorld(target), current)));
    expect(resources.native).toBe(true);
    expect(resources.serviceDeployment).toBe(current);
    expect(question.actions.slice(0, 5)).toEqual(["iam:PassRole", ...DEPLOY_WRITE_ACTIONS, NATIVE_ROLLBACK_ACTION]);
    expect(question.resources).toContain(current);
    expect((await deployRoleQuestion(await ctxFor(blueGreen(healthyWorld(target))))).resources.serviceDeployment).toBe(SD);
  });

  it("no service (or an unreadable one): rolling, no StopServiceDeployment", async () => {
    const none = healthyWorld(target);
    none.account(A).services.clear();
    expect((await deployRoleQuestion(await ctxFor(none))).resources).toMatchObject({ native: false, serviceDeployment: SD });
    const unreadable = blueGreen(healthyWorld(target), `${SERVICE}/x`);
    unreadable.account(A).failures.set("describeServices", accessDenied("ecs:DescribeServices", SERVICE));
    const { question, resources } = await deployRoleQuestion(await ctxFor(unreadable));
    expect(resources).toMatchObject({ native: false, serviceDeployment: SD });
    expect(question.actions).not.toContain(NATIVE_ROLLBACK_ACTION);
  });

  it("a unit with one-off tasks: RunTask, DescribeTasks, StopTask and ecs:cluster; none with --skip-tasks", async () => {
    const { question, resources } = await deployRoleQuestion(await ctxFor(healthyWorld(target), { tasks: true }));
    expect(resources.runsTasks).toBe(true);
    expect(question.actions).toEqual(["iam:PassRole", ...DEPLOY_WRITE_ACTIONS, ...ONE_OFF_TASK_ACTIONS, ...DEPLOY_READ_ACTIONS]);
    expect(question.resources).toEqual([target.taskRole, target.executionRole, TD_NEXT, SERVICE, SD, SR, TASK, "*"]);
    expect(question.context).toContainEqual({ key: "ecs:cluster", type: "string", values: [CLUSTER] });
    const skipped = await deployRoleQuestion(await ctxFor(healthyWorld(target), { tasks: true, skipTasks: true }));
    expect(skipped.resources.runsTasks).toBe(false);
    expect(skipped.question.context.map((e) => e.key)).not.toContain("ecs:cluster");
  });
});

describe("deployRoleAnswers / answerFor", () => {
  it("one simulation however many checks ask; each ask answered on its resource", async () => {
    const w = healthyWorld(target);
    w.account(A).simulation.set(`ecs:UpdateService ${SERVICE}`, "explicitDeny");
    const ctx = await ctxFor(w);
    const [a, b] = await Promise.all([deployRoleAnswers(ctx), deployRoleAnswers(ctx)]);
    expect(simCalls(w)).toHaveLength(1);
    expect(b.answers).toBe(a.answers);
    expect(a.asks).toEqual([
      `iam:PassRole ${target.taskRole}`,
      `iam:PassRole ${target.executionRole}`,
      `ecs:RegisterTaskDefinition ${TD_NEXT}`,
      `ecs:TagResource ${TD_NEXT}`,
      `ecs:UpdateService ${SERVICE}`,
      `ecs:DescribeServices ${SERVICE}`,
      `ecs:ListServiceDeployments ${SERVICE}`,
      `ecs:DescribeServiceDeployments ${SD}`,
      `ecs:DescribeServiceRevisions ${SR}`,
      "ecs:DescribeTaskDefinition *",
    ]);
    expect(answerFor(a, "ecs:UpdateService", SERVICE)).toMatchObject({ verdict: "denied", by: "explicit-deny" });
    expect(answerFor(a, "ecs:RegisterTaskDefinition", TD_NEXT)).toMatchObject({ verdict: "allowed" });
  });

  it("the one-off task calls on their resources: RunTask on the revision, DescribeTasks/StopTask on a task", async () => {
    const a = await deployRoleAnswers(await ctxFor(healthyWorld(target), { tasks: true }));
    expect(a.asks).toEqual(expect.arrayContaining([`ecs:RunTask ${TD_NEXT}`, `ecs:DescribeTasks ${TASK}`, `ecs:StopTask ${TASK}`]));
    const bg = await deployRoleAnswers(await ctxFor(blueGreen(healthyWorld(target))));
    expect(bg.asks).toContain(`ecs:StopServiceDeployment ${SD}`);
  });

  it("answerFor an ask that was not asked: unverified, never allowed", () => {
    const all = {
      answers: { answers: [{ verdict: "allowed" as const, method: "iam:SimulatePrincipalPolicy" as const, matched: [] }] },
      asks: ["a r"],
    };
    expect(answerFor(all, "a", "r").verdict).toBe("allowed");
    expect(answerFor(all, "b", "r")).toEqual({ verdict: "unverified", method: "none", why: "no answer for b on r" });
  });
});

describe("check deploy-role-permissions", () => {
  it("passes when every write and read is allowed, one child per action with its evidence", async () => {
    const w = healthyWorld(target);
    w.account(A).simulationDetails.set(`ecs:TagResource ${TD_NEXT}`, { matchedStatements: ["inline:deploy#Tag"] });
    const r = await checkDeployRolePermissions(await ctxFor(w));
    expect(r).toMatchObject({ id: DEPLOY_ROLE_CHECK.id, title: DEPLOY_ROLE_CHECK.title, target: "dev", verdict: "pass" });
    const actions = [...DEPLOY_WRITE_ACTIONS, ...DEPLOY_READ_ACTIONS];
    expect(r.message).toBe(`${target.deployRole} may ${actions.join(", ")}`);
    expect(r.children!.map((c) => c.id)).toEqual(actions.map((a) => deployWriteCheckId(a)));
    expect(child(r, "ecs:TagResource")).toEqual({
      id: "deploy-role-permissions:ecs:TagResource",
      title: "deploy role may ecs:TagResource",
      target: "dev",
      verdict: "pass",
      message: `ecs:TagResource on ${TD_NEXT} allowed`,
      evidence: {
        method: "iam:SimulatePrincipalPolicy",
        action: "ecs:TagResource",
        resource: TD_NEXT,
        matchedStatements: ["inline:deploy#Tag"],
        context: { "ecs:CreateAction": "RegisterTaskDefinition" },
      },
    });
    expect(child(r, "ecs:UpdateService").evidence).toEqual({
      method: "iam:SimulatePrincipalPolicy",
      action: "ecs:UpdateService",
      resource: SERVICE,
      matchedStatements: [],
    });
    expect(child(r, "ecs:DescribeTaskDefinition").message).toBe("ecs:DescribeTaskDefinition on * allowed");
  });

  it("a denied RegisterTaskDefinition fails, at the deployRole line, with the statement to add on every revision", async () => {
    const w = healthyWorld(target);
    w.account(A).simulation.set(`ecs:RegisterTaskDefinition ${TD_NEXT}`, "implicitDeny");
    const r = await checkDeployRolePermissions(await ctxFor(w));
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(`${target.deployRole} may not ecs:RegisterTaskDefinition`);
    const c = child(r, "ecs:RegisterTaskDefinition");
    const statement = JSON.stringify({ Effect: "Allow", Action: "ecs:RegisterTaskDefinition", Resource: TD_ALL });
    expect(c.verdict).toBe("fail");
    expect(c.message).toBe(`no policy of ${target.deployRole} allows ecs:RegisterTaskDefinition on ${TD_NEXT}`);
    expect(c.hint).toBe(`Add to a policy of ${target.deployRole}: ${statement}`);
    expect(c.error).toEqual({
      code: "ACCESS_DENIED",
      message: c.message,
      target: "dev",
      account: A,
      location: { file: path.join(EXAMPLE, "environments", "dev.yaml"), line: 6, column: 1 },
      field: "deployRole",
      action: "ecs:RegisterTaskDefinition",
      resource: TD_NEXT,
      hint: c.hint,
    });
    expect(c.evidence).toMatchObject({ deniedBy: "no-allow", method: "iam:SimulatePrincipalPolicy", matchedStatements: [] });
    expect(child(r, "ecs:UpdateService").verdict).toBe("pass");
  });

  it("each action's statement: TagResource with ecs:CreateAction, the service's, every service deployment / revision, '*'", async () => {
    const w = blueGreen(healthyWorld(target));
    w.account(A).simulationDefault = "implicitDeny";
    const r = await checkDeployRolePermissions(await ctxFor(w));
    const statementIn = (action: string) => JSON.parse(child(r, action).hint!.slice(child(r, action).hint!.indexOf("{")));
    expect(statementIn("ecs:TagResource")).toEqual({
      Effect: "Allow",
      Action: "ecs:TagResource",
      Resource: TD_ALL,
      Condition: { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } },
    });
    for (const a of ["ecs:UpdateService", "ecs:DescribeServices", "ecs:ListServiceDeployments"])
      expect(statementIn(a), a).toEqual({ Effect: "Allow", Action: a, Resource: SERVICE });
    for (const a of ["ecs:StopServiceDeployment", "ecs:DescribeServiceDeployments"])
      expect(statementIn(a), a).toEqual({
        Effect: "Allow",
        Action: a,
        Resource: `arn:aws:ecs:eu-west-1:${A}:service-deployment/shop-dev/api/*`,
      });
    expect(statementIn("ecs:DescribeServiceRevisions")).toEqual({
      Effect: "Allow",
      Action: "ecs:DescribeServiceRevisions",
      Resource: `arn:aws:ecs:eu-west-1:${A}:service-revision/shop-dev/api/*`,
    });
    const td = child(r, "ecs:DescribeTaskDefinition").hint!;
    expect(JSON.parse(td.slice(td.indexOf("{"), td.lastIndexOf("}") + 1))).toEqual({
      Effect: "Allow",
      Action: "ecs:DescribeTaskDefinition",
      Resource: "*",
    });
    // Every denied action is named in the parent's message (the fatal ones).
    expect(r.message).toBe(
      `${target.deployRole} may not ecs:RegisterTaskDefinition, ecs:TagResource, ecs:UpdateService, ecs:StopServiceDeployment, ecs:DescribeServices, ecs:ListServiceDeployments, ecs:DescribeServiceDeployments, ecs:DescribeServiceRevisions`,
    );
  });

  it("the one-off task calls: statements on the task definitions (ecs:cluster) and the cluster's tasks; each denial says what breaks", async () => {
    const w = healthyWorld(target);
    const ctx = await ctxFor(w, { tasks: true });
    for (const a of ONE_OFF_TASK_ACTIONS) w.account(A).simulation.set(`${a} ${a === "ecs:RunTask" ? TD_NEXT : TASK}`, "implicitDeny");
    const r = await checkDeployRolePermissions(ctx);
    expect(r.verdict).toBe("fail");
    const run = child(r, "ecs:RunTask");
    expect(run.message).toBe(
      `no policy of ${target.deployRole} allows ecs:RunTask on ${TD_NEXT}: the one-off tasks (tasks:) run before the service is updated`,
    );
    expect(run.hint).toBe(
      `Add to a policy of ${target.deployRole}: ${JSON.stringify({ Effect: "Allow", Action: "ecs:RunTask", Resource: TD_ALL, Condition: { ArnEquals: { "ecs:cluster": CLUSTER } } })}`,
    );
    const tasks = `arn:aws:ecs:eu-west-1:${A}:task/shop-dev/*`;
    expect(child(r, "ecs:DescribeTasks")).toMatchObject({
      verdict: "fail",
      message: `no policy of ${target.deployRole} allows ecs:DescribeTasks on ${TASK}: a rollout waits for each one-off task to stop and reads its exit code`,
      hint: `Add to a policy of ${target.deployRole}: ${JSON.stringify({ Effect: "Allow", Action: "ecs:DescribeTasks", Resource: tasks })}`,
    });
    expect(child(r, "ecs:StopTask")).toMatchObject({
      verdict: "fail",
      message: `no policy of ${target.deployRole} allows ecs:StopTask on ${TASK}: a one-off task that outlives its timeoutSeconds (or an interrupted run) is stopped`,
      hint: `Add to a policy of ${target.deployRole}: ${JSON.stringify({ Effect: "Allow", Action: "ecs:StopTask", Resource: tasks })}`,
    });
  });

  it("a denied DescribeServices fails: the rollout re-reads the service and waits with it", async () => {
    const w = healthyWorld(target);
    w.account(A).simulation.set(`ecs:DescribeServices ${SERVICE}`, "implicitDeny");
    const r = await checkDeployRolePermissions(await ctxFor(w));
    expect(r.verdict).toBe("fail");
    expect(child(r, "ecs:DescribeServices").message).toBe(
      `no policy of ${target.deployRole} allows ecs:DescribeServices on ${SERVICE}: a rollout re-reads the service before updating it and waits with it`,
    );
  });

  it("a rolling service: denied history reads are a warning (the rollback falls back to the provenance tag), --strict named", async () => {
    const w = healthyWorld(target);
    w.account(A).simulation.set(`ecs:ListServiceDeployments ${SERVICE}`, "implicitDeny");
    w.account(A).simulation.set(`ecs:DescribeServiceRevisions ${SR}`, "implicitDeny");
    const r = await checkDeployRolePermissions(await ctxFor(w));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(
      `ecs:ListServiceDeployments, ecs:DescribeServiceRevisions for ${target.deployRole}: denied, with a weaker fallback, or not verified`,
    );
    const c = child(r, "ecs:ListServiceDeployments");
    expect(c.verdict).toBe("unverified");
    expect(c.message).toBe(
      `no policy of ${target.deployRole} allows ecs:ListServiceDeployments on ${SERVICE}: \`deployer rollback\` reads the deployment history as the deploy role; without it the rollback target comes from the deployer:previous-task-definition tag only`,
    );
    expect(c.hint).toBe(
      `Add to a policy of ${target.deployRole}: ${JSON.stringify({ Effect: "Allow", Action: "ecs:ListServiceDeployments", Resource: SERVICE })} --strict turns this warning into an error.`,
    );
    expect(c.error?.hint).toBe(c.hint);
  });

  it("a BLUE_GREEN service: denied history reads fail (the deployment is followed through them); StopServiceDeployment too", async () => {
    const w = blueGreen(healthyWorld(target));
    w.account(A).simulation.set(`ecs:DescribeServiceDeployments ${SD}`, "implicitDeny");
    w.account(A).simulation.set(`ecs:StopServiceDeployment ${SD}`, "implicitDeny");
    const r = await checkDeployRolePermissions(await ctxFor(w));
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(`${target.deployRole} may not ecs:StopServiceDeployment, ecs:DescribeServiceDeployments`);
    const c = child(r, "ecs:DescribeServiceDeployments");
    expect(c.message).toBe(
      `no policy of ${target.deployRole} allows ecs:DescribeServiceDeployments on ${SD}: a BLUE_GREEN / LINEAR / CANARY deployment is followed (and rolled back) through its service deployments`,
    );
    expect(c.hint).not.toContain("--strict");
    // A write without a consequence sentence: the denial alone.
    expect(child(r, "ecs:StopServiceDeployment").message).toBe(
      `no policy of ${target.deployRole} allows ecs:StopServiceDeployment on ${SD}`,
    );
  });

  it("a denied DescribeTaskDefinition is a warning: a rollback to an INACTIVE revision needs it", async () => {
    const w = healthyWorld(target);
    w.account(A).simulation.set("ecs:DescribeTaskDefinition *", "explicitDeny");
    w.account(A).simulationDetails.set("ecs:DescribeTaskDefinition *", { matchedStatements: ["inline:guard#NoRead"] });
    const r = await checkDeployRolePermissions(await ctxFor(w));
    expect(r.verdict).toBe("unverified");
    const c = child(r, "ecs:DescribeTaskDefinition");
    expect(c).toMatchObject({
      verdict: "unverified",
      message: `a Deny statement (inline:guard#NoRead) forbids ${target.deployRole} ecs:DescribeTaskDefinition on *: a rollback to an INACTIVE revision reads it to register an identical copy; \`deployer rollback\` reads the revision it goes back to`,
      evidence: { deniedBy: "explicit-deny", matchedStatements: ["inline:guard#NoRead"] },
    });
    expect(c.hint).toMatch(
      /^Narrow the Deny \(inline:guard#NoRead\) so it no longer covers this request; .* --strict turns this warning into an error\.$/,
    );
  });

  it("a boundary denial names the boundary read from the deploy role", async () => {
    const w = healthyWorld(target);
    w.account(A).roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    w.account(A).simulation.set(`ecs:UpdateService ${SERVICE}`, "implicitDeny");
    w.account(A).simulationDetails.set(`ecs:UpdateService ${SERVICE}`, { allowedByPermissionsBoundary: false });
    const r = await checkDeployRolePermissions(await ctxFor(w));
    const c = child(r, "ecs:UpdateService");
    expect(c.message).toBe(`the permissions boundary ${BOUNDARY} of ${target.deployRole} denies ecs:UpdateService on ${SERVICE}`);
    expect(c.hint).toContain(`Allow it in the permissions boundary ${BOUNDARY} of ${target.deployRole}`);

    const unreadable = healthyWorld(target);
    unreadable.account(A).simulation.set(`ecs:UpdateService ${SERVICE}`, "implicitDeny");
    unreadable.account(A).simulationDetails.set(`ecs:UpdateService ${SERVICE}`, { allowedByPermissionsBoundary: false });
    unreadable.account(A).failures.set("getRole", accessDenied("iam:GetRole", target.deployRole));
    const u = child(await checkDeployRolePermissions(await ctxFor(unreadable)), "ecs:UpdateService");
    expect(u.message).toBe(`the permissions boundary of ${target.deployRole} denies ecs:UpdateService on ${SERVICE}`);
  });

  it("unverified when IAM's answer depends on keys unknown before the run: check by hand, with the statement", async () => {
    const w = healthyWorld(target);
    w.account(A).simulation.set(`ecs:UpdateService ${SERVICE}`, "implicitDeny");
    w.account(A).simulationDetails.set(`ecs:UpdateService ${SERVICE}`, { missingContextValues: ["aws:SourceVpce"] });
    const r = await checkDeployRolePermissions(await ctxFor(w));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(`ecs:UpdateService for ${target.deployRole}: not verified`);
    const c = child(r, "ecs:UpdateService");
    expect(c).toEqual({
      id: "deploy-role-permissions:ecs:UpdateService",
      title: "deploy role may ecs:UpdateService",
      target: "dev",
      verdict: "unverified",
      message: `could not verify ecs:UpdateService on ${SERVICE}: IAM's answer (implicitDeny) depends on condition keys deployer cannot know before the task runs (aws:SourceVpce)`,
      hint: `Check by hand that ${target.deployRole} may ecs:UpdateService (${JSON.stringify({ Effect: "Allow", Action: "ecs:UpdateService", Resource: SERVICE })}). --strict turns this warning into an error.`,
      evidence: {
        method: "iam:SimulatePrincipalPolicy",
        action: "ecs:UpdateService",
        resource: SERVICE,
        missingContextValues: ["aws:SourceVpce"],
      },
    });
  });

  it("a weak denial and an unknowable answer together: the parent says either may be the case", async () => {
    const w = healthyWorld(target);
    w.account(A).simulation.set(`ecs:ListServiceDeployments ${SERVICE}`, "implicitDeny");
    w.account(A).simulation.set(`ecs:UpdateService ${SERVICE}`, "implicitDeny");
    w.account(A).simulationDetails.set(`ecs:UpdateService ${SERVICE}`, { missingContextValues: ["aws:SourceVpce"] });
    const r = await checkDeployRolePermissions(await ctxFor(w));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(
      `ecs:UpdateService, ecs:ListServiceDeployments for ${target.deployRole}: denied, with a weaker fallback, or not verified`,
    );
  });

  it("a fail outweighs an unverified in the parent", async () => {
    const w = healthyWorld(target);
    w.account(A).simulation.set(`ecs:UpdateService ${SERVICE}`, "implicitDeny");
    w.account(A).simulation.set("ecs:DescribeTaskDefinition *", "implicitDeny");
    const r = await checkDeployRolePermissions(await ctxFor(w));
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(`${target.deployRole} may not ecs:UpdateService`);
  });

  describe("the simulation refused: the deploy role's policies evaluated locally", () => {
    function refused(): FakeWorld {
      const w = healthyWorld(target);
      w.account(A).failures.set("simulatePrincipalPolicy", accessDenied("iam:SimulatePrincipalPolicy", target.deployRole));
      return w;
    }

    it("allowed locally: pass, saying what the local evaluation cannot see and why the simulation was not used", async () => {
      const w = refused();
      w.account(A).inline.set("deployer", { all: doc({ Sid: "All", Effect: "Allow", Action: ["ecs:*", "iam:PassRole"], Resource: "*" }) });
      const r = await checkDeployRolePermissions(await ctxFor(w));
      expect(r.verdict).toBe("pass");
      expect(child(r, "ecs:UpdateService").evidence).toEqual({
        method: "local-evaluation",
        action: "ecs:UpdateService",
        resource: SERVICE,
        matchedStatements: ["inline:all#All"],
        simulateError: "AccessDenied",
        note: "evaluated locally from the role's identity policies and boundary; SCPs and session policies are not visible to it",
      });
    });

    it("an operator deployer cannot evaluate: unverified naming it", async () => {
      const w = refused();
      w.account(A).inline.set("deployer", {
        all: doc({
          Effect: "Allow",
          Action: ["ecs:*", "iam:PassRole"],
          Resource: "*",
          Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
        }),
      });
      const r = await checkDeployRolePermissions(await ctxFor(w));
      expect(r.verdict).toBe("unverified");
      expect(r.message).toMatch(/: not verified$/);
      expect(child(r, "ecs:UpdateService").evidence).toMatchObject({ method: "local-evaluation", unsupported: ["IpAddress"] });
      expect(child(r, "ecs:UpdateService").evidence).not.toHaveProperty("matchedStatements");
    });

    it("nothing readable either: every action unverified (never pass), the simulation's error code in evidence", async () => {
      const w = refused();
      w.account(A).failures.set("listInlinePolicies", accessDenied("iam:ListRolePolicies", target.deployRole));
      const r = await checkDeployRolePermissions(await ctxFor(w));
      expect(r.verdict).toBe("unverified");
      expect(r.children!.every((c) => c.verdict === "unverified")).toBe(true);
      expect(child(r, "ecs:RegisterTaskDefinition").evidence).toEqual({
        method: "none",
        action: "ecs:RegisterTaskDefinition",
        resource: TD_NEXT,
        simulateError: "AccessDenied",
      });
    });
  });
});
