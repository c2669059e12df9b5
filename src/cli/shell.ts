// What every command shares: reading the global options, running a command's run function with its
// parsed flags, the one `emit` that writes a view in the format `--output` asks for, and turning
// whatever stopped a command into messages and an exit code. Commands decide nothing about output
// formats: they build views (src/report/) and emit them.
import type { Command } from "commander";
import { DeployerError, ExitCode, errorInfos } from "../errors.js";
import type { OutputFormat, View } from "../report/view.js";
import { errorsView } from "../report/views.js";
import { viewChunks } from "../report/view.js";
import { checkOutputFormat } from "./flags.js";

export type { OutputFormat };

export interface GlobalOptions {
  config?: string;
  output: OutputFormat;
  color: boolean;
  endpointUrl?: string;
  /** --profile: the AWS profile of the base credentials (default AWS_PROFILE). */
  profile?: string;
  /** --region: the caller's region, where STS is called (default AWS_REGION, AWS_DEFAULT_REGION, the profile's). */
  region?: string;
}

/** Every command's run function: the global options and its own parsed flags in, an exit code out. */
export type RunCommand<O> = (globals: GlobalOptions, options: O) => Promise<ExitCode>;

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{
    config?: string;
    output?: OutputFormat;
    color?: boolean;
    endpointUrl?: string;
    profile?: string;
    region?: string;
  }>();
  const color = o.color !== false && !process.env.NO_COLOR && Boolean(process.stdout.isTTY);
  return {
    config: o.config,
    output: o.output ?? "text",
    color,
    endpointUrl: o.endpointUrl ?? process.env.AWS_ENDPOINT_URL ?? undefined,
    profile: o.profile,
    region: o.region,
  };
}

/**
 * A command's action: parse its flags (bad ones throw INVALID_ARGUMENT), load its run function
 * (lazily, so `deployer --version` loads none of them), run it and set the exit code. Whatever it
 * throws is printed as errors (errorsView) and exits 1.
 */
export function command<R, O>(parse: (raw: R) => O, load: () => Promise<{ run: RunCommand<O> }>): (raw: R, cmd: Command) => Promise<void> {
  return async (raw: R, cmd: Command) => {
    const g = globalOptions(cmd);
    try {
      checkOutputFormat(cmd, g.output);
      const options = parse(raw);
      const { run } = await load();
      process.exitCode = await run(g, options);
    } catch (e) {
      emit(g, errorsView(errorInfos(e, "This is a bug in deployer; please report it with the command you ran.")));
      if (process.env.DEPLOYER_DEBUG && e instanceof Error && !(e instanceof DeployerError)) process.stderr.write(`${e.stack}\n`);
      process.exitCode = ExitCode.Failure;
    }
  };
}

/** Writes `view` in the format of `--output`: the one place output formats are chosen. */
export function emit(g: GlobalOptions, view: View): void {
  const width = process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined;
  for (const chunk of viewChunks(view, g.output, { color: g.color, stderrColor: g.color && Boolean(process.stderr.isTTY), width })) {
    (chunk.to === "stdout" ? process.stdout : process.stderr).write(chunk.text);
  }
}

/** Writes `view` only for a person reading text (`--output text`): what a machine-readable stdout must not carry. */
export function emitText(g: GlobalOptions, view: View): void {
  if (g.output === "text") emit(g, view);
}

/** Where a command's own messages go: stdout with text output, else stderr (stdout carries a document). */
export function messages(g: GlobalOptions): NodeJS.WriteStream {
  return g.output === "text" ? process.stdout : process.stderr;
}

/** A live display (listr2, a prompt) is possible: text output to a terminal, not in CI. */
export function interactive(g: GlobalOptions, stream: NodeJS.WriteStream = process.stdout): boolean {
  return g.output === "text" && Boolean(stream.isTTY) && !process.env.CI && !process.env.GITHUB_ACTIONS;
}
