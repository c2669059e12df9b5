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
  /**
   * The call was signed with deployer's base credentials: where they come from and how to get ones
   * that last, for the hints of credential errors (expired, rejected, missing). Network errors never
   * mention credentials.
   */
  credentials?: { source: string; fix: string };
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

/** Names the fixes for credentials that ran out; the session factory gives a more precise one when it knows the source. */
export const CREDENTIALS_EXPIRED_HINT =
  "deployer cannot refresh its base credentials (static keys, or a session handed to it). Give it credentials that outlive the rollout " +
  "(`role-duration-seconds` of aws-actions/configure-aws-credentials), or credentials it can refresh: in GitHub Actions the deployer Action's " +
  "`role-to-assume` (GitHub OIDC); elsewhere a profile with role_arn/source_profile, SSO, or web identity.";

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

/**
 * Node socket, DNS and TLS error codes: the request never got a response. What each means, in the
 * words of the error message. TLS codes are OpenSSL's as Node reports them
 * (https://nodejs.org/api/tls.html#x509-certificate-error-codes).
 */
const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "DNS lookup failed",
  EAI_AGAIN: "DNS lookup failed",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network unreachable",
  ECONNRESET: "connection dropped",
  EPIPE: "connection dropped",
  ECONNABORTED: "connection dropped",
  UND_ERR_SOCKET: "connection dropped",
  ETIMEDOUT: "timed out",
  TIMEOUT: "timed out",
  EPROTO: "TLS handshake failed",
};
const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

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
    .replace(
      /((?:aws_)?(?:secret_?access_?key|session_?token|secretAccessKey|sessionToken)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
      "$1[redacted]",
    )
    .replace(/(Signature=)[0-9a-f]{64}/gi, "$1[redacted]")
    .replace(/[A-Za-z0-9/+]{100,}={0,2}/g, "[redacted]");
}

/**
 * Whether `err` means the endpoint could not be reached at all (refused, DNS, TLS, dropped, timed
 * out), and how to say it: `{ code: "ECONNREFUSED", what: "connection refused" }`.
 */
export function unreachableCause(err: unknown): { code: string; what: string } | undefined {
  if (!err || typeof err !== "object") return undefined;
  const e = err as SdkErrorShape & { cause?: unknown };
  if (typeof e.code === "string") {
    if (UNREACHABLE_CODES[e.code]) return { code: e.code, what: UNREACHABLE_CODES[e.code]! };
    if (TLS_CODE.test(e.code)) return { code: e.code, what: "TLS handshake failed" };
  }
  const name = awsErrorName(err);
  if (name === "TimeoutError" || name === "RequestTimeout" || name === "RequestTimeoutException")
    return { code: "TIMEOUT", what: "timed out" };
  const msg = rawMessage(err);
  if (/socket hang up/i.test(msg)) return { code: "ECONNRESET", what: "connection dropped" };
  const inMessage = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b/.exec(msg)?.[1];
  if (inMessage) return { code: inMessage, what: UNREACHABLE_CODES[inMessage]! };
  if (e.cause !== undefined && e.cause !== err) return unreachableCause(e.cause);
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
      code: "CREDENTIALS_EXPIRED",
      message: `Credentials expired while calling ${on(ctx)}`,
      hint:
        ctx.hint ??
        (ctx.credentials
          ? `The base credentials (from ${ctx.credentials.source}) expired. ${ctx.credentials.fix}`
          : CREDENTIALS_EXPIRED_HINT),
    });
  }

  if (name && BAD_CREDENTIALS.has(name)) {
    return new DeployerError({
      ...base,
      code: "AWS_ERROR",
      message: `AWS rejected the credentials for ${on(ctx)}`,
      hint:
        ctx.hint ??
        `The access key is unknown or the signature does not match${ctx.credentials ? ` (base credentials from ${ctx.credentials.source})` : ""}: check which credentials were picked (AWS_PROFILE, AWS_ACCESS_KEY_ID, web identity) and the system clock. In a region that must be enabled (opt-in), the account may not have it enabled.`,
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
        `Provide base credentials${ctx.credentials ? ` (looked for in ${ctx.credentials.source})` : ""}: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile (incl. SSO), or web identity (in GitHub Actions: the deployer Action's \`role-to-assume\`).`,
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

  const unreachable = unreachableCause(err);
  if (unreachable) {
    const endpoint = endpointOf(err, ctx);
    const attempts = attemptsOf(err);
    return new DeployerError({
      ...base,
      code: "ENDPOINT_UNREACHABLE",
      awsCode: unreachable.code,
      message: `${ctx.action}: could not reach ${endpoint ?? "AWS"} (${unreachable.what}${attempts && attempts > 1 ? `, ${attempts} attempts` : ""})`,
      hint:
        ctx.hint ??
        (endpoint
          ? `Check that ${endpoint} is reachable from here (network, proxy, firewall, --endpoint-url / AWS_ENDPOINT_URL).`
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
