// Role ARN patterns: `deployRole`, `viewRole`, `taskRole` and `executionRole` may be written once,
// in environments/_defaults.yaml or _<stage>.yaml, with placeholders filled in per target:
//
//   deployRole: arn:aws:iam::{account}:role/deployer
//   taskRole: arn:{partition}:iam::{account}:role/{name}-task
//
// {account}, {region}, {stage} are the target's own (merged) values, {name} is the target (its file
// name), {partition} is the partition of the target's region (aws, aws-cn, aws-us-gov: aws-names.ts).
// Expansion happens after the layers are merged and before anything validates them, so the schema
// and the rules see the ARN each target gets, while every error still points at the file and line
// where the pattern was written (the merged value's location) and names the target it was expanded
// for. IAM names cannot contain `{` or `}` ([\w+=,.@/-]), so a brace is always a placeholder: an
// unknown one, or one left open, is an error — reported once per pattern, naming every target.
import { DeployerError, type SourceLocation } from "../errors.js";
import { partitionOf } from "./aws-names.js";
import type { MergedLayers } from "./merge.js";
import { closest } from "./suggest.js";

/** The fields whose values may be patterns. */
export const ROLE_PATTERN_FIELDS = ["deployRole", "viewRole", "taskRole", "executionRole"] as const;
export type RolePatternField = (typeof ROLE_PATTERN_FIELDS)[number];

export const PLACEHOLDERS = ["account", "region", "name", "stage", "partition"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

const ACCOUNT = /^[0-9]{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]$/;

/** Where a placeholder's value comes from, and what makes it usable. */
const SOURCES: Record<Placeholder, { field?: string; valid?: RegExp }> = {
  account: { field: "account", valid: ACCOUNT },
  region: { field: "region", valid: REGION },
  partition: { field: "region", valid: REGION },
  stage: { field: "stage" },
  name: {},
};

/** Pattern problems of every target, one error per (pattern, problem) naming all its targets. */
export class PatternErrors {
  private readonly problems = new Map<string, { init: ConstructorParameters<typeof DeployerError>[0]; targets: string[] }>();

  add(target: string, init: ConstructorParameters<typeof DeployerError>[0]): void {
    const l = init.location;
    const key = [init.field, l?.file, l?.line, l?.column, init.message].join("|");
    const seen = this.problems.get(key);
    if (seen) seen.targets.push(target);
    else this.problems.set(key, { init, targets: [target] });
  }

  errors(): DeployerError[] {
    return [...this.problems.values()].map(({ init, targets }) => {
      const list = targets.map((t) => `"${t}"`).join(", ");
      const out = { ...init, message: `${init.message} (expanded for target${targets.length === 1 ? "" : "s"} ${list})` };
      if (targets.length === 1) out.target = targets[0];
      else delete out.target;
      return new DeployerError(out);
    });
  }
}

export interface Expansion {
  /** Fields filled in from a pattern: their schema errors are the pattern's (PatternErrors groups them). */
  expanded: Set<string>;
  /**
   * Fields that could not be expanded (an unknown placeholder, or one whose source field is itself
   * invalid and reported as such): their schema errors would only repeat the problem.
   */
  failed: Set<string>;
}

/**
 * Fills in the placeholders of the role fields of one target's merged layers, in place. `env`: what
 * {name} is (the environment file name; with several services the target `name` is ENV/SERVICE).
 */
export function expandRolePatterns(name: string, merged: MergedLayers, problems: PatternErrors, env: string = name): Expansion {
  const value = merged.value;
  const failed = new Set<string>();
  const expanded = new Set<string>();
  for (const field of ROLE_PATTERN_FIELDS) {
    const raw = value[field];
    if (typeof raw !== "string" || !/[{}]/.test(raw)) continue;
    const loc: SourceLocation = merged.locate(`/${field}`)?.loc ?? { file: "", line: 1, column: 1 };
    const result = expand(raw, (p) => placeholderValue(p, env, value));
    if ("problem" in result) {
      failed.add(field);
      if (result.problem.kind === "source-invalid") continue; // the source field has its own error
      problems.add(name, {
        code: "CONFIG_INVALID",
        message: `${field}: ${result.problem.message}`,
        location: loc,
        field,
        hint: result.problem.hint,
      });
      continue;
    }
    value[field] = result.value;
    expanded.add(field);
  }
  // taskAssumes: a list of role ARNs, each of which may be a pattern too.
  const assumes = value.taskAssumes;
  if (Array.isArray(assumes)) {
    assumes.forEach((raw, i) => {
      if (typeof raw !== "string" || !/[{}]/.test(raw)) return;
      const field = `taskAssumes/${i}`;
      const loc: SourceLocation = merged.locate(`/taskAssumes/${i}`)?.loc ??
        merged.locate("/taskAssumes")?.loc ?? { file: "", line: 1, column: 1 };
      const result = expand(raw, (p) => placeholderValue(p, env, value));
      if ("problem" in result) {
        failed.add(field);
        if (result.problem.kind !== "source-invalid")
          problems.add(name, {
            code: "CONFIG_INVALID",
            message: `taskAssumes: ${result.problem.message}`,
            location: loc,
            field: "taskAssumes",
            hint: result.problem.hint,
          });
        return;
      }
      assumes[i] = result.value;
      expanded.add(field);
    });
  }
  return { expanded, failed };
}

type Problem = { kind: "unknown" | "unclosed" | "source-invalid"; message: string; hint?: string };

const PLACEHOLDER_HINT = `Placeholders: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")} — e.g. arn:aws:iam::{account}:role/deployer.`;

function expand(pattern: string, valueOf: (p: Placeholder) => string | undefined): { value: string } | { problem: Problem } {
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    const open = pattern.indexOf("{", i);
    const close = pattern.indexOf("}", i);
    if (open < 0 && close < 0) {
      out += pattern.slice(i);
      break;
    }
    if (open < 0 || (close >= 0 && close < open)) {
      return { problem: { kind: "unclosed", message: "a `}` without its `{`", hint: PLACEHOLDER_HINT } };
    }
    const end = pattern.indexOf("}", open + 1);
    const nextOpen = pattern.indexOf("{", open + 1);
    if (end < 0 || (nextOpen >= 0 && nextOpen < end)) {
      return { problem: { kind: "unclosed", message: "a `{` without its `}`", hint: PLACEHOLDER_HINT } };
    }
    out += pattern.slice(i, open);
    const key = pattern.slice(open + 1, end);
    if (!(PLACEHOLDERS as readonly string[]).includes(key)) {
      // The placeholder's name is the user's text: named only when it is a plain word.
      const shown = /^[A-Za-z_][\w-]{0,31}$/.test(key) ? `{${key}}` : "a placeholder";
      const guess = closest(key, [...PLACEHOLDERS]);
      return {
        problem: {
          kind: "unknown",
          message: `unknown placeholder ${shown}`,
          hint: `${guess ? `Did you mean {${guess}}? ` : ""}${PLACEHOLDER_HINT}`,
        },
      };
    }
    const v = valueOf(key as Placeholder);
    if (v === undefined) return { problem: { kind: "source-invalid", message: `{${key}} has no valid value` } };
    out += v;
    i = end + 1;
  }
  return { value: out };
}

function placeholderValue(p: Placeholder, name: string, value: Record<string, unknown>): string | undefined {
  if (p === "name") return name;
  const source = SOURCES[p];
  const v = value[source.field!];
  if (typeof v !== "string" || (source.valid && !source.valid.test(v))) return undefined;
  return p === "partition" ? partitionOf(v) : v;
}
