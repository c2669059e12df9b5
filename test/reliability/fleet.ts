// A fleet for the reliability scenarios: a sandbox with N generated target accounts, a temp deploy
// repo with one environment file per account, and the CLI run against both with fast polling
// (deployments take a fraction of a second, so waiting must not take seconds).
import { startSandbox, type Faults, type RequestLogEntry, type Sandbox } from "../../sandbox/index.js";
import type { TempRepo } from "../fixtures/config/repo.js";
import {
  generatedRepo,
  generatedTargetName,
  runCli,
  spawnCli,
  type CliOptions,
  type CliProcess,
  type CliResult,
} from "../helpers/sandbox-cli.js";

/** A tag of the demo fixture's central repository that no generated account runs yet. */
export const IMAGE = "8d1e4b7";
export const OTHER_IMAGE = "c0ffee1";

export interface FleetOptions {
  targets: number;
  deploymentSeconds?: number;
  maxSessionSeconds?: number;
  faults?: Faults;
  /** DEPLOYER_POLL_INTERVAL_MS for every run (default "100": poll every 100 ms). */
  pollIntervalMs?: string;
  maxParallel?: number;
}

export interface Fleet {
  sb: Sandbox;
  accounts: string[];
  names: string[];
  repo: TempRepo;
  run(args: string[], opts?: Partial<CliOptions>): Promise<CliResult>;
  spawn(args: string[], opts?: Partial<CliOptions>): CliProcess;
  /** Successful RegisterTaskDefinition calls per target account (every account listed, 0 included). */
  registrations(): Map<string, number>;
  /** Calls that wrote something (any account), successful or not. */
  writes(): RequestLogEntry[];
  stop(): Promise<void>;
}

export const WRITE_ACTIONS = new Set([
  "RegisterTaskDefinition",
  "UpdateService",
  "TagResource",
  "DeregisterTaskDefinition",
  "CreateService",
  "DeleteService",
]);

export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const sb = await startSandbox({
    deploymentSeconds: o.deploymentSeconds ?? 0.3,
    maxSessionSeconds: o.maxSessionSeconds,
    faults: o.faults,
  });
  const accounts = sb.admin.addGeneratedAccounts(o.targets);
  const repo = generatedRepo(accounts, { maxParallel: o.maxParallel });
  const env = { DEPLOYER_POLL_INTERVAL_MS: o.pollIntervalMs ?? "100" };
  const options = (extra: Partial<CliOptions> = {}): CliOptions => ({
    cwd: repo.dir,
    sandbox: sb,
    timeoutMs: 90_000,
    ...extra,
    env: { ...env, ...extra.env },
  });
  return {
    sb,
    accounts,
    names: accounts.map(generatedTargetName),
    repo,
    run: (args, extra) => runCli(args, options(extra)),
    spawn: (args, extra) => spawnCli(args, options(extra)),
    registrations() {
      const m = new Map(accounts.map((a) => [a, 0]));
      for (const e of sb.admin.log({ action: "RegisterTaskDefinition" }))
        if (e.status === 200 && m.has(e.account)) m.set(e.account, m.get(e.account)! + 1);
      return m;
    },
    writes: () => sb.admin.log().filter((e) => WRITE_ACTIONS.has(e.action)),
    async stop() {
      repo.cleanup();
      await sb.stop();
    },
  };
}

/** The JSON run report (`--report FILE` / `-o json`), the parts the scenarios read. */
export interface ReportJson {
  ok: boolean;
  interrupted: boolean;
  error?: { code: string; message: string };
  targets: Array<{
    target: { name: string; account: string };
    outcome: string;
    reusedTaskDefinition?: boolean;
    resumedDeployment?: boolean;
    taskDefinitionArn?: string;
    lastStep?: string;
    error?: { code: string; message: string; hint?: string };
  }>;
  summary: Record<string, number>;
}
