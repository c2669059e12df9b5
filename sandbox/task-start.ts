// Whether the tasks of a task definition can start in an account, checked in the order the ECS
// agent works: (1) the execution resources — the ECR registry auth token and the secrets of
// `secrets[].valueFrom` / `logConfiguration.secretOptions` — then (2) the image pull, then (3) the
// awslogs log driver; then (4) whether the container crashes once running (images marked bad,
// SANDBOX_CRASH=1). Every AWS call the agent makes for the task is evaluated for the execution role's
// session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/TASK-ID, as the real denial shows:
// https://github.com/aws/copilot-cli/issues/4504) with its identity policies, its permissions
// boundary, its account's SCPs and, where there is one, the resource's policy. A miss makes the task
// fail to start (stopCode TaskFailedToStart), and the deployment fails through the circuit breaker
// (deployments.ts). The stop reasons are worded as real outputs show them; each cites its source.
import { randomBytes, randomUUID } from "node:crypto";
import { evaluate, identityPolicies, requestContext, scpsFor, type Evaluation } from "./iam-eval.js";
import { findKmsKey, logGroupArn, createLogGroup } from "./launch-resources.js";
import { kmsAccess, type KmsPrincipal } from "./services/kms.js";
import { resolveParameterRef } from "./services/ssm.js";
import { resolveSecretRef } from "./services/secretsmanager.js";
import type { PolicyDocument } from "./fixture.js";
import type { DeploymentHealth, IamRole, World } from "./world.js";

const ECR_IMAGE_RE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)(?:@(sha256:[0-9a-f]{64})|:([\w.-]+))?$/;

export interface ImageVerdict {
  health: DeploymentHealth;
  reason?: string;
}

type Json = Record<string, unknown>;

/** The prefix of every failure to fetch registry auth or secrets (real outputs cited at each use). */
const EXEC_RESOURCES = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed:";

/**
 * The IAM denial in the agent's wording: "<Code>: <message> status code: 400, request id: <uuid>"
 * (aws-sdk-go error string, as in https://github.com/aws/copilot-cli/issues/4504).
 */
function awsErrorText(code: string, message: string): string {
  return `${code}: ${message} status code: 400, request id: ${randomUUID()}`;
}

const POLICY_KIND: Record<string, string> = {
  identity: "identity-based policy",
  resource: "resource-based policy",
  pb: "permissions boundary",
  scp: "service control policy",
};

/** "User: … is not authorized to perform: A on resource: R because no identity-based policy allows the A action" (IAM troubleshoot_access-denied.html). */
function denial(session: string, action: string, resource: string, e: Evaluation): string {
  const base = `User: ${session} is not authorized to perform: ${action} on resource: ${resource}`;
  const kind = POLICY_KIND[e.deniedBy ?? "identity"] ?? "identity-based policy";
  if (e.decision === "explicitDeny" || e.deniedBy === "scp")
    return `${base} with an explicit deny in ${kind.startsWith("identity") ? "an" : "a"} ${kind}`;
  return `${base} because no ${kind} allows the ${action} action`;
}

class TaskStart {
  readonly session: string;

  constructor(
    readonly world: World,
    readonly account: string,
    readonly region: string,
    readonly role: IamRole,
    readonly taskId: string = randomBytes(16).toString("hex"),
  ) {
    this.session = `arn:aws:sts::${role.account}:assumed-role/${role.name}/${this.taskId}`;
  }

  principal(): KmsPrincipal {
    return { arn: this.session, account: this.role.account, userId: `${this.role.roleId}:${this.taskId}`, entity: this.role };
  }

  /** The execution role session's request, evaluated as every other request (iam-eval.ts). */
  async allowed(action: string, resource: string, resourceAccount: string, resourcePolicy?: PolicyDocument): Promise<Evaluation> {
    const boundaryArn = this.role.permissionsBoundary;
    return evaluate({
      principalArn: this.session,
      principalAccount: this.role.account,
      policies: identityPolicies(this.world, this.role),
      boundary: boundaryArn ? this.world.policyByArn(boundaryArn)?.document : undefined,
      action,
      resource,
      resourceAccount,
      resourcePolicy,
      context: requestContext(
        { arn: this.role.arn, account: this.role.account, userId: `${this.role.roleId}:${this.taskId}` },
        this.region,
        Date.now(),
      ),
      scps: scpsFor(this.world, this.role.account),
    });
  }
}

function failed(reason: string): ImageVerdict {
  return { health: "pull-error", reason };
}

/** Containers' secrets: `secrets[]` and the log driver's `secretOptions[]` (both fetched by the execution role). */
function secretRefs(containers: Json[]): string[] {
  const refs: string[] = [];
  for (const c of containers) {
    for (const s of (c.secrets as { valueFrom?: unknown }[] | undefined) ?? []) if (typeof s.valueFrom === "string") refs.push(s.valueFrom);
    const log = c.logConfiguration as { secretOptions?: { valueFrom?: unknown }[] } | undefined;
    for (const s of log?.secretOptions ?? []) if (typeof s.valueFrom === "string") refs.push(s.valueFrom);
  }
  return [...new Set(refs)];
}

/** (1) ECR registry auth: ecr:GetAuthorizationToken, identity policy only, resource "*". */
async function registryAuth(t: TaskStart): Promise<string | undefined> {
  // "ecr:GetAuthorizationToken ... must be allowed on Resource *", and no repository policy can grant
  // it (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html). No public
  // real text of this denial at task start was found: the prefix is real
  // (https://github.com/aws/aws-app-mesh-examples/issues/413), the rest the standard IAM denial.
  const e = await t.allowed("ecr:GetAuthorizationToken", "*", t.role.account);
  if (e.decision === "allowed") return undefined;
  return `${EXEC_RESOURCES} unable to retrieve ecr registry auth: service call has been retried 1 time(s): ${awsErrorText(
    "AccessDeniedException",
    denial(t.session, "ecr:GetAuthorizationToken", "*", e),
  )}`;
}

/** (1) Secrets, SSM Parameter Store then Secrets Manager, as the agent fetches them. */
async function secrets(t: TaskStart, refs: string[]): Promise<string | undefined> {
  const ssm = refs.filter((r) => !r.startsWith("arn:aws:secretsmanager:"));
  const asm = refs.filter((r) => r.startsWith("arn:aws:secretsmanager:"));
  if (ssm.length > 0) {
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html:
    // ssm:GetParameters (and kms:Decrypt for a customer managed key) for the execution role; the
    // agent calls GetParameters WithDecryption and reports InvalidParameters (aws/amazon-ecs-agent
    // agent/ssm/ssm.go @ 0d889be5 words it "invalid parameters: a,b"; a real Fargate task's stoppedReason
    // of 2025 reads "… service call has been retried 1 time(s): invalid ssm parameters: /api//new-relic-license-key",
    // https://github.com/HHS/simpler-grants-gov/pull/4330 — the newer, real wording is modelled). Prefix
    // and AccessDenied text: https://github.com/aws/copilot-cli/issues/4504.
    const prefix = `${EXEC_RESOURCES} unable to retrieve secrets from ssm: service call has been retried 1 time(s):`;
    const invalid: string[] = [];
    for (const ref of ssm) {
      const r = resolveParameterRef({ world: t.world, account: t.account, region: t.region }, ref);
      const arn = r.param?.arn ?? `arn:aws:ssm:${r.region}:${r.account}:parameter${r.name.startsWith("/") ? "" : "/"}${r.name}`;
      const e = await t.allowed("ssm:GetParameters", arn, r.account);
      if (e.decision !== "allowed")
        return `${prefix} ${awsErrorText("AccessDeniedException", denial(t.session, "ssm:GetParameters", arn, e))}`;
      // Parameter Store has no resource policies: a parameter of another account is readable only when
      // shared through AWS RAM (advanced tier), which the sandbox does not model. The ECS guide is
      // silent on cross-account valueFrom, so the stricter reading holds: it is not found.
      if (!r.param || r.account !== t.role.account) {
        invalid.push(ref);
        continue;
      }
      if (r.param.type === "SecureString") {
        const key = findKmsKey(t.world, r.account, r.region, r.param.keyId ?? "alias/aws/ssm");
        const k = key ? await kmsAccess(t.world, t.principal(), key, "kms:Decrypt", t.region) : undefined;
        // Strict assumption (no public real text): SSM passes KMS's AccessDeniedException through.
        if (!key || !k || k.decision !== "allowed") {
          const keyArn = key?.arn ?? String(r.param.keyId);
          return `${prefix} ${awsErrorText("AccessDeniedException", k ? denial(t.session, "kms:Decrypt", keyArn, k) : `Invalid keyId ${keyArn}`)}`;
        }
      }
    }
    if (invalid.length > 0) return `${prefix} invalid ssm parameters: ${invalid.join(",")}`;
  }
  for (const ref of asm) {
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html:
    // secretsmanager:GetSecretValue (across accounts also granted by the secret's resource policy) and
    // kms:Decrypt for a customer managed key. Real text: "unable to retrieve secret from asm: service
    // call has been retried 1 time(s): failed to fetch secret ARN from secrets manager:
    // AccessDeniedException: Access to KMS is not allowed" (https://github.com/GiamPy5/terraform-aws-directus/issues/10).
    const prefix = `${EXEC_RESOURCES} unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${ref} from secrets manager:`;
    const r = resolveSecretRef(t.world, t.account, t.region, ref);
    const e = await t.allowed("secretsmanager:GetSecretValue", r.arn, r.account, r.secret?.policy);
    if (e.decision !== "allowed") {
      return `${prefix} ${awsErrorText("AccessDeniedException", denial(t.session, "secretsmanager:GetSecretValue", r.arn, e))}`;
    }
    if (!r.secret) return `${prefix} ${awsErrorText("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")}`;
    const key = findKmsKey(t.world, r.account, r.region, r.secret.kmsKeyId ?? "alias/aws/secretsmanager");
    const k = key ? await kmsAccess(t.world, t.principal(), key, "kms:Decrypt", t.region) : undefined;
    if (!k || k.decision !== "allowed") return `${prefix} ${awsErrorText("AccessDeniedException", "Access to KMS is not allowed")}`;
    if (r.jsonKey) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(r.secret.value);
      } catch {
        parsed = undefined;
      }
      // Strict assumption: a missing JSON key fails the task (the agent cannot set the variable).
      if (!parsed || typeof parsed !== "object" || !(r.jsonKey in parsed)) {
        return `${prefix} retrieved secret from Secrets Manager did not contain json key ${r.jsonKey}`;
      }
    }
  }
  return undefined;
}

/** (2) The pull: repository and image exist, BatchGetImage and GetDownloadUrlForLayer allowed. */
async function pull(t: TaskStart, image: string): Promise<string | undefined> {
  const m = ECR_IMAGE_RE.exec(image);
  if (!m) return undefined; // a public registry image: assumed pullable
  const [, registry, region, name, digest, tag] = m;
  const ref = digest ?? tag ?? "latest";
  // Real text of a denied pull (Fargate, 2024): "CannotPullContainerError: pull image manifest has been
  // retried 1 time(s): failed to resolve ref REPO:TAG: pulling from host HOST failed with status code
  // [manifests TAG]: 403 Forbidden" (https://github.com/aws/aws-cdk/issues/29876).
  const host = `${registry}.dkr.ecr.${region}.amazonaws.com`;
  const head = `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${image}:`;
  const repo = t.world.account(registry!)?.regions.get(region!)?.repositories.get(name!);
  // Not found: "CannotPullContainerError: ... repository ... not found" (ECS guide, task_cannot_pull_image.html).
  if (!repo) return `${head} ${host}/${name}:${ref}: not found`;
  const img = digest ? repo.images.find((i) => i.digest === digest) : repo.images.find((i) => i.tags.includes(tag ?? "latest"));
  if (!img) return `${head} ${host}/${name}:${ref}: not found`;
  // Within one account either the identity policy or the repository policy may allow; across accounts
  // both must ("Across accounts, both"): https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html,
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html.
  // A replica has its own policy: "Repository policies ... are not replicated"
  // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html) — `repo` is the one the image names.
  const manifest = await t.allowed("ecr:BatchGetImage", repo.arn, repo.registryId, repo.policy);
  if (manifest.decision !== "allowed") {
    return `${head} pulling from host ${host} failed with status code [manifests ${ref}]: 403 Forbidden`;
  }
  // A denied layer download shows as the blob's HEAD request failing
  // (https://github.com/aws-samples/bedrock-access-gateway/issues/114).
  const layers = await t.allowed("ecr:GetDownloadUrlForLayer", repo.arn, repo.registryId, repo.policy);
  if (layers.decision !== "allowed") {
    const layer = (JSON.parse(img.manifest) as { layers?: { digest: string }[] }).layers?.[0]?.digest ?? img.digest;
    return `${head} unexpected status from HEAD request to https://${host}/v2/${name}/blobs/${layer}: 403 Forbidden`;
  }
  return undefined;
}

/** (3) The awslogs driver: the log group exists (or may be created), the stream may be created and written. */
async function awslogs(t: TaskStart, c: Json): Promise<string | undefined> {
  const log = c.logConfiguration as { logDriver?: string; options?: Record<string, string> } | undefined;
  if (log?.logDriver !== "awslogs") return undefined;
  const o = log.options ?? {};
  const group = o["awslogs-group"];
  if (!group) return undefined;
  // The log group lives in awslogs-region, which may differ from the task's region (botocore
  // ecs LogConfiguration.options; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html).
  const region = o["awslogs-region"] ?? t.region;
  const account = t.account;
  // Only the prefix is citable on Fargate: "ResourceInitializationError: failed to validate logger args: "
  // (https://gist.github.com/bradleybeddoes/7b568d87d20c5e4ebfe31de9a8dc08c7); the detail follows the
  // EC2 text "failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group
  // does not exist." (https://github.com/cn-terraform/terraform-aws-nexus/issues/35).
  const prefix = "ResourceInitializationError: failed to validate logger args:";
  const state = t.world.region(account, region);
  if (!state.logGroups.has(group)) {
    // awslogs-create-group "true" needs logs:CreateLogGroup; otherwise the group must exist
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html).
    if (o["awslogs-create-group"] !== "true") {
      return `${prefix} failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.`;
    }
    const arn = logGroupArn(account, region, group);
    const e = await t.allowed("logs:CreateLogGroup", arn, account);
    if (e.decision !== "allowed") {
      return `${prefix} failed to create Cloudwatch log group: ${awsErrorText("AccessDeniedException", denial(t.session, "logs:CreateLogGroup", arn, e))}`;
    }
    createLogGroup(t.world, account, { region, name: group });
  }
  // The stream is PREFIX/CONTAINER/TASK-ID (using_awslogs.html). logs:CreateLogStream and
  // logs:PutLogEvents are both required (AmazonECSTaskExecutionRolePolicy). A PutLogEvents denial is
  // modelled as failing the start too: the stricter reading (the driver cannot deliver a line).
  const stream = `${o["awslogs-stream-prefix"] ?? "ecs"}/${String(c.name ?? "")}/${t.taskId}`;
  const streamArn = `${logGroupArn(account, region, group)}:log-stream:${stream}`;
  for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
    const e = await t.allowed(action, streamArn, account);
    if (e.decision !== "allowed") {
      return `${prefix} failed to create Cloudwatch log stream: ${awsErrorText("AccessDeniedException", denial(t.session, action, streamArn, e))}`;
    }
  }
  return undefined;
}

/**
 * `taskId`: the task's id (the execution role's session name, the awslogs stream's last part); a
 * service's tasks get a random one.
 */
export async function taskHealth(
  world: World,
  account: string,
  region: string,
  body: Record<string, unknown>,
  taskId?: string,
): Promise<ImageVerdict> {
  const containers = (body.containerDefinitions as Json[] | undefined) ?? [];
  const execRoleArn = typeof body.executionRoleArn === "string" ? body.executionRoleArn : undefined;
  const images = containers.map((c) => String(c.image ?? ""));
  const needsRole =
    images.some((i) => ECR_IMAGE_RE.test(i)) ||
    secretRefs(containers).length > 0 ||
    containers.some((c) => (c.logConfiguration as { logDriver?: string } | undefined)?.logDriver === "awslogs");
  const role = execRoleArn ? world.roleByArn(execRoleArn) : undefined;
  if (needsRole) {
    if (!role) return failed(`${EXEC_RESOURCES} no execution role`);
    const t = new TaskStart(world, account, region, role, taskId);
    if (images.some((i) => ECR_IMAGE_RE.test(i))) {
      const why = await registryAuth(t);
      if (why) return failed(why);
    }
    const why = await secrets(t, secretRefs(containers));
    if (why) return failed(why);
    for (const image of images) {
      const p = await pull(t, image);
      if (p) return failed(p);
    }
    for (const c of containers) {
      const l = await awslogs(t, c);
      if (l) return failed(l);
    }
  }
  for (const c of containers) {
    const env = (c.environment as { name?: string; value?: string }[] | undefined) ?? [];
    if (env.some((e) => e.name === "SANDBOX_CRASH" && e.value === "1"))
      return { health: "crash", reason: "Essential container in task exited" };
    const image = String(c.image ?? "");
    const m = ECR_IMAGE_RE.exec(image);
    const digest =
      m && !m[4]
        ? world
            .account(m[1]!)
            ?.regions.get(m[2]!)
            ?.repositories.get(m[3]!)
            ?.images.find((i) => i.tags.includes(m[5] ?? "latest"))?.digest
        : (image.split("@")[1] ?? "");
    if (digest && world.badDigests.has(digest)) return { health: "crash", reason: "Essential container in task exited" };
  }
  return { health: "healthy" };
}
