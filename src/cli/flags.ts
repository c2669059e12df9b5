// The one flag grammar of every command (README "Flags" is its table; test/integration/flag-grammar
// checks that table against every command's --help), and how flags are read into typed options:
//   - target selection: `--env` and `--stage` are repeatable AND comma-separated everywhere;
//     `--through` / `--all-stages` only where a command defaults to the first stage; one stage
//     selector at a time (`--stage prod --all-stages` is an error, never a silent choice);
//   - files a command writes: `--out-plan`, `--out-json`, `--out-markdown`, `--out-report` (the old
//     names `--save`, `--json`, `--markdown`, `--report`, `--output-file` still work for one release,
//     with a warning);
//   - `-o/--output`: each command lists the formats it has; any other is refused;
//   - preflight: `--strict`, `--wait-for-in-progress`, and `--timeout` only on commands that wait.
// A bad value is INVALID_ARGUMENT, raised before anything is read.
import { Option, type Command } from "commander";
import { DeployerError } from "../errors.js";
import type { TargetSelection } from "../config/select.js";
import type { PreflightSettings } from "../workflow/make-plan.js";
import type { OutputFormat } from "../report/view.js";
import { parseDurationSeconds } from "../workflow/duration.js";
import { DEFAULT_CONCURRENCY } from "../concurrency.js";

/** The default of --timeout, and the wait a plan records when the command itself never waits. */
export const DEFAULT_TIMEOUT = "15m";

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

// ---------- output formats ----------

const formatsOf = new WeakMap<Command, readonly OutputFormat[]>();

/** The `-o` formats `cmd` has; `-o` with any other is refused before anything runs. */
export function outputFormats(cmd: Command, formats: readonly OutputFormat[]): Command {
  formatsOf.set(cmd, formats);
  return cmd.addHelpText("after", `\nOutput formats (-o): ${formats.join(", ")}.`);
}

/** Throws INVALID_ARGUMENT when `cmd` has no `format` output. */
export function checkOutputFormat(cmd: Command, format: OutputFormat): void {
  const formats = formatsOf.get(cmd) ?? ["text", "json", "markdown"];
  if (formats.includes(format)) return;
  throw new DeployerError({
    code: "INVALID_ARGUMENT",
    message: `deployer ${cmd.name()} has no ${format} output (-o ${format})`,
    hint: `deployer ${cmd.name()} writes ${formats.map((f) => `-o ${f}`).join(", ")}`,
  });
}

// ---------- target selection ----------

export interface SelectionFlags {
  env?: string[];
  service?: string[];
  stage?: string[];
  through?: string;
  allStages?: boolean;
}

export interface SelectionOptionsSpec {
  /** What --env narrows, in help. */
  what?: string;
  /** The default, in help: "the first stage" (deploying commands) or "every stage" (views). */
  defaultStages: "first" | "all";
}

/**
 * --env and --stage (repeatable and comma-separated); with `defaultStages: "first"` also --through and
 * --all-stages (a view already shows every stage by default: it does not offer them).
 */
export function addSelectionOptions(cmd: Command, spec: SelectionOptionsSpec): Command {
  const what = spec.what ?? "targets";
  cmd
    .option("-e, --env <names>", `only these ${what} (environment file names; repeatable or comma-separated)`, collect)
    .option(
      "--service <names>",
      "only these services of a project with several (keys of services:; repeatable or comma-separated)",
      collect,
    )
    .option(
      "-s, --stage <names>",
      `only the targets of these stages (repeatable or comma-separated; default: ${spec.defaultStages === "first" ? "the first stage" : "every stage"})`,
      collect,
    );
  if (spec.defaultStages === "first") {
    cmd
      .option("--through <stage>", "every stage from the first up to and including this one")
      .option("--all-stages", "every target of every stage");
  }
  return cmd;
}

/** --env, --stage, --through, --all-stages as a selection; two stage selectors at once are an error. */
export function selectionFlags(o: SelectionFlags, defaultStages: "first" | "all" = "first"): TargetSelection {
  const given = [
    o.stage?.length ? "--stage" : undefined,
    o.through ? "--through" : undefined,
    o.allStages ? "--all-stages" : undefined,
  ].filter((x): x is string => x !== undefined);
  if (given.length > 1) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `${given.join(" and ")} both choose stages: give one of them`,
      hint: "--stage names stages, --through STAGE takes every stage up to it, --all-stages takes every stage; --env narrows any of them",
    });
  }
  const stages = o.stage?.length ? o.stage : undefined;
  const envs = o.env?.length ? o.env : undefined;
  const services = o.service?.length ? { services: o.service } : {};
  if (defaultStages === "all") return { envs, ...services, stages, all: !stages };
  return { envs, ...services, stages, through: o.through, all: Boolean(o.allStages) };
}

/** The selection flags again, for "to roll back: …" (`--env a,b`, `--stage prod`, …). */
export function selectionArgs(sel: TargetSelection): string {
  return [
    sel.envs?.length ? `--env ${sel.envs.join(",")}` : "",
    sel.services?.length ? `--service ${sel.services.join(",")}` : "",
    sel.stages?.length ? `--stage ${sel.stages.join(",")}` : "",
    sel.through ? `--through ${sel.through}` : "",
    sel.all ? "--all-stages" : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** True when any selection flag was given. */
export function hasSelection(o: SelectionFlags): boolean {
  return Boolean(o.env?.length || o.service?.length || o.stage?.length || o.through || o.allStages);
}

// ---------- preflight ----------

export interface PreflightFlags {
  strict?: boolean;
  waitForInProgress?: boolean;
  /** Only on commands that wait (rollout, rollback, promote). */
  timeout?: string;
  /** rollout, promote, plan: --skip-tasks. */
  skipTasks?: boolean;
}

/** --skip-tasks (rollout, promote, plan): the services' one-off tasks are not run. */
export function addSkipTasksOption(cmd: Command, verb = "do not run"): Command {
  return cmd.option(
    "--skip-tasks",
    `${verb} the services' one-off tasks (tasks: in deployer.yaml), e.g. when a migration already ran; their idempotency is yours`,
  );
}

/** --strict and --wait-for-in-progress; with `waits`, --timeout too (check and plan never wait). */
export function addPreflightOptions(cmd: Command, opts: { waits: boolean }): Command {
  cmd
    .option("--strict", "treat checks that could not be verified (e.g. PassRole when IAM cannot be read) as failures")
    .option(
      "--wait-for-in-progress",
      opts.waits
        ? "wait for a deployment someone else started instead of failing the check"
        : "plan to wait for a deployment someone else started instead of failing the check",
    );
  if (opts.waits) {
    cmd.addOption(
      new Option("--timeout <duration>", "how long to wait for each service to become stable (e.g. 900, 15m, 1h)").default(DEFAULT_TIMEOUT),
    );
  }
  return cmd;
}

/** --strict, --wait-for-in-progress, --timeout as preflight settings (the default wait when the command has no --timeout). */
export function preflightFlags(o: PreflightFlags, force?: boolean): PreflightSettings {
  return {
    strict: Boolean(o.strict),
    timeoutSeconds: parseDurationSeconds(o.timeout ?? DEFAULT_TIMEOUT),
    waitForInProgress: Boolean(o.waitForInProgress),
    ...(force ? { force: true } : {}),
    ...(o.skipTasks ? { skipTasks: true } : {}),
  };
}

// ---------- files a command writes ----------

export type OutFileKind = "plan" | "json" | "markdown" | "report";

/** The old name of each output file flag, per command: accepted, with a warning, for one release. */
export type DeprecatedOutNames = Partial<Record<OutFileKind, string>>;

export interface OutFileFlags {
  outPlan?: string;
  outJson?: string;
  outMarkdown?: string;
  outReport?: string;
}

const OUT_FLAG: Record<OutFileKind, { flag: string; attr: keyof OutFileFlags }> = {
  plan: { flag: "--out-plan", attr: "outPlan" },
  json: { flag: "--out-json", attr: "outJson" },
  markdown: { flag: "--out-markdown", attr: "outMarkdown" },
  report: { flag: "--out-report", attr: "outReport" },
};

/** Adds `--out-KIND <file>` for each kind (with its help) and the hidden deprecated names. */
export function addOutFileOptions(cmd: Command, kinds: Partial<Record<OutFileKind, string>>, deprecated: DeprecatedOutNames = {}): Command {
  for (const [kind, help] of Object.entries(kinds) as Array<[OutFileKind, string]>) {
    cmd.option(`${OUT_FLAG[kind].flag} <file>`, help);
    const old = deprecated[kind];
    if (old) cmd.addOption(new Option(`${old} <file>`, `deprecated: use ${OUT_FLAG[kind].flag}`).hideHelp());
  }
  return cmd;
}

/** Attribute commander gives an option: `--output-file` → outputFile. */
function attrOf(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The output files given, by kind; a deprecated name counts as its new one (and warns on stderr),
 * both names at once are an error.
 */
export function outFileFlags(
  raw: OutFileFlags & Record<string, unknown>,
  deprecated: DeprecatedOutNames = {},
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): OutFileFlags {
  const out: OutFileFlags = { outPlan: raw.outPlan, outJson: raw.outJson, outMarkdown: raw.outMarkdown, outReport: raw.outReport };
  for (const [kind, old] of Object.entries(deprecated) as Array<[OutFileKind, string]>) {
    const value = raw[attrOf(old)];
    if (typeof value !== "string") continue;
    const { flag, attr } = OUT_FLAG[kind];
    if (out[attr] !== undefined) {
      throw new DeployerError({
        code: "INVALID_ARGUMENT",
        message: `${old} and ${flag} name the same file: give only ${flag}`,
        hint: `${old} is the deprecated name of ${flag}`,
      });
    }
    warn(deprecationWarning(old, flag));
    out[attr] = value;
  }
  return out;
}

export function deprecationWarning(old: string, replacement: string): string {
  return `warning: ${old} is deprecated and goes away in the next release; use ${replacement}`;
}

// ---------- fleet views ----------

export interface ConcurrencyFlags {
  concurrency?: string;
}

export function addConcurrencyOption(cmd: Command): Command {
  return cmd.option("--concurrency <n>", `targets read at once (default: ${DEFAULT_CONCURRENCY})`);
}

/** --concurrency: a positive whole number, or undefined (the default). */
export function concurrencyFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return positiveInteger("--concurrency", value, "e.g. --concurrency 8");
}

/** A positive whole number given to `flag`. */
export function positiveInteger(flag: string, value: string, hint: string): number {
  const n = Number(value);
  if (/^\s*\d+\s*$/.test(value) && Number.isInteger(n) && n > 0) return n;
  throw new DeployerError({
    code: "INVALID_ARGUMENT",
    message: `${flag} ${JSON.stringify(value)} is not a positive integer`,
    hint,
  });
}

// ---------- the command line as a whole ----------

/**
 * Refuses single-dash long options, a habit from terraform (`-out=x.plan`) and Go tools: commander
 * would read `-out=x.plan` as `-o ut=x.plan`. Any `-word=value`, and any `-out…`, is refused with the
 * flag the user most likely meant. Short options with an attached value (`-ojson`) still work.
 */
export function refuseSingleDashLongOptions(args: readonly string[], longFlags: readonly string[]): void {
  for (const arg of args) {
    if (arg === "--") return;
    const m = /^-([a-zA-Z][a-zA-Z-]+)(=.*)?$/.exec(arg);
    if (!m) continue;
    const name = m[1]!;
    const known = longFlags.includes(`--${name}`);
    if (!m[2] && !known && !name.startsWith("out")) continue;
    const guess = known ? `--${name}` : name.startsWith("out") ? guessOut(name, longFlags) : undefined;
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `${arg}: options with one dash are single letters (this would read as ${`-${name[0]} ${name.slice(1)}${m[2] ?? ""}`})`,
      hint: guess
        ? `did you mean ${guess}${m[2] ? ` ${m[2].slice(1)}` : " …"}? Long options take two dashes.`
        : "long options take two dashes, e.g. --out-plan FILE; see deployer COMMAND --help",
    });
  }
}

function guessOut(name: string, longFlags: readonly string[]): string | undefined {
  const exact = longFlags.find((f) => f === `--${name}`);
  if (exact) return exact;
  // `-out=x.plan` (terraform's plan file): --out-plan.
  if (name === "out" && longFlags.includes("--out-plan")) return "--out-plan";
  return longFlags.find((f) => f.startsWith(`--${name}`)) ?? (longFlags.includes("--out-plan") ? "--out-plan" : undefined);
}
