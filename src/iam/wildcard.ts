// IAM wildcard matching: `*` (any run of characters, including none) and `?` (exactly one
// character), plus policy variables (`${aws:username}`, `${*}`, `${?}`, `${$}`) resolved from the
// request context. Used for Action (case-insensitive), Resource and Arn*/String*Like (case-sensitive).

export type ContextLookup = (key: string) => string | string[] | undefined;

export interface PatternOptions {
  ignoreCase: boolean;
  /** Resolve `${…}` policy variables (only for policies with Version 2012-10-17). */
  variables?: ContextLookup;
  /** Treat `*` and `?` as wildcards (StringLike) or as literal characters (StringEquals). */
  wildcards: boolean;
}

const cache = new Map<string, RegExp | null>();
const CACHE_LIMIT = 2_000;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * Compile an IAM pattern into an anchored regular expression. Returns null when the pattern uses a
 * policy variable the request context does not provide (or provides as a list): such a pattern never
 * matches, as in IAM.
 */
export function compilePattern(pattern: string, opts: PatternOptions): RegExp | null {
  const usesVariables = opts.variables !== undefined && pattern.includes("${");
  const cacheKey = `${opts.ignoreCase ? "i" : "c"}${opts.wildcards ? "w" : "l"}:${pattern}`;
  if (!usesVariables) {
    const hit = cache.get(cacheKey);
    if (hit !== undefined) return hit;
  }
  let src = "";
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (usesVariables && ch === "$" && pattern[i + 1] === "{") {
      const end = pattern.indexOf("}", i + 2);
      if (end > 0) {
        const name = pattern.slice(i + 2, end);
        i = end + 1;
        if (name === "*" || name === "?" || name === "$") {
          src += escapeRegExp(name);
          continue;
        }
        const value = opts.variables!(name);
        if (typeof value !== "string") return null;
        src += escapeRegExp(value);
        continue;
      }
    }
    if (opts.wildcards && ch === "*") src += "[\\s\\S]*";
    else if (opts.wildcards && ch === "?") src += "[\\s\\S]";
    else src += escapeRegExp(ch);
    i++;
  }
  const re = new RegExp(`^${src}$`, opts.ignoreCase ? "i" : "");
  if (!usesVariables) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(cacheKey, re);
  }
  return re;
}

export function matchesPattern(pattern: string, value: string, opts: PatternOptions): boolean {
  const re = compilePattern(pattern, opts);
  return re !== null && re.test(value);
}

/** `service:Action` against `service:Act*` / `*`: case-insensitive, no policy variables. */
export function actionMatches(pattern: string, action: string): boolean {
  return matchesPattern(pattern, action, { ignoreCase: true, wildcards: true });
}

/**
 * An ARN against an ARN pattern, as IAM does for ArnLike/ArnEquals: the six colon-separated parts
 * (arn:partition:service:region:account:resource) are matched one by one; the resource part keeps
 * any further colons. Both must have all six parts.
 */
export function arnMatches(pattern: string, arn: string, variables?: ContextLookup): boolean {
  const p = splitArn(pattern);
  const a = splitArn(arn);
  if (!p || !a) return false;
  for (let i = 0; i < 6; i++) {
    if (!matchesPattern(p[i]!, a[i]!, { ignoreCase: false, wildcards: true, variables })) return false;
  }
  return true;
}

export function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}
