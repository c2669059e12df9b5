import { describe, expect, it } from "vitest";
import { changedValues, compactPair } from "../../../src/report/plan-format.js";

const REPO = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api";
const A = `sha256:${"a".repeat(12)}${"1".repeat(52)}`;
const B = `sha256:${"b".repeat(12)}${"2".repeat(52)}`;

describe("compactPair", () => {
  it("shows an image change as the differing digests, without the shared repository", () => {
    expect(compactPair(`${REPO}@${A}`, `${REPO}@${B}`)).toEqual([`…@sha256:aaaaaaaaaaaa`, `…@sha256:bbbbbbbbbbbb`]);
  });

  it("keeps the repository when it is what changed", () => {
    const [before, after] = compactPair(`${REPO}@${A}`, `444444444444.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${A}`);
    expect(before).toContain("111111111111");
    expect(after).toContain("444444444444");
  });

  it("leaves short values alone", () => {
    expect(compactPair("256", "512")).toEqual(["256", "512"]);
  });
});

describe("changedValues", () => {
  it("never compacts a sensitive change (the values are redacted anyway)", () => {
    expect(changedValues({ path: "x", kind: "changed", before: "(sensitive)", after: "(sensitive)", sensitive: true })).toEqual([
      "(sensitive)",
      "(sensitive)",
    ]);
  });
});
