// The benchmark rows for issue 14's limits (the timings the README states and no test asserts):
//   unreachable - `deployer plan` against a closed 127.0.0.1 port: wall time to exit with
//                 ENDPOINT_UNREACHABLE naming the endpoint (target: within 5 s);
//   hostile     - `deployer validate` on each hostile file of test/reliability/adversarial-input.test.ts
//                 (test/fixtures/hostile-inputs.ts): CPU time and peak RSS of the whole process (target: < 1 s
//                 of CPU, < 100 MB);
//   template    - the template bombs of test/unit/render/render-all.test.ts ("templates are bounded
//                 before Handlebars runs"), rendered in this process: time to the refusal (target: < 1 s).
// CLI rows run the built CLI with bench/in-process.cjs preloaded, which reports the process's own CPU
// time, peak RSS and the time from Node's start-up to deployer's first module.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { closedPort } from "../test/helpers/closed-port.js";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Sandbox } from "../sandbox/index.js";
import { loadProject } from "../src/config/load.js";
import type { Project, Target } from "../src/config/types.js";
import { renderTaskDefinition } from "../src/render/render.js";
import { errorsOf, exampleRepo, oneServiceRoot } from "../test/fixtures/config/repo.js";
import { describeRun, generatedRepo, projectRoot, runCli, type CliOptions, type CliResult } from "../test/helpers/sandbox-cli.js";
import { HOSTILE_INPUTS } from "./hostile-inputs.js";
import { median } from "./process-stats.js";

const PRELOAD = path.join(projectRoot, "bench/in-process.cjs");

export interface InProcessStats {
  /** Spawn to exit. */
  wallMs: number;
  /** Process start to the preload: Node.js starting (undefined when the process wrote no numbers). */
  startupMs?: number;
  /** Preload to exit: deployer's modules and its work. */
  afterStartupMs?: number;
  cpuMs?: number;
  peakRssMb?: number;
  /** TCP connection attempts the process began (each AWS attempt opens one when nothing is kept alive). */
  connects?: number;
  /** Preload to the first connection attempt: deployer's modules, the configuration, building clients. */
  toFirstConnectMs?: number;
  /** First to last connection attempt: the retries. */
  firstToLastConnectMs?: number;
  /** Last connection attempt to the exit: the error reported, the process ending. */
  lastConnectToExitMs?: number;
}

const round1 = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * 10) / 10);

/** `deployer ARGS…` with bench/in-process.cjs preloaded: the result and what the process measured of itself. */
export async function measureInProcess(args: string[], opts: CliOptions): Promise<{ result: CliResult; stats: InProcessStats }> {
  const dir = mkdtempSync(path.join(tmpdir(), "deployer-bench-measure-"));
  const file = path.join(dir, "measure.json");
  try {
    const result = await runCli(args, {
      ...opts,
      nodeArgs: [...(opts.nodeArgs ?? []), "--require", PRELOAD],
      env: { ...opts.env, DEPLOYER_BENCH_MEASURE: file },
    });
    const stats: InProcessStats = { wallMs: round1(result.durationMs)! };
    try {
      const m = JSON.parse(readFileSync(file, "utf8")) as {
        startupMs: number;
        afterStartupMs: number;
        cpuMs: number;
        maxRssMB: number;
        connects: number;
        firstConnectMs?: number;
        lastConnectMs?: number;
        exitMs: number;
      };
      Object.assign(stats, {
        startupMs: round1(m.startupMs),
        afterStartupMs: round1(m.afterStartupMs),
        cpuMs: round1(m.cpuMs),
        peakRssMb: round1(m.maxRssMB),
        connects: m.connects,
      });
      if (m.firstConnectMs !== undefined && m.lastConnectMs !== undefined)
        Object.assign(stats, {
          toFirstConnectMs: round1(m.firstConnectMs - m.startupMs),
          firstToLastConnectMs: round1(m.lastConnectMs - m.firstConnectMs),
          lastConnectToExitMs: round1(m.exitMs - m.lastConnectMs),
        });
    } catch {
      // The process died before its exit handler ran: wall time only.
    }
    return { result, stats };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median of each field over the runs, each on its own (undefined where no run has it). */
function medianStats(runs: InProcessStats[]): InProcessStats {
  const med = (pick: (s: InProcessStats) => number | undefined) => {
    const xs = runs.map(pick).filter((x): x is number => x !== undefined);
    return xs.length ? round1(median(xs)) : undefined;
  };
  return {
    wallMs: med((s) => s.wallMs)!,
    startupMs: med((s) => s.startupMs),
    afterStartupMs: med((s) => s.afterStartupMs),
    cpuMs: med((s) => s.cpuMs),
    peakRssMb: med((s) => s.peakRssMb),
    connects: med((s) => s.connects),
    toFirstConnectMs: med((s) => s.toFirstConnectMs),
    firstToLastConnectMs: med((s) => s.firstToLastConnectMs),
    lastConnectToExitMs: med((s) => s.lastConnectToExitMs),
  };
}

export interface UnreachableResult {
  endpoint: string;
  runs: InProcessStats[];
  medianWallMs: number;
  maxWallMs: number;
  /** Medians of each InProcessStats field over the runs (each on its own). */
  medians: InProcessStats;
}

/**
 * `deployer plan --image IMAGE` for one target whose endpoint (AWS_ENDPOINT_URL) is a closed port on
 * 127.0.0.1, with the sandbox's CI credentials: each run must exit 1 with ENDPOINT_UNREACHABLE naming
 * the endpoint (the bench fails otherwise).
 */
export async function measureUnreachable(sb: Sandbox, image: string, runs: number): Promise<UnreachableResult> {
  const port = await closedPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const repo = generatedRepo(sb.admin.addGeneratedAccounts(1));
  const out: InProcessStats[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const { result, stats } = await measureInProcess(["plan", "--image", image], {
        cwd: repo.dir,
        sandbox: { endpoint, credentials: sb.credentials },
        timeoutMs: 120_000,
      });
      if (result.exitCode !== 1 || !result.stderr.includes("ENDPOINT_UNREACHABLE") || !result.stderr.includes(endpoint))
        throw new Error(`plan against the closed port ${endpoint} did not end with ENDPOINT_UNREACHABLE naming it\n${describeRun(result)}`);
      out.push(stats);
    }
  } finally {
    repo.cleanup();
  }
  const medians = medianStats(out);
  return { endpoint, runs: out, medianWallMs: medians.wallMs, maxWallMs: Math.max(...out.map((r) => r.wallMs)), medians };
}

export interface HostileRow extends InProcessStats {
  name: string;
  outcome: "refused" | "accepted";
  /** The first line deployer printed on stderr (the refusal), or "" when accepted. */
  firstLine: string;
  /** Runs per case; the numbers are the medians (CPU, RSS and wall each on their own). */
  runs: number;
}

export interface HostileResult {
  rows: HostileRow[];
  worstCpu: HostileRow;
  worstRss: HostileRow;
  awsCalls: number;
}

/**
 * `deployer validate` on each hostile input (test/fixtures/hostile-inputs.ts) in a fresh copy of the example
 * repository, `runs` times each; every case must be refused with its message (or accepted), with no
 * AWS call (the bench fails otherwise).
 */
export async function measureHostile(sb: Sandbox, runs: number): Promise<HostileResult> {
  const rows: HostileRow[] = [];
  sb.admin.clearLog();
  for (const h of HOSTILE_INPUTS) {
    const repo = exampleRepo();
    const stats: InProcessStats[] = [];
    let firstLine = "";
    try {
      h.apply(repo);
      for (let i = 0; i < runs; i++) {
        const { result, stats: s } = await measureInProcess(["validate"], { cwd: repo.dir, sandbox: sb, timeoutMs: 60_000 });
        const ok = h.expect === "accepted" ? result.exitCode === 0 : result.exitCode === 1 && h.expect.refused.test(result.stderr);
        if (!ok) throw new Error(`validate on "${h.name}" did not answer as expected\n${describeRun(result)}`);
        if (s.cpuMs === undefined) throw new Error(`validate on "${h.name}": the process reported no numbers\n${describeRun(result)}`);
        firstLine = h.expect === "accepted" ? "" : (result.stderr.split("\n")[0] ?? "");
        stats.push(s);
      }
    } finally {
      repo.cleanup();
    }
    const { startupMs, afterStartupMs, cpuMs, peakRssMb, wallMs, connects } = medianStats(stats);
    if (connects) throw new Error(`validate on "${h.name}" opened ${connects} connection(s): it must not reach AWS`);
    rows.push({
      name: h.name,
      outcome: h.expect === "accepted" ? "accepted" : "refused",
      firstLine,
      runs,
      wallMs,
      startupMs,
      afterStartupMs,
      cpuMs,
      peakRssMb,
    });
  }
  const by = (pick: (r: HostileRow) => number) => rows.reduce((a, b) => (pick(b) > pick(a) ? b : a));
  return { rows, worstCpu: by((r) => r.cpuMs ?? 0), worstRss: by((r) => r.peakRssMb ?? 0), awsCalls: sb.admin.log().length };
}

export interface TemplateBombRow {
  name: string;
  /** The first render of this case in this process (Handlebars and the bounds code warm or not). */
  firstMs: number;
  medianMs: number;
  maxMs: number;
  runs: number;
  message: string;
}

/** The template bombs of render-all.test.ts, rendered for the example's first target; each must be refused. */
export async function measureTemplateBombs(runs: number): Promise<TemplateBombRow[]> {
  const example = await loadProject({ cwd: oneServiceRoot });
  const withTemplate = (edit: (source: string) => string): Project => ({
    ...example,
    template: { file: path.join(oneServiceRoot, "templates/td.json.hbs"), source: edit(example.template.source) },
  });
  const target = (vars: Record<string, unknown> = {}): Target => ({
    ...example.targets[0]!,
    vars: { ...example.targets[0]!.vars, ...vars },
  });
  const cases: Array<{ name: string; project: Project; target: Target; expect: RegExp }> = [
    {
      name: "1 MiB template of expressions (60 000)",
      project: withTemplate((s) => s.replace('"{{vars.logLevel}}"', `"${"{{vars.logLevel}}".repeat(60_000)}"`)),
      target: target(),
      expect: /more than 500 \{\{…\}\} expressions/,
    },
    {
      name: "blocks nested 40 000 deep",
      project: withTemplate((s) => s.replace('"{{vars.logLevel}}"', `"${"{{#if vars.cpu}}".repeat(40_000)}x${"{{/if}}".repeat(40_000)}"`)),
      target: target(),
      expect: /blocks are nested more than 32 deep/,
    },
    {
      name: "{{#each}} ×3 over 5 000 items (10^11 copies)",
      project: withTemplate((s) =>
        s.replace('"{{vars.logLevel}}"', `"${"{{#each @root.vars.list}}".repeat(3)}{{this}}${"{{/each}}".repeat(3)}"`),
      ),
      target: target({ list: Array.from({ length: 5000 }, (_, i) => i) }),
      expect: /could write more than 2 MiB/,
    },
  ];
  const rows: TemplateBombRow[] = [];
  for (const c of cases) {
    const times: number[] = [];
    let message = "";
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const errors = await errorsOf(() => renderTaskDefinition(c.project, c.target, "img:1"));
      times.push(performance.now() - started);
      message = errors[0]?.message ?? "";
      if (!c.expect.test(message)) throw new Error(`template bomb "${c.name}" was not refused as expected: ${message}`);
    }
    rows.push({
      name: c.name,
      firstMs: round1(times[0])!,
      medianMs: round1(median(times))!,
      maxMs: round1(Math.max(...times))!,
      runs,
      message,
    });
  }
  return rows;
}
