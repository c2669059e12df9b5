// A small writer for the HCL (Terraform native syntax) deployer generates: blocks, attributes, and
// values (strings, numbers, booleans, lists, objects, references). Strings are written as HCL quoted
// templates with every character that could change their meaning escaped: `\` and `"`, control and
// non-ASCII characters as \uNNNN, and the template sequences `${` and `%{` doubled (`$${`, `%%{`), so a
// value from the configuration can never become an interpolation or a directive
// (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences). `##[` is
// written as `#\u0023[`, as jsonText does, so the file printed in a CI log is no workflow command.

/** An expression written as is (a reference such as `aws.account_1`, or a function call). */
export class HclRaw {
  constructor(readonly raw: string) {}
}

export type HclValue = string | number | boolean | HclRaw | HclValue[] | { [key: string]: HclValue };

export function raw(expression: string): HclRaw {
  return new HclRaw(expression);
}

export function hclString(s: string): string {
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    // Everything but printable ASCII as an escape: lossless, and nothing can paint a terminal.
    else if (code < 0x20 || code >= 0x7f)
      out += code > 0xffff ? `\\U${code.toString(16).padStart(8, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  // Function replacements: in a replacement string "$$" would stand for one "$".
  return `"${out
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{")
    .replace(/##\[/g, () => "#\\u0023[")}"`;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function isRaw(v: HclValue): v is HclRaw {
  return v instanceof HclRaw;
}

/** A value as an HCL expression, indented for `indent` levels. */
export function hclValue(v: HclValue, indent = 0): string {
  const pad = "  ".repeat(indent + 1);
  const end = "  ".repeat(indent);
  if (typeof v === "string") return hclString(v);
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (isRaw(v)) return v.raw;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[\n${v.map((x) => `${pad}${hclValue(x, indent + 1)},`).join("\n")}\n${end}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return "{}";
  // Object keys are always quoted: policy keys (`aws:PrincipalArn`) are no identifiers.
  return `{\n${entries.map(([k, x]) => `${pad}${hclString(k)} = ${hclValue(x, indent + 1)}`).join("\n")}\n${end}}`;
}

export interface HclBlock {
  type: string;
  labels: string[];
  /** Attributes (name = value) and nested blocks, in order. */
  body: Array<{ attribute: string; value: HclValue } | { block: HclBlock }>;
  /** Comment lines written above the block. */
  comment?: string[];
}

export function hclBlock(b: HclBlock, indent = 0): string {
  const pad = "  ".repeat(indent);
  const lines: string[] = [];
  for (const c of b.comment ?? []) lines.push(`${pad}# ${c}`.trimEnd());
  const labels = b.labels.map((l) => ` ${hclString(l)}`).join("");
  lines.push(`${pad}${b.type}${labels} {`);
  const width = Math.max(0, ...b.body.map((x) => ("attribute" in x ? x.attribute.length : 0)));
  for (const item of b.body) {
    if ("attribute" in item) {
      if (!IDENT.test(item.attribute)) throw new Error(`not an HCL identifier: ${item.attribute}`);
      lines.push(`${pad}  ${item.attribute.padEnd(width)} = ${hclValue(item.value, indent + 1)}`);
    } else lines.push(hclBlock(item.block, indent + 1));
  }
  lines.push(`${pad}}`);
  return lines.join("\n");
}

/** A Terraform resource or provider name made of anything: letters, digits, `_` and `-` only, starting with a letter. */
export function hclName(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}
