// Runs the built CLI (`node bin/deployer.js …`, exactly what users run) as a subprocess against a
// local sandbox, in a temporary deploy repo: the right environment (endpoint, the CI user's fake
// keys, region; nothing from the developer's ~/.aws or shell leaks in), plain progress lines (CI=1),
// no colours. Also writes generated environments for the accounts `admin.addGeneratedAccounts(n)`
// creates, so tests and benchmarks can deploy to N targets.
//
// The CLI must be built (lib/); vitest's global setup does it, the benchmark builds it first.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { exampleRepo, projectRoot, type TempRepo } from "../fixtures/config/repo.js";

export const DEPLOYER_BIN = path.join(projectRoot, "bin/deployer.js");

/** What the CLI needs to reach a sandbox (a started Sandbox fits). */
export interface SandboxTarget {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Environment variables that would point the SDK somewhere else, or at other credentials. */
const AWS_ENV_TO_DROP = /^(AWS_|DEPLOYER_|CI$|GITHUB_ACTIONS$|NO_COLOR$|FORCE_COLOR$)/;

/**
 * The environment for a CLI run against `sandbox`: the parent's environment minus every AWS_*,
 * DEPLOYER_* and CI variable, plus the endpoint, the CI user's keys, eu-west-1, CI=1 (plain
 * progress lines, no listr2) and NO_COLOR. Shared config/credential files point at nothing, so a
 * developer's profile never takes part. `extra` wins over all of it.
 */
export function sandboxEnv(sandbox: SandboxTarget | undefined, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!AWS_ENV_TO_DROP.test(k) && v !== undefined) env[k] = v;
  const nowhere = path.join(tmpdir(), "deployer-test-no-aws-config");
  Object.assign(env, {
    AWS_CONFIG_FILE: nowhere,
    AWS_SHARED_CREDENTIALS_FILE: nowhere,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_REGION: "eu-west-1",
    CI: "1",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  });
  if (sandbox) {
    Object.assign(env, {
      AWS_ENDPOINT_URL: sandbox.endpoint,
      AWS_ACCESS_KEY_ID: sandbox.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sandbox.credentials.secretAccessKey,
    });
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface CliOptions {
  /** The deploy repo to run in (its deployer.yaml is found from here). */
  cwd: string;
  /** The sandbox to talk to; undefined = no endpoint and no credentials (for commands that must not call AWS). */
  sandbox?: SandboxTarget;
  /** Extra environment (undefined values remove a variable). */
  env?: Record<string, string | undefined>;
  /** Kill the process (SIGKILL) after this long and fail the result (default 120 s). */
  timeoutMs?: number;
  /** Run the CLI under another program, e.g. ["/usr/bin/time", "-f", "%M", "-o", file] (benchmarks). */
  wrapper?: string[];
  /** Flags for node itself, before the script (e.g. ["--cpu-prof"]). */
  nodeArgs?: string[];
}

export interface CliResult {
  /** null when a signal ended the process. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  durationMs: number;
  /** True when `timeoutMs` killed it. */
  timedOut: boolean;
}

/** A CLI process still running: watch its output, signal it, await its end. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout+stderr (so far or later) match `pattern`; rejects if the process ends first. */
  waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  result: Promise<CliResult>;
}

/** Start `deployer ARGS…` without waiting for it. */
export function spawnCli(args: string[], opts: CliOptions): CliProcess {
  const started = performance.now();
  const command = [...(opts.wrapper ?? []), process.execPath, ...(opts.nodeArgs ?? []), DEPLOYER_BIN, ...args];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: opts.cwd,
    env: sandboxEnv(opts.sandbox, opts.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const w of [...watchers]) w();
  };
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    out += s;
    notify();
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    err += s;
    notify();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, opts.timeoutMs ?? 120_000);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (exitCode, signal) => {
      clearTimeout(timer);
      notify();
      resolve({ exitCode, signal, stdout: out, stderr: err, durationMs: performance.now() - started, timedOut });
    });
  });
  let ended = false;
  void result.then(
    () => {
      ended = true;
      notify();
    },
    () => {
      ended = true;
      notify();
    },
  );

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => {
      child.kill(signal);
    },
    result,
    waitForOutput(pattern, timeoutMs = 60_000) {
      const matches = () => (typeof pattern === "string" ? (out + err).includes(pattern) : pattern.test(out + err));
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (matches()) {
            cleanup();
            resolve();
          } else if (ended) {
            cleanup();
            reject(
              new Error(`deployer ${args.join(" ")} ended before printing ${String(pattern)}\n--- stdout\n${out}\n--- stderr\n${err}`),
            );
          }
        };
        const t = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `deployer ${args.join(" ")} did not print ${String(pattern)} within ${timeoutMs} ms\n--- stdout\n${out}\n--- stderr\n${err}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(t);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
  };
}

/** Run `deployer ARGS…` to the end. */
export function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return spawnCli(args, opts).result;
}

/** A short description of a run for assertion messages. */
export function describeRun(r: CliResult): string {
  return `exit ${r.exitCode ?? r.signal}${r.timedOut ? " (timed out)" : ""}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

// ---------- generated deploy repos ----------

export interface GeneratedRepoOptions {
  /** Stage of the generated targets (default "fleet"). */
  stage?: string;
  /** maxParallel of that stage (default: none = all at once). */
  maxParallel?: number;
  /** Region the accounts were generated in (default eu-west-1, as addGeneratedAccounts). */
  region?: string;
  /** Keep the example's own environments (dev, staging, prod-*) too (default false). */
  keepExampleEnvironments?: boolean;
  /** The deploy repository to start from (default: exampleRepo, the one-service example; servicesRepo for issue 17's). */
  base?: () => TempRepo;
}

/** The name `admin.addGeneratedAccounts` gives an account's target. */
export function generatedTargetName(account: string): string {
  return `gen-${account}`;
}

/** The environment file of a generated account, as a user would write it. */
export function generatedEnvironmentYaml(account: string, stage: string, region = "eu-west-1"): string {
  const name = generatedTargetName(account);
  return [
    `stage: ${stage}`,
    `account: "${account}"`,
    `region: ${region}`,
    `cluster: shop-${name}`,
    "service: api",
    `deployRole: arn:aws:iam::${account}:role/deployer`,
    `externalId: shop-deployer-${name}`,
    `taskRole: arn:aws:iam::${account}:role/shop-api-task`,
    `executionRole: arn:aws:iam::${account}:role/shop-api-exec`,
    "",
  ].join("\n");
}

/**
 * A temporary copy of the example deploy repo whose only stage is `stage` (default "fleet") with
 * one environment file per generated account (environments/gen-<id>.yaml). The example's
 * _defaults.yaml (with its sensitive sentryDsn) is kept, without its viewer role.
 */
export function generatedRepo(accounts: string[], opts: GeneratedRepoOptions = {}): TempRepo {
  const repo = (opts.base ?? exampleRepo)();
  const stage = opts.stage ?? "fleet";
  const stages = [`  - name: ${stage}`, ...(opts.maxParallel !== undefined ? [`    maxParallel: ${opts.maxParallel}`] : [])];
  if (opts.keepExampleEnvironments) {
    repo.edit("deployer.yaml", /stages:\n/, `stages:\n${stages.join("\n")}\n`);
  } else {
    repo.edit("deployer.yaml", /stages:\n[\s\S]*?(?=\nenvironmentsDir:)/, `stages:\n${stages.join("\n")}`);
    for (const f of ["dev", "staging", "prod-eu", "prod-us"]) repo.remove(`environments/${f}.yaml`);
    repo.remove("environments/_prod.yaml");
  }
  // The sandbox's generated accounts have no viewer role (fixture `viewer`, default false): their
  // targets read as their deploy role, as every target did before viewer roles (issue 18).
  repo.edit("environments/_defaults.yaml", /^viewRole:.*\n/m, "");
  repo.edit("environments/_defaults.yaml", /^viewExternalId:.*\n/m, "");
  writeGeneratedEnvironments(repo.dir, accounts, stage, opts.region);
  return repo;
}

/** Writes environments/gen-<id>.yaml for each account under `repoDir`. */
export function writeGeneratedEnvironments(repoDir: string, accounts: string[], stage: string, region = "eu-west-1"): void {
  const dir = path.join(repoDir, "environments");
  mkdirSync(dir, { recursive: true });
  for (const a of accounts) writeFileSync(path.join(dir, `${generatedTargetName(a)}.yaml`), generatedEnvironmentYaml(a, stage, region));
}

export { projectRoot };
