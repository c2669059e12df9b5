// IAM wildcard matching: `*` (any run of characters, including none) and `?` (exactly one
// character), plus policy variables (`${aws:username}`, `${*}`, `${?}`, `${$}`) resolved from the
// request context. Used for Action (case-insensitive), Resource and Arn*/String*Like (case-sensitive).
// Policy variables: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

export type ContextLookup = (key: string) => string | string[] | undefined;

/**
 * A pattern match that deployer cannot decide: the pattern uses a variable whose value deployer does
 * not know (a key of UNKNOWABLE_KEY absent from the context deployer built), or a `${…, …}` that is not
 * the documented default-value form. The evaluator reads a statement resting on it as one that may or
 * may not apply ("uncertain": preflight says unverified), as for an unsupported condition operator.
 */
export const UNRESOLVABLE: unique symbol = Symbol("unresolvable");
export type PatternMatch = boolean | typeof UNRESOLVABLE;

/**
 * Condition keys whose values deployer cannot know before the request is made, when the request
 * context does not give them: where the request comes from (aws:SourceVpc, aws:SourceVpce,
 * aws:SourceIp, aws:VpcSourceIp: ECS pulls and fetches through the task's network), the principal's
 * and resources' tags (aws:PrincipalTag/…, aws:ResourceTag/…, SERVICE:ResourceTag/…: ABAC), and the
 * organization the principal or resource belongs to. A condition on one of them is not evaluated
 * (reported in `unsupported` as `Operator(key)`), so the answer is "uncertain", never a pass or a fail;
 * so is a policy variable naming one of them.
 * Keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
export const UNKNOWABLE_KEY =
  /^(aws:(SourceVpce?|SourceIp|VpcSourceIp|PrincipalTag\/.+|ResourceTag\/.+|PrincipalOrgID|PrincipalOrgPaths|ResourceOrgID|ResourceOrgPaths|SourceOrgID|SourceOrgPaths|CalledVia|CalledViaFirst|CalledViaLast|ViaAWSService)|[a-z0-9-]+:ResourceTag\/.+)$/i;

/**
 * `${key, 'default'}`: "surround the default value with single quotes (' '), and separate the variable
 * text and the default value with a comma and space (, )" (reference_policies_variables.html,
 * "Specifying default values"). The page documents only that exact form; any other text with a comma
 * or a quote (`${k,'x'}`, `${k, x}`, two defaults) is undocumented: deployer does not guess (unresolvable).
 */
const WITH_DEFAULT = /^([^,']+), '([^']*)'$/;

/** The text a `${…}` body stands for: a value, `null` (no value: matches nothing), or UNRESOLVABLE. */
function resolveVariable(body: string, lookup: ContextLookup): string | null | typeof UNRESOLVABLE {
  if (body === "*" || body === "?" || body === "$") return body;
  let key = body;
  let fallback: string | undefined;
  if (body.includes(",") || body.includes("'")) {
    const m = WITH_DEFAULT.exec(body);
    if (!m) return UNRESOLVABLE;
    key = m[1]!;
    fallback = m[2]!;
  }
  const value = lookup(key);
  if (typeof value === "string") return value;
  // A key deployer cannot know is unresolvable, with or without a default: whether the request has it
  // (so whether the default applies) is unknown.
  if (value === undefined && UNKNOWABLE_KEY.test(key)) return UNRESOLVABLE;
  if (value === undefined && fallback !== undefined) return fallback;
  // "Policy variables with no value": the value is effectively null, there is no equal or like value
  // (a list-valued key is no single value either).
  return null;
}

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
 * policy variable the request context does not provide (or provides as a list) and that has no default:
 * such a pattern never matches, as in IAM ("Policy variables with no value"). UNRESOLVABLE: see above.
 * A variable's value and a default are literal text (`*` in them is no wildcard).
 */
export function compilePattern(pattern: string, opts: PatternOptions): RegExp | null | typeof UNRESOLVABLE {
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
        const value = resolveVariable(pattern.slice(i + 2, end), opts.variables!);
        if (value === null || value === UNRESOLVABLE) return value;
        i = end + 1;
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

/** Does the value match? UNRESOLVABLE when the pattern's variables leave it unknown. */
export function patternMatch(pattern: string, value: string, opts: PatternOptions): PatternMatch {
  const re = compilePattern(pattern, opts);
  if (re === UNRESOLVABLE) return UNRESOLVABLE;
  return re !== null && re.test(value);
}

/** patternMatch, with an unresolvable pattern read as no match. */
export function matchesPattern(pattern: string, value: string, opts: PatternOptions): boolean {
  return patternMatch(pattern, value, opts) === true;
}

/** `service:Action` against `service:Act*` / `*`: case-insensitive, no policy variables. */
export function actionMatches(pattern: string, action: string): boolean {
  return matchesPattern(pattern, action, { ignoreCase: true, wildcards: true });
}

/**
 * An ARN against an ARN pattern, as IAM does for ArnLike/ArnEquals: "Each of the six colon-delimited
 * components of the ARN is checked separately"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN);
 * the resource part keeps any further colons. Both must have all six parts. The pattern is split only
 * on colons outside `${…}` (every variable name has one: `${aws:PrincipalAccount}`), and each part's
 * variables are resolved within that part: a value never spans components (the variables page lists
 * Arn* operators among the places variables may be used; how a value with colons would re-split is not
 * documented, and keeping it in its component is the stricter reading).
 */
export function arnMatch(pattern: string, arn: string, variables?: ContextLookup): PatternMatch {
  const p = variables ? splitArnPattern(pattern) : splitArn(pattern);
  const a = splitArn(arn);
  if (!p || !a) return false;
  let unresolvable = false;
  for (let i = 0; i < 6; i++) {
    const m = patternMatch(p[i]!, a[i]!, { ignoreCase: false, wildcards: true, variables });
    if (m === false) return false;
    if (m === UNRESOLVABLE) unresolvable = true;
  }
  return unresolvable ? UNRESOLVABLE : true;
}

/** arnMatch, with an unresolvable pattern read as no match. */
export function arnMatches(pattern: string, arn: string, variables?: ContextLookup): boolean {
  return arnMatch(pattern, arn, variables) === true;
}

export function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

/** splitArn for a pattern with policy variables: colons inside a closed `${…}` do not split. */
function splitArnPattern(pattern: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < pattern.length) {
    if (pattern[i] === "$" && pattern[i + 1] === "{") {
      const end = pattern.indexOf("}", i + 2);
      if (end > 0) {
        i = end + 1;
        continue;
      }
    }
    if (pattern[i] === ":") {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  parts.push(pattern.slice(start));
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}
