// Policy documents as IAM returns them: GetRole, GetRolePolicy and GetPolicyVersion give them
// URL-encoded (RFC 3986) and the SDK does not decode them; ECR's GetRepositoryPolicy gives plain JSON.
import { DeployerError } from "../errors.js";
import type { PolicyDocument } from "./ports.js";

/** Decode an IAM URL-encoded document; plain JSON passes through unchanged. */
export function decodeIamDocument(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) return text; // already JSON (some emulators and newer SDK paths decode it)
  try {
    // RFC 3986 encoding: spaces are %20 and a literal "+" may stay as is, so no form-decoding of "+".
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Parse a policy document. `source` names where it came from, for the error.
 * Throws AWS_ERROR when AWS returned something that is not a policy document.
 */
export function parsePolicyDocument(text: string, source: { action: string; resource: string; urlEncoded: boolean }): PolicyDocument {
  const json = source.urlEncoded ? decodeIamDocument(text) : text;
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new DeployerError({
      code: "AWS_ERROR",
      message: `${source.action} returned a policy for ${source.resource} that is not valid JSON: ${(e as Error).message}`,
      action: source.action,
      resource: source.resource,
      cause: e,
    });
  }
  if (!doc || typeof doc !== "object" || !("Statement" in doc)) {
    throw new DeployerError({
      code: "AWS_ERROR",
      message: `${source.action} returned a policy for ${source.resource} without a Statement`,
      action: source.action,
      resource: source.resource,
    });
  }
  return doc as PolicyDocument;
}
