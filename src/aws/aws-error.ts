// Turns whatever an AWS SDK v3 call rejected with (a modelled service exception, an unmodelled one
// such as STS's `AccessDenied`, a Node socket error, a credential-provider error) into a
// DeployerError that names the action, the resource and what AWS said, with a hint a platform
// engineer can act on. Messages never carry credentials: see redactSecrets().
import { DeployerError, isDeployerError, withErrorContext, type ErrorCode } from "../errors.js";

export interface AwsErrorContext {
  /** The AWS action, IAM style: `ecs:UpdateService`. */
  action: string;
  /** The resource (ARN or name) the action was about. */
  resource?: string;
  /** The target (environment name) this call was made for. */
  target?: string;
  account?: string;
  /** Where requests went (an --endpoint-url, or the service's public endpoint): named on connection errors. */
  endpoint?: string;
  /** Replaces the generic hint. */
  hint?: string;
}

/** The fields of an SDK error deployer reads. Everything is optional: anything can be thrown. */
interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; attempts?: unknown; requestId?: unknown };
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
}

const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "AuthorizationError",
]);

const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"]);

const BAD_CREDENTIALS = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "InvalidSignatureException",
  "MissingAuthenticationToken",
  "InvalidAccessKeyId",
]);

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "PriorRequestNotComplete",
]);

/** Node socket/DNS error codes: the request never got a response. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

/** Service errors whose meaning deployer has a code for (wherever they come from). */
const SPECIFIC: Record<string, ErrorCode> = {
  ClusterNotFoundException: "CLUSTER_NOT_FOUND",
  ServiceNotFoundException: "SERVICE_NOT_FOUND",
  ServiceNotActiveException: "SERVICE_INACTIVE",
  RepositoryNotFoundException: "IMAGE_NOT_FOUND",
  ImageNotFoundException: "IMAGE_NOT_FOUND",
};

/** The AWS error code of an SDK error (`AccessDenied`, `ClusterNotFoundException`), if it has one. */
export function awsErrorName(err: unknown): string | undefined {
  if (!err || typeof err !== "object") return undefined;
  const e = err as SdkErrorShape;
  if (typeof e.name === "string" && e.name !== "Error") return e.name;
  if (typeof e.Code === "string") return e.Code;
  return undefined;
}

/** True when `err` is an AWS error with one of the given codes. */
export function isAwsError(err: unknown, ...names: string[]): boolean {
  const name = awsErrorName(err);
  return name !== undefined && names.includes(name);
}

function rawMessage(err: unknown): string {
  if (err && typeof err === "object" && typeof (err as SdkErrorShape).message === "string") {
    return (err as SdkErrorShape).message as string;
  }
  return String(err);
}

/**
 * Removes anything that could be a credential from a message: signed query strings, security
 * tokens, secret keys. Access key ids (AKIA…/ASIA…) are identifiers, not secrets, and are kept:
 * they are what a user needs to tell which credentials were used.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(X-Amz-(?:Security-Token|Signature|Credential)=)[^&\s"']+/gi, "$1[redacted]")
    .replace(/((?:aws_)?(?:secret_?access_?key|session_?token|secretAccessKey|sessionToken)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, "$1[redacted]")
    .replace(/(Signature=)[0-9a-f]{64}/gi, "$1[redacted]")
    .replace(/[A-Za-z0-9/+]{100,}={0,2}/g, "[redacted]");
}

function connectionCode(err: unknown): string | undefined {
  if (!err || typeof err !== "object") return undefined;
  const e = err as SdkErrorShape;
  if (typeof e.code === "string" && CONNECTION_CODES.has(e.code)) return e.code;
  const name = awsErrorName(err);
  if (name === "TimeoutError" || name === "RequestTimeout" || name === "RequestTimeoutException") return "TIMEOUT";
  const msg = rawMessage(err);
  if (/socket hang up/i.test(msg)) return "ECONNRESET";
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN/.test(msg)) return msg.match(/E[A-Z_]+/)?.[0];
  return undefined;
}

function endpointOf(err: unknown, ctx: AwsErrorContext): string | undefined {
  if (ctx.endpoint) return ctx.endpoint;
  const e = err as SdkErrorShape;
  if (typeof e.address === "string") return typeof e.port === "number" ? `${e.address}:${e.port}` : e.address;
  if (typeof e.hostname === "string") return e.hostname;
  return undefined;
}

function attemptsOf(err: unknown): number | undefined {
  const a = (err as SdkErrorShape)?.$metadata?.attempts;
  return typeof a === "number" ? a : undefined;
}

function statusOf(err: unknown): number | undefined {
  const s = (err as SdkErrorShape)?.$metadata?.httpStatusCode;
  return typeof s === "number" ? s : undefined;
}

function on(ctx: AwsErrorContext): string {
  return ctx.resource ? `${ctx.action} on ${ctx.resource}` : ctx.action;
}

/**
 * Map an error thrown by an SDK call to a DeployerError. A DeployerError passes through unchanged
 * (with the target/account filled in when it had none), so ports can be layered.
 */
export function toDeployerError(err: unknown, ctx: AwsErrorContext): DeployerError {
  if (isDeployerError(err)) return withErrorContext(err, { target: ctx.target, account: ctx.account });

  const name = awsErrorName(err);
  const awsMessage = redactSecrets(rawMessage(err));
  const base = {
    target: ctx.target,
    account: ctx.account,
    action: ctx.action,
    resource: ctx.resource,
    awsCode: name,
    awsMessage,
    cause: err,
  };

  if (name && ACCESS_DENIED.has(name)) {
    return new DeployerError({
      ...base,
      code: "ACCESS_DENIED",
      message: `Access denied: ${on(ctx)}`,
      hint:
        ctx.hint ??
        `Allow ${ctx.action}${ctx.resource ? ` on ${ctx.resource}` : ""} in the policies of the role deployer acts as` +
          `${ctx.account ? ` in account ${ctx.account}` : ""} (and check SCPs, permission boundaries and resource policies).`,
    });
  }

  if (name && EXPIRED.has(name)) {
    return new DeployerError({
      ...base,
      code: "AWS_ERROR",
      message: `Credentials expired while calling ${on(ctx)}`,
      hint:
        ctx.hint ??
        "The base credentials expired (an SSO or web-identity session, or temporary keys in the environment). Log in again or re-run the job; assumed-role sessions refresh themselves.",
    });
  }

  if (name && BAD_CREDENTIALS.has(name)) {
    return new DeployerError({
      ...base,
      code: "AWS_ERROR",
      message: `AWS rejected the credentials for ${on(ctx)}`,
      hint:
        ctx.hint ??
        "The access key is unknown or the signature does not match: check which credentials the SDK default chain picked (AWS_PROFILE, AWS_ACCESS_KEY_ID, web identity) and the system clock.",
    });
  }

  if (name === "CredentialsProviderError") {
    return new DeployerError({
      ...base,
      code: "AWS_ERROR",
      awsCode: undefined,
      message: `No AWS credentials to call ${on(ctx)}`,
      hint:
        ctx.hint ??
        "Provide base credentials through the SDK default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE (incl. SSO), or web identity (GitHub OIDC: aws-actions/configure-aws-credentials).",
    });
  }

  if (name && THROTTLING.has(name)) {
    const attempts = attemptsOf(err);
    return new DeployerError({
      ...base,
      code: "AWS_ERROR",
      message: `AWS throttled ${on(ctx)}${attempts ? ` (still throttled after ${attempts} attempts)` : ""}`,
      hint:
        ctx.hint ??
        "Too many requests for this account and region: lower `maxParallel` for the stage, or retry later. Other tools calling the same APIs in this account share the limit.",
    });
  }

  const specific = name ? SPECIFIC[name] : undefined;
  if (specific) {
    return new DeployerError({
      ...base,
      code: specific,
      message: `${name}: ${on(ctx)}`,
      hint: ctx.hint,
    });
  }

  const conn = connectionCode(err);
  if (conn) {
    const endpoint = endpointOf(err, ctx);
    const attempts = attemptsOf(err);
    const what = conn === "TIMEOUT" || conn === "ETIMEDOUT" ? "timed out" : conn === "ENOTFOUND" || conn === "EAI_AGAIN" ? "could not resolve the host" : "could not connect";
    return new DeployerError({
      ...base,
      code: "AWS_ERROR",
      awsCode: conn,
      message: `${ctx.action} ${what}${endpoint ? ` (endpoint ${endpoint})` : ""}${attempts ? ` after ${attempts} attempts` : ""}`,
      hint:
        ctx.hint ??
        (endpoint
          ? `Check that ${endpoint} is reachable from here (network, proxy, --endpoint-url / AWS_ENDPOINT_URL).`
          : "Check network access to AWS (proxy, firewall, --endpoint-url / AWS_ENDPOINT_URL)."),
    });
  }

  const status = statusOf(err);
  const fault = (err as SdkErrorShape)?.$fault;
  const serverSide = fault === "server" || (status !== undefined && status >= 500);
  return new DeployerError({
    ...base,
    code: "AWS_ERROR",
    message: `${ctx.action} failed${ctx.resource ? ` for ${ctx.resource}` : ""}: ${name ?? "error"}${status ? ` (HTTP ${status})` : ""}`,
    hint: ctx.hint ?? (serverSide ? "AWS reported a server-side error after the SDK's retries; re-running usually works." : undefined),
  });
}
