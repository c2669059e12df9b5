// One shared, self-refreshing credential cache per identity (the base credentials, each assumed
// role), used by every client acting as that identity.
//
// Why not rely on the SDK clients' own memoisation: each client would cache (and refresh) on its own,
// so a target's ECS, ECR and IAM clients would each call AssumeRole; and the SDK refreshes when less
// than 5 minutes remain, which for short sessions (a sandbox issuing 5-second credentials, or any
// session shorter than 5 minutes) means a new AssumeRole before every single request. Here the
// refresh window is 5 minutes or a quarter of the session's lifetime, whichever is shorter, and
// concurrent callers share one refresh.
import type { fromNodeProviderChain } from "@aws-sdk/credential-providers";

export type AwsCredentialIdentity = Awaited<ReturnType<ReturnType<typeof fromNodeProviderChain>>>;
/** The SDK's credential provider shape (what `credentials` and `masterCredentials` accept). */
export type AwsCredentialIdentityProvider = (properties?: Record<string, any>) => Promise<AwsCredentialIdentity>;

export interface RefreshingCredentialsOptions {
  /** Refresh at most this long before expiry (default 5 minutes, as the SDK does). */
  maxWindowMs?: number;
  /** Fraction of the session's lifetime left at which to refresh, for short sessions (default 0.25). */
  lifetimeFraction?: number;
  /** The clock (tests). */
  now?: () => number;
}

export const DEFAULT_REFRESH_WINDOW_MS = 300_000;

/**
 * Wrap a provider so that it is called once, then again only when the credentials it gave are
 * close to expiry (or on `forceRefresh`). The result is marked `memoized` so SDK clients use it
 * as is instead of wrapping it again.
 */
export function refreshingCredentials(
  provider: AwsCredentialIdentityProvider,
  opts: RefreshingCredentialsOptions = {},
): AwsCredentialIdentityProvider & { memoized: true } {
  const now = opts.now ?? Date.now;
  const maxWindow = opts.maxWindowMs ?? DEFAULT_REFRESH_WINDOW_MS;
  const fraction = opts.lifetimeFraction ?? 0.25;
  let current: { identity: AwsCredentialIdentity; obtainedAt: number } | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;

  const needsRefresh = (c: NonNullable<typeof current>): boolean => {
    const expiration = c.identity.expiration;
    if (!expiration) return false; // long-term keys never expire
    const expiresAt = expiration.getTime();
    const lifetime = Math.max(0, expiresAt - c.obtainedAt);
    const window = Math.min(maxWindow, lifetime * fraction);
    return expiresAt - now() <= window;
  };

  const refresh = (properties?: Record<string, unknown>): Promise<AwsCredentialIdentity> => {
    pending ??= (async () => {
      try {
        const identity = await provider(properties);
        current = { identity, obtainedAt: now() };
        return identity;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  const wrapped = async (properties?: Record<string, unknown>): Promise<AwsCredentialIdentity> => {
    if (!current || properties?.forceRefresh === true || needsRefresh(current)) return refresh(properties);
    return current.identity;
  };
  return Object.assign(wrapped, { memoized: true as const });
}
