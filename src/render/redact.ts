// The redaction rule: which values must never appear in any output (plans in text, JSON, Markdown and
// saved files; `deployer render`; drift; the Action's log, comments and summaries) and how they are hidden.
//
// `sensitive: [vars.apiKey]` in an environment file names template VARIABLES, not task-definition
// fields: the value of `vars.apiKey` may end up anywhere in the rendered definition (an env var, a
// command line, a log option), transformed by a helper (`upper`) or selecting another value
// (`lookup`). So deployer works with sensitive FIELDS and VALUES:
//  - the fields the template engine's taint tracking saw written from sensitive input, and what
//    was written there (render/sensitivity.ts), whatever the helper or encoding;
//  - the values of the target's `sensitive` paths (every string/number leaf under them), with the
//    forms deployer itself may write them in: upper and lower case, JSON-escaped;
//  - the value of every environment variable whose name looks secret (…KEY, …TOKEN, …PASSWORD,
//    …SECRET, …DSN, …CREDENTIALS, any case), on the desired side and the live side.
// A field change or a definition field is sensitive when it is such a field, contains one of those
// values or is such an environment variable; outputs show "(sensitive)" instead. Then, as a last
// line of defence, every string of every output is scrubbed of every sensitive value.
//
// Values shorter than MIN_SCRUB_LENGTH are redacted only where a whole field equals them: scrubbing
// "42" out of every string would make the output unreadable and leak nothing worth hiding.
import type { Target } from "../config/types.js";
import { sensitivityOf } from "./sensitivity.js";

export const REDACTED = "(sensitive)";
export const MIN_SCRUB_LENGTH = 4;

const SECRET_NAME = /(key|token|password|passwd|secret|dsn|credentials?)$/i;

/** True for environment-variable names that look like they carry a secret (`API_KEY`, `sentryDsn`). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/[^A-Za-z0-9]+$/, ""));
}

/**
 * The forms of a sensitive value deployer itself can write: as is, upper and lower case (the
 * template helpers), each of them JSON-escaped, and each line of a multi-line value.
 */
export function sensitiveVariants(value: string): string[] {
  const out = new Set<string>();
  for (const v of [value, value.toUpperCase(), value.toLowerCase()]) {
    out.add(v);
    out.add(JSON.stringify(v).slice(1, -1));
    if (/[\r\n]/.test(v)) for (const line of v.split(/\r?\n/)) if (line.trim() !== "") out.add(line.trim());
  }
  out.delete("");
  return [...out];
}

/**
 * The sensitive values of one target: values of its `sensitive` paths (`vars.apiKey`, resolved against
 * the target) in every form deployer writes them, what the template engine recorded as written from
 * sensitive input into the given definitions, and values of secret-looking environment variables in
 * them (pass the desired and the live one). Unique, longest first, never empty strings.
 */
export function collectSensitiveValues(
  target: Pick<Target, "sensitive" | "vars">,
  ...definitions: Array<Record<string, unknown> | undefined>
): string[] {
  const values = new Set<string>();
  for (const path of target.sensitive ?? []) {
    for (const leaf of leavesOf(resolveDotted(target, path))) for (const v of sensitiveVariants(leaf)) values.add(v);
  }
  for (const def of definitions) {
    if (!def) continue;
    for (const v of sensitivityOf(def).values) values.add(v);
    for (const c of arrayOf(def.containerDefinitions)) {
      for (const e of arrayOf((c as Record<string, unknown>).environment)) {
        const entry = e as Record<string, unknown>;
        if (typeof entry.name === "string" && isSecretName(entry.name) && entry.value !== undefined && entry.value !== null) {
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- an environment value is a JSON scalar (ECS stringifies numbers)
          values.add(String(entry.value));
        }
      }
    }
  }
  values.delete("");
  return [...values].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** Merges value lists (of several targets) into one, longest first. */
export function mergeSensitiveValues(...lists: ReadonlyArray<readonly string[]>): string[] {
  const all = new Set<string>();
  for (const l of lists) for (const v of l) if (v !== "") all.add(v);
  return [...all].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** True when the string is, or (for values long enough) contains, a sensitive value. */
export function containsSensitive(s: string, values: readonly string[]): boolean {
  for (const v of values) {
    if (s === v) return true;
    if (v.length >= MIN_SCRUB_LENGTH && s.includes(v)) return true;
  }
  return false;
}

/** True when a JSON value is, or holds, a sensitive value or a secret-named environment entry. */
export function valueIsSensitive(value: unknown, values: readonly string[]): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return containsSensitive(value, values);
  if (typeof value === "number" || typeof value === "boolean") return containsSensitive(String(value), values);
  if (Array.isArray(value)) return value.some((v) => valueIsSensitive(v, values));
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.name === "string" && "value" in o && isSecretName(o.name)) return true;
    return Object.values(o).some((v) => valueIsSensitive(v, values));
  }
  return false;
}

/**
 * JSON pointers (RFC 6901) to the fields of `def` that must be redacted: string leaves containing a
 * sensitive value, and the `value` of secret-looking environment variables.
 */
export function sensitivePathsOf(def: Record<string, unknown>, values: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown, pointer: string, parent?: Record<string, unknown>, key?: string) => {
    if (typeof v === "string" || typeof v === "number") {
      const isEnvSecret =
        key === "value" &&
        parent !== undefined &&
        typeof parent.name === "string" &&
        isSecretName(parent.name) &&
        pointer.includes("/environment/");
      if (isEnvSecret || containsSensitive(String(v), values)) out.push(pointer);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${pointer}/${i}`));
      return;
    }
    if (typeof v === "object" && v !== null) {
      const o = v as Record<string, unknown>;
      for (const [k, child] of Object.entries(o)) walk(child, `${pointer}/${escapePointer(k)}`, o, k);
    }
  };
  walk(def, "");
  // The fields taint tracking saw written from sensitive input (whatever their text).
  for (const p of sensitivityOf(def).pointers) if (!out.includes(p)) out.push(p);
  return out;
}

/** A copy of `def` with the fields at `pointers` replaced by "(sensitive)", then scrubbed. */
export function redactTaskDefinition<T extends Record<string, unknown>>(def: T, pointers: readonly string[], values: readonly string[]): T {
  const copy = structuredClone(def) as Record<string, unknown>;
  for (const p of pointers) setPointer(copy, p, REDACTED);
  return scrubDeep(copy, values) as T;
}

/**
 * Replaces every occurrence of every sensitive value (and its JSON-escaped form) by "(sensitive)".
 * Values shorter than MIN_SCRUB_LENGTH are replaced only where they are the whole string.
 */
export function scrubString(s: string, values: readonly string[]): string {
  let out = s;
  for (const v of values) {
    if (v === "") continue;
    if (out === v) return REDACTED;
    if (v.length < MIN_SCRUB_LENGTH) continue;
    out = out.split(v).join(REDACTED);
    const escaped = JSON.stringify(v).slice(1, -1);
    if (escaped !== v) out = out.split(escaped).join(REDACTED);
  }
  return out;
}

/** A deep copy of any JSON value with every string (keys included) scrubbed. Numbers stay numbers. */
export function scrubDeep(value: unknown, values: readonly string[]): unknown {
  if (values.length === 0) return value === undefined ? undefined : structuredClone(value);
  if (typeof value === "string") return scrubString(value, values);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, values));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrubString(k, values)] = scrubDeep(v, values);
    return out;
  }
  return value;
}

/** A copy of a rendered definition with every sensitive value replaced by `(sensitive)`. */
export function redactSensitive<T>(value: T, target: Target): T {
  const values = collectSensitiveValues(target, value as Record<string, unknown>);
  return scrubDeep(value, values) as T;
}

// ---------- helpers ----------

function resolveDotted(root: Record<string, unknown>, path: string): unknown {
  let cur: unknown = root;
  for (const seg of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function leavesOf(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return [String(v)];
  if (Array.isArray(v)) return v.flatMap(leavesOf);
  if (typeof v === "object") return Object.values(v).flatMap(leavesOf);
  return [];
}

function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v.filter((x) => typeof x === "object" && x !== null) : [];
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

function setPointer(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const segs = pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  let cur: unknown = root;
  for (let i = 0; i < segs.length - 1; i++) {
    if (typeof cur !== "object" || cur === null) return;
    cur = (cur as Record<string, unknown>)[segs[i]!];
  }
  const last = segs[segs.length - 1];
  if (last === undefined || typeof cur !== "object" || cur === null) return;
  if (Array.isArray(cur)) cur[Number(last)] = value;
  else if (last in (cur as Record<string, unknown>)) (cur as Record<string, unknown>)[last] = value;
}
