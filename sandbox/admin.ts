// The admin side: what tests and benchmarks do to the sandbox "from outside AWS" (faults, bad
// images, foreign deployments, direct registrations, generated accounts), in-process and over HTTP
// under /_sandbox/.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DeploymentSettledEvent, Rollouts } from "./deployments.js";
import type { FaultInjector, Faults } from "./faults.js";
import { parseRepositoryUri, type ExtraServiceFixture, type PolicyStatement, type TargetFixture } from "./fixture.js";
import type { RequestLog, RequestLogEntry } from "./request-log.js";
import { seedAccount } from "./seed.js";
import { registerTaskDefinition, resolveTaskDefinition, validateTaskDefinitionInput } from "./task-definitions.js";
import { randomId, type EcsService, type World } from "./world.js";
import { randomBytes } from "node:crypto";
import { AwsError } from "./aws-error.js";
import {
  applyIam,
  exportIam,
  issueTaskRoleCredentials,
  removeAction,
  type IamApplyAccount,
  type IamApplyDocument,
  type IamApplyResult,
  type IssuedCredentials,
  type RemoveActionRequest,
  type RemovedAction,
  type TaskRoleCredentialsRequest,
} from "./iam-admin.js";
import { handleLaunchAdminRoute, LaunchAdminImpl, type LaunchAdmin } from "./launch-admin.js";
import { handleTaskAdminRoute, TaskAdminImpl, type TaskAdmin, type TaskExitRuleInput } from "./task-admin.js";

export interface ServiceRef {
  account: string;
  region: string;
  cluster: string;
  service: string;
}

/**
 * LaunchAdmin (launch-admin.ts): IAM policies, boundaries, SCPs, parameters, secrets, log groups, keys, repository policies.
 * TaskAdmin (task-admin.ts): how one-off tasks exit, Fargate capacity, subnets and security groups, the tasks started.
 */
export interface SandboxAdmin extends LaunchAdmin, TaskAdmin {
  /** `role`: only calls made with a session of that role (e.g. "deployer", "deployer-viewer"). */
  log(filter?: { account?: string; action?: string; service?: string; role?: string }): RequestLogEntry[];
  clearLog(): void;
  setFaults(f: Faults): void;
  markImageBad(digest: string): void;
  /** Tasks of this image run, but trip the CloudWatch deployment alarms of services that have them. */
  markImageAlarming(digest: string): void;
  /** Start a deployment as "someone else" (stays IN_PROGRESS until completeDeployment, or forever). */
  startForeignDeployment(a: ServiceRef & { taskDefinition?: string }): string;
  completeDeployment(a: ServiceRef): void;
  /** Register a task definition directly (as a human would behind deployer's back). */
  registerTaskDefinition(a: { account: string; region: string; input: Record<string, unknown> }): string;
  setDeploymentSeconds(s: number): void;
  /** How long one minute of ECS bake time lasts in the sandbox, in seconds. */
  setMinuteSeconds(s: number): void;
  /** Fires when a deployment becomes COMPLETED/FAILED (for latency measurement in benchmarks). */
  onDeploymentSettled(cb: (e: DeploymentSettledEvent) => void): () => void;
  /**
   * Generate N extra target accounts like the demo ones (for benchmarks): returns their ids.
   * Account ids count up from `firstAccount` (default 700000000001); each is named `gen-<id>`:
   * cluster `shop-gen-<id>`, service `api`, family `shop-api-gen-<id>`, external id
   * `shop-deployer-gen-<id>`, desired count 1; the central repository grants it pulls.
   */
  addGeneratedAccounts(
    n: number,
    opts?: {
      region?: string;
      firstAccount?: number;
      /** The services beside `api` in each cluster (default: the fixture's targetDefaults, a `worker`). */
      extraServices?: ExtraServiceFixture[];
    },
  ): string[];
  /**
   * Temporary credentials of an IAM user (default: the fixture's first user with an access key),
   * expiring in `seconds`: what a CI step such as aws-actions/configure-aws-credentials leaves in
   * the environment (a session that nothing refreshes:
   * https://github.com/aws-actions/configure-aws-credentials/issues/354).
   */
  issueTemporaryCredentials(a: { seconds: number; user?: string }): {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: string;
  };
  /** Creates or replaces roles, policies, users, OIDC providers and repository policies (iam-admin.ts, sandbox/README.md). */
  applyIam(doc: IamApplyDocument): IamApplyResult;
  /** An account's IAM in the shape applyIam takes. */
  exportIam(account: string): IamApplyAccount;
  /** Removes one action from a role's (or user's) identity or trust policy, or a repository policy. */
  removeIamAction(req: RemoveActionRequest): RemovedAction[];
  /** Credentials of a task role, as ECS gives them to a running task (the role must trust ecs-tasks.amazonaws.com). */
  issueTaskRoleCredentials(req: TaskRoleCredentialsRequest): Promise<IssuedCredentials>;
}

export class SandboxAdminImpl extends LaunchAdminImpl implements SandboxAdmin {
  private readonly settled: DeploymentSettledEvent[] = [];
  private nextGenerated = 700000000001;
  private readonly tasks: TaskAdminImpl;

  constructor(
    private readonly world: World,
    private readonly rollouts: Rollouts,
    private readonly faults: FaultInjector,
    private readonly requestLog: RequestLog,
  ) {
    super(world);
    this.tasks = new TaskAdminImpl(world);
    rollouts.onSettled((e) => {
      this.settled.push(e);
      if (this.settled.length > 1000) this.settled.shift();
    });
  }

  log(filter?: { account?: string; action?: string; service?: string; role?: string }): RequestLogEntry[] {
    return this.requestLog.list(filter);
  }

  setTaskExit(rule: TaskExitRuleInput): void {
    this.tasks.setTaskExit(rule);
  }

  markImageTaskExit(digest: string, exitCode: number): void {
    this.tasks.markImageTaskExit(digest, exitCode);
  }

  markCommandTaskExit(word: string, exitCode: number): void {
    this.tasks.markCommandTaskExit(word, exitCode);
  }

  clearTaskExits(): void {
    this.tasks.clearTaskExits();
  }

  setTaskCapacity(a: { account: string; region?: string; available: boolean }): void {
    this.tasks.setTaskCapacity(a);
  }

  deleteSubnet(a: { account: string; region: string; subnetId: string }): void {
    this.tasks.deleteSubnet(a);
  }

  deleteSecurityGroup(a: { account: string; region: string; groupId: string }): void {
    this.tasks.deleteSecurityGroup(a);
  }

  listTasks(a: { account: string; region: string }): Record<string, unknown>[] {
    return this.tasks.listTasks(a);
  }

  applyIam(doc: IamApplyDocument): IamApplyResult {
    return applyIam(this.world, doc);
  }

  exportIam(account: string): IamApplyAccount {
    return exportIam(this.world, account);
  }

  removeIamAction(req: RemoveActionRequest): RemovedAction[] {
    return removeAction(this.world, req);
  }

  issueTaskRoleCredentials(req: TaskRoleCredentialsRequest): Promise<IssuedCredentials> {
    return issueTaskRoleCredentials(this.world, req);
  }

  clearLog(): void {
    this.requestLog.clear();
  }

  setFaults(f: Faults): void {
    this.faults.set(f);
  }

  markImageBad(digest: string): void {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`markImageBad: not an image digest: ${digest}`);
    this.world.badDigests.add(digest);
  }

  markImageAlarming(digest: string): void {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`markImageAlarming: not an image digest: ${digest}`);
    this.world.alarmingDigests.add(digest);
  }

  setMinuteSeconds(s: number): void {
    if (!(typeof s === "number" && s > 0)) throw new Error(`setMinuteSeconds: must be a number > 0 (got ${String(s)})`);
    this.world.minuteSeconds = s;
  }

  private service(a: ServiceRef): EcsService {
    const s = this.world.account(a.account)?.regions.get(a.region)?.clusters.get(a.cluster)?.services.get(a.service);
    if (!s) throw new Error(`no service ${a.cluster}/${a.service} in account ${a.account} region ${a.region}`);
    return s;
  }

  startForeignDeployment(a: ServiceRef & { taskDefinition?: string }): string {
    const s = this.service(a);
    let taskDefinition = s.taskDefinition;
    if (a.taskDefinition) {
      const td = resolveTaskDefinition(this.world.region(a.account, a.region), a.taskDefinition);
      if (!td) throw new Error(`no task definition ${a.taskDefinition} in account ${a.account} region ${a.region}`);
      taskDefinition = td.arn;
    }
    return this.rollouts.start(s, taskDefinition, Date.now(), { health: "manual" }).id;
  }

  completeDeployment(a: ServiceRef): void {
    this.rollouts.complete(this.service(a), Date.now());
  }

  registerTaskDefinition(a: { account: string; region: string; input: Record<string, unknown> }): string {
    try {
      validateTaskDefinitionInput(a.input);
    } catch (err) {
      throw new Error(`registerTaskDefinition: ${err instanceof AwsError ? err.message : String(err)}`, { cause: err });
    }
    const state = this.world.region(a.account, a.region);
    const by = `arn:aws:sts::${a.account}:assumed-role/admin/human`;
    return registerTaskDefinition(state, a.region, a.account, a.input, by, Date.now(), this.world.disabledDefaults).arn;
  }

  setDeploymentSeconds(s: number): void {
    if (!(typeof s === "number" && s >= 0)) throw new Error(`setDeploymentSeconds: must be a number >= 0 (got ${String(s)})`);
    this.world.deploymentSeconds = s;
  }

  onDeploymentSettled(cb: (e: DeploymentSettledEvent) => void): () => void {
    return this.rollouts.onSettled(cb);
  }

  settledDeployments(): DeploymentSettledEvent[] {
    return [...this.settled];
  }

  issueTemporaryCredentials(a: { seconds: number; user?: string }): {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: string;
  } {
    if (!(typeof a.seconds === "number" && a.seconds > 0))
      throw new Error(`issueTemporaryCredentials: seconds must be a number > 0 (got ${String(a.seconds)})`);
    const long = [...this.world.accessKeys.values()].find(
      (k) => k.principal.kind === "user" && k.sessionToken === undefined && (a.user === undefined || k.principal.userName === a.user),
    );
    if (!long) throw new Error(`issueTemporaryCredentials: no user${a.user ? ` named ${a.user}` : ""} with an access key`);
    const accessKeyId = randomId("ASIA", 16);
    const secretAccessKey = randomBytes(30).toString("base64url").slice(0, 40);
    const sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(96).toString("base64")}`;
    const expiresAt = Date.now() + a.seconds * 1000;
    this.world.accessKeys.set(accessKeyId, { accessKeyId, secret: secretAccessKey, sessionToken, expiresAt, principal: long.principal });
    return { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(expiresAt).toISOString() };
  }

  addGeneratedAccounts(n: number, opts: { region?: string; firstAccount?: number; extraServices?: ExtraServiceFixture[] } = {}): string[] {
    if (!Number.isInteger(n) || n < 0) throw new Error(`addGeneratedAccounts: n must be a non-negative integer (got ${String(n)})`);
    let next = opts.firstAccount ?? this.nextGenerated;
    const ids: string[] = [];
    const region = opts.region ?? "eu-west-1";
    while (ids.length < n) {
      const id = String(next++).padStart(12, "0");
      if (id.length !== 12) throw new Error(`addGeneratedAccounts: account id ${id} is not 12 digits`);
      if (this.world.account(id)) continue;
      const t: TargetFixture = {
        name: `gen-${id}`,
        account: id,
        region,
        desiredCount: 1,
        ...(opts.extraServices ? { extraServices: opts.extraServices } : {}),
      };
      const expanded = this.world.expandTarget(t);
      seedAccount(this.world, this.rollouts, expanded, Date.now() - 24 * 3600 * 1000);
      ids.push(id);
    }
    this.nextGenerated = Math.max(this.nextGenerated, next);
    this.grantCentralPull(ids);
    return ids;
  }

  /** Adds the generated accounts to the central repository policy's pull grant. */
  private grantCentralPull(ids: string[]): void {
    const central = this.world.targetDefaults().centralRepository;
    const ref = central ? parseRepositoryUri(central) : undefined;
    const repo = ref ? this.world.account(ref.account)?.regions.get(ref.region)?.repositories.get(ref.name) : undefined;
    if (!repo || ids.length === 0) return;
    const policy = repo.policy ?? { Version: "2012-10-17", Statement: [] };
    const statements: PolicyStatement[] = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    let grant = statements.find((s) => s.Sid === "PullFromGeneratedAccounts");
    if (!grant) {
      grant = {
        Sid: "PullFromGeneratedAccounts",
        Effect: "Allow",
        Principal: { AWS: [] as string[] },
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      };
      statements.push(grant);
    }
    const principals = (grant.Principal as { AWS: string[] }).AWS;
    for (const id of ids) principals.push(`arn:aws:iam::${id}:root`);
    repo.policy = { ...policy, Statement: statements };
  }
}

// ---------- HTTP ----------

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Admin routes under /_sandbox/ (JSON in and out). */
export async function handleAdminRequest(
  admin: SandboxAdminImpl,
  endpoint: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sandbox");
  const route = `${req.method ?? "GET"} ${url.pathname.replace(/\/+$/, "")}`;
  let input: Record<string, unknown> = {};
  if (body.length > 0) {
    try {
      input = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    } catch {
      sendJson(res, 400, { error: "request body is not JSON" });
      return;
    }
  }
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  try {
    switch (route) {
      case "GET /_sandbox/health":
        return sendJson(res, 200, { ok: true, endpoint });
      case "GET /_sandbox/log":
        return sendJson(res, 200, admin.log({ account: q("account"), action: q("action"), service: q("service"), role: q("role") }));
      case "POST /_sandbox/log/clear":
        admin.clearLog();
        return sendJson(res, 200, { ok: true });
      case "POST /_sandbox/faults":
        admin.setFaults(input);
        return sendJson(res, 200, { ok: true });
      case "POST /_sandbox/images/bad":
        admin.markImageBad(String(input.digest ?? ""));
        return sendJson(res, 200, { ok: true });
      case "POST /_sandbox/deployments/foreign":
        return sendJson(res, 200, {
          deploymentId: admin.startForeignDeployment(input as unknown as ServiceRef & { taskDefinition?: string }),
        });
      case "POST /_sandbox/deployments/complete":
        admin.completeDeployment(input as unknown as ServiceRef);
        return sendJson(res, 200, { ok: true });
      case "GET /_sandbox/deployments/settled":
        return sendJson(res, 200, admin.settledDeployments());
      case "POST /_sandbox/task-definitions":
        return sendJson(res, 200, {
          taskDefinitionArn: admin.registerTaskDefinition(input as { account: string; region: string; input: Record<string, unknown> }),
        });
      case "POST /_sandbox/credentials/temporary":
        return sendJson(
          res,
          200,
          admin.issueTemporaryCredentials({
            seconds: Number(input.seconds),
            user: typeof input.user === "string" ? input.user : undefined,
          }),
        );
      case "POST /_sandbox/images/alarming":
        admin.markImageAlarming(String(input.digest ?? ""));
        return sendJson(res, 200, { ok: true });
      case "POST /_sandbox/minute-seconds":
        admin.setMinuteSeconds(Number(input.seconds));
        return sendJson(res, 200, { ok: true });
      case "POST /_sandbox/deployment-seconds":
        admin.setDeploymentSeconds(Number(input.seconds));
        return sendJson(res, 200, { ok: true });
      case "POST /_sandbox/accounts/generate":
        return sendJson(res, 200, {
          accounts: admin.addGeneratedAccounts(Number(input.n), {
            region: typeof input.region === "string" ? input.region : undefined,
            firstAccount: typeof input.firstAccount === "number" ? input.firstAccount : undefined,
          }),
        });
      case "POST /_sandbox/iam/apply":
        return sendJson(res, 200, admin.applyIam(input as unknown as IamApplyDocument));
      case "GET /_sandbox/iam":
        return sendJson(res, 200, admin.exportIam(q("account") ?? ""));
      case "POST /_sandbox/iam/remove-action":
        return sendJson(res, 200, { removed: admin.removeIamAction(input as unknown as RemoveActionRequest) });
      case "POST /_sandbox/credentials/task-role":
        return sendJson(res, 200, await admin.issueTaskRoleCredentials(input as unknown as TaskRoleCredentialsRequest));
      default: {
        const launch = handleLaunchAdminRoute(admin, req.method ?? "GET", url.pathname.replace(/\/+$/, ""), input);
        if (launch) return sendJson(res, 200, launch.result);
        const tasks = handleTaskAdminRoute(admin, req.method ?? "GET", url.pathname.replace(/\/+$/, ""), input, url.searchParams);
        if (tasks) return sendJson(res, 200, tasks.result);
        return sendJson(res, 404, { error: `no admin route ${route}` });
      }
    }
  } catch (err) {
    sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
  }
}
