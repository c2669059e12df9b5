// Calls through the ports during a rollout: any failure becomes a DeployerError naming the target,
// its account, the AWS action and resource, what AWS said and a hint; Ctrl-C stops waiting for the
// answer at once (the request may still have reached AWS: the caller reports it as such).
import { DeployerError, isDeployerError, withErrorContext, type ErrorCode } from "../errors.js";

export interface AwsCallContext {
  target: string;
  account: string;
  /** e.g. `ecs:UpdateService` */
  action: string;
  /** ARN or name of what the call acts on. */
  resource: string;
  /** Hint to use when the error does not bring a better one. */
  hint?: string;
}

/** Thrown by `callAws` when the signal aborted before AWS answered. */
export class CallAborted extends Error {
  constructor(readonly action: string) {
    super(`interrupted while waiting for ${action}`);
    this.name = "CallAborted";
  }
}

export async function callAws<T>(ctx: AwsCallContext, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
  if (signal?.aborted) throw new CallAborted(ctx.action);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CallAborted(ctx.action));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  const attempt = call();
  // If we stop listening, a late rejection must not become an unhandled one.
  attempt.catch(() => undefined);
  try {
    return await Promise.race([attempt, aborted]);
  } catch (e) {
    if (e instanceof CallAborted) throw e;
    throw awsError(e, ctx);
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

/** What an error from a port (a DeployerError from src/aws, or a raw SDK error) means for this call. */
export function awsError(e: unknown, ctx: AwsCallContext): DeployerError {
  if (isDeployerError(e)) {
    return withErrorContext(e, {
      target: ctx.target,
      account: ctx.account,
      action: ctx.action,
      resource: ctx.resource,
      hint: hintFor(e.awsCode, ctx),
    });
  }
  const raw = e as { name?: unknown; Code?: unknown; code?: unknown; message?: unknown } | undefined;
  const awsCode = firstString(raw?.Code, raw?.name !== "Error" ? raw?.name : undefined, raw?.code);
  const awsMessage = firstString(raw?.message) ?? String(e);
  const code: ErrorCode = awsCode && /AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(awsCode) ? "ACCESS_DENIED" : "AWS_ERROR";
  return new DeployerError({
    code,
    message: `${ctx.action} failed for ${ctx.resource}: ${awsMessage}`,
    target: ctx.target,
    account: ctx.account,
    action: ctx.action,
    resource: ctx.resource,
    awsCode,
    awsMessage,
    hint: hintFor(awsCode, ctx),
    cause: e,
  });
}

function hintFor(awsCode: string | undefined, ctx: AwsCallContext): string | undefined {
  if (awsCode && /AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(awsCode)) {
    return `the deploy role of ${ctx.target} (account ${ctx.account}) needs ${ctx.action} on ${ctx.resource}`;
  }
  if (awsCode && /Throttl|TooManyRequests|RequestLimitExceeded/i.test(awsCode)) {
    return "AWS throttled the call even after the SDK's retries; re-run the command (it resumes where it stopped)";
  }
  if (awsCode === "ServiceNotFoundException" || awsCode === "ServiceNotActiveException") {
    return "the service was deleted or deactivated while deployer was running; check `deployer status`";
  }
  return ctx.hint;
}

function firstString(...xs: unknown[]): string | undefined {
  for (const x of xs) if (typeof x === "string" && x.length > 0) return x;
  return undefined;
}
