// Real SDK v3 clients pointed at a sandbox, configured only by endpoint + credentials + region.
import { ECSClient } from "@aws-sdk/client-ecs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { SSMClient } from "@aws-sdk/client-ssm";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { KMSClient } from "@aws-sdk/client-kms";
import { EC2Client } from "@aws-sdk/client-ec2";
import type { Sandbox } from "../../sandbox/index.js";

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function clients(sb: Sandbox, credentials: Creds, region = "eu-west-1", maxAttempts = 1) {
  const cfg = { endpoint: sb.endpoint, credentials, region, maxAttempts };
  return {
    sts: new STSClient(cfg),
    iam: new IAMClient(cfg),
    ecs: new ECSClient(cfg),
    ecr: new ECRClient(cfg),
    ssm: new SSMClient(cfg),
    secrets: new SecretsManagerClient(cfg),
    logs: new CloudWatchLogsClient(cfg),
    kms: new KMSClient(cfg),
    ec2: new EC2Client(cfg),
  };
}

export const EXTERNAL_IDS: Record<string, string> = {
  "222222222222": "shop-deployer-dev",
  "333333333333": "shop-deployer-staging",
  "444444444444": "shop-deployer-prod-eu",
  "555555555555": "shop-deployer-prod-us",
  "666666666666": "shop-deployer-broken",
};

/** AssumeRole into ACCOUNT's `deployer` role as the CI user; returns clients acting in that account. */
export async function assumeDeployer(sb: Sandbox, account: string, region = "eu-west-1", maxAttempts = 1) {
  const base = clients(sb, sb.credentials, region);
  const out = await base.sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/deployer`,
      RoleSessionName: "deployer-test",
      ExternalId: EXTERNAL_IDS[account],
    }),
  );
  const c = out.Credentials!;
  return clients(
    sb,
    { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    region,
    maxAttempts,
  );
}

/** Captures a rejected promise's error (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { name: string };
  }
  throw new Error("expected the call to fail, but it succeeded");
}
