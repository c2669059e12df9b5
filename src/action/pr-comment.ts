// The sticky pull-request comment: one per service, found again by the hidden marker on its first
// line (planMarker), updated in place on every push instead of piling up new comments.
import { getOctokit } from "@actions/github";
import { DeployerError } from "../errors.js";
import type { PullRequestRef } from "./github-context.js";

export type Octokit = ReturnType<typeof getOctokit>;

export interface StickyCommentResult {
  action: "created" | "updated";
  id: number;
  url: string;
}

/** An Octokit for the given API (GITHUB_API_URL: github.com, GitHub Enterprise Server, a test stand-in). */
export function createOctokit(token: string, apiUrl: string): Octokit {
  return getOctokit(token, { baseUrl: apiUrl, userAgent: "deployer-action" });
}

/** Updates the comment of `pr` carrying `marker`, or creates it. */
export async function upsertStickyComment(octokit: Octokit, pr: PullRequestRef, marker: string, body: string): Promise<StickyCommentResult> {
  if (!body.includes(marker)) throw new DeployerError({ code: "INTERNAL", message: "the comment body does not carry its marker", hint: "This is a bug in deployer; please report it." });
  const where = { owner: pr.owner, repo: pr.repo };
  try {
    const existing = await findComment(octokit, pr, marker);
    if (existing !== undefined) {
      const { data } = await octokit.rest.issues.updateComment({ ...where, comment_id: existing, body });
      return { action: "updated", id: data.id, url: data.html_url };
    }
    const { data } = await octokit.rest.issues.createComment({ ...where, issue_number: pr.number, body });
    return { action: "created", id: data.id, url: data.html_url };
  } catch (e) {
    if (e instanceof DeployerError) throw e;
    throw commentError(e, pr);
  }
}

async function findComment(octokit: Octokit, pr: PullRequestRef, marker: string): Promise<number | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { owner: pr.owner, repo: pr.repo, issue_number: pr.number, per_page: 100 });
  for await (const page of pages) {
    const hit = page.data.find((c) => typeof c.body === "string" && c.body.includes(marker));
    if (hit) return hit.id;
  }
  return undefined;
}

function commentError(e: unknown, pr: PullRequestRef): DeployerError {
  const status = typeof e === "object" && e !== null && "status" in e ? Number((e as { status: unknown }).status) : undefined;
  const message = e instanceof Error ? e.message : String(e);
  const hint =
    status === 403 || status === 401
      ? "give the job `permissions: pull-requests: write` (and `contents: read`); on pull requests from forks the token is read-only: use `comment: false` there"
      : status === 404
        ? `check GITHUB_REPOSITORY (${pr.owner}/${pr.repo}) and that the token can see pull request #${pr.number}`
        : "see the message; the plan itself is in the job summary and the plan-markdown output";
  return new DeployerError({
    code: "GITHUB_API_ERROR",
    message: `could not write the plan comment on pull request #${pr.number}${status ? ` (HTTP ${status})` : ""}: ${message}`,
    hint,
  });
}
