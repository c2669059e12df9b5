// The base credentials: who deployer is before it assumes any deploy role, where that identity comes
// from, and whether deployer can get new ones when they run out. The CLI takes them from the SDK's
// default chain (default-chain.ts); the Action from GitHub OIDC with `role-to-assume`, or from the
// environment (src/action/aws-credentials.ts). Deploy-role sessions are chained from them, so they
// set how long a rollout can run: a chained session lasts at most 1 hour but is re-assumed as long
// as the base credentials are valid
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "./refreshing-credentials.js";

export interface BaseCredentials {
  provider: AwsCredentialIdentityProvider;
  /** Where they come from, for messages: "the environment (AWS_ACCESS_KEY_ID)", "GitHub OIDC (role-to-assume …)". */
  source: string;
  /**
   * true: the provider returns new credentials when these run out (GitHub OIDC, SSO, a profile that
   * assumes a role, instance metadata). false: never. "detect": decide from what the provider
   * returned (the SDK default chain: static keys from the environment or a profile cannot be refreshed).
   */
  refreshable: boolean | "detect";
  /** How to get credentials that last: named in CREDENTIALS_EXPIRED errors and in the lifetime check. */
  fix: string;
}

/** The base credentials of a run, made once the region and endpoint of STS are known (the caller's region). */
export type BaseCredentialsFactory = (sts: { region: string; endpointUrl?: string }) => BaseCredentials;

/** Credential sources the SDK marks on what it returns ($source, for its user agent) that cannot give new credentials. */
const STATIC_SOURCES = new Set(["CREDENTIALS_ENV_VARS", "CREDENTIALS_PROFILE", "CREDENTIALS_CODE"]);

/**
 * Whether credentials returned by the SDK default chain can be refreshed: not when they are static
 * keys (environment variables or a profile's aws_access_key_id), whatever else the chain could do.
 * Credentials without a mark (given in code) are taken as static.
 */
export function refreshableFromSource(identity: AwsCredentialIdentity): boolean {
  const marks = Object.keys((identity as { $source?: Record<string, unknown> }).$source ?? {});
  if (marks.length === 0) return false;
  return marks.some((m) => !STATIC_SOURCES.has(m));
}

/** Where credentials the SDK default chain returned came from, when it marked them; else `fallback`. */
export function sourceOf(identity: AwsCredentialIdentity | undefined, fallback: string): string {
  const marks = new Set(Object.keys((identity as { $source?: Record<string, unknown> } | undefined)?.$source ?? {}));
  if (marks.has("CREDENTIALS_ENV_VARS")) return "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN";
  if (marks.has("CREDENTIALS_PROFILE") && marks.size === 1) return "static keys of an AWS profile";
  return fallback;
}

/** A plain provider (tests, code) as base credentials: static, unless it says otherwise. */
export function asBaseCredentials(c: AwsCredentialIdentityProvider | BaseCredentials): BaseCredentials {
  if (typeof c === "function") return { provider: c, source: "the credentials given to deployer", refreshable: "detect", fix: STATIC_FIX };
  return c;
}

/** The fix for static credentials that run out, where deployer runs outside the Action. */
export const STATIC_FIX =
  "Give deployer base credentials that outlive the rollout (a longer session: `role-duration-seconds` of aws-actions/configure-aws-credentials, " +
  "`--duration-seconds` of `aws sts assume-role`), or credentials it can refresh: in GitHub Actions the deployer Action's `role-to-assume` " +
  "(GitHub OIDC); elsewhere an AWS profile with role_arn/source_profile, SSO, or web identity (AWS_WEB_IDENTITY_TOKEN_FILE).";
