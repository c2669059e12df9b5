// The sticky pull-request comment: one per service, found again by the hidden marker on its first
// line (planMarker), updated in place on every push instead of piling up new comments.
//
// Only a comment the Action wrote itself is ever updated: it must carry the marker AND be by the
// token's own identity (its login, and a Bot account when that login is a bot's). Anyone can write
// the marker into a comment of their own; such a comment is left alone and a new one is created, so
// a pull request's author cannot make the Action rewrite (and so vouch for) their text.
//
// The token's login comes from GraphQL `{ viewer { login } }`, which answers for personal tokens
// and for GitHub App installation tokens alike (REST GET /user refuses installation tokens with 403
// "Resource not accessible by integration": https://github.com/actions/create-github-app-token/issues/258,
// https://github.com/joshjohanning/bulk-github-repo-settings-sync-action/pull/194). When even that
// fails, the identity is the one of the default GITHUB_TOKEN, `github-actions[bot]`.
import { getOctokit } from "@actions/github";
import { DeployerError, errorMessage } from "../errors.js";
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
export async function upsertStickyComment(
  octokit: Octokit,
  pr: PullRequestRef,
  marker: string,
  body: string,
): Promise<StickyCommentResult> {
  if (!body.includes(marker))
    throw new DeployerError({
      code: "INTERNAL",
      message: "the comment body does not carry its marker",
      hint: "This is a bug in deployer; please report it.",
    });
  const where = { owner: pr.owner, repo: pr.repo };
  try {
    const me = await ownIdentity(octokit);
    const existing = await findComment(octokit, pr, marker, me);
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

/** Who the token writes comments as. */
export interface CommentIdentity {
  login: string;
  /** "Bot" for an app's bot account (logins ending in `[bot]`), else "User". */
  type: "Bot" | "User";
}

/** The identity comments made with the default GITHUB_TOKEN carry. */
export const GITHUB_ACTIONS_BOT: CommentIdentity = { login: "github-actions[bot]", type: "Bot" };

export async function ownIdentity(octokit: Octokit): Promise<CommentIdentity> {
  try {
    const r = await octokit.graphql<{ viewer?: { login?: unknown } }>("query { viewer { login } }");
    const login = r.viewer?.login;
    if (typeof login === "string" && login !== "") return { login, type: login.endsWith("[bot]") ? "Bot" : "User" };
  } catch {
    // below
  }
  return GITHUB_ACTIONS_BOT;
}

/** True when the comment is ours: the marker, written by our own identity. */
export function isOwnComment(
  c: { body?: string | null; user?: { login?: string; type?: string } | null },
  marker: string,
  me: CommentIdentity,
): boolean {
  return typeof c.body === "string" && c.body.includes(marker) && c.user?.login === me.login && c.user?.type === me.type;
}

async function findComment(octokit: Octokit, pr: PullRequestRef, marker: string, me: CommentIdentity): Promise<number | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: pr.owner,
    repo: pr.repo,
    issue_number: pr.number,
    per_page: 100,
  });
  for await (const page of pages) {
    const hit = page.data.find((c) => isOwnComment(c, marker, me));
    if (hit) return hit.id;
  }
  return undefined;
}

function commentError(e: unknown, pr: PullRequestRef): DeployerError {
  const status = typeof e === "object" && e !== null && "status" in e ? Number(e.status) : undefined;
  const message = errorMessage(e);
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
