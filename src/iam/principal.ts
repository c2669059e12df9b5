// Matching a request's principal against a policy's Principal / NotPrincipal element, as resource
// policies (ECR repository policies) and role trust policies use them.
import { splitArn, UNRESOLVABLE, type PatternMatch } from "./wildcard.js";

export interface RequestPrincipal {
  /** AWS: an IAM/STS ARN or a 12-digit account id (meaning "some principal of that account"). */
  type: "AWS" | "Service";
  /** ARN, account id, or service principal (`ecs-tasks.amazonaws.com`). */
  id: string;
}

export type PrincipalElement = "*" | Record<string, string | string[]>;

const ACCOUNT_ID = /^\d{12}$/;

/** The account a principal belongs to, when it can be told. */
export function principalAccount(p: RequestPrincipal): string | undefined {
  if (p.type !== "AWS") return undefined;
  if (ACCOUNT_ID.test(p.id)) return p.id;
  const parts = splitArn(p.id);
  return parts && ACCOUNT_ID.test(parts[4]!) ? parts[4] : undefined;
}

/**
 * The IAM role ARN behind a principal ARN: `arn:aws:sts::A:assumed-role/NAME/SESSION` is the role
 * NAME (policies name roles, not sessions; the role path is not in the session ARN, so it is
 * compared by name).
 */
function roleNameOfSession(arn: string): { account: string; name: string } | undefined {
  const parts = splitArn(arn);
  if (!parts || parts[2] !== "sts") return undefined;
  const m = /^assumed-role\/([^/]+)\/.+$/.exec(parts[5]!);
  return m ? { account: parts[4]!, name: m[1]! } : undefined;
}

function awsValueMatches(value: string, p: RequestPrincipal): boolean {
  if (value === "*") return true;
  const account = principalAccount(p);
  // Account forms: "123456789012" and "arn:aws:iam::123456789012:root" both mean "the account".
  const valueParts = splitArn(value);
  const valueAccount = ACCOUNT_ID.test(value)
    ? value
    : valueParts && valueParts[2] === "iam" && valueParts[5] === "root"
      ? valueParts[4]
      : undefined;
  if (valueAccount !== undefined) return account === valueAccount;
  if (ACCOUNT_ID.test(p.id)) return false; // a specific identity does not stand for the whole account
  if (!valueParts) return false;
  // Wildcards are not allowed in Principal ARNs (other than "*" alone): compare literally.
  if (value === p.id) return true;
  const session = roleNameOfSession(p.id);
  if (session && valueParts[2] === "iam" && valueParts[4] === session.account) {
    const m = /^role\/(?:.*\/)?([^/]+)$/.exec(valueParts[5]!);
    return m !== null && m[1] === session.name;
  }
  return false;
}

/**
 * Does the Principal element name this principal? UNRESOLVABLE for `{"Service": "*"}` (and no other
 * value naming it): the Principal reference documents `*` only as the whole element or `{"AWS": "*"}`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous)
 * and is silent on a wildcard service principal, so deployer does not guess: the statement may or may
 * not apply (an Allow never grants on it, a Deny makes the answer uncertain) — the stricter reading.
 */
export function principalMatch(element: PrincipalElement | undefined, p: RequestPrincipal): PatternMatch {
  if (element === undefined) return false;
  if (element === "*") return true;
  let wildcardService = false;
  for (const [type, raw] of Object.entries(element)) {
    const values = Array.isArray(raw) ? raw : [raw];
    if (type === "AWS") {
      if (p.type === "AWS" ? values.some((v) => awsValueMatches(v, p)) : values.includes("*")) return true;
    } else if (type === "Service" && p.type === "Service") {
      if (values.some((v) => v.toLowerCase() === p.id.toLowerCase())) return true;
      if (values.includes("*")) wildcardService = true;
    }
  }
  return wildcardService ? UNRESOLVABLE : false;
}

/** principalMatch, with an undocumented form read as no match. */
export function principalMatches(element: PrincipalElement | undefined, p: RequestPrincipal): boolean {
  return principalMatch(element, p) === true;
}
