// The `--image` argument of commands that do not call AWS (render, validate): a tag, a digest, or a
// full image reference. Commands that deploy resolve tags to digests through ECR instead.
import { DeployerError } from "../errors.js";
import { isImageDigest, pinnedDigest } from "../config/aws-names.js";

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A digest that stands for "some image" where none is given (validate). */
export const PLACEHOLDER_DIGEST = `sha256:${"0".repeat(64)}`;

/**
 * The image reference to put in a task definition for `ref`:
 * `sha-abc` -> `REPO:sha-abc`, `sha256:…` -> `REPO@sha256:…`, `host/name:tag` or `…@sha256:…` as given.
 */
export function imageReference(repository: string, ref: string): string {
  const r = ref.trim();
  if (isImageDigest(r)) return `${repository}@${r}`;
  if (TAG.test(r)) return `${repository}:${r}`;
  if (r.includes("/") && /^[^\s"\\]+$/.test(r) && (pinnedDigest(r) !== undefined || /:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(r)))
    return r;
  throw new DeployerError({
    code: "INVALID_ARGUMENT",
    message: `"${ref}" is not an image tag, digest or reference`,
    hint: "Pass a tag (3f2a9c1, v1.4.2), a digest (sha256:<64 hex>), or a full reference (REPOSITORY:TAG or REPOSITORY@sha256:…).",
  });
}
