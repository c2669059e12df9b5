// A stand-in for GitHub Actions' OIDC token service, on the sandbox's port under /_github-oidc/.
//
// A job with `permissions: id-token: write` gets ACTIONS_ID_TOKEN_REQUEST_URL and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN; a GET of that URL plus `&audience=AUD` with the request token as a
// bearer credential returns `{"value": "<JWT>"}` (what @actions/core getIDToken does). The JWT is
// RS256-signed by the issuer https://token.actions.githubusercontent.com with claims sub
// (GitHubJob: ref, pull_request or environment form), aud, repository, ref, run_id, event_name, iat, nbf, exp
// (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect).
// GitHub's tokens live about 5 minutes (observed, not documented:
// https://github.com/Azure/login/issues/441); here the lifetime is a setting, so tests can make it short.
//
// STS (services/sts.ts) verifies the tokens with this issuer's public key, which the stand-in
// registers in the world as AWS would fetch it from the issuer's JWKS.
import { createSign, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { World } from "./world.js";

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
export const GITHUB_OIDC_PATH = "/_github-oidc/token";

export interface GitHubOidcOptions extends GitHubJob {
  /** Token lifetime in seconds (default 300, as GitHub's). */
  tokenSeconds?: number;
}

/**
 * The job a token is for. Its `sub` follows GitHub's formats and precedence
 * (https://docs.github.com/en/actions/reference/security/oidc): a job with an environment gets
 * `repo:OWNER/REPO:environment:NAME`, else a pull_request event `repo:OWNER/REPO:pull_request`, else
 * `repo:OWNER/REPO:ref:REF`; `:` inside a value is written `%3A`. Repositories created (or renamed,
 * transferred, opted in) after 2026-07-15 use immutable ids: `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`.
 */
export interface GitHubJob {
  /** owner/repo of the job (default acme/shop-deploy). */
  repository?: string;
  /** Git ref of the job (default refs/heads/main). */
  ref?: string;
  /** The triggering event (default push); pull_request changes the subject. */
  event?: string;
  /** The job's GitHub Environment, if any (it takes precedence in the subject). */
  environment?: string;
  /** Numeric owner and repository ids: the immutable subject format. */
  immutableIds?: { owner: number; repository: number };
}

export interface GitHubOidcStandIn {
  /** ACTIONS_ID_TOKEN_REQUEST_URL (with its query string, as the runner's). */
  requestUrl: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  /** Tokens issued so far. */
  issued(): number;
  /** The job the next tokens are for (repository, ref, event, environment): another workflow run. */
  setJob(job: GitHubJob): void;
}

/** The `sub` claim of a job's token (see GitHubJob). */
export function githubSubject(job: GitHubJob): string {
  const esc = (v: string) => v.replace(/:/g, "%3A");
  const repository = job.repository ?? "acme/shop-deploy";
  const [owner, repo] = repository.split("/") as [string, string];
  const prefix = job.immutableIds ? `repo:${owner}@${job.immutableIds.owner}/${repo}@${job.immutableIds.repository}` : `repo:${repository}`;
  if (job.environment) return `${prefix}:environment:${esc(job.environment)}`;
  if ((job.event ?? "push") === "pull_request") return `${prefix}:pull_request`;
  return `${prefix}:ref:${esc(job.ref ?? "refs/heads/main")}`;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString("base64url");

export class GitHubOidc {
  private readonly privateKey: KeyObject;
  private readonly kid = randomBytes(8).toString("hex");
  readonly requestToken = randomBytes(24).toString("base64url");
  private count = 0;
  private tokenSeconds: number;
  private job: GitHubJob;

  constructor(world: World, opts: GitHubOidcOptions = {}) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.tokenSeconds = opts.tokenSeconds ?? 300;
    this.job = {
      repository: opts.repository,
      ref: opts.ref,
      event: opts.event,
      environment: opts.environment,
      immutableIds: opts.immutableIds,
    };
    const keys = world.issuerKeys.get(GITHUB_ISSUER) ?? new Map<string, KeyObject>();
    keys.set(this.kid, publicKey);
    world.issuerKeys.set(GITHUB_ISSUER, keys);
  }

  issued(): number {
    return this.count;
  }

  setTokenSeconds(seconds: number): void {
    this.tokenSeconds = seconds;
  }

  setJob(job: GitHubJob): void {
    this.job = { ...job };
  }

  private get repository(): string {
    return this.job.repository ?? "acme/shop-deploy";
  }

  /** A signed ID token for `audience`. */
  issue(audience: string, now = Date.now()): string {
    this.count += 1;
    const iat = Math.floor(now / 1000);
    const header = { typ: "JWT", alg: "RS256", kid: this.kid };
    const payload = {
      jti: randomUUID(),
      sub: githubSubject(this.job),
      aud: audience,
      ref: this.job.ref ?? "refs/heads/main",
      repository: this.repository,
      repository_owner: this.repository.split("/")[0],
      run_id: "4242",
      event_name: this.job.event ?? "push",
      ...(this.job.environment ? { environment: this.job.environment } : {}),
      iss: GITHUB_ISSUER,
      nbf: iat - 5,
      iat,
      exp: iat + this.tokenSeconds,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = createSign("RSA-SHA256").update(signingInput).sign(this.privateKey);
    return `${signingInput}.${b64url(signature)}`;
  }

  /** GET /_github-oidc/token?api-version=2.0&audience=AUD with `Authorization: Bearer <request token>`. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method !== "GET") return send(405, { message: "method not allowed" });
    if (req.headers.authorization !== `Bearer ${this.requestToken}`) return send(401, { message: "Bad credentials" });
    // Without an audience GitHub uses the repository owner's URL.
    const audience = url.searchParams.get("audience") ?? `https://github.com/${this.repository.split("/")[0]}`;
    send(200, { count: 1, value: this.issue(audience) });
  }
}

export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  [k: string]: unknown;
}

/** The parts of a JWT, undecoded signature; undefined when it is not a JWT. */
export function parseJwt(
  token: string,
): { header: { alg?: string; kid?: string }; claims: JwtClaims; signingInput: string; signature: Buffer } | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as { alg?: string; kid?: string };
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as JwtClaims;
    if (!header || typeof header !== "object" || !claims || typeof claims !== "object") return undefined;
    return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, "base64url") };
  } catch {
    return undefined;
  }
}
