import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/plan/build.js";
import { formatPlanMarkdown, GITHUB_COMMENT_LIMIT } from "../../../src/report/plan-markdown.js";
import {
  DIGEST_B,
  PASSING_CHECKS,
  check,
  modelledDescription,
  desired,
  image,
  observed,
  planInput,
  makeTarget,
} from "../../helpers/factories.js";

const live = () => modelledDescription("task-definition.shop-api-dev.json").taskDefinition;

function fleet(bigEnvVars = 0) {
  const dev = makeTarget();
  const prod = makeTarget({ name: "prod-eu", stage: "prod", account: "444444444444", cluster: "shop-prod-eu" });
  const broken = makeTarget({ name: "broken", stage: "prod", account: "666666666666", cluster: "shop-broken" });
  const same = makeTarget({ name: "staging", stage: "staging", account: "333333333333", cluster: "shop-staging" });
  const big = desired(prod, image(DIGEST_B));
  for (let i = 0; i < bigEnvVars; i++)
    big.taskDefinition.containerDefinitions[0]!.environment!.push({ name: `FEATURE_${i}`, value: "v".repeat(150) });
  const sameDesired = desired(same);
  return buildPlan(
    planInput(
      [
        { desired: desired(dev, image(DIGEST_B)), observed: observed(dev, live()) },
        { desired: sameDesired, observed: observed(same, sameDesired.taskDefinition) },
        { desired: big, observed: observed(prod, live()) },
        {
          desired: desired(broken, image(DIGEST_B)),
          observed: observed(broken, live(), {
            checks: [
              ...PASSING_CHECKS("broken"),
              check("pass-role:taskRole", "fail", {
                target: "broken",
                title: "deploy role can pass the task role",
                message: "iam:PassRole is implicitly denied",
                hint: "allow iam:PassRole on the task role with iam:PassedToService ecs-tasks.amazonaws.com",
              }),
              check("image-pull", "warn", {
                target: "broken",
                title: "image pullable",
                message: "the repository policy grants the whole organisation",
              }),
            ],
          }),
        },
      ],
      {},
      image(DIGEST_B),
    ),
  );
}

describe("formatPlanMarkdown", () => {
  it("starts with the sticky-comment marker and has the header, the target table, diffs and failing checks", () => {
    const md = formatPlanMarkdown(fleet());
    const lines = md.split("\n");
    expect(lines[0]).toBe("<!-- deployer-plan:shop-api -->");
    expect(md).toContain("`111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api:9c1e4b7` → `sha256:9b2c1f0e8d7a`");
    expect(md).toContain("2 to change, 1 unchanged, 1 blocked, 1 failing check, 1 warning");
    // The four preflight checks, and the rollback target (what a failure goes back to).
    expect(lines).toContain("| **dev** | dev | 222222222222 | eu-west-1 | **1 change** | ✓ 5 |");
    expect(lines).toContain("| **staging** | staging | 333333333333 | eu-west-1 | no change | ✓ 4 |");
    expect(lines.find((l) => l.startsWith("| **broken**"))).toMatch(/⛔ blocked .* \| ✗ 1 ⚠ 1 \|$/);
    expect(md).toContain("<details><summary><b>dev</b>");
    expect(md).not.toContain("<summary><b>staging</b>");
    expect(md).toMatch(
      /```diff\n- containers\[app\]\.image: ".*@sha256:4f53[0-9a-f]+"\n\+ containers\[app\]\.image: ".*@sha256:9b2c[0-9a-f]+"\n```/,
    );
    expect(md).toContain("`pass-role:taskRole`");
    expect(md).toContain("💡 allow iam:PassRole on the task role with iam:PassedToService ecs-tasks.amazonaws.com");
    expect(md).not.toContain("were cut");
  });

  it(`stays under GitHub's ${GITHUB_COMMENT_LIMIT}-character limit, cutting the largest diff first and saying so`, () => {
    const plan = fleet(600);
    const untruncatedSize = 600 * 2 * 170;
    expect(untruncatedSize).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    const md = formatPlanMarkdown(plan, { jsonArtifactHint: "the `deployer-plan` artifact" });
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toContain("Some diffs were cut to stay under GitHub's comment size limit");
    expect(md).toContain("the `deployer-plan` artifact");
    expect(md).toMatch(/_\d+ more diff lines not shown; see the `deployer-plan` artifact\._/);
    // The small diff (dev) is intact, the big one (prod-eu) is cut.
    const devBlock = md.slice(md.indexOf("<summary><b>dev</b>"), md.indexOf("</details>", md.indexOf("<summary><b>dev</b>")));
    expect(devBlock).toContain("+ containers[app].image");
    expect(devBlock).not.toContain("not shown");
    expect(md).toContain("+ containers[app].environment.FEATURE_0");
    expect(md).not.toContain("+ containers[app].environment.FEATURE_599");
    // Code fences stay balanced.
    expect((md.match(/^```/gm) ?? []).length % 2).toBe(0);
    // Failing checks are never cut.
    expect(md).toContain("`pass-role:taskRole`");
  });

  it("honours a smaller maxChars", () => {
    const md = formatPlanMarkdown(fleet(100), { maxChars: 6_000 });
    expect(md.length).toBeLessThanOrEqual(6_000);
    expect(md.split("\n")[0]).toBe("<!-- deployer-plan:shop-api -->");
  });

  it("cuts hard, still under the limit, when even the summary is too long", () => {
    const md = formatPlanMarkdown(fleet(), { maxChars: 1_000 });
    expect(md.length).toBeLessThanOrEqual(1_000);
    expect(md).toContain("comment cut at 1000 characters");
  });
});
