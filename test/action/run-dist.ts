// Runs the bundled Action (`node dist/index.js`) the way the runner does: inputs as INPUT_<NAME>
// environment variables (upper-cased, hyphens kept), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files,
// the event payload in GITHUB_EVENT_PATH, RUNNER_TEMP, GITHUB_WORKSPACE; AWS credentials and the
// endpoint of a local sandbox. Parses what the runner would: outputs, summary, annotations, masks.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { projectRoot, sandboxEnv, type SandboxTarget } from "../helpers/sandbox-cli.js";

export const ACTION_ENTRY = path.join(projectRoot, "dist/index.js");

export interface ActionRunOptions {
  /** `with:` of the step, by action.yml name (`working-directory`, `github-token`). */
  inputs: Record<string, string>;
  /** GITHUB_WORKSPACE (the checkout) and the process's cwd. */
  workspace: string;
  sandbox?: SandboxTarget;
  /** GITHUB_EVENT_NAME; a pull_request event gets a payload for `pr`. */
  eventName?: string;
  pr?: number;
  repository?: string;
  /** Extra environment (GITHUB_API_URL, …); undefined removes a variable. */
  env?: Record<string, string | undefined>;
}

export interface Annotation {
  level: "error" | "warning" | "notice";
  props: Record<string, string>;
  message: string;
}

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** Values registered with ::add-mask::. */
  masks: string[];
  /** stdout without the ::add-mask:: lines (what reaches the log, before the runner masks it). */
  log: string;
  /** `::group::` titles in order. */
  groups: string[];
}

const runDirs: string[] = [];

/** Removes the RUNNER_TEMP directories of every run so far (their files are what outputs point at). */
export function cleanupActionRuns(): void {
  for (const d of runDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function runDistAction(o: ActionRunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(tmpdir(), "deployer-action-run-"));
  runDirs.push(dir);
  {
    const outputFile = path.join(dir, "github_output");
    const summaryFile = path.join(dir, "step_summary");
    const eventFile = path.join(dir, "event.json");
    writeFileSync(outputFile, "");
    writeFileSync(summaryFile, "");
    const eventName = o.eventName ?? "push";
    const repository = o.repository ?? "acme/shop-deploy";
    const payload =
      o.pr !== undefined
        ? {
            action: "synchronize",
            number: o.pr,
            pull_request: { number: o.pr, head: { sha: "8d1e4b7" } },
            repository: { full_name: repository },
          }
        : { ref: "refs/heads/main", repository: { full_name: repository } };
    writeFileSync(eventFile, JSON.stringify(payload));

    const env: Record<string, string | undefined> = {};
    for (const k of Object.keys(process.env)) if (/^(GITHUB_|INPUT_|RUNNER_|ACTIONS_)/.test(k)) env[k] = undefined;
    Object.assign(env, {
      GITHUB_ACTIONS: "true",
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_REPOSITORY: repository,
      GITHUB_WORKSPACE: o.workspace,
      GITHUB_ACTOR: "octocat",
      GITHUB_SHA: "8d1e4b7aa1b2c3d4e5f60718293a4b5c6d7e8f90",
      RUNNER_TEMP: dir,
      GITHUB_API_URL: "http://127.0.0.1:9/unreachable",
    });
    for (const [name, value] of Object.entries(o.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
    Object.assign(env, o.env ?? {});

    const { exitCode, stdout, stderr } = await new Promise<{ exitCode: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, [ACTION_ENTRY], {
          cwd: o.workspace,
          env: sandboxEnv(o.sandbox, env),
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
        child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
        const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
        child.once("error", reject);
        child.once("close", (code) => {
          clearTimeout(timer);
          resolve({ exitCode: code, stdout: out, stderr: err });
        });
      },
    );

    const lines = stdout.split("\n");
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(outputFile, "utf8")),
      summary: existsSync(summaryFile) ? readFileSync(summaryFile, "utf8") : "",
      annotations: lines.map(parseAnnotation).filter((a): a is Annotation => a !== undefined),
      masks: lines.filter((l) => l.startsWith("::add-mask::")).map((l) => unescapeData(l.slice("::add-mask::".length))),
      log: lines.filter((l) => !l.startsWith("::add-mask::")).join("\n"),
      groups: lines.filter((l) => l.startsWith("::group::")).map((l) => l.slice("::group::".length)),
    };
  }
}

/** GITHUB_OUTPUT: `name<<DELIMITER\nvalue\nDELIMITER\n` per output (what core.setOutput writes). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

/** `::error title=T,file=F,line=3,col=5::message` → its parts (command escaping undone). */
export function parseAnnotation(line: string): Annotation | undefined {
  const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) return undefined;
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? "").split(",").filter(Boolean)) {
    const i = kv.indexOf("=");
    props[kv.slice(0, i)] = unescapeProperty(kv.slice(i + 1));
  }
  return { level: m[1] as Annotation["level"], props, message: unescapeData(m[3]!) };
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
}

function unescapeProperty(s: string): string {
  return unescapeData(s).replace(/%3A/g, ":").replace(/%2C/g, ",");
}

/** Each test file's fixture: one sandbox for the file, a fresh copy of the example repo per test. */
export function useActionFixture(): { sandbox: Sandbox; repo: TempRepo } {
  const fx = {} as { sandbox: Sandbox; repo: TempRepo };
  beforeAll(async () => {
    fx.sandbox = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
  });
  afterAll(async () => {
    await fx.sandbox?.stop();
  });
  beforeEach(() => {
    fx.repo = exampleRepo();
  });
  afterEach(() => {
    fx.repo.cleanup();
    cleanupActionRuns();
  });
  return fx;
}

/** A failed run's exit code, output and summary, for assertion messages. */
export function describeRun(r: ActionRun): string {
  return `exit ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}\n--- summary\n${r.summary}`;
}
