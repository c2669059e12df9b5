import { describe, expect, it } from "vitest";
import type { Target } from "../../../src/config/types.js";
import { DeployerError } from "../../../src/errors.js";
import { imageReference } from "../../../src/render/image-ref.js";
import { REDACTED, redactSensitive } from "../../../src/render/redact.js";

const REPO = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api";

describe("imageReference", () => {
  it("turns a tag or digest into a reference in the repository; keeps full references", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(imageReference(REPO, "sha-abc")).toBe(`${REPO}:sha-abc`);
    expect(imageReference(REPO, digest)).toBe(`${REPO}@${digest}`);
    expect(imageReference(REPO, "ghcr.io/acme/api:1.2")).toBe("ghcr.io/acme/api:1.2");
    expect(imageReference(REPO, `ghcr.io/acme/api@${digest}`)).toBe(`ghcr.io/acme/api@${digest}`);
  });

  it.each(["", "has space", 'a"b', "sha256:short", "-leadingdash"])("refuses %j", (ref) => {
    try {
      imageReference(REPO, ref);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DeployerError);
      expect((e as DeployerError).code).toBe("INVALID_ARGUMENT");
    }
  });
});

describe("redactSensitive", () => {
  const target = {
    vars: { apiKey: "s3cr3t-value", short: "ab", nested: { a: "another-secret" } },
    sensitive: ["vars.apiKey", "vars.short", "vars.nested"],
  } as unknown as Target;

  it("masks the target's sensitive values wherever they were rendered", () => {
    const def = {
      environment: [
        { name: "K", value: "s3cr3t-value" },
        { name: "URL", value: "https://x/?k=s3cr3t-value&n=another-secret" },
      ],
      family: "ab",
      cpu: "xabx",
    };
    expect(redactSensitive(def, target)).toEqual({
      environment: [
        { name: "K", value: REDACTED },
        { name: "URL", value: `https://x/?k=${REDACTED}&n=${REDACTED}` },
      ],
      family: REDACTED, // a short value is masked where it is the whole field…
      cpu: "xabx", // …but not searched for inside other strings
    });
    expect(def.environment[0]!.value).toBe("s3cr3t-value");
  });
});
