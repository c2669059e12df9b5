// parseYamlSource: values and positions as before, and bounded: aliases are measured, never expanded,
// before a value exists; nesting and size are refused while lexing.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseYamlSource, YAML_LIMITS } from "../../../src/config/yaml-source.js";
import { aliasBomb } from "../../fixtures/hostile-inputs.js";

const F = "/repo/environments/x.yaml";

describe("values and positions", () => {
  it.each([
    ["a map", "a: 1\nb: [x, 'y', \"z\"]\nc: { d: null, e: true }\n"],
    ["block scalars", "a: |\n  line1\n  line2\nb: >\n  folded\n  text\n"],
    ["numbers and specials", "a: 012\nb: 0x1F\nc: .inf\nd: ~\ne: 1e3\nf: '012'\n"],
    ["anchors and aliases", "base: &b { cpu: 256, list: [1, 2] }\nx: *b\ny: [*b, *b]\n"],
    ["an empty value and an empty file", "a:\nb: []\nc: {}\n"],
  ])("%s: the same value as yaml.parse", (_what, text) => {
    const r = parseYamlSource(F, text);
    expect(r.errors).toEqual([]);
    expect(r.value).toEqual(parse(text));
  });

  it("an alias shares its anchor's position, as a path through it", () => {
    const r = parseYamlSource(F, "common: &c\n  cpu: 256\nvars: *c\n");
    expect(r.nodes.get("/vars/cpu")?.loc).toEqual({ file: F, line: 2, column: 8 });
    expect(r.nodes.get("/vars")?.kind).toBe("map");
  });

  it("a __proto__ key is data: an own property, no prototype changed", () => {
    const r = parseYamlSource(F, "__proto__: { polluted: 1 }\nconstructor: x\n");
    const v = r.value as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("duplicate keys (also 1 and '1', which become the same key) are a YAML error at the second", () => {
    for (const text of ["a: 1\nb: 2\na: 3\n", "1: x\n'1': y\n"]) {
      const r = parseYamlSource(F, text);
      expect(
        r.errors.map((e) => `${e.code} ${e.location?.line}`),
        text,
      ).toEqual([`YAML_SYNTAX ${text.split("\n").length - 1}`]);
      expect(r.errors[0]!.message).toMatch(/Map keys must be unique .* already set at line 1/);
    }
  });

  it("a map as a key, an alias before its anchor, an alias inside its own anchor, two documents: refused", () => {
    expect(parseYamlSource(F, "? { a: 1 }\n: x\n").errors[0]?.message).toMatch(/map key must be a plain value/);
    expect(parseYamlSource(F, "a: *x\nb: &x 1\n").errors[0]?.message).toMatch(/alias \*x has no anchor &x before it/);
    const cycle = parseYamlSource(F, "a: &a\n  b: [*a]\n");
    expect(cycle.errors.map((e) => [e.code, e.location?.line])).toEqual([["CONFIG_INVALID", 2]]);
    expect(cycle.errors[0]!.message).toMatch(/inside the value it refers to/);
    expect(parseYamlSource(F, "a: 1\n---\nb: 2\n").errors[0]?.hint).toMatch(/one document/);
  });
});

describe("bounds", () => {
  it("alias bombs: refused at the first alias that expands the file beyond the limit, whatever the depth", () => {
    // Level k stands for ~9^k values: 924 for levels 0-2; the second *l2 of level 3 (line 4) adds
    // 820 more and passes 2 000.
    expect(YAML_LIMITS.maxNodes).toBe(2000);
    expect(parseYamlSource(F, aliasBomb(2)).errors).toEqual([]);
    for (const levels of [3, 4, 7, 9, 20, 40]) {
      const r = parseYamlSource(F, aliasBomb(levels));
      expect(r.value, `${levels} levels`).toBeUndefined();
      expect(
        r.errors.map((e) => [e.code, e.location?.line, e.location?.column]),
        `${levels} levels`,
      ).toEqual([["CONFIG_INVALID", 4, 14]]);
      expect(r.errors[0]!.message).toBe("alias *l2 expands the file beyond 2,000 values (aliases count as the copies they stand for)");
    }
  });

  it("nesting beyond the limit is refused, flow or block, with the line", () => {
    const d = YAML_LIMITS.maxDepth;
    const flow = (n: number) => `a: ${"[".repeat(n)}${"]".repeat(n)}\n`;
    expect(parseYamlSource(F, flow(d - 1)).errors).toEqual([]);
    expect(parseYamlSource(F, flow(d + 1)).errors[0]?.message).toBe(`YAML nested more than ${d} levels deep`);
    expect(parseYamlSource(F, flow(400_000)).errors[0]?.message).toBe(`YAML nested more than ${d} levels deep`);
    const block = `a:\n${"- ".repeat(300_000)}x\n`;
    expect(parseYamlSource(F, block).errors.map((e) => e.location?.line)).toEqual([2]);
    let indented = "";
    for (let i = 0; i < 200; i++) indented += `${" ".repeat(i)}k:\n`;
    const r = parseYamlSource(F, indented);
    expect(r.errors[0]?.message).toMatch(/nested more than/);
    expect(r.errors[0]!.location!.line).toBeLessThan(150);
  });

  it("too many values, in few bytes (aliases of a scalar) or many (a long list), is refused with the line", () => {
    const aliases = `a: &a 1\nb: [${Array(3000).fill("*a").join(",")}]\n`;
    expect(parseYamlSource(F, aliases).errors[0]?.message).toMatch(/^alias \*a expands the file beyond 2,000 values/);
    let list = "a:\n";
    for (let i = 0; i < 250_000; i++) list += "- 1\n";
    const r = parseYamlSource(F, list);
    expect(r.errors[0]?.message).toMatch(/^too much YAML: more than 16,000 tokens by this line/);
    expect(r.errors[0]!.location!.line).toBeGreaterThan(1000);
    expect(r.errors[0]!.location!.line).toBeLessThan(10_000);
  });

  it("a large file of few values is fine", () => {
    const r = parseYamlSource(F, `a: ${"x".repeat(1_000_000)}\n`);
    expect(r.errors).toEqual([]);
    expect((r.value as { a: string }).a).toHaveLength(1_000_000);
  });
});
