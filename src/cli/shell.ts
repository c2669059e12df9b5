// What every command shares: reading global options, running the action, turning errors into
// messages and exit codes. Commands format and route; the core decides.
import type { Command } from "commander";
import { DeployerError, DeployerErrors, ExitCode, toErrorInfo, type ErrorInfo, errorMessage } from "../errors.js";
import { formatErrors, formatErrorsJson } from "../report/error-text.js";

export type OutputFormat = "text" | "json" | "markdown";

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

/** Collect a repeatable option: `--env a --env b` or `--env a,b`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/** Errors (from any layer) as ErrorInfo values. */
export function errorInfos(e: unknown): ErrorInfo[] {
  if (e instanceof DeployerErrors) return e.errors.map(toErrorInfo);
  if (e instanceof DeployerError) return [toErrorInfo(e)];
  const message = errorMessage(e);
  return [{ code: "INTERNAL", message, hint: "This is a bug in deployer; please report it with the command you ran." }];
}

/**
 * Run a command's body. The body returns the exit code; thrown DeployerError(s) are printed to
 * stderr (or as JSON on stdout under --output json) and exit 1.
 */
export function action<A extends unknown[]>(body: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    try {
      process.exitCode = await body(...args);
    } catch (e) {
      const g = globalOptions(cmd);
      const infos = errorInfos(e);
      if (g.output === "json") {
        process.stdout.write(formatErrorsJson(infos) + "\n");
      } else {
        process.stderr.write(formatErrors(infos, { color: g.color && Boolean(process.stderr.isTTY) }) + "\n");
      }
      if (process.env.DEPLOYER_DEBUG && e instanceof Error && !(e instanceof DeployerError)) process.stderr.write(`${e.stack}\n`);
      process.exitCode = ExitCode.Failure;
    }
  };
}
