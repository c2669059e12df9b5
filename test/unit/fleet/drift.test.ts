import { beforeEach, describe, expect, it } from "vitest";
import type { Project } from "../../../src/config/types.js";
import { detectDrift, hasDrift } from "../../../src/fleet/drift.js";
import { formatDriftText } from "../../../src/report/drift-text.js";
import { formatDriftMarkdown } from "../../../src/report/drift-markdown.js";
import { driftToJsonText } from "../../../src/report/drift-json.js";
import { DIGEST_A, DIGEST_B, FakeFleet, SENTRY_DSN, loadExample } from "./fleet-fakes.js";

type Container = {
  name: string;
  image: string;
  environment: Array<{ name: string; value: string }>;
  healthCheck?: Record<string, unknown>;
};
const app = (raw: Record<string, unknown>) => (raw.containerDefinitions as Container[])[0]!;

let project: Project;
let fleet: FakeFleet;
beforeEach(async () => {
  project = await loadExample();
  fleet = new FakeFleet(project);
  for (const t of project.targets) fleet.runs(t.name, DIGEST_A);
});

describe("detectDrift", () => {
  it("a fleet running what deployer registered has no drift, and the targets of a stage agree", async () => {
    const report = await detectDrift(fleet.run());
    expect(report.targets.map((t) => `${t.target.name}:${t.status}`)).toEqual([
      "dev:in-sync",
      "staging:in-sync",
      "prod-eu:in-sync",
      "prod-us:in-sync",
    ]);
    expect(report.targets.every((t) => t.notes.length === 0)).toBe(true);
    // prod-eu (replica repository, eu-west-1, 3 tasks) and prod-us (central, us-east-1, 2 tasks) only
    // differ in environment-specific values: masked, so no difference.
    const prod = report.stages.find((s) => s.stage === "prod")!;
    expect(prod.compared).toEqual(["prod-eu", "prod-us"]);
    expect(prod.differences).toEqual([]);
    expect(prod.maskedFields).toEqual(expect.arrayContaining(["account", "region", "imageRepository", "target"]));
    expect(prod.maskedFields).not.toContain("vars.cpu"); // the same 512 for both: compared
    expect(hasDrift(report)).toBe(false);
  });

  it("a definition changed by hand shows field by field, running → expected, with a note", async () => {
    fleet.edit("staging", (raw) => {
      raw.cpu = "1024";
      app(raw).environment.push({ name: "FEATURE_X", value: "on" });
      app(raw).healthCheck!.retries = 10;
    });
    const report = await detectDrift(fleet.run(["staging"]));
    const staging = report.targets[0]!;
    expect(staging.status).toBe("drifted");
    expect(staging.changes).toEqual([
      { path: "cpu", kind: "changed", before: "1024", after: "256" },
      { path: "containers[app].environment.FEATURE_X", kind: "removed", before: "on" },
      { path: "containers[app].healthCheck.retries", kind: "changed", before: 10, after: 3 },
    ]);
    expect(staging.notes).toEqual([
      "shop-api-staging:3 was registered outside deployer by arn:aws:sts::333333333333:assumed-role/admin/human (no deployer tags)",
    ]);
    expect(hasDrift(report)).toBe(true);
    const text = formatDriftText(report, { color: false });
    expect(text).toContain('~ cpu: running "1024", expected "256"');
    expect(text).toContain('- containers[app].environment.FEATURE_X: not in the configuration, running "on"');
  });

  it("renders for the digest the target runs: a target on another image is not drifted for that", async () => {
    fleet.runs("dev", DIGEST_B);
    const report = await detectDrift(fleet.run(["dev"]));
    expect(report.targets[0]).toMatchObject({ status: "in-sync", running: { digest: DIGEST_B } });
  });

  it("sensitive values never appear: a changed secret-looking variable is (sensitive) in every output", async () => {
    const leaked = "https://deadbeefcafe@o9.ingest.sentry.example/7";
    fleet.edit("dev", (raw) => {
      app(raw).environment.find((e) => e.name === "SENTRY_DSN")!.value = leaked;
    });
    const report = await detectDrift(fleet.run(["dev"]));
    expect(report.targets[0]!.changes).toEqual([
      { path: "containers[app].environment.SENTRY_DSN", kind: "changed", before: "(sensitive)", after: "(sensitive)", sensitive: true },
    ]);
    for (const out of [
      JSON.stringify(report),
      driftToJsonText(report),
      formatDriftText(report, { color: false }),
      formatDriftMarkdown(report),
    ]) {
      expect(out).not.toContain(leaked);
      expect(out).not.toContain(SENTRY_DSN);
    }
  });

  it("compares the targets of a stage with each other: a hand-edited target stands out", async () => {
    fleet.edit("prod-us", (raw) => {
      app(raw).healthCheck!.command = ["CMD-SHELL", "true"];
    });
    const report = await detectDrift(fleet.run());
    const prod = report.stages.find((s) => s.stage === "prod")!;
    expect(prod.reference).toBe("prod-eu");
    expect(prod.differences).toEqual([
      {
        target: "prod-us",
        changes: [
          {
            path: "containers[app].healthCheck.command",
            kind: "changed",
            before: ["CMD-SHELL", "curl -fsS http://localhost:8080/healthz || exit 1"],
            after: ["CMD-SHELL", "true"],
          },
        ],
      },
    ]);
    expect(report.summary).toMatchObject({ drifted: 1, inconsistentStages: 1 });
    expect(formatDriftText(report, { color: false })).toContain("≠ prod-us differs from prod-eu in stage prod:");
  });

  it("a stage split across images shows in the stage comparison, repository masked", async () => {
    fleet.runs("prod-us", DIGEST_B);
    const prod = (await detectDrift(fleet.run())).stages.find((s) => s.stage === "prod")!;
    expect(prod.differences[0]!.changes).toEqual([
      { path: "containers[app].image", kind: "changed", before: `{imageRepository}@${DIGEST_A}`, after: `{imageRepository}@${DIGEST_B}` },
    ]);
  });

  it("an unreadable target is an error, not a crash, and is left out of the stage comparison", async () => {
    fleet.deny("prod-eu");
    const report = await detectDrift(fleet.run());
    expect(report.targets.find((t) => t.target.name === "prod-eu")).toMatchObject({
      status: "error",
      error: { code: "ASSUME_ROLE_DENIED", account: "444444444444" },
    });
    expect(report.stages.find((s) => s.stage === "prod")!.compared).toEqual(["prod-us"]);
    expect(report.summary).toMatchObject({ errors: 1, inSync: 3 });
  });

  it("an image neither pinned nor tagged: compared with the image as it runs, and said", async () => {
    fleet.edit("dev", (raw) => {
      app(raw).image = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api:latest";
    });
    const report = await detectDrift(fleet.run(["dev"]));
    expect(report.targets[0]!.status).toBe("in-sync");
    expect(report.targets[0]!.notes).toContain(
      "the image 111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api:latest is not pinned by digest",
    );
  });
});
