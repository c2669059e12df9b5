// `deployer init`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import { outputFormats } from "../../flags.js";
import { DeployerError } from "../../../errors.js";
import type { InitCommandOptions } from "./run.js";

interface Flags {
  fromService?: boolean;
  cluster?: string;
  service?: string;
  deployRole?: string;
  externalId?: string;
  env?: string;
  stage?: string;
  name?: string;
  container?: string;
  force?: boolean;
}

const SERVICE_ONLY = ["cluster", "service", "deployRole", "externalId", "container"] as const;
const FLAG: Record<(typeof SERVICE_ONLY)[number], string> = {
  cluster: "--cluster",
  service: "--service",
  deployRole: "--deploy-role",
  externalId: "--external-id",
  container: "--container",
};

export function parseFlags(f: Flags): InitCommandOptions {
  const common = {
    ...(f.env !== undefined ? { env: f.env } : {}),
    ...(f.stage !== undefined ? { stage: f.stage } : {}),
    ...(f.name !== undefined ? { name: f.name } : {}),
    ...(f.force ? { force: true } : {}),
  };
  if (!f.fromService) {
    const given = SERVICE_ONLY.filter((k) => f[k] !== undefined);
    if (given.length > 0) {
      throw new DeployerError({
        code: "INVALID_ARGUMENT",
        message: `${given.map((k) => FLAG[k]).join(", ")} only apply with --from-service`,
        hint: "deployer init --from-service --cluster C --service S --deploy-role ARN reads a live service; plain `deployer init` writes an example",
      });
    }
    return { mode: "scaffold", ...common };
  }
  const missing = (["cluster", "service", "deployRole"] as const).filter((k) => !f[k]);
  if (missing.length > 0) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `init --from-service needs ${missing.map((k) => FLAG[k]).join(", ")}`,
      hint: "e.g. deployer init --from-service --cluster shop-dev --service api --deploy-role arn:aws:iam::222222222222:role/deployer --external-id shop-deployer-dev --env dev --region eu-west-1",
    });
  }
  return {
    mode: "from-service",
    ...common,
    cluster: f.cluster!,
    service: f.service!,
    deployRole: f.deployRole!,
    ...(f.externalId !== undefined ? { externalId: f.externalId } : {}),
    ...(f.container !== undefined ? { container: f.container } : {}),
  };
}

export function register(program: Command): void {
  const cmd = program
    .command("init")
    .summary("start a deploy repository: an example, or one imported from a live service (--from-service)")
    .description(
      [
        "deployer init: writes a minimal deployer.yaml, one task-definition template and one environment file, commented, with example values to replace, in the current directory (or the directory of --config).",
        "",
        "deployer init --from-service: reads a live ECS service through its deploy role (assumed from your base credentials, with --external-id, as every command does) and writes the template from the task definition it runs — the image, the roles, cpu and memory, the account, region, cluster and target names turned into variables — and the target's environment file. Before writing, it renders the new files like any deploy repository and compares the result with what runs: `deployer plan` right after shows no change (or init says which fields would). The service's region is --region (default AWS_REGION).",
        "",
        "Run it again in the same repository for another target's service: it adds only that environment file, and shows how the existing template differs from the one this service would give, as a diff to review.",
        "",
        "init never overwrites a file unless --force: an existing file it would write is an error naming it. With --force it replaces them (deployer.yaml, the template and the environment file; into an existing repository, only the target's environment file, which re-imports that target).",
        "",
        "The files start with a `# yaml-language-server: $schema=…` line pointing at the schemas installed with the package (node_modules/ecs-fleet-deployer/schemas/), so editors check them as you type.",
      ].join("\n"),
    )
    .option("--from-service", "import a live service (needs --cluster, --service, --deploy-role)")
    .option("--cluster <name>", "--from-service: the service's cluster")
    .option("--service <name>", "--from-service: the ECS service")
    .option("--deploy-role <arn>", "--from-service: the role deployer assumes in the service's account")
    .option("--external-id <id>", "--from-service: the ExternalId the deploy role requires")
    .option("--container <name>", "--from-service: the application container (default: the one running an image from ECR)")
    .option("--env <name>", "the target's name, its environment file's (default: dev; --from-service: the cluster's name)")
    .option("--stage <name>", "the target's stage (default: the target's name when it names a stage)")
    .option("--name <service>", "deployer's service name, deployer.yaml `service` (default: from the task-definition family)")
    .option("--force", "replace the files init writes when they exist (default: refuse, naming them)");
  outputFormats(cmd, ["text", "json"])
    .addHelpText(
      "after",
      `
Examples:
  $ deployer init                                          # an example to edit
  $ deployer init --from-service --cluster shop-dev --service api \\
      --deploy-role arn:aws:iam::222222222222:role/deployer --external-id shop-deployer-dev --env dev --region eu-west-1
  $ deployer plan --image 3f2a9c1 --env dev                # no change
  $ deployer init --from-service --cluster shop-staging --service api \\
      --deploy-role arn:aws:iam::333333333333:role/deployer --external-id shop-deployer-staging --env staging --stage staging`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
