// The identity of a task definition's content, as deployer shows it: sha256 of the canonical
// normalised JSON of the definition with its sensitive fields replaced by "(sensitive)" — exactly
// the `desired` a redacted plan prints. Two definitions with the same fingerprint look the same to a
// reader of the plan, whatever their key order, their environment order, or the defaults ECS filled.
//
// Why not a hash of the whole definition: the fingerprint is published (plan JSON of a pull request,
// the `deployer:fingerprint` tag), and with the rest of the definition known, a hash over a secret
// is an oracle: a 4-digit secret falls to 10,000 guesses in well under a second. A keyed hash (HMAC)
// would need a key that every planning and applying job shares and no reader has, which a fork's
// pull request or a local `deployer plan` cannot have. So no published value is derived from a
// secret; "is it the same definition" questions that must see secrets (is the service already
// running what we want? is the latest revision reusable?) compare the full definitions in memory
// with sameTaskDefinition. The one thing this gives up: a saved plan does not notice when only a
// sensitive value changed between `plan --out-plan` and `rollout --plan` (the plan never showed it).
import { createHash } from "node:crypto";
import { canonicalJson, normaliseTaskDefinition } from "../ecs/normalise.js";
import { redactTaskDefinition, sensitivePathsOf } from "../render/redact.js";

/**
 * `sha256:` and 64 hex characters, over the definition as outputs show it: fields holding one of
 * `sensitiveValues`, fields the template wrote from sensitive input, and secret-named environment
 * variables redacted first.
 */
export function fingerprint(def: Record<string, unknown>, sensitiveValues: readonly string[] = []): string {
  const shown = redactTaskDefinition(def, sensitivePathsOf(def, sensitiveValues), sensitiveValues);
  return `sha256:${createHash("sha256")
    .update(canonicalJson(normaliseTaskDefinition(shown)))
    .digest("hex")}`;
}
