// `deployer render`: flags and registration. What it does: ./run.ts.
import { Option, type Command } from "commander";
import { command } from "../../shell.js";
import { addOutFileOptions, outFileFlags, outputFormats, type DeprecatedOutNames, type OutFileFlags } from "../../flags.js";
import { DeployerError } from "../../../errors.js";
import type { RenderOptions } from "./run.js";

interface Flags extends OutFileFlags {
  env: string[];
  image: string;
  showSensitive?: boolean;
}

const DEPRECATED: DeprecatedOutNames = { json: "--output-file" };

export function parseFlags(f: Flags & Record<string, unknown>): RenderOptions {
  if (f.env.length !== 1) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `render shows one target; --env names ${f.env.length}: ${f.env.join(", ")}`,
      hint: "run it once per target, e.g. deployer render --env prod-eu --image 3f2a9c1",
    });
  }
  const files = outFileFlags(f, DEPRECATED);
  return { env: f.env[0]!, image: f.image, outJson: files.outJson, showSensitive: Boolean(f.showSensitive) };
}

export function register(program: Command): void {
  const cmd = program
    .command("render")
    .description("print a target's rendered task definition as JSON (no AWS calls)")
    .addOption(
      new Option("-e, --env <name>", "the target to render (one environment file name)")
        .argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), ...v.split(",").filter(Boolean)])
        .makeOptionMandatory(),
    )
    .addOption(new Option("-i, --image <ref>", "image tag (3f2a9c1), digest (sha256:…) or full reference").makeOptionMandatory())
    .option("--show-sensitive", "show the values of the target's `sensitive` paths (shown as (sensitive) by default)");
  addOutFileOptions(cmd, { json: "write the task definition as JSON to this file instead of stdout" }, DEPRECATED);
  outputFormats(cmd, ["text", "json", "markdown"])
    .addHelpText(
      "after",
      `
A tag or digest is appended to the target's repository (its replica, or the central one from deployer.yaml).

Examples:
  $ deployer render --env prod-eu --image sha-abc
  $ deployer render --env dev --image sha256:3f2a… --out-json taskdef.json`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
