// IAM condition evaluation: the operators deployer's checks meet (String*, Arn*, Bool, Null,
// Numeric*, Date*), the `IfExists` suffix and the `ForAnyValue:` / `ForAllValues:` set prefixes.
// Semantics follow the IAM reference: keys within one operator AND together, operators within one
// Condition AND together, the values listed for one key OR together (negated operators: the
// request value must match none of them). Context keys are case-insensitive.
//
// An operator this module does not know (IpAddress, BinaryEquals, a typo) never makes a condition
// true: it is reported in `unsupported`, and the evaluator reads a statement whose other conditions
// hold as one that may or may not apply: an answer resting on it is "uncertain" (preflight says
// unverified), never a pass and never an explicit deny.
//
// Policy variables in String and Arn* values (reference_policies_variables.html) may leave a value
// UNRESOLVABLE (see wildcard.ts): the key is then reported in `unsupported` like an unknowable key, so
// a Deny resting on it makes the answer uncertain (unverified), never "allowed".
import { arnMatch, patternMatch, UNKNOWABLE_KEY, UNRESOLVABLE, type ContextLookup, type PatternMatch } from "./wildcard.js";

export type ConditionValue = string | string[] | boolean | number;
export type ConditionBlock = Record<string, Record<string, ConditionValue>>;

export interface ConditionOutcome {
  /** Every condition holds (false when any operator is unsupported). */
  matches: boolean;
  /** Every supported condition holds: what a Deny statement must assume when some are unsupported. */
  supportedMatch: boolean;
  /** Operators that could not be evaluated (the statement's effect decides what `matches` means then). */
  unsupported: string[];
}

type Comparator = (policyValue: string, requestValue: string, vars: ContextLookup | undefined) => PatternMatch;

interface OperatorSpec {
  compare: Comparator;
  /** StringNotEquals & co: the request value must match none of the policy values. */
  negated: boolean;
}

/**
 * Numeric operators compare "a key to an integer or decimal value"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric).
 * Other forms JavaScript would read as numbers (`.25`, `1.`, `1e3`, surrounding spaces) are not
 * documented: deployer does not guess how IAM reads them, the comparison is UNRESOLVABLE (reported in
 * `unsupported`, the stricter reading). Anything else is no number: no match.
 */
function parseNumber(s: string): number | undefined | typeof UNRESOLVABLE {
  if (/^[-+]?\d+(\.\d+)?$/.test(s)) return Number(s);
  return /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(s) ? UNRESOLVABLE : undefined;
}

function parseDate(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function numeric(op: (a: number, b: number) => boolean): Comparator {
  return (policyValue, requestValue) => {
    const p = parseNumber(policyValue);
    const r = parseNumber(requestValue);
    if (p === undefined || r === undefined) return false;
    if (p === UNRESOLVABLE || r === UNRESOLVABLE) return UNRESOLVABLE;
    return op(r, p);
  };
}

function date(op: (a: number, b: number) => boolean): Comparator {
  return (policyValue, requestValue) => {
    const p = parseDate(policyValue);
    const r = parseDate(requestValue);
    return p !== undefined && r !== undefined && op(r, p);
  };
}

const stringEquals: Comparator = (p, r, vars) => patternMatch(p, r, { ignoreCase: false, wildcards: false, variables: vars });
const stringEqualsIgnoreCase: Comparator = (p, r, vars) => patternMatch(p, r, { ignoreCase: true, wildcards: false, variables: vars });
const stringLike: Comparator = (p, r, vars) => patternMatch(p, r, { ignoreCase: false, wildcards: true, variables: vars });
const arnLike: Comparator = (p, r, vars) => arnMatch(p, r, vars);
const bool: Comparator = (p, r) => p.toLowerCase() === r.toLowerCase() && (r.toLowerCase() === "true" || r.toLowerCase() === "false");

/** Base operators by lower-case name. */
const OPERATORS: Record<string, OperatorSpec> = {
  stringequals: { compare: stringEquals, negated: false },
  stringnotequals: { compare: stringEquals, negated: true },
  stringequalsignorecase: { compare: stringEqualsIgnoreCase, negated: false },
  stringnotequalsignorecase: { compare: stringEqualsIgnoreCase, negated: true },
  stringlike: { compare: stringLike, negated: false },
  stringnotlike: { compare: stringLike, negated: true },
  arnequals: { compare: arnLike, negated: false },
  arnlike: { compare: arnLike, negated: false },
  arnnotequals: { compare: arnLike, negated: true },
  arnnotlike: { compare: arnLike, negated: true },
  bool: { compare: bool, negated: false },
  numericequals: { compare: numeric((a, b) => a === b), negated: false },
  numericnotequals: { compare: numeric((a, b) => a === b), negated: true },
  numericlessthan: { compare: numeric((a, b) => a < b), negated: false },
  numericlessthanequals: { compare: numeric((a, b) => a <= b), negated: false },
  numericgreaterthan: { compare: numeric((a, b) => a > b), negated: false },
  numericgreaterthanequals: { compare: numeric((a, b) => a >= b), negated: false },
  dateequals: { compare: date((a, b) => a === b), negated: false },
  datenotequals: { compare: date((a, b) => a === b), negated: true },
  datelessthan: { compare: date((a, b) => a < b), negated: false },
  datelessthanequals: { compare: date((a, b) => a <= b), negated: false },
  dategreaterthan: { compare: date((a, b) => a > b), negated: false },
  dategreaterthanequals: { compare: date((a, b) => a >= b), negated: false },
};

export interface ParsedOperator {
  set?: "ForAnyValue" | "ForAllValues";
  base: string;
  ifExists: boolean;
}

/** `ForAnyValue:StringLikeIfExists` -> { set: ForAnyValue, base: stringlike, ifExists: true }. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: ParsedOperator["set"];
  const colon = rest.indexOf(":");
  if (colon >= 0) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === "foranyvalue") set = "ForAnyValue";
    else if (prefix === "forallvalues") set = "ForAllValues";
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  let lower = rest.toLowerCase();
  let ifExists = false;
  if (lower.endsWith("ifexists")) {
    ifExists = true;
    lower = lower.slice(0, -"ifexists".length);
  }
  if (lower !== "null" && !(lower in OPERATORS)) return undefined;
  if (lower === "null" && (ifExists || set)) return undefined;
  return { set, base: lower, ifExists };
}

function toStrings(v: ConditionValue): string[] {
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

/** Three-valued OR: true if any is true, else UNRESOLVABLE if any is, else false. */
function anyOf(results: PatternMatch[]): PatternMatch {
  if (results.includes(true)) return true;
  return results.includes(UNRESOLVABLE) ? UNRESOLVABLE : false;
}

/** Three-valued AND: false if any is false, else UNRESOLVABLE if any is, else true. */
function allOf(results: PatternMatch[]): PatternMatch {
  if (results.includes(false)) return false;
  return results.includes(UNRESOLVABLE) ? UNRESOLVABLE : true;
}

function not(m: PatternMatch): PatternMatch {
  return m === UNRESOLVABLE ? m : !m;
}

/** Does one request value satisfy the policy values under this operator (before set logic)? */
function valueMatches(spec: OperatorSpec, policyValues: string[], requestValue: string, vars: ContextLookup | undefined): PatternMatch {
  const any = anyOf(policyValues.map((p) => spec.compare(p, requestValue, vars)));
  return spec.negated ? not(any) : any;
}

function evaluateKey(
  op: ParsedOperator,
  policyValues: string[],
  requestValue: string | string[] | undefined,
  vars: ContextLookup | undefined,
): PatternMatch {
  const present = requestValue !== undefined;
  if (op.base === "null") {
    // Null: "true" means the key must be absent, "false" that it must be present.
    return policyValues.some((p) => (p.toLowerCase() === "true" ? !present : p.toLowerCase() === "false" ? present : false));
  }
  const spec = OPERATORS[op.base]!;
  const values = requestValue === undefined ? [] : Array.isArray(requestValue) ? requestValue : [requestValue];
  if (op.set === "ForAllValues") {
    // Vacuously true for a missing or empty key.
    return allOf(values.map((v) => valueMatches(spec, policyValues, v, vars)));
  }
  if (op.set === "ForAnyValue") {
    if (values.length === 0) return op.ifExists;
    return anyOf(values.map((v) => valueMatches(spec, policyValues, v, vars)));
  }
  if (!present || values.length === 0) {
    if (op.ifExists) return true;
    // A missing key never matches a positive operator and always "matches" a negated one.
    return spec.negated;
  }
  const each = values.map((v) => valueMatches(spec, policyValues, v, vars));
  return spec.negated ? allOf(each) : anyOf(each);
}

// UNKNOWABLE_KEY lives in wildcard.ts (policy variables need it too); exported here as before.
export { UNKNOWABLE_KEY };

/** Evaluate a statement's whole Condition block against the request context. */
export function evaluateConditions(
  condition: ConditionBlock | undefined,
  lookup: ContextLookup,
  variablesEnabled: boolean,
): ConditionOutcome {
  const unsupported: string[] = [];
  if (!condition) return { matches: true, supportedMatch: true, unsupported };
  let supportedMatch = true;
  for (const [operatorName, keys] of Object.entries(condition)) {
    const op = parseOperator(operatorName);
    if (!op || typeof keys !== "object" || keys === null) {
      unsupported.push(operatorName);
      continue;
    }
    for (const [key, raw] of Object.entries(keys)) {
      const value = lookup(key);
      if (value === undefined && UNKNOWABLE_KEY.test(key)) {
        unsupported.push(`${operatorName}(${key})`);
        continue;
      }
      const ok = evaluateKey(op, toStrings(raw), value, variablesEnabled ? lookup : undefined);
      if (ok === UNRESOLVABLE) unsupported.push(`${operatorName}(${key}: ${toStrings(raw).join(", ")})`);
      else if (!ok) supportedMatch = false;
    }
  }
  return { matches: supportedMatch && unsupported.length === 0, supportedMatch, unsupported };
}

/** A case-insensitive view of a request context. */
export function contextLookup(context: Record<string, string | string[]>): ContextLookup {
  const lower = new Map<string, string | string[]>();
  for (const [k, v] of Object.entries(context)) lower.set(k.toLowerCase(), v);
  return (key) => lower.get(key.toLowerCase());
}
