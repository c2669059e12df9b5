// Reads a YAML file keeping source positions: the plain value plus, for every node, where it was
// written (so a JSON pointer from Ajv, or any later check, can name the file, line and column).
//
// Configuration files come from pull requests too, so parsing is bounded before anything can grow:
// - while lexing, a token budget and a nesting bound stop the parser early (the `yaml` library
//   spends microseconds per token, and its composer recurses once per level);
// - the composed document is then measured WITHOUT expanding aliases: each anchored node's size and
//   depth are computed once, and every alias adds its anchor's size to a running total, so an alias
//   bomb is refused at the first alias that makes the document too big, with its line;
// - only then are positions recorded and the value built, from the measured graph. (The library's
//   own maxAliasCount applies inside its toJS, after the whole document is composed, and its alias
//   resolution there is itself quadratic for some shapes: an 8 KiB file of aliases of an alias of an
//   empty list took a second. Aliases here resolve through the map measure() built.)
// See YAML_LIMITS for the numbers (and the README, "Limits").
import {
  Composer,
  Lexer,
  LineCounter,
  Parser,
  YAMLParseError,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Document,
  type Node as YamlNode,
  type CST,
} from "yaml";
import { DeployerError, type SourceLocation } from "../errors.js";
import { toPointer, type PathSegment } from "./paths.js";

/** Bounds every configuration file is parsed within (each file on its own). */
export const YAML_LIMITS = {
  /** Values (map keys, map values, list items, nested maps and lists), counting every alias as the copy it stands for. */
  maxNodes: 2_000,
  /** Levels of maps and lists inside each other, aliases expanded. */
  maxDepth: 64,
  /**
   * Tokens the lexer may produce (keys, values, punctuation, indentation, line breaks, comments).
   * 2 000 values written one `key: value` per line take about 6 000; this bounds the work done
   * before the document exists to be measured (measured: ~0.3 s of CPU and ~20 MB at the limit).
   */
  maxTokens: 16_000,
} as const;

export interface NodeInfo {
  /** Where the value starts (for an empty value: where its key is). */
  loc: SourceLocation;
  /** Where the key is, for a map entry. */
  keyLoc?: SourceLocation;
  kind: "map" | "seq" | "scalar";
  /** The scalar exactly as written (`012345678901`, `"x"`), for hints. */
  raw?: string;
  /** PLAIN, QUOTE_DOUBLE, QUOTE_SINGLE, BLOCK_LITERAL, BLOCK_FOLDED. */
  scalarStyle?: string;
}

export interface YamlSource {
  file: string;
  /** The plain JavaScript value (undefined when the file could not be parsed). */
  value: unknown;
  /** YAML syntax errors and limit violations, each with its position. */
  errors: DeployerError[];
  /** Every node by JSON pointer ("" is the root). */
  nodes: Map<string, NodeInfo>;
}

type At = (offset: number) => SourceLocation;

/** Thrown from inside the token stream to stop the parser at once. */
class LimitExceeded extends Error {
  constructor(
    readonly offset: number,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const at: At = (offset) => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  const nodes = new Map<string, NodeInfo>();
  const refused = (offset: number, message: string, hint: string): YamlSource => ({
    file,
    value: undefined,
    errors: [new DeployerError({ code: "CONFIG_INVALID", message, location: at(offset), hint })],
    nodes,
  });

  let doc: Document.Parsed;
  try {
    doc = composeBounded(text, lineCounter);
  } catch (e) {
    // The line counter knows every line up to where the parser stopped.
    if (e instanceof LimitExceeded) return refused(e.offset, e.message, e.hint);
    throw e;
  }

  // One error per line: after the first, the parser's follow-up complaints are mostly echoes.
  const seenLines = new Set<number>();
  const firstPerLine = doc.errors.filter((e) => {
    const line = lineCounter.linePos(e.pos[0]).line;
    if (seenLines.has(line)) return false;
    seenLines.add(line);
    return true;
  });
  const errors = firstPerLine.map(
    (e) =>
      new DeployerError({
        code: "YAML_SYNTAX",
        message: `YAML syntax error: ${e.message}`,
        location: at(errorOffset(text, e.pos[0], e.message)),
        hint: yamlHint(e.code),
      }),
  );
  if (errors.length > 0) return { file, value: undefined, errors, nodes };

  const root = doc.contents as YamlNode | null;
  const measured = measure(root, at);
  if (measured.problem) {
    const p = measured.problem;
    return {
      file,
      value: undefined,
      errors: [new DeployerError({ code: p.code, message: p.message, location: at(p.offset), hint: p.hint })],
      nodes,
    };
  }

  nodes.set("", root ? describe(root, measured.targets, text, at) : { loc: { file, line: 1, column: 1 }, kind: "scalar" });
  if (root) walk(root, [], measured.targets, text, at, nodes);
  const value = root ? toValue(root, measured.targets, new Map()) : null;
  return { file, value, errors, nodes };
}

/** parseDocument, but fed token by token so the budget and the nesting bound apply while lexing. */
function composeBounded(text: string, lineCounter: LineCounter): Document.Parsed {
  const parser = new Parser(lineCounter.addNewLine);
  // The library's composer recurses once per level of the CST stack (~1-2 entries per YAML
  // level): stop well before the stack is deep, well after any document maxDepth accepts.
  const maxStack = 2 * YAML_LIMITS.maxDepth + 8;
  function* tokens(): Generator<CST.Token> {
    lineCounter.addNewLine(0);
    let count = 0;
    for (const lexeme of new Lexer().lex(text)) {
      if (++count > YAML_LIMITS.maxTokens) {
        throw new LimitExceeded(
          parser.offset,
          `too much YAML: more than ${YAML_LIMITS.maxTokens.toLocaleString("en-US")} tokens by this line (deployer reads at most ${YAML_LIMITS.maxNodes.toLocaleString("en-US")} values per file)`,
          "Configuration files hold a few hundred values; generated data does not belong here.",
        );
      }
      yield* parser.next(lexeme);
      if (parser.stack.length > maxStack) {
        throw new LimitExceeded(parser.offset, `YAML nested more than ${YAML_LIMITS.maxDepth} levels deep`, depthHint);
      }
    }
    yield* parser.end();
  }
  // uniqueKeys off: the library compares every key with every other (quadratic); measure() checks.
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false });
  let doc: Document.Parsed | undefined;
  for (const d of composer.compose(tokens(), true, text.length)) {
    if (!doc) {
      doc = d;
    } else {
      doc.errors.push(new YAMLParseError([d.range[0], d.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents"));
      break;
    }
  }
  return doc!;
}

const depthHint = "Configuration is a few levels deep (vars may nest maps and lists); flatten the structure.";

interface Measure {
  /** Nodes this node stands for, aliases expanded (saturates above the limit). */
  size: number;
  /** Levels below and including this node, aliases expanded. */
  height: number;
}

interface Problem {
  code: "CONFIG_INVALID" | "YAML_SYNTAX";
  offset: number;
  message: string;
  hint?: string;
}

/**
 * Sizes and depths of the document without expanding any alias, in document order (the order in
 * which an alias finds "the last anchor of its name before it"). Also: the node every alias refers
 * to, duplicate keys, keys that are not plain values.
 */
function measure(root: YamlNode | null, at: At): { targets: Map<YamlNode, YamlNode>; problem?: Problem } {
  const targets = new Map<YamlNode, YamlNode>();
  const anchors = new Map<string, YamlNode>();
  const done = new Map<YamlNode, Measure>();
  const open = new Set<YamlNode>();
  let total = 0;
  const LIMIT = YAML_LIMITS.maxNodes;
  const start = (n: YamlNode | null | undefined) => n?.range?.[0] ?? 0;

  class Stop extends Error {
    constructor(readonly problem: Problem) {
      super(problem.message);
    }
  }
  const stop = (p: Problem): never => {
    throw new Stop(p);
  };

  const visit = (node: YamlNode, depth: number): Measure => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) {
        return stop({
          code: "YAML_SYNTAX",
          offset: start(node),
          message: `YAML error: alias *${node.source} has no anchor &${node.source} before it`,
          hint: "Define the anchor (&name) before the first alias (*name) that uses it.",
        });
      }
      if (open.has(target)) {
        return stop({
          code: "CONFIG_INVALID",
          offset: start(node),
          message: `alias *${node.source} is inside the value it refers to (a cycle)`,
          hint: "An alias cannot refer to a map or list that contains it.",
        });
      }
      targets.set(node, target);
      const m = done.get(target)!;
      total = Math.min(total + m.size, LIMIT + 1);
      if (total > LIMIT) {
        return stop({
          code: "CONFIG_INVALID",
          offset: start(node),
          message: `alias *${node.source} expands the file beyond ${LIMIT.toLocaleString("en-US")} values (aliases count as the copies they stand for)`,
          hint: "Aliases that repeat aliases multiply; configuration never needs that many values. Write the values out, or use _defaults.yaml for shared values.",
        });
      }
      if (depth - 1 + m.height > YAML_LIMITS.maxDepth) {
        return stop({
          code: "CONFIG_INVALID",
          offset: start(node),
          message: `alias *${node.source} nests the file more than ${YAML_LIMITS.maxDepth} levels deep`,
          hint: depthHint,
        });
      }
      return m;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node);
    total += 1;
    if (total > LIMIT) {
      return stop({
        code: "CONFIG_INVALID",
        offset: start(node),
        message: `more than ${LIMIT.toLocaleString("en-US")} values in one file (by this line)`,
        hint: "Configuration files hold a few hundred values; generated data does not belong here.",
      });
    }
    if (depth > YAML_LIMITS.maxDepth) {
      return stop({
        code: "CONFIG_INVALID",
        offset: start(node),
        message: `YAML nested more than ${YAML_LIMITS.maxDepth} levels deep`,
        hint: depthHint,
      });
    }
    let size = 1;
    let height = 1;
    const child = (n: YamlNode | null | undefined, childDepth: number) => {
      if (!n) return;
      const m = visit(n, childDepth);
      size = Math.min(size + m.size, LIMIT + 1);
      height = Math.max(height, 1 + m.height);
    };
    open.add(node);
    if (isMap(node)) {
      const keys = new Map<string, number>();
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        child(key, depth + 1);
        const keyNode = key && isAlias(key) ? targets.get(key) : key;
        if (key && !isScalar(keyNode)) {
          stop({
            code: "CONFIG_INVALID",
            offset: start(key),
            message: "a map key must be a plain value, not a map or a list",
            hint: "Write keys as text: `name: value`.",
          });
        }
        const name = keyName(key, targets);
        if (keys.has(name)) {
          stop({
            code: "YAML_SYNTAX",
            offset: start(key),
            message: `YAML syntax error: Map keys must be unique ("${truncate(name)}" is already set at line ${at(keys.get(name)!).line})`,
            hint: yamlHint("DUPLICATE_KEY"),
          });
        }
        keys.set(name, start(key));
        child(pair.value as YamlNode | null, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) child(item as YamlNode | null, depth + 1);
    }
    open.delete(node);
    const m = { size, height };
    done.set(node, m);
    return m;
  };

  if (!root) return { targets };
  try {
    visit(root, 0);
  } catch (e) {
    if (e instanceof Stop) return { targets, problem: e.problem };
    throw e;
  }
  return { targets };
}

/**
 * The plain value: maps become objects, lists arrays, scalars their value; an alias is the very
 * value of its anchor (shared, as the library's toJS does). Keys are strings (null is "");
 * `__proto__` and other inherited names become own properties.
 */
function toValue(node: YamlNode, targets: Map<YamlNode, YamlNode>, anchored: Map<YamlNode, unknown>): unknown {
  if (isAlias(node)) return anchored.get(targets.get(node)!);
  const keep = (v: unknown) => {
    if ((node as { anchor?: string }).anchor) anchored.set(node, v);
    return v;
  };
  if (isMap(node)) {
    const out = keep({}) as Record<string, unknown>;
    for (const pair of node.items) {
      const name = keyName(pair.key as YamlNode | null, targets);
      const value = pair.value ? toValue(pair.value as YamlNode, targets, anchored) : null;
      if (name in out) Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
      else out[name] = value;
    }
    return out;
  }
  if (isSeq(node)) {
    const out = keep([]) as unknown[];
    for (const item of node.items) out.push(item ? toValue(item as YamlNode, targets, anchored) : null);
    return out;
  }
  return keep(isScalar(node) ? node.value : null);
}

function keyName(key: YamlNode | null, targets: Map<YamlNode, YamlNode>): string {
  const node = key && isAlias(key) ? targets.get(key) : key;
  const value = node && isScalar(node) ? node.value : null;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar's value (string, number, boolean)
  return value === null || value === undefined ? "" : String(value);
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function describe(node: YamlNode, targets: Map<YamlNode, YamlNode>, text: string, at: At): NodeInfo {
  const target = isAlias(node) ? (targets.get(node) ?? node) : node;
  const start = node.range?.[0] ?? 0;
  if (isMap(target)) return { loc: at(start), kind: "map" };
  if (isSeq(target)) return { loc: at(start), kind: "seq" };
  const info: NodeInfo = { loc: at(start), kind: "scalar" };
  if (isScalar(node) && node.range) {
    info.raw = text.slice(node.range[0], node.range[1]);
    info.scalarStyle = node.type;
  }
  return info;
}

/** Positions of every value by JSON pointer, aliases followed (bounded: measure() passed). */
function walk(
  node: YamlNode,
  path: PathSegment[],
  targets: Map<YamlNode, YamlNode>,
  text: string,
  at: At,
  nodes: Map<string, NodeInfo>,
): void {
  const target = isAlias(node) ? targets.get(node) : node;
  if (!target) return;
  if (isMap(target)) {
    for (const pair of target.items) {
      const keyNode = pair.key as YamlNode | null;
      const key = keyName(keyNode, targets);
      const childPath = [...path, key];
      const keyLoc = keyNode?.range ? at(keyNode.range[0]) : undefined;
      const valueNode = pair.value as YamlNode | null;
      const emptyValue = !valueNode || (isScalar(valueNode) && valueNode.value === null && valueNode.range?.[0] === valueNode.range?.[1]);
      const info: NodeInfo =
        valueNode && !emptyValue ? describe(valueNode, targets, text, at) : { loc: keyLoc ?? at(0), kind: "scalar", raw: "" };
      if (keyLoc) info.keyLoc = keyLoc;
      nodes.set(toPointer(childPath), info);
      if (valueNode) walk(valueNode, childPath, targets, text, at, nodes);
    }
  } else if (isSeq(target)) {
    target.items.forEach((item, i) => {
      const childPath = [...path, i];
      const itemNode = item as YamlNode | null;
      if (!itemNode) return;
      nodes.set(toPointer(childPath), describe(itemNode, targets, text, at));
      walk(itemNode, childPath, targets, text, at, nodes);
    });
  }
}

/** The parser reports an unclosed [ or { where it gave up (the next line); point at the bracket. */
function errorOffset(text: string, offset: number, message: string): number {
  const unclosed = /^Flow (sequence|mapping) .*end with a ([\]}])/.exec(message);
  if (!unclosed) return offset;
  const open = unclosed[2] === "]" ? "[" : "{";
  const at = text.lastIndexOf(open, offset);
  return at >= 0 ? at : offset;
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case "DUPLICATE_KEY":
      return "Each key may appear once per map; remove or merge the repeated one.";
    case "BAD_INDENT":
    case "MISSING_CHAR":
    case "UNEXPECTED_TOKEN":
      return "Check the indentation (spaces, not tabs) and that every `key: value` has a space after the colon.";
    case "TAB_AS_INDENT":
      return "YAML indentation must use spaces, not tabs.";
    case "BAD_SCALAR_START":
      return 'Quote values that start with @, `, %, | or > (e.g. "@value").';
    case "MULTIPLE_DOCS":
      return "Each file holds one document; remove the extra `---`.";
    default:
      return undefined;
  }
}
