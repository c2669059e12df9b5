// KmsPort over @aws-sdk/client-kms: key metadata, never key material (see region-clients.ts).
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { isAwsError, toDeployerError } from "./aws-error.js";
import type { PortContext } from "./port-context.js";
import type { KmsPort } from "./ports.js";
import { perRegion, type ClientConfigFor } from "./region-clients.js";

/** kms:DescribeKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html): never key material. */
export function createKmsPort(config: ClientConfigFor, context: PortContext = {}): KmsPort {
  const client = perRegion((region) => new KMSClient(config(region)));
  return {
    async describeKey(region, keyId) {
      let out;
      try {
        out = await client(region).send(new DescribeKeyCommand({ KeyId: keyId }));
      } catch (e) {
        if (isAwsError(e, "NotFoundException")) return undefined;
        throw toDeployerError(e, { ...context, action: "kms:DescribeKey", resource: keyId });
      }
      const k = out.KeyMetadata;
      if (!k?.Arn || !k.KeyId) return undefined;
      return {
        arn: k.Arn,
        keyId: k.KeyId,
        account: k.AWSAccountId ?? k.Arn.split(":")[4] ?? "",
        keyManager: k.KeyManager ?? "CUSTOMER",
        enabled: k.Enabled ?? true,
        ...(k.KeyState ? { keyState: k.KeyState } : {}),
      };
    },
  };
}
