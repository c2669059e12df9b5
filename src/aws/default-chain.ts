// The CLI's base credentials and region: the SDK's default chain, as the AWS CLI resolves them
// (`--profile` / AWS_PROFILE, environment keys, SSO, web identity, container and instance metadata),
// and the caller's region (`--region`, AWS_REGION, AWS_DEFAULT_REGION, the profile's region).
// Not used by the Action (its bundle carries only the providers it uses: src/action/aws-credentials.ts).
//
// The SDK is imported only when credentials or a region are first asked for: the CLI builds these
// options before it has validated the input, and invalid input never loads the SDK (~20 MB).
import { STATIC_FIX, type BaseCredentialsFactory } from "./base-credentials.js";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "./refreshing-credentials.js";

export interface DefaultChainOptions {
  /** `--profile`: a profile of ~/.aws/config (SSO and role_arn profiles included); default AWS_PROFILE. */
  profile?: string;
}

export function defaultChainCredentials(o: DefaultChainOptions = {}): BaseCredentialsFactory {
  const source = o.profile
    ? `the AWS profile "${o.profile}"`
    : "the SDK default chain (environment, AWS_PROFILE, SSO, web identity, instance metadata)";
  return () => ({
    // The chain memoises what it found and asks again when those credentials near their expiry.
    provider: lazyDefaultChain(o.profile),
    source,
    refreshable: "detect",
    fix: STATIC_FIX,
  });
}

/**
 * The caller's region, as the AWS CLI finds it: `--region`, then AWS_REGION, AWS_DEFAULT_REGION
 * (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html), then the profile's
 * `region`; undefined when none is set.
 */
export async function callerRegion(
  o: DefaultChainOptions & { region?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const given = o.region ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined);
  if (given) return given;
  try {
    // The SDK's region chain reads the (given or AWS_PROFILE) profile's `region` from ~/.aws/config.
    const { STSClient } = await import("@aws-sdk/client-sts");
    const region = await new STSClient(o.profile ? { profile: o.profile } : {}).config.region();
    return region || undefined;
  } catch {
    return undefined; // no region configured anywhere
  }
}

/** fromNodeProviderChain, created on the first call and reused (it memoises what it found). */
function lazyDefaultChain(profile: string | undefined): AwsCredentialIdentityProvider {
  let chain: Promise<AwsCredentialIdentityProvider> | undefined;
  return async (properties?: Record<string, unknown>): Promise<AwsCredentialIdentity> => {
    chain ??= import("@aws-sdk/credential-providers").then(({ fromNodeProviderChain }) =>
      fromNodeProviderChain(profile ? { profile } : {}),
    );
    return (await chain)(properties);
  };
}
