// Per-target AWS sessions: base credentials from the SDK default chain (or given), an assumed deploy
// role per target (auto-refreshing), and the ports acting as it in the target's region.
//
// Resource use: every client of every session shares one pair of keep-alive agents (sockets are
// pooled per endpoint, at most `maxSockets` each), and each identity's credentials are cached once
// and shared by its clients (see refreshing-credentials.ts).
import http from "node:http";
import https from "node:https";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { DeployerError } from "../errors.js";
import { VERSION } from "../version.js";
import { awsErrorName, isAwsError, redactSecrets, toDeployerError } from "./aws-error.js";
import {
  refreshingCredentials,
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
} from "./refreshing-credentials.js";
import { createEcrPort } from "./sdk-ecr.js";
import { createEcsPort } from "./sdk-ecs.js";
import { createIamPort } from "./sdk-iam.js";
import { accountOfArn, parseRoleArn, roleNameOf } from "../config/aws-names.js";
import type { AssumeRoleRequest, CallerIdentity, EcrPort, SessionFactory, TargetSession } from "./ports.js";

export type { AwsCredentialIdentity, AwsCredentialIdentityProvider };

export interface SessionFactoryOptions {
  /** Send every request (STS included) here instead of AWS: --endpoint-url / AWS_ENDPOINT_URL. */
  endpointUrl?: string;
  /** Base credentials; default: the SDK default chain (env, profile, SSO, web identity, IMDS). */
  baseCredentials?: AwsCredentialIdentityProvider;
  /** Attempts per request including the first (default 10: throttling is retried with backoff). */
  maxAttempts?: number;
  retryMode?: "standard" | "adaptive";
  /** Per-request timeout (default 60 s). */
  requestTimeoutMs?: number;
  /** Connection timeout (default 10 s). */
  connectionTimeoutMs?: number;
  /** AssumeRole DurationSeconds (default: the role's default, 1 hour). */
  sessionDurationSeconds?: number;
  /** Sockets per endpoint shared by all sessions (default 50). */
  maxSockets?: number;
}

export interface ClosableSessionFactory extends SessionFactory {
  close(): Promise<void>;
}

// A fan-out over many accounts makes hundreds of calls, each of which must get through: with 6
// attempts a 30% throttling rate (plus 5% 5xx) left ~1 run in 8 with a preflight read that gave up
// (0.35^6 per call); with 10 it is ~0.35^10 ≈ 3e-5 per call. Backoff stays the SDK's (capped at 20 s).
export const DEFAULT_MAX_ATTEMPTS = 10;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
export const USER_AGENT_NAME = "deployer";

type AwsService = "sts" | "ecs" | "ecr" | "iam";

/** The public endpoint of a service in a region, as named in connection errors. */
export function publicEndpoint(service: AwsService, region: string): string {
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  if (service === "iam") return region.startsWith("cn-") ? `https://iam.cn-north-1.${suffix}` : `https://iam.${suffix}`;
  if (service === "ecr") return `https://api.ecr.${region}.${suffix}`;
  return `https://${service}.${region}.${suffix}`;
}

/** A RoleSessionName AWS accepts: [\w+=,.@-], 2 to 64 characters. */
export function safeSessionName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `deployer-${cleaned}`.slice(0, 64);
}

/** `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION` for a role ARN (a role's path is not part of it). */
export function assumedIdentity(roleArn: string, sessionName: string): CallerIdentity {
  const role = parseRoleArn(roleArn);
  if (!role) return { account: accountOfArn(roleArn) ?? "", arn: roleArn, userId: sessionName };
  const name = roleNameOf(roleArn);
  return { account: role.account, arn: `arn:${role.partition}:sts::${role.account}:assumed-role/${name}/${sessionName}`, userId: `${name}:${sessionName}` };
}

export function createSessionFactory(opts: SessionFactoryOptions = {}): ClosableSessionFactory {
  const maxSockets = opts.maxSockets ?? 50;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
  // Options, not a handler instance: each client builds a small NodeHttpHandler around the shared
  // agents (the handler class lives in @smithy/node-http-handler, not a direct dependency).
  const requestHandler = {
    httpAgent,
    httpsAgent,
    requestTimeout: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    connectionTimeout: opts.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  };

  const clientConfig = (region: string, credentials: AwsCredentialIdentityProvider) => ({
    region,
    credentials,
    requestHandler,
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: opts.retryMode ?? "standard",
    customUserAgent: [[USER_AGENT_NAME, VERSION]] as [string, string][],
    ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
  });

  const endpointFor = (service: AwsService, region: string): string => opts.endpointUrl ?? publicEndpoint(service, region);

  const baseCredentials = refreshingCredentials(opts.baseCredentials ?? fromNodeProviderChain());
  let closed = false;
  const baseSessions = new Map<string, Promise<{ ecr: EcrPort; identity: CallerIdentity }>>();
  const assumed = new Map<string, Promise<{ credentials: AwsCredentialIdentityProvider; identity: CallerIdentity }>>();
  const baseIdentities = new Map<string, Promise<CallerIdentity>>();

  const assertOpen = (): void => {
    if (closed) throw new DeployerError({ code: "INTERNAL", message: "The AWS session factory was used after close()" });
  };

  async function callerIdentity(
    region: string,
    credentials: AwsCredentialIdentityProvider,
    errorContext: { target?: string; account?: string; resource?: string; hint?: string },
  ): Promise<CallerIdentity> {
    const sts = new STSClient(clientConfig(region, credentials));
    try {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      return { account: out.Account ?? "", arn: out.Arn ?? "", userId: out.UserId ?? "" };
    } catch (e) {
      throw toDeployerError(e, { ...errorContext, action: "sts:GetCallerIdentity", endpoint: endpointFor("sts", region) });
    }
  }

  /** Who the base credentials are (cached per region). */
  function baseIdentity(region: string): Promise<CallerIdentity> {
    let p = baseIdentities.get(region);
    if (!p) {
      p = callerIdentity(region, baseCredentials, {
        hint: "deployer could not use its base credentials. Provide them through the SDK default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE (incl. SSO), or web identity (GitHub OIDC).",
      });
      baseIdentities.set(region, p);
      p.catch(() => baseIdentities.delete(region));
    }
    return p;
  }

  function assumeRoleError(err: unknown, req: AssumeRoleRequest, caller: CallerIdentity | undefined): DeployerError {
    const account = accountOfArn(req.roleArn);
    const sent = req.externalId !== undefined ? `ExternalId "${req.externalId}" was sent` : "no ExternalId was sent";
    if (isAwsError(err, "AccessDenied", "AccessDeniedException")) {
      const who = caller?.arn ? `${caller.arn} ` : "";
      return new DeployerError({
        code: "ASSUME_ROLE_DENIED",
        message: `Cannot assume ${req.roleArn}: ${who ? `${who}was denied` : "access denied"} (${sent})`,
        target: req.target,
        account,
        action: "sts:AssumeRole",
        resource: req.roleArn,
        awsCode: awsErrorName(err),
        awsMessage: redactSecrets((err as Error).message ?? String(err)),
        hint:
          `The role's trust policy is the likely cause: it must allow sts:AssumeRole for ${who || "the base credentials' principal "}` +
          (req.externalId !== undefined
            ? `with sts:ExternalId equal to "${req.externalId}" (check \`externalId\` in the environment file against the trust policy's condition).`
            : "; if the trust policy requires an sts:ExternalId condition, set `externalId` in the environment file."),
        cause: err,
      });
    }
    return toDeployerError(err, {
      action: "sts:AssumeRole",
      resource: req.roleArn,
      target: req.target,
      account,
      endpoint: endpointFor("sts", req.region),
    });
  }

  /** Assume a role once; the returned provider refreshes itself and maps refresh failures too. */
  function assume(req: AssumeRoleRequest): Promise<{ credentials: AwsCredentialIdentityProvider; identity: CallerIdentity }> {
    assertOpen();
    const key = JSON.stringify([req.roleArn, req.externalId ?? null, req.region, req.sessionName]);
    const existing = assumed.get(key);
    if (existing) return existing;
    const p = (async () => {
      const provider = fromTemporaryCredentials({
        masterCredentials: baseCredentials,
        params: {
          RoleArn: req.roleArn,
          RoleSessionName: safeSessionName(req.sessionName),
          ...(req.externalId !== undefined ? { ExternalId: req.externalId } : {}),
          ...(opts.sessionDurationSeconds !== undefined ? { DurationSeconds: opts.sessionDurationSeconds } : {}),
        },
        clientConfig: {
          region: req.region,
          requestHandler,
          maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
          retryMode: opts.retryMode ?? "standard",
          customUserAgent: [[USER_AGENT_NAME, VERSION]],
          ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
        },
      });
      const credentials = refreshingCredentials(async (properties): Promise<AwsCredentialIdentity> => {
        try {
          return await provider(properties);
        } catch (e) {
          // Best effort: name who was denied. Never let this lookup hide the original error.
          const caller = isAwsError(e, "AccessDenied", "AccessDeniedException")
            ? await baseIdentity(req.region).catch(() => undefined)
            : undefined;
          throw assumeRoleError(e, req, caller);
        }
      });
      await credentials(); // eagerly: a denied AssumeRole fails here, in preflight, not mid-rollout
      // Who we now are follows from the role and the session name, as STS builds it; no extra
      // GetCallerIdentity round trip per target (hundreds of targets, one call each, add up).
      return { credentials, identity: assumedIdentity(req.roleArn, safeSessionName(req.sessionName)) };
    })();
    assumed.set(key, p);
    p.catch(() => assumed.delete(key));
    return p;
  }

  return {
    base(region) {
      assertOpen();
      let p = baseSessions.get(region);
      if (!p) {
        p = (async () => {
          const identity = await baseIdentity(region);
          const ecr = createEcrPort(new ECRClient(clientConfig(region, baseCredentials)), {
            account: identity.account,
            endpoint: endpointFor("ecr", region),
          });
          return { ecr, identity };
        })();
        baseSessions.set(region, p);
        p.catch(() => baseSessions.delete(region));
      }
      return p;
    },

    async registry(req) {
      const { credentials, identity } = await assume(req);
      const ecr = createEcrPort(new ECRClient(clientConfig(req.region, credentials)), {
        target: req.target,
        account: identity.account,
        endpoint: endpointFor("ecr", req.region),
      });
      return { ecr, identity };
    },

    async target(req): Promise<TargetSession> {
      const { credentials, identity } = await assume(req);
      const context = { target: req.target, account: identity.account };
      return {
        identity,
        ecs: createEcsPort(new ECSClient(clientConfig(req.region, credentials)), { ...context, endpoint: endpointFor("ecs", req.region) }),
        ecr: createEcrPort(new ECRClient(clientConfig(req.region, credentials)), { ...context, endpoint: endpointFor("ecr", req.region) }),
        // IAM is global: the client is given the target's region and the SDK's endpoint rules pick
        // the partition's IAM endpoint and signing region (us-east-1 for aws).
        iam: createIamPort(new IAMClient(clientConfig(req.region, credentials)), { ...context, endpoint: endpointFor("iam", req.region) }),
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      baseSessions.clear();
      assumed.clear();
      baseIdentities.clear();
      // The clients' handlers all use these agents; destroying them closes every pooled socket.
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
