// The fingerprint attack of issue 19: with the rest of a task definition known (the redacted plan
// shows it), an unsalted hash of the whole definition lets anyone try every candidate for a short
// secret. Published fingerprints (plan JSON, the deployer:fingerprint tag, the live snapshot) are
// over the redacted definition, so no candidate can be told from another.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/plan/build.js";
import { canonicalJson, normaliseTaskDefinition } from "../../../src/ecs/normalise.js";
import { fingerprint } from "../../../src/plan/fingerprint.js";
import { planToJsonText } from "../../../src/report/plan-json.js";
import type { TaskDefinitionInput } from "../../../src/config/types.js";
import { DIGEST_A, DIGEST_B, REPO, desired, image, observed, planInput, makeTarget } from "../../helpers/factories.js";

/** Short secrets (a unit test may use them; validate refuses them in configuration). */
const PIN = "4821";
const OLD_PIN = "1093";

/** What the attack assumed: sha256 over the canonical definition, secrets included. */
const unsaltedHash = (def: Record<string, unknown>) =>
  `sha256:${createHash("sha256")
    .update(canonicalJson(normaliseTaskDefinition(def)))
    .digest("hex")}`;

/** A definition of the example with the PIN in an environment variable whose name does not look secret. */
function withPin(def: TaskDefinitionInput, pin: string): TaskDefinitionInput {
  const copy = structuredClone(def);
  const app = copy.containerDefinitions[0]!;
  app.environment = app.environment!.filter((e) => e.name !== "SENTRY_DSN" && e.name !== "PIN_CODE");
  app.environment.push({ name: "PIN_CODE", value: pin });
  return copy;
}

/** Tries all 10,000 PINs against every hash in `published`, the way the experiment did. */
function recover(
  template: TaskDefinitionInput,
  published: readonly string[],
  hash: (def: Record<string, unknown>) => string,
): string | undefined {
  const wanted = new Set(published);
  for (let i = 0; i < 10_000; i++) {
    const candidate = String(i).padStart(4, "0");
    if (wanted.has(hash(withPin(template, candidate)))) return candidate;
  }
  return undefined;
}

function planWithShortSecret() {
  const t = makeTarget({ vars: { ...makeTarget().vars, pin: PIN }, sensitive: ["vars.pin"] });
  const d = desired(t, image(DIGEST_B));
  d.taskDefinition = withPin(d.taskDefinition, PIN);
  // Live: the same definition with the old image and the old PIN (deployed by an earlier config).
  const liveDef = withPin({ ...structuredClone(d.taskDefinition) }, OLD_PIN);
  liveDef.containerDefinitions[0]!.image = `${REPO}@${DIGEST_A}`;
  const plan = buildPlan(planInput([{ desired: d, observed: observed(t, liveDef) }]));
  return { plan, d, liveDef };
}

describe("a short secret cannot be recovered from plan JSON or tags", () => {
  it("the harness works: against an unsalted hash of the definition it finds the PIN", () => {
    const { d } = planWithShortSecret();
    expect(recover(d.taskDefinition, [unsaltedHash(d.taskDefinition as unknown as Record<string, unknown>)], unsaltedHash)).toBe(PIN);
  });

  it("no PIN, new or old, is recovered from any hash the plan JSON publishes (fingerprints, tags)", () => {
    const { plan, d, liveDef } = planWithShortSecret();
    const json = planToJsonText(plan);
    expect(json).not.toContain(PIN);
    expect(json).not.toContain(OLD_PIN);
    const published = [...new Set([...json.matchAll(/sha256:[0-9a-f]{64}/g)].map((m) => m[0]))].filter(
      (h) => h !== DIGEST_A && h !== DIGEST_B,
    );
    const step = plan.targets[0]!.steps.find((s) => s.kind === "register-task-definition");
    expect(step && step.kind === "register-task-definition" ? step.tags["deployer:fingerprint"] : undefined).toBe(
      plan.targets[0]!.fingerprint,
    );
    expect(published).toContain(plan.targets[0]!.fingerprint);
    expect(published).toContain(plan.targets[0]!.live!.fingerprint);
    expect(recover(d.taskDefinition, published, unsaltedHash)).toBeUndefined();
    expect(recover(liveDef, published, unsaltedHash)).toBeUndefined();
    expect(recover(d.taskDefinition, published, (def) => fingerprint(def))).toBeUndefined();
  });

  it("the published fingerprint is a function of what the plan shows: the redacted desired definition", () => {
    const { plan } = planWithShortSecret();
    const shown = JSON.parse(planToJsonText(plan)).targets[0];
    expect(shown.desired.containerDefinitions[0].environment).toContainEqual({ name: "PIN_CODE", value: "(sensitive)" });
    expect(unsaltedHash(shown.desired)).toBe(plan.targets[0]!.fingerprint);
  });

  it("a change of the secret alone still plans an update (decided on the full definitions)", () => {
    const { plan } = planWithShortSecret();
    expect(plan.targets[0]!.action).toBe("update");
    expect(plan.targets[0]!.diff.find((c) => c.path.endsWith("PIN_CODE"))).toMatchObject({ sensitive: true });
  });
});
