// A registered revision as RegisterTaskDefinition input again: DescribeTaskDefinition's object minus
// what ECS computes on registration. Used to put an INACTIVE (deregistered) revision back: ECS
// refuses UpdateService to it (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html),
// so deployer registers an identical copy and deploys that.
import type { TaskDefinitionInput } from "../config/types.js";
import type { LiveTaskDefinition } from "../aws/ports.js";
import { ECS_COMPUTED_FIELDS } from "./normalise.js";

export function registeredInput(td: Pick<LiveTaskDefinition, "raw">): TaskDefinitionInput {
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(td.raw)) if (!ECS_COMPUTED_FIELDS.includes(k)) input[k] = structuredClone(v);
  return input as unknown as TaskDefinitionInput;
}
