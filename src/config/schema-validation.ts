// JSON Schema validation (Ajv) of configuration files and rendered task definitions, with every
// Ajv error turned into a DeployerError that names the file, line, column, field, what was expected
// and a hint. The schemas live in schemas/ (also usable by editors through `$schema`).
import type { ErrorObject, ValidateFunction } from "ajv";
import * as generated from "./generated/schema-validators.js";
import { DeployerError, type ErrorCode, type SourceLocation } from "../errors.js";
import { pointerToPath, toDotted, type PathSegment } from "./paths.js";
import { closest } from "./suggest.js";

export type SchemaName = "deployer" | "environment" | "task-definition";

// Precompiled at build time (scripts/generate-validators.mjs): compiling the schemas with Ajv on
// every start would cost ~0.3 s.
const validators: Record<SchemaName, ValidateFunction> = {
  deployer: generated.deployer,
  environment: generated.environment,
  "task-definition": generated.taskDefinition,
};

function compiled(): Record<SchemaName, ValidateFunction> {
  return validators;
}

/** What the caller knows about where values were written. */
export interface SchemaErrorContext {
  code: ErrorCode;
  /** The file reported when `locate` has no better answer. */
  file: string;
  target?: string;
  /** Location of the value at a JSON pointer (and of its key, for map entries). */
  locate(pointer: string): { loc: SourceLocation; keyLoc?: SourceLocation; raw?: string; scalarStyle?: string } | undefined;
  /** Prefix for messages (`rendered task definition: `). */
  subject?: string;
  /** Prefix for dotted field paths. */
  fieldPrefix?: string;
}

/** Validates `value` against one of the schemas; returns every problem found (empty when valid). */
export function validateAgainstSchema(name: SchemaName, value: unknown, ctx: SchemaErrorContext): DeployerError[] {
  const validate = compiled()[name];
  if (validate(value)) return [];
  // `if`/`then`/`else` (deployer.yaml: `services:` or `service:` + `template:`): the branch's own errors
  // say what is missing; Ajv's "must match then schema" adds nothing.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== "if");
  return dropTypoDuplicates(dedupe(errors)).map((e) => toDeployerError(e, value, ctx));
}

// `clustr: x` gives both "unknown field clustr" and "missing required field cluster": report the
// typo only (its hint names the right field).
function dropTypoDuplicates(errors: ErrorObject[]): ErrorObject[] {
  const typos = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== "additionalProperties") continue;
    const allowed = Object.keys(((e.parentSchema ?? {}) as { properties?: object }).properties ?? {});
    const guess = closest(String((e.params as { additionalProperty: string }).additionalProperty), allowed);
    if (guess) typos.add(`${e.instancePath}|${guess}`);
  }
  return errors.filter(
    (e) => !(e.keyword === "required" && typos.has(`${e.instancePath}|${(e.params as { missingProperty: string }).missingProperty}`)),
  );
}

// Ajv reports a failed `enum` inside array items once per item, and `type` errors alongside pattern
// errors are redundant; keep the first error per (pointer, keyword, param).
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/**
 * What a value is, never what it says: errors are printed in CI logs and pull-request comments, and
 * the value may be a secret (a rendered field) or text meant to fool a terminal. The file, line and
 * field name where it is written say the rest.
 */
export function describeValue(v: unknown): string {
  if (v === null) return "null (an empty value)";
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? "" : "s"}`;
  if (typeof v === "object") return "a map";
  if (typeof v === "string") {
    const n = Array.from(v).length;
    if (n === 0) return "an empty string";
    const traits: string[] = [];
    if (/[\r\n]/.test(v)) traits.push("a line break");
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(v)) traits.push("control characters");
    if (/^\s|\s$/.test(v)) traits.push("leading or trailing spaces");
    return `a string of ${n} character${n === 1 ? "" : "s"}${traits.length ? ` with ${traits.join(" and ")}` : ""}`;
  }
  if (typeof v === "number") return Number.isInteger(v) ? "a whole number" : "a number";
  if (typeof v === "boolean") return "true or false";
  return `a ${typeof v}`;
}

const typeNames: Record<string, string> = {
  object: "a map",
  array: "a list",
  string: "a string",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  null: "null",
};

function toDeployerError(e: ErrorObject, root: unknown, ctx: SchemaErrorContext): DeployerError {
  const path: PathSegment[] = pointerToPath(e.instancePath, root);
  const parentSchema = (e.parentSchema ?? {}) as {
    description?: string;
    "x-hint"?: string;
    properties?: Record<string, { description?: string; "x-hint"?: string }>;
  };
  const here = ctx.locate(e.instancePath);
  let location = here?.loc;
  let fieldPath = path;
  let message: string;
  let hint = parentSchema["x-hint"];
  const expected = parentSchema.description;
  const data = e.data;

  switch (e.keyword) {
    case "required": {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      fieldPath = [...path, missing];
      const prop = parentSchema.properties?.[missing];
      message = `missing required field "${missing}"${prop?.description ? `: expected ${prop.description}` : ""}`;
      hint = prop?.["x-hint"] ?? `Add \`${missing}: …\`${path.length ? ` under \`${toDotted(path)}\`` : ""}.`;
      break;
    }
    case "additionalProperties": {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      fieldPath = [...path, extra];
      const child = ctx.locate(`${e.instancePath}/${extra.replace(/~/g, "~0").replace(/\//g, "~1")}`);
      location = child?.keyLoc ?? child?.loc ?? location;
      const allowed = Object.keys(parentSchema.properties ?? {}).filter((k) => k !== "$schema");
      const guess = closest(extra, allowed);
      // A key is named when it is a plain name (a typo to fix); anything else is described.
      message = /^[A-Za-z_$][\w$.-]{0,63}$/.test(extra)
        ? `unknown field "${extra}"`
        : `unknown field (its name is ${describeValue(extra)})`;
      hint = `${guess ? `Did you mean "${guess}"? ` : ""}Allowed here: ${allowed.join(", ")}.`;
      break;
    }
    case "type": {
      const want = String((e.params as { type: string }).type)
        .split(",")
        .map((t) => typeNames[t] ?? t)
        .join(" or ");
      message = `expected ${expected ?? want}, got ${describeValue(data)}`;
      if (
        want.includes("a string") &&
        here?.scalarStyle === "PLAIN" &&
        here.raw &&
        (typeof data === "number" || typeof data === "boolean" || data === null)
      ) {
        const key = path.length ? String(path[path.length - 1]) : "value";
        // An account id is an identifier, never a secret, and its leading zeros are the point.
        const shown = key === "account" && /^\d{1,12}$/.test(here.raw) ? here.raw : "…";
        hint = `YAML read the unquoted value as ${describeValue(data)}; write it quoted to keep it as written: ${key}: "${shown}".`;
      }
      break;
    }
    case "pattern":
    case "format":
      message = `${describeValue(data)} is not ${expected ?? `valid (${e.message ?? ""})`}`;
      break;
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const guess = typeof data === "string" ? closest(data, allowed.map(String)) : undefined;
      message = `${describeValue(data)} is not one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
      hint = guess ? `Did you mean ${JSON.stringify(guess)}?` : hint;
      break;
    }
    case "minItems":
      message = `expected at least ${(e.params as { limit: number }).limit} item(s)${expected ? ` (${expected})` : ""}`;
      break;
    case "uniqueItems": {
      const p = e.params as { i: number; j: number };
      message = `items ${p.j} and ${p.i} are the same; each entry may appear once`;
      break;
    }
    default:
      message = `${e.message ?? e.keyword}${expected ? ` (${expected})` : ""}, got ${describeValue(data)}`;
  }
  const field = [ctx.fieldPrefix, toDotted(fieldPath)].filter(Boolean).join(".") || undefined;
  return new DeployerError({
    code: ctx.code,
    message: `${ctx.subject ?? ""}${message}`,
    target: ctx.target,
    location: location ?? { file: ctx.file, line: 1, column: 1 },
    field,
    hint,
  });
}
