// Per-target AWS sessions: base credentials (given: the CLI's default chain, the Action's GitHub OIDC
// or environment), an assumed deploy role per target (auto-refreshing), and the ports acting as it
// in the target's region.
//
// STS is called in the CALLER's region (--region / AWS_REGION / the profile's, else the central
// repository's), on its regional endpoint, whatever the target's region: sessions from a regional
// STS endpoint are valid in every region, and calling STS in an opt-in region requires that region
// to be enabled in the calling account
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html).
//
// Deploy-role sessions carry session tags (run id, service) where the role's trust policy allows
// sts:TagSession; where it does not, AssumeRole is denied naming sts:TagSession, and the role is
// assumed again without tags (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html).
//
// Loading: only STS (the first call) is imported with this module. ECS, ECR and IAM are loaded after
// the first STS call, the ports of what tasks need at launch (SSM, Secrets Manager, Logs, KMS, Cloud
// Map, RAM, EC2) at their first call (`portModules`, `loadOnce`): an unreachable endpoint is reported
// without waiting for a dozen SDK packages to load (issue 14).
//
// Resource use: every client of every session shares one pair of keep-alive agents (sockets are
// pooled per endpoint, at most `maxSockets` each), and each identity's credentials are cached once
// and shared by its clients (see refreshing-credentials.ts).
import http from "node:http";
import https from "node:https";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type Tag } from "@aws-sdk/client-sts";
import { DeployerError, isDeployerError, withErrorContext } from "../errors.js";
import { VERSION } from "../version.js";
import { awsErrorName, isAwsError, redactSecrets, toDeployerError } from "./aws-error.js";
import { asBaseCredentials, refreshableFromSource, sourceOf, type BaseCredentials } from "./base-credentials.js";
import { refreshingCredentials, type AwsCredentialIdentity, type AwsCredentialIdentityProvider } from "./refreshing-credentials.js";
import { createRetryStrategy } from "./retry.js";
import { loadOnce } from "./region-clients.js";
import { accountOfArn, parseRoleArn, roleNameOf, dnsSuffixOf } from "../config/aws-names.js";
import type { AssumeRoleRequest, BaseLifetime, CallerIdentity, EcrPort, SessionFactory, TargetSession } from "./ports.js";

export type { AwsCredentialIdentity, AwsCredentialIdentityProvider };

/**
 * The ports' modules, each with its SDK client package, loaded on first use (see the top of this
 * file); `import()` loads a module once, later calls get the same one.
 */
const portModules = {
  ecr: () => import("./sdk-ecr.js"),
  ecs: () => import("./sdk-ecs.js"),
  iam: () => import("./sdk-iam.js"),
  ssm: () => import("./sdk-ssm.js"),
  secretsManager: () => import("./sdk-secrets-manager.js"),
  logs: () => import("./sdk-logs.js"),
  kms: () => import("./sdk-kms.js"),
  sharing: () => import("./sdk-sharing.js"),
  ec2: () => import("./sdk-ec2.js"),
};

export interface SessionFactoryOptions {
  /** Send every request (STS included) here instead of AWS: --endpoint-url / AWS_ENDPOINT_URL. */
  endpointUrl?: string;
  /** The base credentials: a provider (static unless it says otherwise), or a source with its refresh story. */
  baseCredentials: AwsCredentialIdentityProvider | BaseCredentials;
  /** Region of every STS call (the caller's). Default: the region of the session asked for. */
  stsRegion?: string;
  /** Session tags of every assumed role (where its trust policy allows sts:TagSession). */
  sessionTags?: Record<string, string>;
  /** Attempts per request including the first (default 10: throttling is retried with backoff). */
  maxAttempts?: number;
  /** How long a call retries an endpoint it cannot reach before giving up (default 2 s). */
  unreachableBudgetMs?: number;
  /** Per-request timeout (default 60 s). */
  requestTimeoutMs?: number;
  /** Connection timeout (default 10 s). */
  connectionTimeoutMs?: number;
  /** AssumeRole DurationSeconds (default: the role's default, 1 hour; chained sessions cannot be longer). */
  sessionDurationSeconds?: number;
  /** Sockets per endpoint shared by all sessions (default 50). */
  maxSockets?: number;
}

export interface ClosableSessionFactory extends SessionFactory {
  baseLifetime(): Promise<BaseLifetime | undefined>;
  close(): Promise<void>;
}

// A fan-out over many accounts makes hundreds of calls, each of which must get through: with 6
// attempts a 30% throttling rate (plus 5% 5xx) left ~1 run in 8 with a preflight read that gave up
// (0.35^6 per call); with 10 it is ~0.35^10 ≈ 3e-5 per call. Backoff stays the SDK's (capped at 20 s);
// an unreachable endpoint is retried for a bounded time instead (retry.ts).
export const DEFAULT_MAX_ATTEMPTS = 10;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
export const USER_AGENT_NAME = "deployer";

type AwsService = "sts" | "ecs" | "ecr" | "iam" | "ssm" | "secretsmanager" | "logs" | "kms" | "servicediscovery" | "ram" | "ec2";

/** The public endpoint of a service in a region, as named in connection errors. */
export function publicEndpoint(service: AwsService, region: string): string {
  const suffix = dnsSuffixOf(region);
  if (service === "iam") return region.startsWith("cn-") ? `https://iam.cn-north-1.${suffix}` : `https://iam.${suffix}`;
  if (service === "ecr") return `https://api.ecr.${region}.${suffix}`;
  return `https://${service}.${region}.${suffix}`;
}

/** A RoleSessionName AWS accepts: [\w+=,.@-], 2 to 64 characters. */
export function safeSessionName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `deployer-${cleaned}`.slice(0, 64);
}

/**
 * Session tags as STS accepts them: keys and values of [\p{L}\p{Z}\p{N}_.:/=+\-@], keys 1-128 and
 * values 0-256 characters (botocore sts service-2.json, tagKeyType / tagValueType).
 */
export function sessionTagsOf(tags: Record<string, string> | undefined): Tag[] {
  const clean = (s: string, max: number) => s.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, "_").slice(0, max);
  return Object.entries(tags ?? {})
    .map(([k, v]) => ({ Key: clean(k, 128), Value: clean(v, 256) }))
    .filter((t) => t.Key.length > 0);
}

/** `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION` for a role ARN (a role's path is not part of it). */
export function assumedIdentity(roleArn: string, sessionName: string): CallerIdentity {
  const role = parseRoleArn(roleArn);
  if (!role) return { account: accountOfArn(roleArn) ?? "", arn: roleArn, userId: sessionName };
  const name = roleNameOf(roleArn);
  return {
    account: role.account,
    arn: `arn:${role.partition}:sts::${role.account}:assumed-role/${name}/${sessionName}`,
    userId: `${name}:${sessionName}`,
  };
}

/** AWS's answer when a trust policy lets the caller assume the role but not tag the session. */
function tagSessionDenied(err: unknown): boolean {
  return isAwsError(err, "AccessDenied", "AccessDeniedException") && /sts:TagSession/.test((err as Error).message ?? "");
}

export function createSessionFactory(opts: SessionFactoryOptions): ClosableSessionFactory {
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
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;

  /** Everything a client needs besides region and credentials (each client its own retry strategy, as the SDK does). */
  const commonConfig = () => ({
    requestHandler,
    maxAttempts,
    retryStrategy: createRetryStrategy({ maxAttempts, unreachableBudgetMs: opts.unreachableBudgetMs }),
    customUserAgent: [[USER_AGENT_NAME, VERSION]] as [string, string][],
    ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
  });
  const clientConfig = (region: string, credentials: AwsCredentialIdentityProvider) => ({ region, credentials, ...commonConfig() });

  const endpointFor = (service: AwsService, region: string): string => opts.endpointUrl ?? publicEndpoint(service, region);
  const stsRegionFor = (region: string): string => opts.stsRegion ?? region;

  // ---------- base credentials ----------
  const base = asBaseCredentials(opts.baseCredentials);
  let lastBase: AwsCredentialIdentity | undefined;
  const baseCredentials = refreshingCredentials(async (properties) => {
    const identity = await base.provider(properties);
    // A provider that cannot refresh hands back what it had: once that has expired, say so.
    if (identity.expiration && identity.expiration.getTime() <= Date.now()) {
      throw baseExpired(`from ${sourceOf(identity, base.source)}, expired at ${identity.expiration.toISOString()}`);
    }
    lastBase = identity;
    return identity;
  });

  const refreshable = (): boolean =>
    base.refreshable === "detect" ? (lastBase ? refreshableFromSource(lastBase) : false) : base.refreshable;
  /** Where the base credentials come from, as precisely as known (the default chain marks what it used). */
  const source = (): string => (base.refreshable === "detect" ? sourceOf(lastBase, base.source) : base.source);

  function baseExpired(detail: string, cause?: unknown): DeployerError {
    return new DeployerError({
      code: "CREDENTIALS_EXPIRED",
      message: `deployer's base credentials expired (${detail}); no new deploy-role session can be made`,
      awsCode: cause ? awsErrorName(cause) : undefined,
      awsMessage: cause instanceof Error ? redactSecrets(cause.message) : undefined,
      hint: base.fix,
      cause,
    });
  }

  /** What credential errors of calls signed with the base credentials name. */
  const baseContext = {
    get source() {
      return source();
    },
    fix: base.fix,
  };

  let closed = false;
  const baseSessions = new Map<string, Promise<{ ecr: EcrPort; identity: CallerIdentity }>>();
  const assumed = new Map<string, Promise<{ credentials: AwsCredentialIdentityProvider; identity: CallerIdentity }>>();
  const baseIdentities = new Map<string, Promise<CallerIdentity>>();
  const stsClients = new Map<string, STSClient>();
  /** Roles whose trust policy does not allow sts:TagSession: assumed without tags from then on. */
  const untaggable = new Set<string>();
  const tags = sessionTagsOf(opts.sessionTags);

  const assertOpen = (): void => {
    if (closed) throw new DeployerError({ code: "INTERNAL", message: "The AWS session factory was used after close()" });
  };

  /** One STS client per STS region, acting with the base credentials. */
  function stsClient(region: string): STSClient {
    let c = stsClients.get(region);
    if (!c) {
      c = new STSClient(clientConfig(region, baseCredentials));
      stsClients.set(region, c);
    }
    return c;
  }

  /** Who the base credentials are (one GetCallerIdentity per STS region). */
  function baseIdentity(region: string): Promise<CallerIdentity> {
    const stsRegion = stsRegionFor(region);
    let p = baseIdentities.get(stsRegion);
    if (!p) {
      p = (async () => {
        try {
          const out = await stsClient(stsRegion).send(new GetCallerIdentityCommand({}));
          return { account: out.Account ?? "", arn: out.Arn ?? "", userId: out.UserId ?? "" };
        } catch (e) {
          throw toDeployerError(e, { action: "sts:GetCallerIdentity", endpoint: endpointFor("sts", stsRegion), credentials: baseContext });
        }
      })();
      baseIdentities.set(stsRegion, p);
      p.catch(() => baseIdentities.delete(stsRegion));
    }
    return p;
  }

  function assumeRoleError(err: unknown, req: AssumeRoleRequest, caller: CallerIdentity | undefined): DeployerError {
    const account = accountOfArn(req.roleArn);
    if (isDeployerError(err)) return withErrorContext(err, { target: req.target, action: "sts:AssumeRole", resource: req.roleArn });
    // The base credentials signed this AssumeRole: when STS says they expired, they are what ran out.
    if (isAwsError(err, "ExpiredToken", "ExpiredTokenException")) {
      return withErrorContext(baseExpired(`from ${source()}: STS refused them as expired when deployer re-assumed the deploy role`, err), {
        target: req.target,
        account,
        action: "sts:AssumeRole",
        resource: req.roleArn,
      });
    }
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
      endpoint: endpointFor("sts", stsRegionFor(req.region)),
      credentials: baseContext,
    });
  }

  /** One AssumeRole (with session tags unless the role refused them before). */
  async function assumeOnce(req: AssumeRoleRequest): Promise<AwsCredentialIdentity> {
    const sts = stsClient(stsRegionFor(req.region));
    const send = (withTags: boolean) =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: req.roleArn,
          RoleSessionName: safeSessionName(req.sessionName),
          ...(req.externalId !== undefined ? { ExternalId: req.externalId } : {}),
          ...(opts.sessionDurationSeconds !== undefined ? { DurationSeconds: opts.sessionDurationSeconds } : {}),
          ...(withTags ? { Tags: tags } : {}),
        }),
      );
    const withTags = tags.length > 0 && !untaggable.has(req.roleArn);
    let out;
    try {
      out = await send(withTags);
    } catch (e) {
      if (!(withTags && tagSessionDenied(e))) throw e;
      untaggable.add(req.roleArn);
      out = await send(false);
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new DeployerError({
        code: "AWS_ERROR",
        message: `sts:AssumeRole returned no credentials for ${req.roleArn}`,
        target: req.target,
        action: "sts:AssumeRole",
        resource: req.roleArn,
      });
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  }

  /** Assume a role once; the returned provider refreshes itself and maps refresh failures too. */
  function assume(req: AssumeRoleRequest): Promise<{ credentials: AwsCredentialIdentityProvider; identity: CallerIdentity }> {
    assertOpen();
    const key = JSON.stringify([req.roleArn, req.externalId ?? null, stsRegionFor(req.region), req.sessionName]);
    const existing = assumed.get(key);
    if (existing) return existing;
    const p = (async () => {
      const credentials = refreshingCredentials(async (): Promise<AwsCredentialIdentity> => {
        try {
          return await assumeOnce(req);
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
          const { ecrPortWith } = await portModules.ecr();
          const ecr = ecrPortWith(clientConfig(region, baseCredentials), {
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
      const { ecrPortWith } = await portModules.ecr();
      const ecr = ecrPortWith(clientConfig(req.region, credentials), {
        target: req.target,
        account: identity.account,
        endpoint: endpointFor("ecr", req.region),
      });
      return { ecr, identity };
    },

    async target(req): Promise<TargetSession> {
      const { credentials, identity } = await assume(req);
      const [{ ecsPortWith }, { ecrPortWith }, { iamPortWith }] = await Promise.all([
        portModules.ecs(),
        portModules.ecr(),
        portModules.iam(),
      ]);
      const context = { target: req.target, account: identity.account };
      const config = (region: string) => clientConfig(region, credentials);
      const at = (service: AwsService) => ({ ...context, endpoint: endpointFor(service, req.region) });
      // What tasks need at launch (metadata only), in whichever region a reference names: each port
      // made, its module and client loaded, at its first call (only some checks of some targets use them).
      const ssm = loadOnce(async () => (await portModules.ssm()).createSsmPort(config, at("ssm")));
      const secretsManager = loadOnce(async () =>
        (await portModules.secretsManager()).createSecretsManagerPort(config, at("secretsmanager")),
      );
      const logs = loadOnce(async () => (await portModules.logs()).createLogsPort(config, at("logs")));
      const kms = loadOnce(async () => (await portModules.kms()).createKmsPort(config, at("kms")));
      const serviceDiscovery = loadOnce(async () =>
        (await portModules.sharing()).createServiceDiscoveryPort(config, at("servicediscovery")),
      );
      const ram = loadOnce(async () => (await portModules.sharing()).createRamPort(config, at("ram")));
      // The network a one-off task runs in (subnets, security groups): in the target's region.
      const ec2 = loadOnce(async () => (await portModules.ec2()).ec2PortWith(config(req.region), at("ec2")));
      return {
        identity,
        ecs: ecsPortWith(config(req.region), at("ecs")),
        ecr: ecrPortWith(config(req.region), at("ecr")),
        // IAM is global: the client is given the target's region and the SDK's endpoint rules pick
        // the partition's IAM endpoint and signing region (us-east-1 for aws).
        iam: iamPortWith(config(req.region), at("iam")),
        ssm: { describeParameter: async (region, name) => (await ssm()).describeParameter(region, name) },
        secretsManager: { describeSecret: async (region, id) => (await secretsManager()).describeSecret(region, id) },
        logs: { describeLogGroup: async (region, name) => (await logs()).describeLogGroup(region, name) },
        kms: { describeKey: async (region, keyId) => (await kms()).describeKey(region, keyId) },
        serviceDiscovery: { getNamespace: async (region, idOrArn) => (await serviceDiscovery()).getNamespace(region, idOrArn) },
        ram: {
          listInvitations: async (region) => (await ram()).listInvitations(region),
          listAssociations: async (region, q) => (await ram()).listAssociations(region, q),
        },
        ec2: {
          describeSubnets: async (ids) => (await ec2()).describeSubnets(ids),
          describeSecurityGroups: async (ids) => (await ec2()).describeSecurityGroups(ids),
        },
      };
    },

    async baseLifetime(): Promise<BaseLifetime | undefined> {
      assertOpen();
      const identity = await baseCredentials();
      return { expiresAt: identity.expiration, refreshable: refreshable(), source: source(), fix: base.fix };
    },

    async close() {
      if (closed) return;
      closed = true;
      baseSessions.clear();
      assumed.clear();
      baseIdentities.clear();
      for (const c of stsClients.values()) c.destroy();
      stsClients.clear();
      // The clients' handlers all use these agents; destroying them closes every pooled socket.
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
