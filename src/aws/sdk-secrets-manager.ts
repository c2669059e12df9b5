// SecretsManagerPort over @aws-sdk/client-secrets-manager: secret metadata only (see region-clients.ts).
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { isAwsError, toDeployerError } from "./aws-error.js";
import type { PortContext } from "./port-context.js";
import type { SecretsManagerPort } from "./ports.js";
import { perRegion, type ClientConfigFor } from "./region-clients.js";

/** secretsmanager:DescribeSecret (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html). */
export function createSecretsManagerPort(config: ClientConfigFor, context: PortContext = {}): SecretsManagerPort {
  const client = perRegion((region) => new SecretsManagerClient(config(region)));
  return {
    async describeSecret(region, secretId) {
      let out;
      try {
        out = await client(region).send(new DescribeSecretCommand({ SecretId: secretId }));
      } catch (e) {
        if (isAwsError(e, "ResourceNotFoundException")) return undefined;
        throw toDeployerError(e, { ...context, action: "secretsmanager:DescribeSecret", resource: secretId });
      }
      if (!out.ARN) return undefined;
      return { arn: out.ARN, name: out.Name ?? secretId, ...(out.KmsKeyId ? { kmsKeyId: out.KmsKeyId } : {}) };
    },
  };
}
