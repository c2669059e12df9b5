// `deployer render`: flags and registration. What it does: ./run.ts.
import { Option, type Command } from "commander";
import { command } from "../../shell.js";
import type { RenderOptions } from "./run.js";

interface Flags {
  env: string;
  image: string;
  outputFile?: string;
  showSensitive?: boolean;
}

export function parseFlags(f: Flags): RenderOptions {
  return { env: f.env, image: f.image, outputFile: f.outputFile, showSensitive: Boolean(f.showSensitive) };
}

export function register(program: Command): void {
  program
    .command("render")
    .description("print a target's rendered task definition as JSON (no AWS calls)")
    .addOption(new Option("-e, --env <name>", "the target to render").makeOptionMandatory())
    .addOption(new Option("-i, --image <ref>", "image tag (3f2a9c1), digest (sha256:…) or full reference").makeOptionMandatory())
    .option("--output-file <file>", "write the JSON to this file instead of stdout (-o/--output is the output format)")
    .option("--show-sensitive", "show the values of the target's `sensitive` paths (shown as (sensitive) by default)")
    .addHelpText(
      "after",
      `
A tag or digest is appended to the target's repository (its replica, or the central one from deployer.yaml).

Examples:
  $ deployer render --env prod-eu --image sha-abc
  $ deployer render --env dev --image sha256:3f2a… --output-file taskdef.json`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
