// `deployer render`: flags and registration. What it does: ./run.ts.
import { Option, type Command } from "commander";
import { command } from "../../shell.js";
import { parseImageSpec } from "../../../workflow/image-spec.js";
import { addOutFileOptions, collect, outFileFlags, outputFormats, type DeprecatedOutNames, type OutFileFlags } from "../../flags.js";
import { DeployerError } from "../../../errors.js";
import type { RenderOptions } from "./run.js";

interface Flags extends OutFileFlags {
  env: string[];
  service?: string[];
  image: string[];
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
  if (f.service && f.service.length > 1) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `render shows one target; --service names ${f.service.length}: ${f.service.join(", ")}`,
      hint: "run it once per service, e.g. deployer render --env dev --service worker --image 3f2a9c1",
    });
  }
  const files = outFileFlags(f, DEPRECATED);
  return {
    env: f.env[0]!,
    ...(f.service?.length ? { service: f.service[0]! } : {}),
    image: parseImageSpec(f.image),
    outJson: files.outJson,
    showSensitive: Boolean(f.showSensitive),
  };
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
    .option("--service <name>", "the service to render, in a project with several (a key of services:)", collect)
    .addOption(
      new Option("-i, --image <ref>", "image tag (3f2a9c1), digest (sha256:…) or full reference; SERVICE=REF for one service (repeatable)")
        .argParser(collect)
        .makeOptionMandatory(),
    )
    .option("--show-sensitive", "show the values of the target's `sensitive` paths (shown as (sensitive) by default)");
  addOutFileOptions(cmd, { json: "write the task definition as JSON to this file instead of stdout" }, DEPRECATED);
  outputFormats(cmd, ["text", "json", "markdown"])
    .addHelpText(
      "after",
      `
A tag or digest is appended to the target's repository (its replica, or the central one from deployer.yaml).

Examples:
  $ deployer render --env prod-eu --image sha-abc
  $ deployer render --env dev --image sha256:3f2a… --out-json taskdef.json
  $ deployer render --env dev --service worker --image 3f2a9c1   # several services: one at a time`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
