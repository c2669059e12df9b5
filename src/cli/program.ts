// The `deployer` program definition (see main.ts for the entry point). Every command has one folder
// under ./commands/: command.ts (its flags and registration) and run.ts (what it does:
// `run(globals, options): Promise<ExitCode>`), loaded lazily so `deployer --version` stays instant.
import { Command, Option } from "commander";
import { VERSION } from "../version.js";
import { register as registerInit } from "./commands/init/command.js";
import { register as registerValidate } from "./commands/validate/command.js";
import { register as registerRender } from "./commands/render/command.js";
import { register as registerTargets } from "./commands/targets/command.js";
import { register as registerCheck } from "./commands/check/command.js";
import { register as registerPlan } from "./commands/plan/command.js";
import { register as registerRollout } from "./commands/rollout/command.js";
import { register as registerRollback } from "./commands/rollback/command.js";
import { register as registerPromote } from "./commands/promote/command.js";
import { register as registerStatus } from "./commands/status/command.js";
import { register as registerDrift } from "./commands/drift/command.js";
import { register as registerIam } from "./commands/iam/command.js";
import { register as registerHistory } from "./commands/history/command.js";

/** Every long option of the program and its commands (`--out-plan`, …), hidden ones included. */
export function longFlags(program: Command): string[] {
  const all = [program, ...program.commands].flatMap((c) => c.options.map((o) => o.long).filter((l): l is string => Boolean(l)));
  return [...new Set(all)];
}

export function buildProgram(): Command {
  const program = new Command("deployer")
    .description(
      "Deploy one ECS (Fargate) service to many AWS accounts from one place:\n" +
        "one task-definition template, one YAML file per target account, one command.",
    )
    .version(VERSION, "-V, --version", "print the deployer version")
    .option("-c, --config <path>", "deployer.yaml to use (default: found by walking up from the current directory)")
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .option("--no-color", "disable colours (also honoured: NO_COLOR=1)")
    .option("--endpoint-url <url>", "send every AWS call to this endpoint (e.g. the local sandbox); default: AWS_ENDPOINT_URL")
    .option(
      "--profile <name>",
      "AWS profile of the base credentials, as the AWS CLI's (SSO and role_arn profiles work); default: AWS_PROFILE, else the SDK default chain",
    )
    .option(
      "--region <region>",
      "the caller's region: where deployer calls STS (targets keep their own regions); default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else the central repository's",
    )
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      "after",
      `
Typical flow:
  $ deployer validate                          # check deployer.yaml, environments/ and the template
  $ deployer plan --image 3f2a9c1 --stage dev  # what would change, per account (no writes)
  $ deployer rollout --image 3f2a9c1           # deploy to the first stage
  $ deployer promote --stage staging           # deploy what runs healthy in dev to staging
  $ deployer status                            # what runs where

Exit codes: 0 success, 1 failure (invalid input, failed checks, failed deployment),
2 differences found (plan --detailed-exitcode, drift).`,
    );

  registerInit(program);
  registerValidate(program);
  registerRender(program);
  registerTargets(program);
  registerCheck(program);
  registerPlan(program);
  registerRollout(program);
  registerRollback(program);
  registerPromote(program);
  registerStatus(program);
  registerDrift(program);
  registerHistory(program);
  registerIam(program);
  return program;
}
