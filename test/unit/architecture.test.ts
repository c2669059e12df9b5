// The shape the project keeps (README "Layout"): the SDK only behind the ports in src/aws/, the
// product never importing the sandbox (nor the sandbox the product), the AGPL IAM simulator only in
// tests and the sandbox, the pure planning core free of I/O, the core never reaching into its shells
// (cli/, action/), checks independent of planning, and no import cycle between folders of src/ nor
// between modules.
//
// Imports are read with the TypeScript compiler's parser, not a regex, so every form counts: `import
// x from`, `import type`, `import "x"` (side effects only), `export … from`, `import()`, `require()`
// and `import x = require()`. The first test proves the scanner sees each form.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { projectRoot } from "../fixtures/config/repo.js";

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(projectRoot, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(projectRoot, rel)).isDirectory()) out.push(...files(rel));
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** Every module specifier `text` imports, in any form. */
export function importSpecifiers(text: string, fileName = "x.ts"): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const literal = (n: ts.Node | undefined) => {
    if (n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n))) out.push(n.text);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) literal(n.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) literal(n.moduleReference.expression);
    else if (ts.isCallExpression(n)) {
      const callee = n.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) literal(n.arguments[0]);
      else if (ts.isIdentifier(callee) && callee.text === "require") literal(n.arguments[0]);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) literal(n.argument.literal);
    ts.forEachChild(n, visit);
  };
  visit(source);
  return out;
}

const cache = new Map<string, string[]>();
function importsOf(file: string): string[] {
  let specs = cache.get(file);
  if (!specs) cache.set(file, (specs = importSpecifiers(readFileSync(path.join(projectRoot, file), "utf8"), file)));
  return specs;
}

function offenders(dir: string, bad: (spec: string, file: string) => boolean): string[] {
  return files(dir).flatMap((f) =>
    importsOf(f)
      .filter((s) => bad(s, f))
      .map((s) => `${f} imports ${s}`),
  );
}

/** The file a relative specifier of `from` points at (`../x.js` → src/x.ts); undefined for packages. */
function resolveRelative(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  return path.normalize(path.join(path.dirname(from), spec)).replace(/\.js$/, ".ts");
}

/** The folder of src/ a file belongs to (`src/plan/build.ts` → plan); files at the root are their own (`errors`). */
function folderOf(file: string): string {
  const parts = path.relative("src", file).split(path.sep);
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.[cm]?[jt]s$/, "");
}

/** Strongly connected components with more than one node (or a self-loop): the import cycles. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const connect = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) connect(v);
  return out;
}

/** src/'s import graph: by module, or by folder. */
function srcGraph(node: (file: string) => string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const f of files("src")) {
    const from = node(f);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const spec of importsOf(f)) {
      const target = resolveRelative(f, spec);
      if (!target || !target.startsWith(`src${path.sep}`)) continue;
      const to = node(target);
      if (to !== from || node(f) === f) edges.add(to);
    }
  }
  return graph;
}

const CORE = (f: string) => !f.startsWith(path.join("src", "cli")) && !f.startsWith(path.join("src", "action"));

describe("architecture", () => {
  it("the scanner sees every form of import (static, type, side effect, re-export, import(), require())", () => {
    const text = [
      `import a from "static-default";`,
      `import { b } from "static-named";`,
      `import type { C } from "type-only";`,
      `import "side-effect";`,
      `export { d } from "re-export";`,
      `export * from "re-export-all";`,
      `const e = await import("dynamic");`,
      `const f = require("required");`,
      `import g = require("import-equals");`,
      `type H = import("import-type").H;`,
      `// import "in-a-comment";`,
      `const s = 'import "in-a-string"';`,
    ].join("\n");
    expect(importSpecifiers(text).sort()).toEqual(
      [
        "dynamic",
        "import-equals",
        "import-type",
        "re-export",
        "re-export-all",
        "required",
        "side-effect",
        "static-default",
        "static-named",
        "type-only",
      ].sort(),
    );
  });

  it("only src/aws/ imports the AWS SDK", () => {
    expect(offenders("src", (s, f) => s.startsWith("@aws-sdk/") && !f.startsWith(path.join("src", "aws")))).toEqual([]);
  });

  it("the product never imports the sandbox, and the sandbox never imports the product", () => {
    expect(offenders("src", (s) => /(^|\/)sandbox(\/|$)/.test(s))).toEqual([]);
    expect(offenders("sandbox", (s) => /(^|\/)src(\/|$)/.test(s))).toEqual([]);
  });

  it("the AGPL IAM simulator is never shipped: no import from src/", () => {
    expect(offenders("src", (s) => s.startsWith("@cloud-copilot/"))).toEqual([]);
  });

  it("planning is pure: src/plan/ reaches neither AWS, the network nor the ports' implementations", () => {
    const io = (s: string, f: string) =>
      s.startsWith("@aws-sdk/") ||
      /sdk-|session/.test(s) ||
      s === "node:http" ||
      s === "node:https" ||
      (s.startsWith("node:fs") && !f.endsWith("saved-plan.ts"));
    expect(offenders(path.join("src", "plan"), io)).toEqual([]);
  });

  it("the core never imports its shells: nothing outside src/cli/ and src/action/ imports them", () => {
    const shell = (s: string, f: string) => {
      const target = resolveRelative(f, s);
      return target !== undefined && !CORE(target);
    };
    expect(offenders("src", (s, f) => CORE(f) && shell(s, f))).toEqual([]);
    // …and the two shells do not lean on each other either.
    expect(offenders(path.join("src", "cli"), (s) => /(^|\/)action\//.test(s))).toEqual([]);
    expect(offenders(path.join("src", "action"), (s) => /(^|\/)cli\//.test(s))).toEqual([]);
  });

  it("checks never import planning: src/checks/ stands below src/plan/", () => {
    expect(offenders(path.join("src", "checks"), (s, f) => resolveRelative(f, s)?.startsWith(path.join("src", "plan")) === true)).toEqual(
      [],
    );
  });

  it("no import cycle between the folders of src/", () => {
    expect(cycles(srcGraph(folderOf))).toEqual([]);
  });

  it("no import cycle between the modules of src/ (type-only and lazy imports included)", () => {
    expect(cycles(srcGraph((f) => f))).toEqual([]);
  });
});
