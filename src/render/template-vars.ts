// Typos in `vars` that rendering cannot see. The schema cannot know the keys of `vars` (they are the
// template's business), and a strict template only catches a variable missing everywhere it is
// used without a fallback. Two cases slip through:
// - a key no template references (`logLvl: debug` next to a template that reads vars.logLevel):
//   the value is silently ignored;
// - a variable the template reads with a fallback ({{default vars.x "…"}}, {{#if vars.x}}) that
//   every target sets but one: that one silently gets the fallback.
// Both are warnings naming the file and line, never errors.
import Handlebars from "handlebars";
import path from "node:path";
import type { Project, Target } from "../config/types.js";
import type { SourceLocation } from "../errors.js";
import { isPlainObject, toDotted } from "../config/paths.js";
import { closest } from "../config/suggest.js";
import { templateShapeError } from "./template-bounds.js";

export interface ConfigWarning {
  message: string;
  location: SourceLocation;
  /** The dotted field (`vars.logLvl`). */
  field: string;
  /** The target, when the warning is about one target's file. */
  target?: string;
  hint?: string;
}

/** A reference to a part of `vars` (segments below vars; [] = all of vars), with where the template uses it. */
interface VarsRef {
  path: string[];
  line: number;
}

type HbNode = { type: string; loc?: { start: { line: number } } } & Record<string, unknown>;

/**
 * What the template reads of `vars`. Every reference counts for the whole value below it (a block
 * over vars.db, `json vars.db`, `lookup vars key` read things deployer cannot name), so a key is
 * reported unused only when nothing could read it. Undefined when the template does not parse
 * (that is a template error, reported elsewhere).
 */
export function templateVarsRefs(source: string): VarsRef[] | undefined {
  // A template beyond the bounds is a template error already; never parse it (template-bounds.ts).
  if (templateShapeError("", source)) return undefined;
  let ast: HbNode;
  try {
    ast = Handlebars.parse(source) as unknown as HbNode;
  } catch {
    return undefined;
  }
  const refs: VarsRef[] = [];
  const pathOf = (node: HbNode): string[] | undefined => {
    if (node.type !== "PathExpression") return undefined;
    let parts = [...(node.parts as string[])];
    if (node.data) {
      if (parts[0] !== "root") return undefined;
      parts = parts.slice(1);
    }
    return parts[0] === "vars" ? parts.slice(1) : undefined;
  };
  const add = (node: HbNode, extra: string[] = []) => {
    const p = pathOf(node);
    if (p) refs.push({ path: [...p, ...extra], line: node.loc?.start.line ?? 1 });
  };
  const call = (node: HbNode) => {
    const callee = node.path as HbNode;
    const params = (node.params as HbNode[] | undefined) ?? [];
    // lookup vars "key": the literal key; lookup vars other: all of vars.
    if (callee.type === "PathExpression" && (callee.parts as string[]).join(".") === "lookup" && params[1]?.type === "StringLiteral") {
      add(params[0]!, [String(params[1].value)]);
      params.slice(2).forEach(expr);
      return;
    }
    expr(callee);
    params.forEach(expr);
    const hash = node.hash as HbNode | undefined;
    if (hash) for (const pair of hash.pairs as HbNode[]) expr(pair.value as HbNode);
  };
  const expr = (node: HbNode | undefined) => {
    if (!node) return;
    if (node.type === "PathExpression") add(node);
    else if (node.type === "SubExpression") call(node);
  };
  const program = (node: HbNode | undefined) => {
    if (!node) return;
    for (const stmt of node.body as HbNode[]) {
      if (stmt.type === "MustacheStatement") call(stmt);
      else if (stmt.type === "BlockStatement") {
        call(stmt);
        program(stmt.program as HbNode | undefined);
        program(stmt.inverse as HbNode | undefined);
      }
    }
  };
  program(ast);
  return refs;
}

/**
 * Warnings about `vars` for `targets` (the selected ones). `rendered`: targets whose definition
 * rendered (a variable missing from a target that failed to render is already an error).
 */
export function varsWarnings(
  project: Project,
  targets: Target[],
  rendered: ReadonlySet<string> = new Set(targets.map((t) => t.name)),
): ConfigWarning[] {
  const templates = project.templates;
  if (!templates) return varsWarningsOf(project.template, targets, rendered);
  // Several services: a variable is unused when no service's template reads it (an environment's
  // vars are every service's); a variable missing from one target is compared within its service.
  const allRefs = Object.values(templates).flatMap((tpl) => templateVarsRefs(tpl.source) ?? []);
  const seen = new Set<string>();
  return Object.entries(templates)
    .flatMap(([key, tpl]) =>
      varsWarningsOf(
        tpl,
        targets.filter((t) => t.serviceKey === key),
        rendered,
        allRefs,
      ),
    )
    .filter((w) => {
      const id = `${w.location.file}:${w.location.line}:${w.field}:${w.message}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

function varsWarningsOf(
  template: { file: string; source: string },
  targets: Target[],
  rendered: ReadonlySet<string>,
  /** What the unused check counts as read (default: this template's references). */
  readByAny?: VarsRef[],
): ConfigWarning[] {
  const refs = templateVarsRefs(template.source);
  if (!refs) return [];
  const readRefs = readByAny ?? refs;
  const templateName = path.basename(template.file);
  const out: ConfigWarning[] = [];
  const seen = new Set<string>();
  const push = (w: ConfigWarning) => {
    const key = `${w.location.file}:${w.location.line}:${w.field}:${w.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(w);
  };
  const isPrefix = (a: string[], b: string[]) => a.length <= b.length && a.every((s, i) => s === b[i]);
  const usedNames = [...new Set(refs.filter((r) => r.path.length > 0).map((r) => r.path.join(".")))];

  // 1. Keys that nothing in the template can read.
  const unused = new Map<string, string[]>(); // target -> unused dotted paths below vars
  for (const t of targets) {
    const mine: string[] = [];
    const visit = (value: unknown, p: string[]) => {
      if (readRefs.some((r) => isPrefix(r.path, p))) return; // read, with everything below it
      if (p.length > 0 && !readRefs.some((r) => isPrefix(p, r.path))) {
        mine.push(p.join("."));
        const field = toDotted(["vars", ...p]);
        const guess = closest(
          p.join("."),
          usedNames.filter((n) => n !== p.join(".")),
        );
        push({
          message: "set, but the template never reads it",
          location: t.locations[field] ?? { file: t.file, line: 1, column: 1 },
          field,
          hint: `${guess ? `Did you mean vars.${guess} (read at ${templateName}:${refs.find((r) => r.path.join(".") === guess)!.line})? ` : ""}Unused vars are ignored: use it in ${templateName} or remove it.`,
        });
        return;
      }
      if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) visit(v, [...p, k]);
    };
    visit(t.vars, []);
    unused.set(t.name, mine);
  }

  // 2. A variable every other target sets, missing from one (it silently gets the fallback).
  if (targets.length >= 3) {
    const byPath = new Map<string, VarsRef>();
    for (const r of refs) if (r.path.length > 0 && !byPath.has(r.path.join("."))) byPath.set(r.path.join("."), r);
    for (const [name, ref] of byPath) {
      const lacking = targets.filter((t) => valueAt(t.vars, ref.path) === undefined);
      if (lacking.length !== 1) continue;
      const t = lacking[0]!;
      if (!rendered.has(t.name)) continue;
      const field = `vars.${name}`;
      const others = targets.filter((o) => o !== t).map((o) => o.name);
      const guess = closest(name, unused.get(t.name) ?? []);
      const varsLoc = t.locations["vars"];
      push({
        message: `every other target sets it (${others.join(", ")}); "${t.name}" does not and gets the template's fallback`,
        location: varsLoc?.file === t.file ? varsLoc : { file: t.file, line: 1, column: 1 },
        field,
        target: t.name,
        hint: `${guess ? `Did you mean to write vars.${name} instead of vars.${guess}? ` : ""}${templateName}:${ref.line} reads it; set it in ${path.basename(t.file)} if the fallback is not intended.`,
      });
    }
  }
  return out;
}

function valueAt(root: unknown, p: string[]): unknown {
  let cur = root;
  for (const s of p) {
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, s)) return undefined;
    cur = cur[s];
  }
  return cur;
}
