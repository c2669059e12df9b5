import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/plan/build.js";
import { redactPlanForOutput } from "../../../src/plan/redact-plan.js";
import { formatPlanText } from "../../../src/report/plan-text.js";
import { planToJsonText } from "../../../src/report/plan-json.js";
import { formatPlanMarkdown } from "../../../src/report/plan-markdown.js";
import {
  DIGEST_B,
  SENTRY_DSN,
  PASSING_CHECKS,
  check,
  modelledDescription,
  desired,
  image,
  observed,
  planInput,
  makeTarget,
} from "../../helpers/factories.js";
import { collectSensitiveValues, isSecretName, mergeSensitiveValues, REDACTED, scrubString } from "../../../src/render/redact.js";
import { writePlanFile, serialisePlan } from "../../../src/report/plan-file.js";

const API_KEY = "ak_live_51HqLyjWDarjtT1zdp7dc";
const OLD_DSN = "https://9a8b7c6d5e4f@o1.ingest.sentry.example/41";
const STRIPE_TOKEN = "tok_7Yb3kQ9mZ2xL";

/** A plan where secrets sit in every place they can: env by var, env by name, command line, live side, a check message. */
function planWithSecrets() {
  const t = makeTarget({ vars: { ...makeTarget().vars, apiKey: API_KEY }, sensitive: ["vars.sentryDsn", "vars.apiKey"] });
  const d = desired(t, image(DIGEST_B));
  const app = d.taskDefinition.containerDefinitions[0]!;
  app.environment!.push({ name: "UPSTREAM_AUTH", value: API_KEY }, { name: "PAYMENTS_TOKEN", value: STRIPE_TOKEN });
  app.command = ["serve", `--api-key=${API_KEY}`];

  const live = modelledDescription("task-definition.shop-api-dev.json").taskDefinition;
  const liveApp = (live.containerDefinitions as Array<{ environment: Array<{ name: string; value: string }> }>)[0]!;
  liveApp.environment.find((e) => e.name === "SENTRY_DSN")!.value = OLD_DSN;

  const checks = [
    ...PASSING_CHECKS(),
    check("image-pull", "warn", { message: `probe sent header x-api-key: ${API_KEY}`, evidence: { header: API_KEY } }),
  ];
  return buildPlan(planInput([{ desired: d, observed: observed(t, live, { checks }) }]));
}

const SECRETS = [API_KEY, SENTRY_DSN, OLD_DSN, STRIPE_TOKEN];

describe("sensitive values", () => {
  it("recognises secret-looking names in any case", () => {
    for (const n of ["API_KEY", "apiKey", "GITHUB_TOKEN", "DB_PASSWORD", "client_secret", "SENTRY_DSN", "AWS_CREDENTIALS"])
      expect(isSecretName(n), n).toBe(true);
    for (const n of ["LOG_LEVEL", "STAGE", "KEYSPACE", "TOKEN_URL"]) expect(isSecretName(n), n).toBe(false);
  });

  it("collects values of sensitive vars (with their upper/lower-case forms) and of secret-named env vars on both sides", () => {
    const t = makeTarget({
      vars: { ...makeTarget().vars, apiKey: API_KEY, nested: { pw: "hunter22" } },
      sensitive: ["vars.apiKey", "vars.nested"],
    });
    const live = modelledDescription("task-definition.shop-api-dev.json").taskDefinition;
    const values = collectSensitiveValues(
      t,
      { family: "f", containerDefinitions: [{ name: "a", environment: [{ name: "X_TOKEN", value: STRIPE_TOKEN }] }] },
      live,
    );
    expect(new Set(values)).toEqual(
      new Set([API_KEY, API_KEY.toUpperCase(), API_KEY.toLowerCase(), "hunter22", "HUNTER22", STRIPE_TOKEN, SENTRY_DSN]),
    );
  });

  it("marks changes sensitive and shows them as (sensitive)", () => {
    const plan = planWithSecrets();
    const diff = plan.targets[0]!.diff;
    const byPath = new Map(diff.map((d) => [d.path, d]));
    expect(byPath.get("containers[app].environment.UPSTREAM_AUTH")?.sensitive).toBe(true);
    expect(byPath.get("containers[app].environment.SENTRY_DSN")?.sensitive).toBe(true);
    expect(byPath.get("containers[app].command")?.sensitive).toBe(true);
    expect(byPath.get("containers[app].image")?.sensitive).toBeUndefined();
    const shown = redactPlanForOutput(plan).targets[0]!.diff.find((d) => d.path === "containers[app].environment.SENTRY_DSN");
    expect(shown).toEqual({
      path: "containers[app].environment.SENTRY_DSN",
      kind: "changed",
      before: REDACTED,
      after: REDACTED,
      sensitive: true,
    });
  });

  it("appears in no output: text, JSON, Markdown, saved plan file", async () => {
    const plan = planWithSecrets();
    const dir = mkdtempSync(path.join(tmpdir(), "deployer-plan-"));
    const file = path.join(dir, "plan.json");
    await writePlanFile(file, plan);
    const outputs: Record<string, string> = {
      text: formatPlanText(plan, { color: false, cwd: dir }),
      textColor: formatPlanText(plan, { color: true, cwd: dir }),
      json: planToJsonText(plan),
      markdown: formatPlanMarkdown(plan),
      saved: readFileSync(file, "utf8"),
    };
    for (const [name, text] of Object.entries(outputs)) {
      for (const secret of SECRETS) expect(text.includes(secret), `${name} contains ${secret}`).toBe(false);
      expect(text, name).toContain("(sensitive)");
    }
    // The outputs still say what changed.
    expect(outputs.text).toContain("containers[app].environment.UPSTREAM_AUTH");
    expect(outputs.markdown).toContain("containers[app].image");
    // The in-memory plan keeps the real values (apply needs them).
    expect(JSON.stringify(plan.targets[0]!.desired)).toContain(API_KEY);
  });

  it("scrubs a secret from a plan that lost its in-memory values when they are passed explicitly", () => {
    const plan = structuredClone(planWithSecrets()); // a clone has no attached values
    const text = serialisePlan(plan, [API_KEY]);
    expect(text).not.toContain(API_KEY);
  });

  it("merging targets' secrets keeps the longest first: a secret containing another one is hidden whole", () => {
    // dev's password is a prefix of prod's: scrubbing the shorter first would leave "(sensitive)-prod-Zq9".
    const dev = collectSensitiveValues(makeTarget({ vars: { ...makeTarget().vars, dbPass: "pg-S3cret" }, sensitive: ["vars.dbPass"] }));
    const prod = collectSensitiveValues(
      makeTarget({ vars: { ...makeTarget().vars, dbPass: "pg-S3cret-prod-Zq9" }, sensitive: ["vars.dbPass"] }),
    );
    const merged = mergeSensitiveValues(dev, prod);
    expect(merged.map((v) => v.length)).toEqual([...merged.map((v) => v.length)].sort((a, b) => b - a));
    expect(scrubString("dsn=pg-S3cret-prod-Zq9", merged)).toBe("dsn=(sensitive)");
    expect(scrubString("dsn=pg-S3cret-prod-Zq9", mergeSensitiveValues(prod, dev))).toBe("dsn=(sensitive)");
  });

  it("scrubs JSON-escaped forms, and short values only where they are the whole string", () => {
    expect(scrubString(`{"v":"a\\"b\\"cdef"}`, ['a"b"cdef'])).toBe(`{"v":"(sensitive)"}`);
    expect(scrubString("port 42", ["42"])).toBe("port 42");
    expect(scrubString("42", ["42"])).toBe(REDACTED);
  });
});
