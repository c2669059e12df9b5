// What the Action needs to know about the workflow run it is part of, read from the runner's
// environment (GITHUB_*, RUNNER_TEMP) and the event payload file. Read once, passed explicitly, so
// every other module of the Action is testable without a runner.
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DeployerError } from "../errors.js";

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

export interface GitHubRunContext {
  /** GITHUB_EVENT_NAME: `pull_request`, `push`, `workflow_dispatch`, … ("" outside Actions). */
  eventName: string;
  /** GITHUB_WORKSPACE (the checkout): annotation paths are relative to it. Default: cwd. */
  workspace: string;
  /** Where the Action writes its plan/report files: $RUNNER_TEMP (default: the OS temp dir). */
  tempDir: string;
  /** owner/name from GITHUB_REPOSITORY. */
  repository?: { owner: string; repo: string };
  /** The pull request of a pull_request / pull_request_target event. */
  pullRequest?: PullRequestRef;
  /** GITHUB_API_URL (GitHub Enterprise Server, or a stand-in in tests). */
  apiUrl: string;
}

/** Events whose payload carries `pull_request` and whose PR a plan comment belongs to. */
export const PULL_REQUEST_EVENTS: readonly string[] = ["pull_request", "pull_request_target"];

export function readGitHubRunContext(env: NodeJS.ProcessEnv = process.env): GitHubRunContext {
  const eventName = env.GITHUB_EVENT_NAME ?? "";
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd());
  const tempDir = env.RUNNER_TEMP || tmpdir();
  const apiUrl = (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");

  let repository: GitHubRunContext["repository"];
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(env.GITHUB_REPOSITORY ?? "");
  if (m) repository = { owner: m[1]!, repo: m[2]! };

  let pullRequest: PullRequestRef | undefined;
  if (PULL_REQUEST_EVENTS.includes(eventName) && repository) {
    const number = pullRequestNumber(readEventPayload(env.GITHUB_EVENT_PATH));
    if (number !== undefined) pullRequest = { ...repository, number };
  }
  return { eventName, workspace, tempDir, repository, pullRequest, apiUrl };
}

function readEventPayload(file: string | undefined): unknown {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new DeployerError({
      code: "INTERNAL",
      message: `GITHUB_EVENT_PATH ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      hint: "The runner writes the event payload there; outside a runner, unset GITHUB_EVENT_PATH or point it at a JSON file.",
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new DeployerError({
      code: "INTERNAL",
      message: `GITHUB_EVENT_PATH ${file} is not JSON (${(e as Error).message})`,
      hint: "The runner writes the event payload there; outside a runner, point it at a JSON file.",
    });
  }
}

function pullRequestNumber(payload: unknown): number | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const p = payload as { pull_request?: { number?: unknown }; number?: unknown };
  const n = p.pull_request?.number ?? p.number;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}
