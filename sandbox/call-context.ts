// What every service handler gets: the world, the authenticated caller, the region, the request
// time, and `authorize`, which evaluates the caller's policies and throws AWS's access-denied error.
import { AwsError } from "./aws-error.js";
import type { PolicyDocument } from "./fixture.js";
import { accessDeniedMessage, evaluate, identityPolicies, requestContext, scpsFor, type Caller, type Evaluation } from "./iam-eval.js";
import type { World } from "./world.js";

export type Protocol = "json" | "query";

export interface AuthorizeOptions {
  /** Account owning the resource (default: the caller's). */
  resourceAccount?: string;
  context?: Record<string, string | string[]>;
  resourcePolicy?: PolicyDocument;
  /** STS phrases AssumeRole denials without the "because ..." reason. */
  withReason?: boolean;
}

export interface SandboxSettings {
  /** Cap on temporary credential lifetime, seconds. */
  maxSessionSeconds?: number;
}

export class CallContext {
  constructor(
    readonly world: World,
    readonly caller: Caller,
    readonly region: string,
    readonly protocol: Protocol,
    readonly settings: SandboxSettings,
    readonly now: number = Date.now(),
  ) {}

  get account(): string {
    return this.caller.account;
  }

  async check(action: string, resource: string, opts: AuthorizeOptions = {}): Promise<Evaluation> {
    const entity = this.caller.entity;
    const boundaryArn = entity.permissionsBoundary;
    return evaluate({
      principalArn: this.caller.arn,
      principalAccount: this.caller.account,
      policies: identityPolicies(this.world, entity),
      boundary: boundaryArn ? this.world.policyByArn(boundaryArn)?.document : undefined,
      action,
      resource,
      resourceAccount: opts.resourceAccount ?? this.caller.account,
      // What AWS knows about every request, then what the service adds for this one.
      context: { ...this.baseContext(), ...opts.context },
      resourcePolicy: opts.resourcePolicy,
      scps: scpsFor(this.world, this.caller.account),
    });
  }

  private baseContext(): Record<string, string> {
    const c = this.caller;
    return requestContext(
      {
        arn: c.ref.kind === "user" ? c.arn : c.entity.arn,
        account: c.account,
        userId: c.userId,
        user: c.ref.kind === "user" ? c.ref.userName : undefined,
      },
      this.region,
      this.now,
    );
  }

  /** Throws AccessDenied (Query) / AccessDeniedException (JSON) unless the call is allowed. */
  async authorize(action: string, resource: string, opts: AuthorizeOptions = {}): Promise<void> {
    const e = await this.check(action, resource, opts);
    if (e.decision === "allowed") return;
    throw this.denied(action, resource, e, opts.withReason ?? true);
  }

  denied(action: string, resource: string, e: Evaluation, withReason = true): AwsError {
    const message = accessDeniedMessage(this.caller.arn, action, resource, e, withReason);
    return this.protocol === "query" ? new AwsError("AccessDenied", message, 403) : new AwsError("AccessDeniedException", message, 400);
  }
}
