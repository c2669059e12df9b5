import { describe, expect, it } from "vitest";
import { JsonSyntaxError, scanJson } from "../../../src/render/json-scan.js";

const errorAt = (text: string) => {
  try {
    scanJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { offset: e.offset, message: e.message };
    throw e;
  }
  throw new Error("expected a JsonSyntaxError");
};

describe("scanJson", () => {
  it("parses like JSON.parse and records each value's offset", () => {
    const text = '{ "a": [1, {"b": "x\\"y"}], "c/d": null, "e": -1.5e3 }';
    const { value, offsets } = scanJson(text);
    expect(value).toEqual(JSON.parse(text));
    expect(offsets.get("/a/1/b")).toBe(text.indexOf('"x'));
    expect(offsets.get("/c~1d")).toBe(text.indexOf("null"));
    expect(offsets.get("/e")).toBe(text.indexOf("-1.5e3"));
  });

  it.each([
    ['{"a": 1,}', 8, /trailing comma/],
    ['{"a": 1 "b": 2}', 8, /expected ',' or '}'/],
    ['{"a": }', 6, /unexpected '}'/],
    ['{"a": "x\ny"}', 8, /line break inside a string/],
    ['{"a": 1, "a": 2}', 9, /appears twice/],
    ["[1, 2", 5, /end of input/],
    ['{"a": 01}', 7, /expected ',' or '}'/],
    ["{} x", 3, /after the end/],
  ])("%j fails at offset %i", (text, offset, message) => {
    const e = errorAt(text);
    expect(e.offset).toBe(offset);
    expect(e.message).toMatch(message);
  });

  it("keeps a __proto__ key as data", () => {
    const { value } = scanJson('{"__proto__": {"x": 1}}');
    expect(Object.keys(value as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
