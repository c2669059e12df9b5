import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/plan/build.js";
import { formatPlanText } from "../../../src/report/plan-text.js";
import { DIGEST_B, check, modelledDescription, desired, image, observed, planInput, makeTarget } from "../../helpers/factories.js";

function plan() {
  const live = modelledDescription("task-definition.shop-api-dev.json").taskDefinition;
  const dev = makeTarget({ vars: { ...makeTarget().vars, cpu: 512 } });
  const same = makeTarget({ name: "staging", stage: "staging", account: "333333333333" });
  const sameDesired = desired(same);
  const broken = makeTarget({ name: "broken", account: "666666666666" });
  return buildPlan(
    planInput(
      [
        { desired: desired(dev, image(DIGEST_B)), observed: observed(dev, live) },
        { desired: sameDesired, observed: observed(same, sameDesired.taskDefinition) },
        {
          desired: desired(broken),
          observed: observed(broken, live, {
            checks: [
              check("iam", "fail", {
                title: "IAM",
                children: [
                  check("pass-role:taskRole", "fail", {
                    title: "deploy role can pass the task role",
                    hint: "allow iam:PassRole",
                    error: {
                      code: "PASSROLE_DENIED",
                      message: "denied",
                      action: "iam:PassRole",
                      resource: "arn:aws:iam::666666666666:role/shop-api-task",
                    },
                  }),
                  check("trust:taskRole", "pass", { title: "task role trusts ecs-tasks" }),
                ],
              }),
              check("image-pull", "unverified", { title: "image pullable" }),
              check("circuit-breaker", "skip", { title: "circuit breaker" }),
            ],
          }),
        },
      ],
      {},
      image(DIGEST_B),
    ),
  );
}

describe("formatPlanText", () => {
  const text = formatPlanText(plan(), { color: false, cwd: "/", checks: "all" });
  const lines = text.split("\n");

  it("starts with a compact summary", () => {
    expect(lines[0]).toMatch(/^Plan for shop-api {2}image .*:9c1e4b7 → sha256:9b2c/);
    expect(lines[1]).toBe("3 targets: 1 to change, 1 unchanged, 1 blocked, 1 failing check, 1 warning");
  });

  it("shows per-target diffs, steps and no-change targets", () => {
    expect(lines).toContain('    ~ cpu: "256" → "512"');
    expect(lines.some((l) => l.startsWith("    ~ containers[app].image: "))).toBe(true);
    expect(lines).toContain("  steps: register task definition → update service shop-dev/api → wait until stable (up to 15m)");
    expect(lines).toContain("= staging  staging · 333333333333 · eu-west-1 · shop-dev/api · environments/staging.yaml");
    expect(lines).toContain("  no change (runs shop-api-staging:7)");
  });

  it("prints checks as a tree grouped deploy role → … → logs, with OK/NG/WARN/SKIP markers, AWS details and hints", () => {
    const i = lines.findIndex((l) => l.startsWith("! broken"));
    const block = lines.slice(i);
    expect(block[1]).toMatch(/^ {2}blocked: 1 failing check \(would change \d+ fields\)$/);
    // Known checks under their group, in the tree's order; an unknown one under "other", last.
    const headings = block.filter((l) => /^ {4}\[\w+\] [a-z]/.test(l) && !l.includes("—")).map((l) => l.trim());
    expect(headings).toEqual(["[OK] service", "[WARN] image", "[NG] other"]);
    expect(block.some((l) => l.startsWith("      [NG] IAM"))).toBe(true);
    expect(block.some((l) => l.startsWith("        [NG] deploy role can pass the task role"))).toBe(true);
    expect(block).toContain("             aws: iam:PassRole on arn:aws:iam::666666666666:role/shop-api-task");
    expect(block).toContain("             hint: allow iam:PassRole");
    expect(block.some((l) => l.startsWith("        [OK] task role trusts ecs-tasks"))).toBe(true);
    expect(block.some((l) => l.startsWith("      [WARN] image pullable (unverified)"))).toBe(true);
    expect(block.some((l) => l.startsWith("      [SKIP] circuit breaker"))).toBe(true);
    expect(lines.at(-1)).toBe("Preflight failed for 1 target: a rollout of this plan would not start.");
  });

  it("colours only when asked", () => {
    expect(text).not.toMatch(/\x1b\[/);
    expect(formatPlanText(plan(), { color: true })).toMatch(/\x1b\[3[12]m/);
  });
});

describe("formatPlanText: only the checks that did not pass, unless --verbose", () => {
  const all = formatPlanText(plan(), { color: false, checks: "all" });
  const problems = formatPlanText(plan(), { color: false });

  it("lists only the checks that did not pass by default, and counts the others", () => {
    expect(all).toContain("task role trusts ecs-tasks");
    expect(problems).toContain("deploy role can pass the task role");
    expect(problems).toContain("image pullable");
    expect(problems).toContain("checks: all 4 passed");
    expect(problems).toContain("(1 passed, not shown; --verbose shows them)");
    expect(all).not.toContain("checks: all 4 passed");
    expect(problems.split("\n").length).toBeLessThan(all.split("\n").length);
  });

  it("with evidence (--verbose), prints each check's evidence", () => {
    const withEvidence = buildPlan(
      planInput([
        {
          desired: desired(makeTarget()),
          observed: observed(makeTarget(), desired(makeTarget()).taskDefinition, {
            checks: [
              check("secrets", "pass", { title: "secrets", evidence: { valueFrom: "arn:aws:ssm:eu-west-1:222222222222:parameter/x" } }),
            ],
          }),
        },
      ]),
    );
    expect(formatPlanText(withEvidence, { color: false, checks: "all", evidence: true })).toContain(
      '      evidence: {"valueFrom":"arn:aws:ssm:eu-west-1:222222222222:parameter/x"}',
    );
    expect(formatPlanText(withEvidence, { color: false, checks: "all" })).not.toContain("evidence:");
  });
});
