// The redaction rule (src/render/redact.ts) function by function: which values count as sensitive,
// in which forms, and how each output hides them. The plan-level behaviour (every output of a plan
// with secrets) is in test/unit/plan/redact.test.ts.
import { describe, expect, it } from "vitest";
import {
  collectSensitiveValues,
  containsSensitive,
  isSecretName,
  mergeSensitiveValues,
  redactSensitive,
  redactTaskDefinition,
  REDACTED,
  scrubDeep,
  scrubString,
  sensitivePathsOf,
  sensitiveVariants,
  valueIsSensitive,
} from "../../../src/render/redact.js";
import { attachSensitivity } from "../../../src/render/sensitivity.js";
import { makeTarget } from "../../helpers/factories.js";

describe("secret-looking names", () => {
  it("every suffix in any case, after trailing separators; not as a prefix or in the middle", () => {
    for (const n of ["DB_PASSWD", "db_password", "X_CREDENTIAL", "sentryDsn", "Secret", "API_KEY__", "API_KEY-", "TOKEN"])
      expect(isSecretName(n), n).toBe(true);
    for (const n of ["KEY_ID", "TOKEN_URL", "SECRETS_PATH", "DSN_HOST", "API_KEYS", "MONKEYS", "_"]) expect(isSecretName(n), n).toBe(false);
  });
});

describe("the forms of a sensitive value", () => {
  it("as is, upper and lower case, without duplicates", () => {
    expect(sensitiveVariants("aB1")).toEqual(["aB1", "AB1", "ab1"]);
    expect(sensitiveVariants("abc")).toEqual(["abc", "ABC"]);
  });

  it("JSON-escaped, beside the raw form", () => {
    expect(sensitiveVariants('a"b')).toEqual(['a"b', 'a\\"b', 'A"B', 'A\\"B']);
  });

  it("each non-blank line of a multi-line value, trimmed (\\n and \\r\\n)", () => {
    const v = sensitiveVariants("first line\r\n  second \n\n");
    expect(v).toContain("first line");
    expect(v).toContain("second");
    expect(v).toContain("FIRST LINE");
    expect(v).not.toContain("");
    expect(v).not.toContain("  second ");
    expect(sensitiveVariants("one\rtwo")).toContain("one\rtwo");
    expect(sensitiveVariants("x y")).toEqual(["x y", "X Y"]);
  });

  it("never an empty string", () => {
    expect(sensitiveVariants("")).toEqual([]);
  });
});

describe("collecting a target's sensitive values", () => {
  it("every leaf under a sensitive path (strings, numbers, booleans; nested maps and lists), longest first then alphabetical", () => {
    const t = makeTarget({
      vars: { db: { user: "app", pass: ["pw-one", 12345], flag: true, none: null } },
      sensitive: ["vars.db"],
    });
    expect(collectSensitiveValues(t)).toEqual(["PW-ONE", "pw-one", "12345", "TRUE", "true", "APP", "app"]);
  });

  it("a path that leads nowhere or through a scalar gives nothing", () => {
    const t = makeTarget({ vars: { a: "scalar" }, sensitive: ["vars.missing", "vars.a.b", "nothing.at.all"] });
    expect(collectSensitiveValues(t)).toEqual([]);
    expect(collectSensitiveValues(makeTarget({ sensitive: undefined as unknown as string[] }))).toEqual([]);
  });

  it("secret-named environment values of every given definition (numbers as text), skipping missing ones", () => {
    const t = makeTarget({ vars: {}, sensitive: [] });
    const desired = {
      containerDefinitions: [
        {
          name: "a",
          environment: [
            { name: "A_TOKEN", value: 98765 },
            { name: "B_KEY", value: null },
            { name: "C_KEY" },
            { name: "LOG", value: "info" },
          ],
        },
        "junk",
        { name: "b", environment: ["junk", { name: "EMPTY_SECRET", value: "" }, { value: "nameless" }] },
        { name: "c" },
      ],
    };
    const live = { containerDefinitions: [{ name: "a", environment: [{ name: "A_TOKEN", value: "old-token" }] }] };
    expect(collectSensitiveValues(t, desired, undefined, live)).toEqual(["old-token", "98765"]);
  });

  it("what the template engine recorded as written from sensitive input", () => {
    const def = { containerDefinitions: [] };
    attachSensitivity(def, { pointers: ["/x"], values: ["tainted-text"] });
    expect(collectSensitiveValues(makeTarget({ vars: {}, sensitive: [] }), def)).toEqual(["tainted-text"]);
  });
});

describe("merging several targets' values", () => {
  it("unique, longest first, alphabetical between equals, never empty", () => {
    expect(mergeSensitiveValues(["bbbb", "", "a"], ["aaaa", "bbbb", "cc"])).toEqual(["aaaa", "bbbb", "cc", "a"]);
    expect(mergeSensitiveValues()).toEqual([]);
  });
});

describe("is a string sensitive?", () => {
  it("a whole-string match always; a substring only from MIN_SCRUB_LENGTH (4) characters on", () => {
    expect(containsSensitive("42", ["42"])).toBe(true);
    expect(containsSensitive("port 421", ["421"])).toBe(false);
    expect(containsSensitive("pin 4213", ["4213"])).toBe(true);
    expect(containsSensitive("nothing here", ["4213", "42"])).toBe(false);
    expect(containsSensitive("", [])).toBe(false);
  });

  it("JSON values: strings, numbers and booleans by their text, lists and maps by any member, secret-named env entries always", () => {
    expect(valueIsSensitive(undefined, ["x"])).toBe(false);
    expect(valueIsSensitive(null, ["null"])).toBe(false);
    expect(valueIsSensitive(4242, ["4242"])).toBe(true);
    expect(valueIsSensitive(true, ["true"])).toBe(true);
    expect(valueIsSensitive(false, ["true"])).toBe(false);
    expect(valueIsSensitive(["a", "xx-s3cr3t"], ["s3cr3t"])).toBe(true);
    expect(valueIsSensitive(["a", "b"], ["s3cr3t"])).toBe(false);
    expect(valueIsSensitive({ deep: { list: ["s3cr3t"] } }, ["s3cr3t"])).toBe(true);
    expect(valueIsSensitive({ name: "API_KEY", value: "anything" }, [])).toBe(true);
    expect(valueIsSensitive({ name: "API_KEY", valueFrom: "arn:ssm" }, [])).toBe(false);
    expect(valueIsSensitive({ name: "LOG_LEVEL", value: "debug" }, [])).toBe(false);
    expect(valueIsSensitive({ name: 5, value: "x" }, [])).toBe(false);
    expect(valueIsSensitive(() => "s3cr3t", ["s3cr3t"])).toBe(false);
  });
});

describe("the fields of a definition to redact", () => {
  it("pointers to string and number leaves holding a value, to secret-named environment values, and to tainted fields", () => {
    const def = {
      family: "f",
      containerDefinitions: [
        {
          name: "app",
          command: ["serve", "--key=s3cr3t-v"],
          environment: [
            { name: "API_KEY", value: "plain" },
            { name: "PORT_KEY", value: 8080 },
            { name: "LOG", value: "info" },
          ],
          dockerLabels: { "a/b~c": "s3cr3t-v", API_KEY: "label" },
          memory: 4242,
          essential: true,
        },
      ],
      other: { name: "API_KEY", value: "not an environment entry" },
    };
    attachSensitivity(def, { pointers: ["/family", "/containerDefinitions/0/command/1"], values: [] });
    expect(sensitivePathsOf(def, ["s3cr3t-v", "4242", "true"])).toEqual([
      "/containerDefinitions/0/command/1",
      "/containerDefinitions/0/environment/0/value",
      "/containerDefinitions/0/environment/1/value",
      "/containerDefinitions/0/dockerLabels/a~1b~0c",
      "/containerDefinitions/0/memory",
      "/family",
    ]);
  });
});

describe("redacting a definition", () => {
  it("replaces the fields at the pointers (keys unescaped, list items by index), then scrubs; the original is untouched", () => {
    const def = {
      a: { "x/y~z": "value one", keep: "has s3cr3t-v inside" },
      list: ["first", "second"],
    };
    const out = redactTaskDefinition(def, ["/a/x~1y~0z", "/list/1", "/a/absent", "/nope/deeper/still", ""], ["s3cr3t-v"]);
    expect(out).toEqual({ a: { "x/y~z": REDACTED, keep: `has ${REDACTED} inside` }, list: ["first", REDACTED] });
    expect(def.a["x/y~z"]).toBe("value one");
    expect(def.list[1]).toBe("second");
  });

  it("a pointer through a scalar changes nothing", () => {
    expect(redactTaskDefinition({ a: "text" }, ["/a/b"], [])).toEqual({ a: "text" });
  });
});

describe("scrubbing strings and values", () => {
  it("every occurrence of each value, its JSON-escaped form too; short values only as the whole string; empty values ignored", () => {
    expect(scrubString("s3cr3t and s3cr3t", ["s3cr3t"])).toBe(`${REDACTED} and ${REDACTED}`);
    expect(scrubString('say \\"hi\\" now', ['"hi"'])).toBe(`say ${REDACTED} now`);
    expect(scrubString("abc", ["", "abc"])).toBe(REDACTED);
    expect(scrubString("abcd", ["abc"])).toBe("abcd");
    expect(scrubString("xabcdx", ["abcd"])).toBe(`x${REDACTED}x`);
    expect(scrubString("one two", ["one", "two"])).toBe("one two");
    expect(scrubString("long-secret then ab", ["long-secret", "ab"])).toBe(`${REDACTED} then ab`);
    expect(scrubString("ab", ["long-secret", "ab"])).toBe(REDACTED);
  });

  it("deeply, keys included; numbers and booleans stay as they are", () => {
    const v = { "key-s3cr3t": ["s3cr3t!", 1234, true, null], n: { s: "s3cr3t" } };
    expect(scrubDeep(v, ["s3cr3t", "1234"])).toEqual({ [`key-${REDACTED}`]: [`${REDACTED}!`, 1234, true, null], n: { s: REDACTED } });
  });

  it("without values: a copy, never the value itself", () => {
    const v = { a: [1, { b: "c" }] };
    const copy = scrubDeep(v, []);
    expect(copy).toEqual(v);
    expect(copy).not.toBe(v);
    expect(scrubDeep(undefined, [])).toBeUndefined();
    expect(scrubDeep("s3cr3t", [])).toBe("s3cr3t");
  });

  it("a rendered definition: the target's sensitive values and its secret-named environment values", () => {
    const t = makeTarget({ vars: { apiKey: "ak_live_123" }, sensitive: ["vars.apiKey"] });
    const def = {
      containerDefinitions: [{ command: ["--key", "AK_LIVE_123"], environment: [{ name: "DB_PASSWORD", value: "pg-pass-9" }] }],
      note: "uses ak_live_123 and pg-pass-9",
    };
    expect(redactSensitive(def, t)).toEqual({
      containerDefinitions: [{ command: ["--key", REDACTED], environment: [{ name: "DB_PASSWORD", value: REDACTED }] }],
      note: `uses ${REDACTED} and ${REDACTED}`,
    });
  });
});
