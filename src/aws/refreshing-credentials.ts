// One shared, self-refreshing credential cache per identity (the base credentials, each assumed
// role), used by every client acting as that identity.
//
// Why not rely on the SDK clients' own memoisation: each client would cache (and refresh) on its own,
// so a target's ECS, ECR and IAM clients would each call AssumeRole; and the SDK refreshes when less
// than 5 minutes remain, which for short sessions (a sandbox issuing 5-second credentials, or any
// session shorter than 5 minutes) means a new AssumeRole before every single request. Here the
// refresh window is 5 minutes or a quarter of the session's lifetime, whichever is shorter, and
// concurrent callers share one refresh.
//
// A refresh that fails while the credentials in hand are still good does not end their use: they are
// used until they expire (a deploy-role session chained from base credentials that just ran out
// still has its own minutes left), and the refresh is tried again a little later. Only when they
// have expired too does the refresh's error reach the caller.
import type { fromNodeProviderChain } from "@aws-sdk/credential-providers";

export type AwsCredentialIdentity = Awaited<ReturnType<ReturnType<typeof fromNodeProviderChain>>>;
/** The SDK's credential provider shape (what `credentials` and `masterCredentials` accept). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDK's IdentityProvider takes Record<string, any>; a narrower type is not assignable
export type AwsCredentialIdentityProvider = (properties?: Record<string, any>) => Promise<AwsCredentialIdentity>;

export interface RefreshingCredentialsOptions {
  /** Refresh at most this long before expiry (default 5 minutes, as the SDK does). */
  maxWindowMs?: number;
  /** Fraction of the session's lifetime left at which to refresh, for short sessions (default 0.25). */
  lifetimeFraction?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** Credentials this close to their expiry are not used any more: a request signed now may arrive after it. */
const MIN_REMAINING_MS = 5_000;

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
  /** After a failed refresh with credentials still usable: no new attempt before this time. */
  let retryAt = 0;

  const windowOf = (c: NonNullable<typeof current>): number => {
    const lifetime = Math.max(0, c.identity.expiration!.getTime() - c.obtainedAt);
    return Math.min(maxWindow, lifetime * fraction);
  };

  const needsRefresh = (c: NonNullable<typeof current>): boolean => {
    if (!c.identity.expiration) return false; // long-term keys never expire
    return c.identity.expiration.getTime() - now() <= windowOf(c);
  };

  /** Still good enough to sign a request with (a little margin: short sessions get a tenth of their life). */
  const usable = (c: NonNullable<typeof current>): boolean => {
    if (!c.identity.expiration) return true;
    const lifetime = Math.max(0, c.identity.expiration.getTime() - c.obtainedAt);
    return c.identity.expiration.getTime() - now() > Math.min(MIN_REMAINING_MS, lifetime / 10);
  };

  const refresh = (properties?: Record<string, unknown>): Promise<AwsCredentialIdentity> => {
    pending ??= (async () => {
      try {
        const identity = await provider(properties);
        current = { identity, obtainedAt: now() };
        retryAt = 0;
        return identity;
      } catch (e) {
        if (current && properties?.forceRefresh !== true && usable(current)) {
          retryAt = now() + Math.max(100, Math.min(30_000, windowOf(current) / 4));
          return current.identity;
        }
        throw e;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  const wrapped = async (properties?: Record<string, unknown>): Promise<AwsCredentialIdentity> => {
    if (!current || properties?.forceRefresh === true) return refresh(properties);
    if (!needsRefresh(current)) return current.identity;
    if (now() < retryAt && usable(current)) return current.identity;
    return refresh(properties);
  };
  return Object.assign(wrapped, { memoized: true as const });
}
