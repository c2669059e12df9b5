// The precompiled schema validators must match schemas/*.json: edit a schema, run `npm run generate`.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
// @ts-expect-error plain ESM build script without types
import { generateValidators, GENERATED } from "../../../scripts/generate-validators.mjs";

describe("src/config/generated/schema-validators.js", () => {
  it("is up to date with schemas/ (run `npm run generate` after changing a schema)", () => {
    expect(readFileSync(GENERATED as string, "utf8") === (generateValidators as () => string)()).toBe(true);
  });
});
