// The redaction rule (src/render/redact.ts) at its edges: what surrounds a value, values of one
// length, null where a map or list is expected, empty values. (Function by function: redact.test.ts.)
import { describe, expect, it } from "vitest";
import {
  collectSensitiveValues,
  mergeSensitiveValues,
  redactTaskDefinition,
  scrubString,
  sensitivePathsOf,
  sensitiveVariants,
  valueIsSensitive,
} from "../../../src/render/redact.js";
import { makeTarget } from "../../helpers/factories.js";

describe("the redaction rule at its edges", () => {
  it("a one-line value is hidden as written, spaces included; only the lines of a multi-line value are trimmed, split at \\n too", () => {
    expect(sensitiveVariants(" pw-one ")).toEqual([" pw-one ", " PW-ONE "]);
    const v = sensitiveVariants("line-one\nline-two");
    expect(v).toContain("line-one");
    expect(v).toContain("line-two");
  });

  it("values of the same length come out in one order whatever order they were found in", () => {
    expect(mergeSensitiveValues(["aaaa", "bbbb"])).toEqual(["aaaa", "bbbb"]);
    expect(mergeSensitiveValues(["bbbb", "aaaa"])).toEqual(["aaaa", "bbbb"]);
    const t = (sensitive: string[]) => makeTarget({ vars: { one: "abcd", two: "bcde" }, sensitive });
    expect(collectSensitiveValues(t(["vars.one", "vars.two"]))).toEqual(["ABCD", "BCDE", "abcd", "bcde"]);
    expect(collectSensitiveValues(t(["vars.two", "vars.one"]))).toEqual(["ABCD", "BCDE", "abcd", "bcde"]);
  });

  it("a map is sensitive when any one of its members is", () => {
    expect(valueIsSensitive({ a: "harmless", b: "s3cr3t" }, ["s3cr3t"])).toBe(true);
  });

  it("null where a container, an environment entry, a field, a variable or a pointer's step is expected is skipped", () => {
    const t = makeTarget({ vars: { db: null }, sensitive: ["vars.db.password"] });
    const def = {
      containerDefinitions: [null, { name: "a", environment: [null, { name: "A_TOKEN", value: "tok-1234" }] }],
      healthCheck: null,
    };
    expect(collectSensitiveValues(t, def)).toEqual(["tok-1234"]);
    expect(sensitivePathsOf(def, ["tok-1234"])).toEqual(["/containerDefinitions/1/environment/1/value"]);
    expect(redactTaskDefinition({ n: null, keep: "x" }, ["/n/a/b", "/n/a"], [])).toEqual({ n: null, keep: "x" });
  });

  it("an empty value hides nothing, not even an empty string", () => {
    expect(scrubString("", ["", "abcd"])).toBe("");
  });
});
