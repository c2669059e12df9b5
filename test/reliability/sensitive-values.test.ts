// A plan posted for a pull request never contains a value marked sensitive: not the new value, not
// the value live in AWS, in no output (text, JSON, Markdown, saved plan, run report, progress lines).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, type CliResult } from "../helpers/sandbox-cli.js";
import { IMAGE, OTHER_IMAGE, startFleet, type Fleet } from "./fleet.js";

/** Distinctive fake secrets: the old one gets deployed (so it is live in AWS), the new one is planned. */
const OLD = "https://0ldS3cretT0ken@o1.ingest.sentry.example/7";
const NEW = "https://n3wS3cretT0ken@o1.ingest.sentry.example/7";
const DEFAULT_DSN = "https://0f1e2d3c4b5a@o1.ingest.sentry.example/42";
/** Pieces that must not appear either (a secret half-masked is still leaked). */
const NEEDLES = [OLD, NEW, DEFAULT_DSN, "0ldS3cretT0ken", "n3wS3cretT0ken", "0f1e2d3c4b5a"];

let fleet: Fleet;
const outputs = new Map<string, string>();
/** Every run, by name: a run that died early would "prove" there is no leak in output it never wrote. */
const runs = new Map<string, CliResult>();

function collect(name: string, r: CliResult): void {
  runs.set(name, r);
  outputs.set(`${name} (stdout)`, r.stdout);
  outputs.set(`${name} (stderr)`, r.stderr);
}

beforeAll(async () => {
  fleet = await startFleet({ targets: 3 });
  const [a] = fleet.accounts;
  const env = `environments/gen-${a}.yaml`;
  // One target overrides the sensitive default; the other two keep _defaults.yaml's value.
  fleet.repo.write(env, fleet.repo.read(env) + `vars:\n  sentryDsn: ${OLD}\n`);
  const dir = fleet.repo.dir;
  collect("rollout", await fleet.run(["rollout", "--image", IMAGE, "--out-report", path.join(dir, "out-rollout-report.json")]));

  fleet.repo.edit(env, OLD, NEW);
  const planArgs = ["plan", "--image", OTHER_IMAGE];
  collect(
    "plan text",
    await fleet.run([
      ...planArgs,
      "--out-plan",
      path.join(dir, "out-saved-plan.json"),
      "--out-json",
      path.join(dir, "out-plan.json"),
      "--out-markdown",
      path.join(dir, "out-plan.md"),
    ]),
  );
  collect("plan -o json", await fleet.run(["-o", "json", ...planArgs]));
  collect("plan -o markdown", await fleet.run(["-o", "markdown", ...planArgs]));
  const second = await fleet.run([
    "-o",
    "json",
    "rollout",
    "--image",
    OTHER_IMAGE,
    "--out-report",
    path.join(dir, "out-rollout2-report.json"),
  ]);
  collect("rollout -o json", second);
  for (const f of readdirSync(dir).filter((x) => x.startsWith("out-"))) outputs.set(f, readFileSync(path.join(dir, f), "utf8"));
}, 90_000);
afterAll(() => fleet?.stop());

describe("sensitive values in every output", () => {
  it("every run worked and wrote its output, and every output file was written", () => {
    expect([...runs.keys()]).toEqual(["rollout", "plan text", "plan -o json", "plan -o markdown", "rollout -o json"]);
    for (const [name, r] of runs) {
      expect(r.exitCode, `${name}: ${describeRun(r)}`).toBe(0);
      expect(r.stdout.trim(), `${name} printed nothing on stdout`).not.toBe("");
    }
    expect([...outputs.keys()].filter((k) => k.startsWith("out-")).sort()).toEqual([
      "out-plan.json",
      "out-plan.md",
      "out-rollout-report.json",
      "out-rollout2-report.json",
      "out-saved-plan.json",
    ]);
  });

  it("the changed secret shows up as a masked change (the outputs are about it, just without the value)", () => {
    expect(outputs.get("plan text (stdout)")).toMatch(/SENTRY_DSN: \(sensitive\)/);
    expect(outputs.get("out-plan.md")).toMatch(/SENTRY_DSN/);
  });

  it("no output contains a sensitive value, old (live in AWS) or new", () => {
    const leaks: string[] = [];
    for (const [name, text] of outputs) for (const n of NEEDLES) if (text.includes(n)) leaks.push(`${name} contains ${n}`);
    expect(leaks).toEqual([]);
  });
});
