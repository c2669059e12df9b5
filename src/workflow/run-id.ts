// Identifies one run of deployer: in the STS session name, the task-definition tags and the report.
import { randomBytes } from "node:crypto";

export function newRunId(): string {
  return randomBytes(4).toString("hex");
}

/** Who is deploying, for the `deployer:by` tag: the GitHub actor in Actions, else the AWS identity. */
export function describeDeployer(identityArn: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const parts: string[] = [];
  if (env.GITHUB_ACTOR) parts.push(`github:${env.GITHUB_ACTOR}`);
  if (identityArn) parts.push(identityArn);
  if (parts.length === 0) parts.push(env.USER ? `user:${env.USER}` : "unknown");
  return parts.join(" ");
}

/**
 * The git commit being deployed: GITHUB_SHA in Actions, else the image (`--image`) when it is a tag
 * that looks like a sha (a `sha256:` digest never does).
 */
export function gitShaFor(image: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.GITHUB_SHA && /^[0-9a-f]{7,40}$/i.test(env.GITHUB_SHA)) return env.GITHUB_SHA;
  if (image && /^[0-9a-f]{7,40}$/i.test(image)) return image;
  return undefined;
}
