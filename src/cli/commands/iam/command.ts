// `deployer iam`: flags and registration. What it does: ./run.ts.
import { Option, type Command } from "commander";
import { command } from "../../shell.js";
import { collect, outputFormats } from "../../flags.js";
import { DeployerError } from "../../../errors.js";
import { MESH_FORMATS, type MeshFormat } from "../../../iam-mesh/files.js";
import type { IamOptions } from "./run.js";

interface Flags {
  format: string;
  outDir?: string;
  githubRepository?: string;
  githubIds?: string;
  /** false: --no-deploy-branch. */
  deployBranch?: string[] | false;
  deployEnvironment?: string[];
  ciAccount?: string;
  ciRole: string;
  planRole: string;
  audience: string;
  env?: string[];
  stage?: string[];
}

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

function invalid(message: string, hint: string): DeployerError {
  return new DeployerError({ code: "INVALID_ARGUMENT", message, hint });
}

export function parseFlags(f: Flags, env: NodeJS.ProcessEnv = process.env): IamOptions {
  if (!(MESH_FORMATS as readonly string[]).includes(f.format))
    throw invalid(`--format ${JSON.stringify(f.format)} is not one of ${MESH_FORMATS.join(", ")}`, "e.g. --format terraform");
  const repository = f.githubRepository ?? env.GITHUB_REPOSITORY;
  if (!repository)
    throw invalid(
      "--github-repository is required: the CI roles trust GitHub Actions of this repository only",
      "Pass the deploy repository as OWNER/NAME, e.g. --github-repository acme/shop-deploy (in GitHub Actions, GITHUB_REPOSITORY is used).",
    );
  if (!REPOSITORY.test(repository))
    throw invalid(`--github-repository ${JSON.stringify(repository)} is not OWNER/NAME`, "e.g. --github-repository acme/shop-deploy");
  let ids: { owner: string; repository: string } | undefined;
  if (f.githubIds !== undefined) {
    const m = /^(\d{1,20})\/(\d{1,20})$/.exec(f.githubIds);
    if (!m)
      throw invalid(
        `--github-ids ${JSON.stringify(f.githubIds)} is not OWNER_ID/REPOSITORY_ID`,
        "The numeric ids of the owner and the repository (GITHUB_REPOSITORY_OWNER_ID/GITHUB_REPOSITORY_ID in a workflow), e.g. --github-ids 123456/456789.",
      );
    ids = { owner: m[1]!, repository: m[2]! };
  }
  const branches = f.deployBranch === false ? [] : (f.deployBranch ?? ["main"]);
  for (const b of branches)
    if (!/^[^\s~^:?*[\\]{1,255}$/.test(b) || b.startsWith("refs/"))
      throw invalid(
        `--deploy-branch ${JSON.stringify(b)} is not a branch name`,
        "A branch name without refs/heads/, e.g. --deploy-branch main.",
      );
  const environments = f.deployEnvironment ?? [];
  if (branches.length === 0 && environments.length === 0)
    throw invalid(
      "--no-deploy-branch leaves the deploy CI role assumable from nowhere",
      "Name the GitHub Environments it serves: --deploy-environment staging,prod.",
    );
  for (const e of environments)
    if (!/^[^\s,'"`]{1,255}$/.test(e))
      throw invalid(`--deploy-environment ${JSON.stringify(e)} is not an environment name`, "e.g. --deploy-environment prod");
  if (f.ciAccount !== undefined && !/^\d{12}$/.test(f.ciAccount))
    throw invalid(`--ci-account ${JSON.stringify(f.ciAccount)} is not a 12-digit account id`, 'e.g. --ci-account "111111111111"');
  for (const [flag, name] of [
    ["--ci-role", f.ciRole],
    ["--plan-role", f.planRole],
  ] as const)
    if (!ROLE_NAME.test(name))
      throw invalid(`${flag} ${JSON.stringify(name)} is not an IAM role name`, "Letters, digits and +=,.@_- (up to 64).");
  if (f.ciRole === f.planRole)
    throw invalid("--ci-role and --plan-role name the same role", "The pull-request role must be a role of its own.");
  if (!/^[\w.:/-]{1,255}$/.test(f.audience))
    throw invalid(`--audience ${JSON.stringify(f.audience)} is not an OIDC audience`, "e.g. sts.amazonaws.com");
  return {
    format: f.format as MeshFormat,
    outDir: f.outDir,
    github: { repository, ...(ids ? { ids } : {}), branches, environments },
    ciAccount: f.ciAccount,
    ciRoleNames: { deploy: f.ciRole, plan: f.planRole },
    audience: f.audience,
    selection: { envs: f.env, stages: f.stage },
  };
}

export function register(program: Command): void {
  const cmd = program
    .command("iam")
    .description(
      "generate the IAM of every account from the configuration: CI roles (GitHub OIDC), deploy, viewer, task and execution roles, the central repository's policy",
    )
    .addOption(
      new Option("-f, --format <format>", "json (the sandbox's IAM document), terraform or cloudformation")
        .choices([...MESH_FORMATS])
        .default("json"),
    )
    .option("--out-dir <dir>", "write the files here (created if needed) instead of printing; required for cloudformation (several files)")
    .option("--github-repository <owner/name>", "the deploy repository the CI roles trust (default: GITHUB_REPOSITORY)")
    .option(
      "--github-ids <owner-id/repo-id>",
      "numeric ids, for a repository whose OIDC subject uses the immutable form repo:OWNER@ID/NAME@ID (GitHub, 2026-07)",
    )
    .option(
      "--deploy-branch <names>",
      "branches whose jobs (without an environment) may use the deploy CI role (repeatable or comma-separated; default: main)",
      collect,
    )
    .option("--no-deploy-branch", "no branch: only the GitHub Environments of --deploy-environment")
    .option(
      "--deploy-environment <names>",
      "GitHub Environments whose jobs may use the deploy CI role (repeatable or comma-separated; a job with `environment:` is identified by it, not by its branch)",
      collect,
    )
    .option("--ci-account <id>", "the account of the CI roles (default: the central repository's account)")
    .option("--ci-role <name>", "name of the deploy CI role", "deployer-ci")
    .option("--plan-role <name>", "name of the pull-request (plan) CI role", "deployer-plan")
    .option("--audience <aud>", "the OIDC audience the CI roles accept", "sts.amazonaws.com")
    .option(
      "-e, --env <names>",
      "only these targets (environment file names; repeatable or comma-separated; default: every target of every stage)",
      collect,
    )
    .option("-s, --stage <names>", "only the targets of these stages (repeatable or comma-separated)", collect)
    .addHelpText(
      "after",
      `
What it writes, for every account of the selected targets:
  CI account    deployer-ci   (GitHub OIDC from the deploy branch/environments): assumes deploy + viewer roles
                deployer-plan (GitHub OIDC from pull requests): assumes the viewer roles only
  each target   deployRole    trusts deployer-ci (+ externalId): exactly the actions a rollout sends,
                              iam:PassRole only for its task and execution roles, only to ECS tasks
                viewRole      trusts both CI roles (+ viewExternalId): reads, and simulating the deploy role
                taskRole      trusts ECS tasks of its account (aws:SourceAccount); its permissions are yours
                executionRole trusts ECS tasks of its account (aws:SourceAccount): pulls the image, writes its logs, reads its secrets
  central repo  a policy letting the targets' execution roles pull across accounts
Notes (what to do besides applying) go to stderr.

Examples:
  $ deployer iam --github-repository acme/shop-deploy
  $ deployer iam --github-repository acme/shop-deploy --format terraform --out-dir infra/deployer-iam
  $ deployer iam --github-repository acme/shop-deploy --deploy-environment staging,prod --format cloudformation --out-dir cfn
    (the deploy CI role then trusts jobs on main without an environment, and jobs of the environments staging and prod)`,
    )
    .action(command(parseFlags, () => import("./run.js")));
  // Its documents are chosen with --format; -o only says how the notes are printed.
  outputFormats(cmd, ["text"]);
}
