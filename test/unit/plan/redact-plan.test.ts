// Unit tests of src/plan/redact-plan.ts: which changes are sensitive and how a sensitive change is shown.
// Written against the mutants StrykerJS left alive (test/MUTATION.md).
import { describe, expect, it } from "vitest";
import { markSensitiveChanges, redactChange, rememberSensitiveValues, sensitiveValuesOf } from "../../../src/plan/redact-plan.js";
import { REDACTED } from "../../../src/render/redact.js";
import type { FieldChange, Plan } from "../../../src/plan/types.js";

describe("markSensitiveChanges", () => {
  it("an environment variable with a secret-looking name is sensitive even when its value is no known secret", () => {
    const changes: FieldChange[] = [
      { path: "containers[app].environment.DB_PASSWORD", kind: "changed", before: "old", after: "new" },
      { path: 'containers[app].environment["stripe.api_key"]', kind: "added", after: "new" },
      { path: "containers[app].environment.LOG_LEVEL", kind: "changed", before: "info", after: "debug" },
    ];
    expect(markSensitiveChanges(changes, []).map((c) => c.sensitive === true)).toEqual([true, true, false]);
  });

  it("a value that contains a sensitive value makes the change sensitive, on either side", () => {
    const secret = "s3cr3t-value-9";
    const changes: FieldChange[] = [
      { path: "containers[app].command", kind: "changed", before: ["serve", `--key=${secret}`], after: ["serve"] },
      { path: "containers[app].command", kind: "changed", before: ["serve"], after: ["serve", `--key=${secret}`] },
      { path: "containers[app].image", kind: "changed", before: "a", after: "b" },
    ];
    expect(markSensitiveChanges(changes, [secret]).map((c) => c.sensitive === true)).toEqual([true, true, false]);
  });
});

describe("redactChange", () => {
  it("a sensitive change shows (sensitive) on each side it has, even when no value is a known secret", () => {
    expect(
      redactChange({ path: "containers[app].environment.API_TOKEN", kind: "changed", before: "a", after: "b", sensitive: true }, []),
    ).toEqual({
      path: "containers[app].environment.API_TOKEN",
      kind: "changed",
      before: REDACTED,
      after: REDACTED,
      sensitive: true,
    });
  });

  it("an added sensitive change has no before, a removed one no after", () => {
    const added = redactChange({ path: "containers[app].environment.API_TOKEN", kind: "added", after: "b", sensitive: true }, []);
    expect(added).toEqual({ path: "containers[app].environment.API_TOKEN", kind: "added", after: REDACTED, sensitive: true });
    expect("before" in added).toBe(false);
    const removed = redactChange({ path: "containers[app].environment.API_TOKEN", kind: "removed", before: "a", sensitive: true }, []);
    expect(removed).toEqual({ path: "containers[app].environment.API_TOKEN", kind: "removed", before: REDACTED, sensitive: true });
    expect("after" in removed).toBe(false);
  });
});

describe("sensitiveValuesOf", () => {
  it("a plan nobody attached values to (read from a file) has none", () => {
    expect(sensitiveValuesOf({ targets: [] } as unknown as Plan)).toEqual([]);
  });
});

describe("changes that are not sensitive, and the values a plan carries", () => {
  it("a change not marked sensitive keeps its before and after, scrubbed of known values only", () => {
    const change: FieldChange = { path: "containers[app].image", kind: "changed", before: "repo:1 s3cr3t-v", after: "repo:2" };
    expect(redactChange(change, ["s3cr3t-v"])).toEqual({
      path: "containers[app].image",
      kind: "changed",
      before: `repo:1 ${REDACTED}`,
      after: "repo:2",
    });
  });

  it("the values remembered for a plan are given back, as a copy", () => {
    const plan = {} as Plan;
    const values = ["s3cr3t-v"];
    rememberSensitiveValues(plan, values);
    values.push("later");
    expect(sensitiveValuesOf(plan)).toEqual(["s3cr3t-v"]);
  });
});
