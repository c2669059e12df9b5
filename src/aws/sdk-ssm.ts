// SsmPort over @aws-sdk/client-ssm: parameter metadata only (see region-clients.ts).
import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { toDeployerError } from "./aws-error.js";
import type { PortContext } from "./port-context.js";
import type { SsmPort } from "./ports.js";
import { perRegion, type ClientConfigFor } from "./region-clients.js";

/**
 * ssm:DescribeParameters with ParameterFilters Name/Equals
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeParameters.html);
 * no value is returned. A name without its leading "/" is tried with one, as parameter ARNs drop it.
 */
export function createSsmPort(config: ClientConfigFor, context: PortContext = {}): SsmPort {
  const client = perRegion((region) => new SSMClient(config(region)));
  return {
    async describeParameter(region, name) {
      const candidates = name.startsWith("/") && name.indexOf("/", 1) < 0 ? [name, name.slice(1)] : [name];
      for (const candidate of candidates) {
        let out;
        try {
          out = await client(region).send(
            new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [candidate] }], MaxResults: 10 }),
          );
        } catch (e) {
          throw toDeployerError(e, { ...context, action: "ssm:DescribeParameters", resource: candidate });
        }
        const p = (out.Parameters ?? []).find((x) => x.Name === candidate);
        if (p?.Name) {
          return {
            name: p.Name,
            type: p.Type ?? "String",
            ...(p.ARN ? { arn: p.ARN } : {}),
            ...(p.KeyId ? { keyId: p.KeyId } : {}),
          };
        }
      }
      return undefined;
    },
  };
}
