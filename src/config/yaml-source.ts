// Reads a YAML file keeping source positions: the plain value plus, for every node, where it was
// written (so a JSON pointer from Ajv, or any later check, can name the file, line and column).
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from "yaml";
import { DeployerError, type SourceLocation } from "../errors.js";
import { toPointer, type PathSegment } from "./paths.js";

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
  /** YAML syntax errors, each with its position. */
  errors: DeployerError[];
  /** Every node by JSON pointer ("" is the root). */
  nodes: Map<string, NodeInfo>;
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
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
  const nodes = new Map<string, NodeInfo>();
  if (errors.length > 0) return { file, value: undefined, errors, nodes };

  const root = doc.contents as YamlNode | null;
  nodes.set("", root ? describe(root, doc, text, at) : { loc: { file, line: 1, column: 1 }, kind: "scalar" });
  if (root) walk(root, [], doc, text, at, nodes, 0);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    return {
      file,
      value: undefined,
      errors: [new DeployerError({ code: "YAML_SYNTAX", message: `YAML error: ${(e as Error).message}`, location: { file, line: 1, column: 1 } })],
      nodes,
    };
  }
  return { file, value, errors, nodes };
}

function describe(node: YamlNode, doc: Document, text: string, at: (o: number) => SourceLocation): NodeInfo {
  const target = isAlias(node) ? (node.resolve(doc) ?? node) : node;
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

function walk(
  node: YamlNode,
  path: PathSegment[],
  doc: Document,
  text: string,
  at: (o: number) => SourceLocation,
  nodes: Map<string, NodeInfo>,
  depth: number,
): void {
  if (depth > 64) return; // aliases can form deep structures; positions beyond this are not needed
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (!target) return;
  if (isMap(target)) {
    for (const pair of target.items) {
      const keyNode = pair.key as YamlNode | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const childPath = [...path, key];
      const keyLoc = keyNode?.range ? at(keyNode.range[0]) : undefined;
      const valueNode = pair.value as YamlNode | null;
      const emptyValue = !valueNode || (isScalar(valueNode) && valueNode.value === null && valueNode.range?.[0] === valueNode.range?.[1]);
      const info: NodeInfo = valueNode && !emptyValue
        ? describe(valueNode, doc, text, at)
        : { loc: keyLoc ?? at(0), kind: "scalar", raw: "" };
      if (keyLoc) info.keyLoc = keyLoc;
      nodes.set(toPointer(childPath), info);
      if (valueNode) walk(valueNode, childPath, doc, text, at, nodes, depth + 1);
    }
  } else if (isSeq(target)) {
    target.items.forEach((item, i) => {
      const childPath = [...path, i];
      const itemNode = item as YamlNode | null;
      if (!itemNode) return;
      nodes.set(toPointer(childPath), describe(itemNode, doc, text, at));
      walk(itemNode, childPath, doc, text, at, nodes, depth + 1);
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
      return "Quote values that start with @, `, %, | or > (e.g. \"@value\").";
    case "MULTIPLE_DOCS":
      return "Each file holds one document; remove the extra `---`.";
    default:
      return undefined;
  }
}
