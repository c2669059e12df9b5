// Errors are values: a stable code, the target they concern, where in the configuration they come
// from, what AWS said, and a hint for the fix. The core never prints them; the shells decide how.

export type ErrorCode =
  | "CONFIG_NOT_FOUND"
  | "CONFIG_INVALID"
  | "YAML_SYNTAX"
  | "TEMPLATE_ERROR"
  | "RENDER_INVALID"
  | "SELECTION_EMPTY"
  /** A command-line argument that is malformed (an --image that is no tag, digest or reference). */
  | "INVALID_ARGUMENT"
  | "IMAGE_NOT_FOUND"
  | "IMAGE_NOT_PULLABLE"
  | "ASSUME_ROLE_DENIED"
  | "ACCESS_DENIED"
  | "PASSROLE_DENIED"
  | "PASSROLE_UNVERIFIED"
  /** The execution role may not do what ECS does with it at task start (pull, read a secret, decrypt, write logs). */
  | "EXECUTION_ROLE_DENIED"
  /** A secrets[].valueFrom names an SSM parameter or Secrets Manager secret that does not exist (or a key that cannot decrypt it). */
  | "SECRET_NOT_FOUND"
  /** An awslogs log group that does not exist (and the task may not create it). */
  | "LOG_GROUP_NOT_FOUND"
  /** A subnet or security group of the service's network configuration (where its one-off tasks run) that does not exist. */
  | "NETWORK_NOT_FOUND"
  | "ROLE_NOT_TRUSTED"
  /** A Cloud Map namespace of another account that the target's account cannot see (no RAM share, or not accepted). */
  | "NAMESPACE_NOT_SHARED"
  | "ROLE_NOT_FOUND"
  | "CLUSTER_NOT_FOUND"
  | "SERVICE_NOT_FOUND"
  | "SERVICE_INACTIVE"
  | "UNSUPPORTED_DEPLOYMENT_CONTROLLER"
  | "DEPLOYMENT_IN_PROGRESS"
  /** deployer could not read a service it deploys: what it is doing is unknown (see `deployer status`). */
  | "STATE_UNKNOWN"
  /** A rollback deployer will not make: no revision is known to have run healthy (name one with --to). */
  | "ROLLBACK_REFUSED"
  | "PREFLIGHT_FAILED"
  | "DEPLOYMENT_FAILED"
  | "ROLLBACK_FAILED"
  | "TIMEOUT"
  | "INTERRUPTED"
  | "PLAN_STALE"
  | "PLAN_INVALID"
  | "PROMOTION_REFUSED"
  /** A one-off task (`tasks:`) exited non-zero, never ran, or did not stop in time: its service was not updated. */
  | "TASK_FAILED"
  | "AWS_ERROR"
  /** The base credentials expired and deployer cannot get new ones (static keys, a session that ran out). */
  | "CREDENTIALS_EXPIRED"
  /** An AWS endpoint could not be reached at all: connection refused, DNS failure, TLS error, connection dropped. */
  | "ENDPOINT_UNREACHABLE"
  /** The GitHub API refused or failed a call (the Action's pull-request comment). */
  | "GITHUB_API_ERROR"
  | "INTERNAL";

/** Where a configuration error comes from. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface DeployerErrorInit {
  code: ErrorCode;
  message: string;
  /** The target (environment name) this error concerns, when there is one. */
  target?: string;
  /** The account of that target. */
  account?: string;
  /** Config file position, when the error comes from configuration. */
  location?: SourceLocation;
  /** The config field, as a dotted path (`vars.cpu`, `taskRole`). */
  field?: string;
  /** The AWS action (`ecs:RegisterTaskDefinition`) and resource (ARN) involved. */
  action?: string;
  resource?: string;
  /** What AWS said: its error code (`AccessDenied`) and message. */
  awsCode?: string;
  awsMessage?: string;
  hint?: string;
  cause?: unknown;
}

export class DeployerError extends Error {
  readonly code: ErrorCode;
  readonly target?: string;
  readonly account?: string;
  readonly location?: SourceLocation;
  readonly field?: string;
  readonly action?: string;
  readonly resource?: string;
  readonly awsCode?: string;
  readonly awsMessage?: string;
  readonly hint?: string;

  constructor(init: DeployerErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "DeployerError";
    this.code = init.code;
    this.target = init.target;
    this.account = init.account;
    this.location = init.location;
    this.field = init.field;
    this.action = init.action;
    this.resource = init.resource;
    this.awsCode = init.awsCode;
    this.awsMessage = init.awsMessage;
    this.hint = init.hint;
  }

  toJSON(): ErrorInfo {
    return toErrorInfo(this);
  }
}

/** The serialisable form of an error, as it appears in plans, reports and JSON output. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  target?: string;
  account?: string;
  location?: SourceLocation;
  field?: string;
  action?: string;
  resource?: string;
  awsCode?: string;
  awsMessage?: string;
  hint?: string;
}

export function toErrorInfo(e: DeployerError): ErrorInfo {
  const out: ErrorInfo = { code: e.code, message: e.message };
  for (const k of ["target", "account", "location", "field", "action", "resource", "awsCode", "awsMessage", "hint"] as const) {
    const v = e[k];
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** What a caller knows about where an error happened, for errors raised deeper down without it. */
export type ErrorContext = Partial<Pick<DeployerErrorInit, "target" | "account" | "action" | "resource" | "hint">>;

/**
 * `e` with the context it lacks filled in: its own fields always win; `e` itself when nothing is
 * missing. Lets layers (ports, checks, apply) add the target and AWS action without losing what the
 * lower layer said.
 */
export function withErrorContext(e: DeployerError, context: ErrorContext): DeployerError {
  const keys = ["target", "account", "action", "resource", "hint"] as const;
  if (!keys.some((k) => e[k] === undefined && context[k] !== undefined)) return e;
  const init: DeployerErrorInit = { ...toErrorInfo(e), cause: e };
  for (const k of keys) if (init[k] === undefined && context[k] !== undefined) init[k] = context[k];
  return new DeployerError(init);
}

/** What an error says, whatever was thrown: its message, or the thrown value as text. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function isDeployerError(e: unknown): e is DeployerError {
  return e instanceof DeployerError;
}

/** Thrown when several errors must be reported together (all config errors, all preflight failures). */
export class DeployerErrors extends Error {
  constructor(
    readonly errors: DeployerError[],
    message?: string,
  ) {
    super(message ?? `${errors.length} error${errors.length === 1 ? "" : "s"}`);
    this.name = "DeployerErrors";
  }
}

/**
 * Whatever stopped a command, as ErrorInfo values: DeployerError(s) as they are; anything else is a
 * bug (INTERNAL) with `bugHint` saying how to report it. One rule for the CLI and the Action.
 */
export function errorInfos(e: unknown, bugHint: string): ErrorInfo[] {
  if (e instanceof DeployerErrors) return e.errors.map(toErrorInfo);
  if (e instanceof DeployerError) return [toErrorInfo(e)];
  return [{ code: "INTERNAL", message: errorMessage(e), hint: bugHint }];
}

/** Process exit codes, the same for every command. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  /** Only where a command reports differences: plan --detailed-exitcode, drift. */
  Differences: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
