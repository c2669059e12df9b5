// Metadata reads of what a target's tasks need at launch. Metadata only: a preflight must never read
// a secret's value (DescribeParameters, DescribeSecret, DescribeLogGroups, DescribeKey; never
// GetParameter[s], GetSecretValue or Decrypt). A port reaches any region of the account — a
// `valueFrom` ARN or an `awslogs-region` may name another region than the task's
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html) — with one client
// per region, made on first use.
//
// The ports' modules, with their SDK packages, are loaded on first use too (session.ts, `loadOnce`):
// `plan` and `rollout` used to import every client at start-up, seconds on a loaded machine before the
// first call (issue 14: an unreachable endpoint reported within 5 s; bench/README.md, "Limits").
// esbuild bundles such an `import()` into the Action's one file, so the Action loads nothing from outside.

/** What a client of one region is made with (credentials, retries, endpoint: everything but the region). */
export type ClientConfigFor = (region: string) => Record<string, unknown>;

/** One client per region, made on first use. */
export function perRegion<C>(make: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    let c = clients.get(region);
    if (!c) {
      c = make(region);
      clients.set(region, c);
    }
    return c;
  };
}

/** A module loaded on first use, once (a memoised `import()`): what every later call awaits. */
export function loadOnce<M>(load: () => Promise<M>): () => Promise<M> {
  let loading: Promise<M> | undefined;
  return () => (loading ??= load());
}
