// The Handlebars set-up for task-definition templates, whose output is JSON:
// - strict: a missing value is an error naming the expression and the template line, never "";
// - `{{x}}` is JSON-string escaped (quotes, backslashes, newlines, control characters), so a value
//   cannot break out of the string it sits in; `{{json x}}` writes a value as JSON;
// - helpers: json, default, eq, upper, lower (plus Handlebars' if, unless, each, with, lookup);
//   nothing that touches the filesystem or the environment, no partials, no prototype access;
// - each template is compiled once and cached;
// - output positions map back to template lines (for JSON and schema errors);
// - taint: values under `sensitive:` paths enter the context as opaque Sensitive boxes. Every helper
//   and lookup that takes one gives a Sensitive result (upper, lower, default, lookup by a sensitive
//   key, json), and whatever a Sensitive value writes into the output is marked: the render reports
//   the exact output ranges and texts that came from sensitive input (RenderedText.tainted), so
//   they are redacted by position, whatever their length or encoding. What would let a template
//   spell a secret out by other means is refused: comparing it (`eq`), reading inside it (`lookup`
//   of a character, `each`, a `.path` into it). Only its presence can steer `if` / `unless`.
import Handlebars from "handlebars";
import type { SourceLocation } from "../errors.js";

type HbNode = { type: string; loc?: HbLoc } & Record<string, unknown>;
interface HbLoc {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

/** An error found while compiling or running a template, with its template position (1-based). */
export class TemplateFailure extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "TemplateFailure";
  }
}

export interface RenderedText {
  /** The output, free of position markers. */
  text: string;
  /** Template position of an output offset (exact for template text, approximate after a substituted value). */
  positionOf(offset: number): { line: number; column: number };
  /** Output ranges [start, end) written from sensitive input (see Sensitive). */
  tainted: Array<{ start: number; end: number }>;
  /** What sensitive expressions wrote, unescaped (the value, its upper-cased form, its JSON…). */
  sensitiveTexts: string[];
  /** True when the output offset lies in a tainted range. */
  isTainted(offset: number): boolean;
}

type Primitive = string | number | boolean;

/**
 * A value from a `sensitive:` path (or computed from one) in the template context: opaque to the
 * template (no properties, nothing to iterate), unwrapped only by deployer's helpers, and marked
 * wherever it is written.
 */
export class Sensitive {
  readonly #value: Primitive;
  constructor(value: Primitive) {
    this.#value = value;
  }
  get value(): Primitive {
    return this.#value;
  }
  toString(): string {
    return "(sensitive)";
  }
}

/** A copy of `v` whose every leaf is Sensitive (maps and lists keep their shape, so paths into them work). */
export function taintDeep(v: unknown): unknown {
  if (v instanceof Sensitive) return v;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return new Sensitive(v);
  if (Array.isArray(v)) return v.map(taintDeep);
  if (v !== null && typeof v === "object") {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, item] of Object.entries(v)) out[k] = taintDeep(item);
    return out;
  }
  return v;
}

function containsSensitive(v: unknown, depth = 0): boolean {
  if (v instanceof Sensitive) return true;
  if (depth > 64 || v === null || typeof v !== "object") return false;
  return Object.values(v).some((item) => containsSensitive(item, depth + 1));
}

const unwrap = (v: unknown): unknown => (v instanceof Sensitive ? v.value : v);

export interface CompiledTemplate {
  file: string;
  render(context: Record<string, unknown>): RenderedText;
}

export const TEMPLATE_HELPERS = ["json", "default", "eq", "upper", "lower"] as const;
const BUILTIN_HELPERS = ["if", "unless", "each", "with", "lookup"];
/** Helpers whose arguments may be missing (that is their point). */
const LENIENT_HELPERS = new Set(["default", "if", "unless"]);
const FORBIDDEN_SEGMENTS = new Set([
  "constructor",
  "__proto__",
  "prototype",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toString",
  "valueOf",
  "toLocaleString",
]);

// Position markers put into template text, and taint markers around what sensitive values write
// (private-use characters; removed from the output). Inserted values never carry them: they are
// escaped (`\ue000`) or dropped.
const MARK_OPEN = "\uE000";
const MARK_CLOSE = "\uE001";
const TAINT_OPEN = "\uE002";
const TAINT_CLOSE = "\uE003";
const MARKS = /[\uE000-\uE003]/g;
const escapeMarks = (s: string) => s.replace(MARKS, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

/** Per-render state, reached by helpers through Handlebars' private data (`options.data`). */
interface TaintState {
  texts: string[];
}

const hb = Handlebars.create();
hb.unregisterHelper("log");

interface HelperOptions {
  loc?: HbLoc;
  name?: string;
  data?: { deployerTaint?: TaintState };
  hash?: Record<string, unknown>;
  fn?: (context: unknown) => string;
  inverse?: (context: unknown) => string;
  lookupProperty?: (obj: unknown, key: unknown) => unknown;
}
const record = (options: HelperOptions | undefined, text: string) => {
  if (text !== "") options?.data?.deployerTaint?.texts.push(text);
};
const tainted = (text: string) => new hb.SafeString(`${TAINT_OPEN}${text}${TAINT_CLOSE}`);
const locOf = (options: HelperOptions | undefined): [number, number] => [
  options?.loc?.start.line ?? 1,
  (options?.loc?.start.column ?? 0) + 1,
];
const fail = (options: HelperOptions | undefined, message: string, hint?: string): never => {
  const [line, column] = locOf(options);
  throw new TemplateFailure(message, line, column, hint);
};

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a map" : `a ${typeof v}`;
}

/** `{{expr}}` and `{{{expr}}}`: the value must exist; escaped output is JSON-string safe. */
hb.registerHelper("__out", function (value: unknown, source: string, escape: boolean, options: HelperOptions) {
  // Only deployer's own helpers (json) make SafeStrings, already free of stray markers.
  if (value instanceof hb.SafeString) return value;
  const sensitive = value instanceof Sensitive;
  const v = unwrap(value);
  if (v === undefined || v === null) {
    return fail(options, `{{${source}}} is ${v === null ? "null" : "not defined"}`, missingHint(source));
  }
  if (typeof v === "object" || typeof v === "function") {
    return fail(
      options,
      `{{${source}}} is ${typeName(v)}, which has no text form`,
      `Write it as JSON with {{json ${source}}} (outside quotes).`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects and functions were refused above
  const text = String(v);
  const out = escape ? escapeMarks(JSON.stringify(text).slice(1, -1)) : text.replace(MARKS, "");
  if (!sensitive) return new hb.SafeString(out);
  record(options, text);
  return tainted(out);
});

/** A path used as a helper argument: it must exist. */
hb.registerHelper("__get", function (value: unknown, source: string, options: HelperOptions) {
  if (value === undefined) return fail(options, `${source} is not defined`, missingHint(source));
  return value;
});

hb.registerHelper("json", function (...args: unknown[]) {
  const options = args.pop() as HelperOptions;
  if (args.length !== 1) return fail(options, `json takes one value, got ${args.length}`, "Write {{json vars.x}}.");
  const value = args[0];
  if (value === undefined) return fail(options, "json: the value is not defined");
  let sensitive = false;
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (!(v instanceof Sensitive)) return v;
    sensitive = true;
    record(options, String(v.value));
    return v.value;
  });
  // Markers can only be inside JSON strings: `\ue000` there is the same string, and no marker.
  const out = escapeMarks(text);
  if (!sensitive) return new hb.SafeString(out);
  record(options, text);
  return tainted(out);
});

hb.registerHelper("default", function (...args: unknown[]) {
  const options = args.pop() as HelperOptions;
  if (args.length !== 2)
    return fail(options, `default takes a value and a fallback, got ${args.length} argument(s)`, 'Write {{default vars.x "fallback"}}.');
  const [value, fallback] = args;
  const v = unwrap(value);
  return v === undefined || v === null || v === "" ? fallback : value;
});

hb.registerHelper("eq", function (...args: unknown[]) {
  const options = args.pop() as HelperOptions;
  if (args.length !== 2) return fail(options, `eq takes two values, got ${args.length}`, 'Write {{#if (eq target.stage "prod")}}…{{/if}}.');
  if (args.some((a) => containsSensitive(a))) {
    return fail(
      options,
      "eq cannot compare a sensitive value",
      "Which branch a comparison takes would tell the output what the secret is. Test only whether it is set ({{#if vars.x}}), or compare a value that is not marked sensitive.",
    );
  }
  return args[0] === args[1];
});

for (const [name, fn] of [
  ["upper", (s: string) => s.toUpperCase()],
  ["lower", (s: string) => s.toLowerCase()],
] as const) {
  hb.registerHelper(name, function (...args: unknown[]) {
    const options = args.pop() as HelperOptions;
    if (args.length !== 1) return fail(options, `${name} takes one value, got ${args.length}`);
    const v = unwrap(args[0]);
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")
      return fail(options, `${name} needs text, got ${typeName(v)}`);
    const out = fn(String(v));
    return args[0] instanceof Sensitive ? new Sensitive(out) : out;
  });
}

// Handlebars' built-ins, taint-aware: the originals do the work on unwrapped values.
const builtinIf = hb.helpers.if as (this: unknown, conditional: unknown, options: HelperOptions) => unknown;
const builtinUnless = hb.helpers.unless as (this: unknown, conditional: unknown, options: HelperOptions) => unknown;
const builtinEach = hb.helpers.each as (this: unknown, context: unknown, options: HelperOptions) => unknown;
const builtinLookup = hb.helpers.lookup as (this: unknown, obj: unknown, field: unknown, options: HelperOptions) => unknown;

hb.registerHelper("if", function (this: unknown, conditional: unknown, options: HelperOptions) {
  return builtinIf.call(this, unwrap(conditional), options);
});
hb.registerHelper("unless", function (this: unknown, conditional: unknown, options: HelperOptions) {
  return builtinUnless.call(this, unwrap(conditional), options);
});
hb.registerHelper("each", function (this: unknown, context: unknown, options: HelperOptions) {
  if (context instanceof Sensitive)
    return fail(
      options,
      "each cannot go through a sensitive value",
      "Iterate over a list or map; a sensitive text is written whole with {{vars.x}}.",
    );
  return builtinEach.call(this, context, options);
});
hb.registerHelper("lookup", function (this: unknown, obj: unknown, field: unknown, options: HelperOptions) {
  if (obj instanceof Sensitive)
    return fail(
      options,
      "lookup cannot read inside a sensitive value",
      "A sensitive text is written whole with {{vars.x}}; reading its characters one by one would spell it out.",
    );
  if (typeof obj === "string") return fail(options, "lookup reads map keys and list items, not characters of text");
  const result = builtinLookup.call(this, obj, unwrap(field), options);
  // A table looked up by a secret tells which entry the secret selects: the result is sensitive too.
  return field instanceof Sensitive ? taintDeep(result) : result;
});

function missingHint(source: string): string {
  const m = /^(?:\.\.\/)*vars\.([\w.-]+)$/.exec(source);
  if (m)
    return `Define vars.${m[1]} in the target's environment file (or in _defaults.yaml / _<stage>.yaml), or write {{default ${source} "fallback"}}.`;
  return `The template context has: service, target.{name,stage,account,region,cluster,service}, image, taskRole, executionRole, vars. Helpers: ${TEMPLATE_HELPERS.join(", ")}.`;
}

// ---------------------------------------------------------------------------------------------
// AST rewriting: every mustache goes through __out, every path argument through __get, and the
// template text carries position markers.

const path = (name: string, loc?: HbLoc): HbNode => ({ type: "PathExpression", data: false, depth: 0, parts: [name], original: name, loc });
const str = (value: string, loc?: HbLoc): HbNode => ({ type: "StringLiteral", value, original: value, loc });
const bool = (value: boolean, loc?: HbLoc): HbNode => ({ type: "BooleanLiteral", value, original: value, loc });

function sourceOf(node: HbNode): string {
  switch (node.type) {
    case "PathExpression":
      return String(node.original);
    case "StringLiteral":
      return JSON.stringify(node.value);
    case "NumberLiteral":
    case "BooleanLiteral":
      return String(node.original);
    case "UndefinedLiteral":
      return "undefined";
    case "NullLiteral":
      return "null";
    case "SubExpression":
      return `(${callSource(node)})`;
    default:
      return node.type;
  }
}

function callSource(node: HbNode): string {
  const params = (node.params as HbNode[]).map(sourceOf);
  const hash = node.hash ? ((node.hash as HbNode).pairs as HbNode[]).map((p) => `${String(p.key)}=${sourceOf(p.value as HbNode)}`) : [];
  return [sourceOf(node.path as HbNode), ...params, ...hash].join(" ");
}

function checkPath(node: HbNode): void {
  if (node.type !== "PathExpression") return;
  for (const part of node.parts as string[]) {
    if (FORBIDDEN_SEGMENTS.has(part)) {
      throw new TemplateFailure(
        `"${String(node.original)}": access to "${part}" is not allowed in templates`,
        node.loc?.start.line ?? 1,
        (node.loc?.start.column ?? 0) + 1,
        "Templates read configuration values only (service, target, image, taskRole, executionRole, vars).",
      );
    }
  }
}

function helperName(node: HbNode): string | undefined {
  const p = node.path as HbNode;
  return p.type === "PathExpression" && (p.parts as string[]).length === 1 && !p.data ? String((p.parts as string[])[0]) : undefined;
}

const isHelperName = (name: string | undefined) =>
  name !== undefined && ((TEMPLATE_HELPERS as readonly string[]).includes(name) || BUILTIN_HELPERS.includes(name));

/** A helper argument: paths must resolve (unless the helper is lenient); subexpressions are rewritten. */
function argument(node: HbNode, lenient: boolean): HbNode {
  checkPath(node);
  if (node.type === "SubExpression") return call(node);
  if (node.type === "PathExpression" && !lenient) {
    return { type: "SubExpression", path: path("__get", node.loc), params: [node, str(String(node.original), node.loc)], loc: node.loc };
  }
  return node;
}

/** Rewrites the arguments of a helper call (mustache, block or subexpression), in place. */
function call(node: HbNode): HbNode {
  checkPath(node.path as HbNode);
  const lenient = LENIENT_HELPERS.has(helperName(node) ?? "");
  (node as Record<string, unknown>).params = (node.params as HbNode[]).map((p) => argument(p, lenient));
  if (node.hash) for (const pair of (node.hash as HbNode).pairs as HbNode[]) pair.value = argument(pair.value as HbNode, false);
  return node;
}

function rewriteProgram(program: HbNode | undefined): void {
  if (!program) return;
  program.body = (program.body as HbNode[]).map(rewriteStatement);
}

function rewriteStatement(node: HbNode): HbNode {
  switch (node.type) {
    case "ContentStatement":
      return { ...node, value: markText(node) };
    case "MustacheStatement": {
      const source = callSource(node);
      const isCall = (node.params as HbNode[]).length > 0 || node.hash !== undefined || isHelperName(helperName(node));
      checkPath(node.path as HbNode);
      const inner: HbNode = isCall
        ? call({ type: "SubExpression", path: node.path, params: node.params, hash: node.hash, loc: node.loc })
        : (node.path as HbNode);
      return {
        type: "MustacheStatement",
        path: path("__out", node.loc),
        params: [inner, str(source, node.loc), bool(node.escaped !== false, node.loc)],
        hash: undefined,
        escaped: false,
        strip: node.strip,
        loc: node.loc,
      };
    }
    case "BlockStatement": {
      call(node);
      rewriteProgram(node.program as HbNode | undefined);
      rewriteProgram(node.inverse as HbNode | undefined);
      return node;
    }
    case "CommentStatement":
      return node;
    case "PartialStatement":
    case "PartialBlockStatement":
      throw new TemplateFailure(
        "partials are not supported",
        node.loc?.start.line ?? 1,
        (node.loc?.start.column ?? 0) + 1,
        "Keep the task definition in one template file.",
      );
    default:
      throw new TemplateFailure(`${node.type} is not supported in templates`, node.loc?.start.line ?? 1, (node.loc?.start.column ?? 0) + 1);
  }
}

/** Template text with a position marker at its start and after every line break. */
function markText(node: HbNode): string {
  const value = String(node.value);
  if (value === "") return value;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a Handlebars content node's original is template text
  const original = String(node.original ?? value);
  const loc = node.loc!;
  // Whitespace control may have stripped the start: find where the kept text begins.
  const skipped = Math.max(0, original.indexOf(value));
  const before = original.slice(0, skipped);
  const nl = before.lastIndexOf("\n");
  let line = loc.start.line + (before.match(/\n/g)?.length ?? 0);
  let column = nl === -1 ? loc.start.column + skipped + 1 : skipped - nl;
  let out = `${MARK_OPEN}${line}:${column}${MARK_CLOSE}`;
  for (const ch of value) {
    out += ch;
    if (ch === "\n") {
      line++;
      column = 1;
      out += `${MARK_OPEN}${line}:${column}${MARK_CLOSE}`;
    }
  }
  return out;
}

function stripMarks(raw: string, sensitiveTexts: string[]): RenderedText {
  const marks: Array<{ offset: number; line: number; column: number }> = [];
  const tainted: Array<{ start: number; end: number }> = [];
  const open: number[] = [];
  let text = "";
  let from = 0;
  const re = /\uE000(\d+):(\d+)\uE001|\uE002|\uE003/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    text += raw.slice(from, m.index);
    from = m.index + m[0].length;
    if (m[0] === TAINT_OPEN) open.push(text.length);
    else if (m[0] === TAINT_CLOSE) {
      const start = open.pop() ?? 0;
      // Nested ranges (a sensitive json inside a sensitive block) are covered by the outer one.
      if (open.length === 0 && text.length > start) tainted.push({ start, end: text.length });
    } else marks.push({ offset: text.length, line: Number(m[1]), column: Number(m[2]) });
  }
  text += raw.slice(from);
  const texts = [...new Set(sensitiveTexts.filter((t) => t !== ""))].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return {
    text,
    tainted,
    sensitiveTexts: texts,
    isTainted(offset: number) {
      return tainted.some((r) => offset >= r.start && offset < r.end);
    },
    positionOf(offset: number) {
      let lo = 0;
      let hi = marks.length - 1;
      let best = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (marks[mid]!.offset <= offset) {
          best = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (best === -1) return { line: 1, column: offset + 1 };
      const m = marks[best]!;
      return { line: m.line, column: m.column + (offset - m.offset) };
    },
  };
}

// ---------------------------------------------------------------------------------------------

const cache = new Map<string, CompiledTemplate>();

/** Compiles (once per file and source) a task-definition template. Throws TemplateFailure. */
export function compileTemplate(file: string, source: string): CompiledTemplate {
  const key = `${file}\0${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let ast: HbNode;
  try {
    ast = hb.parse(source) as unknown as HbNode;
  } catch (e) {
    throw fromHandlebarsError(e);
  }
  rewriteProgram(ast);
  const knownHelpers: Record<string, boolean> = { __out: true, __get: true, log: false };
  for (const h of TEMPLATE_HELPERS) knownHelpers[h] = true;
  const run = hb.compile(ast, {
    knownHelpers,
    knownHelpersOnly: true,
    noEscape: true,
    strict: false,
    data: true,
  });
  const compiled: CompiledTemplate = {
    file,
    render(context) {
      let raw: string;
      const taint: TaintState = { texts: [] };
      try {
        raw = run(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false, data: { deployerTaint: taint } });
      } catch (e) {
        throw fromHandlebarsError(e);
      }
      return stripMarks(raw, taint.texts);
    },
  };
  cache.set(key, compiled);
  return compiled;
}

function fromHandlebarsError(e: unknown): TemplateFailure {
  if (e instanceof TemplateFailure) return e;
  const err = e as Error & { lineNumber?: number; column?: number };
  const message = (err.message ?? String(e)).replace(/ - \d+:\d+$/, "");
  const parse = /^Parse error on line (\d+):\n([\s\S]*)$/.exec(message);
  if (parse) {
    const [, line, rest] = parse;
    const lines = rest!.split("\n");
    const caret = lines[1]?.indexOf("^") ?? -1;
    return new TemplateFailure(
      `Handlebars syntax error: ${lines
        .slice(2)
        .join(" ")
        .replace(/^Expecting /, "expecting ")}`,
      Number(line),
      caret >= 0 ? caret + 1 : 1,
      "Check that every {{#block}} has its {{/block}} and every {{ has its }}.",
    );
  }
  const unknownHelper = /unknown helper (\S+)/.exec(message);
  if (unknownHelper) {
    return new TemplateFailure(
      `unknown helper "${unknownHelper[1]}"`,
      err.lineNumber ?? 1,
      (err.column ?? 0) + 1,
      `Helpers: ${TEMPLATE_HELPERS.join(", ")}, and Handlebars' if, unless, each, with, lookup.`,
    );
  }
  return new TemplateFailure(message, err.lineNumber ?? 1, (err.column ?? 0) + 1);
}

/** A template position as a SourceLocation. */
export function templateLocation(file: string, pos: { line: number; column: number }): SourceLocation {
  return { file, line: pos.line, column: Math.max(1, pos.column) };
}
