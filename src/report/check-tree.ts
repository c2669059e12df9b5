// A target's preflight checks as a tree, in the order a rollout depends on them: what the deploy role
// may do → the service → the task definition → the task role → the execution role → the image → the
// secrets → the logs. Each line is OK / NG / WARN / SKIP with its evidence (the check's message); a
// check that did not pass carries what AWS said and a hint (with the policy statement to paste).
// Used by `deployer check` (every check) and `deployer plan` (only those that did not pass, unless
// --verbose). Inputs are plans already made terminal-safe (planForTerminal).
import type { CheckResult } from "../checks/check-result.js";
import { verdictMarker, worstVerdict } from "./plan-format.js";
import type pc from "picocolors";

export type Colors = ReturnType<typeof pc.createColors>;

/** The groups of the tree, in order, and the check ids (or id prefixes, ending in ":") they hold. */
export const CHECK_GROUPS: ReadonlyArray<{ name: string; ids: readonly string[] }> = [
  { name: "deploy role", ids: ["assume-role", "deploy-role-permissions", "credentials-lifetime"] },
  {
    name: "service",
    ids: [
      "service",
      "live-task-definition",
      "foreign-deployment",
      "failed-deployment",
      "rollback-target",
      "rollback-revision",
      "service-connect",
    ],
  },
  { name: "task definition", ids: ["task-definition", "task-definition-tags"] },
  { name: "task role", ids: ["pass-role:taskRole", "trust:taskRole", "task-assumes"] },
  { name: "execution role", ids: ["pass-role:executionRole", "trust:executionRole"] },
  { name: "image", ids: ["image-pull"] },
  { name: "secrets", ids: ["secrets"] },
  { name: "logs", ids: ["logs"] },
];

const OTHER = "other";

/** The group a check belongs to ("other" for one this list does not know). */
export function checkGroup(id: string): string {
  for (const g of CHECK_GROUPS) if (g.ids.includes(id)) return g.name;
  return OTHER;
}

export interface CheckTreeOptions {
  /** Indentation (two spaces each) of the group headings. */
  depth: number;
  /** Which top-level checks to show (default: all). A shown check shows all its sub-checks. */
  show?: (check: CheckResult) => boolean;
  /** Print each check's evidence (--verbose). */
  evidence?: boolean;
}

/** The checks grouped in tree order, each group with its checks in their given order. */
export function groupChecks(checks: CheckResult[]): Array<{ name: string; checks: CheckResult[] }> {
  const names = [...CHECK_GROUPS.map((g) => g.name), OTHER];
  return names.map((name) => ({ name, checks: checks.filter((c) => checkGroup(c.id) === name) })).filter((g) => g.checks.length > 0);
}

export function checkTreeLines(checks: CheckResult[], c: Colors, o: CheckTreeOptions): string[] {
  const lines: string[] = [];
  const pad = "  ".repeat(o.depth);
  for (const group of groupChecks(checks)) {
    const shown = o.show ? group.checks.filter(o.show) : group.checks;
    if (shown.length === 0) continue;
    const worst = worstVerdict({ id: group.name, title: group.name, target: "", verdict: "pass", message: "", children: group.checks });
    lines.push(`${pad}${marker(worst, c)} ${c.bold(group.name)}`);
    for (const check of shown) lines.push(...formatCheck(check, c, o.depth + 1, o.evidence ?? false));
  }
  return lines;
}

function marker(v: CheckResult["verdict"], c: Colors): string {
  const m = verdictMarker(v);
  const colored = m === "OK" ? c.green(m) : m === "NG" ? c.red(m) : m === "WARN" ? c.yellow(m) : c.dim(m);
  return `[${colored}]`;
}

/**
 * One check and its sub-checks. What AWS said and the hint are printed where they belong: on the
 * deepest check that did not pass (a parent that only repeats a child's problem prints its line).
 */
export function formatCheck(check: CheckResult, c: Colors, depth: number, evidence = false): string[] {
  const pad = "  ".repeat(depth);
  const label = check.verdict === "unverified" ? `${check.title} ${c.dim("(unverified)")}` : check.title;
  const lines = [
    `${pad}${marker(check.verdict, c)} ${label}${check.message && check.message !== check.title ? c.dim(` — ${check.message}`) : ""}`,
  ];
  const children = check.children ?? [];
  const detailsBelow = children.some(
    (ch) => ch.verdict === check.verdict && (ch.hint === check.hint || ch.error?.message === check.error?.message),
  );
  if (check.verdict !== "pass" && check.verdict !== "skip" && !detailsBelow) {
    if (check.error?.action || check.error?.resource) {
      lines.push(`${pad}     ${c.dim("aws:")} ${[check.error.action, check.error.resource].filter(Boolean).join(" on ")}`);
    }
    if (check.error?.awsCode || check.error?.awsMessage) {
      lines.push(`${pad}     ${c.dim("aws said:")} ${[check.error.awsCode, check.error.awsMessage].filter(Boolean).join(": ")}`);
    }
    if (check.hint) lines.push(`${pad}     ${c.dim("hint:")} ${check.hint}`);
  }
  if (evidence && check.evidence && Object.keys(check.evidence).length > 0 && children.length === 0) {
    lines.push(`${pad}     ${c.dim("evidence:")} ${JSON.stringify(check.evidence)}`);
  }
  for (const child of children) lines.push(...formatCheck(child, c, depth + 1, evidence));
  return lines;
}
