// Templates come from pull requests too. Handlebars compiles each expression into generated
// JavaScript (about 0.3 ms each, and deep block nesting costs far more), and `{{#each}}` multiplies
// what its body writes by the length of a list: a 1 MiB template of 60 000 expressions took 11 s
// and 2 GB, 40 000 nested ifs never finished, and three nested `each` over a 5 000-item list would
// write 10^11 copies. So, before Handlebars sees a template:
// - a cheap scan bounds the number of expressions and the nesting of blocks (per template);
// - an upper bound of what rendering could write for a target (each `each` counted at the longest
//   list or map of the target's values, each value at its real size where the path is known, else
//   at the largest value, JSON escaping included) must stay under maxRenderedBytes. A task definition
//   is a few KiB, so the bound only stops amplification, never a real template.
import Handlebars from "handlebars";
import { DeployerError } from "../errors.js";

export const TEMPLATE_LIMITS = {
  /** `{{…}}` expressions in one template. */
  maxExpressions: 500,
  /** Blocks (`{{#if}}`, `{{#each}}`…) inside each other. */
  maxDepth: 32,
  /** Upper bound of the rendered text for one target. */
  maxRenderedBytes: 2 * 1024 * 1024,
} as const;

/** Expression count and block nesting, by scanning the text (no parsing). Undefined when within bounds. */
export function templateShapeError(file: string, source: string): DeployerError | undefined {
  const hit = shapeCache.get(file);
  if (hit && hit.source === source) return hit.error;
  const error = shapeError(file, source);
  shapeCache.set(file, { source, error });
  return error;
}

const shapeCache = new Map<string, { source: string; error: DeployerError | undefined }>();

function shapeError(file: string, source: string): DeployerError | undefined {
  let count = 0;
  let depth = 0;
  const re = /\{\{~?\s*([#^/]?)(\s*\}\})?/g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    count++;
    if (count > TEMPLATE_LIMITS.maxExpressions) {
      return new DeployerError({
        code: "TEMPLATE_ERROR",
        message: `the template has more than ${TEMPLATE_LIMITS.maxExpressions.toLocaleString("en-US")} {{…}} expressions (by this line)`,
        location: locationOf(file, source, m.index),
        hint: "A task-definition template needs a few dozen expressions; repeated content belongs in a {{#each}} over a list in vars.",
      });
    }
    const kind = m[1];
    const bare = m[2] !== undefined; // `{{^}}` is an else, not a block
    if (kind === "#" || (kind === "^" && !bare)) {
      depth++;
      if (depth > TEMPLATE_LIMITS.maxDepth) {
        return new DeployerError({
          code: "TEMPLATE_ERROR",
          message: `blocks are nested more than ${TEMPLATE_LIMITS.maxDepth} deep in the template`,
          location: locationOf(file, source, m.index),
          hint: "Flatten the {{#if}}/{{#each}}/{{#with}} blocks.",
        });
      }
    } else if (kind === "/") {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

type HbNode = { type: string; loc?: { start: { line: number; column: number } } } & Record<string, unknown>;

const astCache = new Map<string, { source: string; ast: HbNode | undefined }>();

function parsed(file: string, source: string): HbNode | undefined {
  const hit = astCache.get(file);
  if (hit && hit.source === source) return hit.ast;
  let ast: HbNode | undefined;
  try {
    ast = Handlebars.parse(source) as unknown as HbNode;
  } catch {
    ast = undefined; // a syntax error: the template engine reports it
  }
  astCache.set(file, { source, ast });
  return ast;
}

interface ContextSizes {
  /** Longest list, or map with the most keys. */
  maxItems: number;
  /** Largest scalar, as text. */
  maxScalar: number;
  /** The whole context as JSON. */
  whole: number;
}

/**
 * An upper bound of what rendering `source` with `context` can write; an error when it exceeds
 * maxRenderedBytes (at the `{{#each}}` that multiplies the most, else the template's first line).
 */
export function renderSizeError(
  file: string,
  source: string,
  context: Record<string, unknown>,
  targetName: string,
): DeployerError | undefined {
  const ast = parsed(file, source);
  if (!ast) return undefined;
  const sizes = measureContext(context);
  const limit = TEMPLATE_LIMITS.maxRenderedBytes;
  let worst: { line: number; column: number } | undefined;

  const valueSize = (node: HbNode | undefined, json: boolean, scoped: boolean): number => {
    if (node?.type === "PathExpression" && !scoped && !node.data && (node.depth as number) === 0) {
      const v = lookup(context, node.parts as string[]);
      if (v === undefined) return 0;
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects are counted as 0 in the same expression
      return json ? jsonLength(v) : typeof v === "object" && v !== null ? 0 : String(v).length * 6; // JSON escaping at most ×6
    }
    return json ? sizes.whole : sizes.maxScalar * 6;
  };
  const helperOf = (node: HbNode): string | undefined => {
    const p = node.path as HbNode;
    return p.type === "PathExpression" ? (p.parts as string[]).join(".") : undefined;
  };
  const estimate = (program: HbNode | undefined, mult: number, scoped: boolean): number => {
    if (!program) return 0;
    let total = 0;
    for (const stmt of program.body as HbNode[]) {
      if (total > limit) break;
      if (stmt.type === "ContentStatement") total += String(stmt.value).length * mult;
      else if (stmt.type === "MustacheStatement") {
        const helper = helperOf(stmt);
        const params = (stmt.params as HbNode[]) ?? [];
        const size =
          helper === "json"
            ? valueSize(params[0], true, scoped)
            : params.length === 0
              ? valueSize(stmt.path as HbNode, false, scoped)
              : Math.max(sizes.maxScalar * 6, ...params.map((p) => valueSize(p, false, scoped)));
        total += size * mult;
      } else if (stmt.type === "BlockStatement") {
        const helper = helperOf(stmt);
        const iterates = helper === "each";
        const inner = iterates ? mult * Math.max(1, sizes.maxItems) : mult;
        const scopedInside = scoped || iterates || helper === "with";
        total +=
          estimate(stmt.program as HbNode | undefined, inner, scopedInside) + estimate(stmt.inverse as HbNode | undefined, mult, scoped);
        if (total > limit && iterates && !worst) worst = stmt.loc?.start;
      }
    }
    return total;
  };
  const bound = estimate(ast, 1, false);
  if (bound <= limit) return undefined;
  return new DeployerError({
    code: "TEMPLATE_ERROR",
    message: `the template could write more than ${limit / (1024 * 1024)} MiB for target "${targetName}" (its values: up to ${sizes.maxScalar.toLocaleString("en-US")} characters each, lists and maps of up to ${sizes.maxItems.toLocaleString("en-US")} items, which {{#each}} repeats)`,
    target: targetName,
    location: { file, line: worst?.line ?? 1, column: (worst?.column ?? 0) + 1 },
    hint: "A task definition is a few KiB: keep large data out of vars, iterate over short lists only, and do not nest {{#each}} over large ones.",
  });
}

function measureContext(context: Record<string, unknown>): ContextSizes {
  const sizes: ContextSizes = { maxItems: 0, maxScalar: 0, whole: jsonLength(context) };
  const seen = new Set<unknown>();
  const visit = (v: unknown) => {
    if (v !== null && typeof v === "object") {
      if (seen.has(v)) return;
      seen.add(v);
      const items = Array.isArray(v) ? v : Object.values(v);
      sizes.maxItems = Math.max(sizes.maxItems, items.length);
      for (const item of items) visit(item);
    } else if (v !== undefined && v !== null) {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scalar leaf of the values
      sizes.maxScalar = Math.max(sizes.maxScalar, String(v).length);
    }
  };
  visit(context);
  return sizes;
}

function lookup(root: unknown, parts: string[]): unknown {
  let cur = root;
  for (const p of parts) {
    if (cur === null || typeof cur !== "object" || !Object.prototype.hasOwnProperty.call(cur, p)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function jsonLength(v: unknown): number {
  try {
    return JSON.stringify(v)?.length ?? 0;
  } catch {
    return 0;
  }
}

function locationOf(file: string, source: string, offset: number): { file: string; line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf("\n"); i !== -1 && i < offset; i = source.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { file, line, column: offset - lineStart + 1 };
}
