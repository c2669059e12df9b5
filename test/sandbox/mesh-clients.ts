// SDK v3 clients for the issue-18 sandbox tests: Cloud Map and RAM beside clients.ts's STS/IAM/ECS/ECR,
// and the sessions those tests act as (the read-only viewer role, a task role).
import { RAMClient } from "@aws-sdk/client-ram";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import type { Sandbox } from "../../sandbox/index.js";
import { clients, type Creds } from "./clients.js";

export const VIEWER_EXTERNAL_ID = "shop-viewer";

/** clients.ts's four clients plus Cloud Map (servicediscovery) and RAM. */
export function meshClients(sb: Sandbox, credentials: Creds, region = "eu-west-1") {
  const cfg = { endpoint: sb.endpoint, credentials, region, maxAttempts: 1 };
  return { ...clients(sb, credentials, region), sd: new ServiceDiscoveryClient(cfg), ram: new RAMClient(cfg) };
}

/** AssumeRole into ACCOUNT's role (default deployer-viewer) as the CI user; returns its credentials. */
export async function assumeAs(sb: Sandbox, account: string, role = "deployer-viewer", externalId = VIEWER_EXTERNAL_ID): Promise<Creds> {
  const out = await clients(sb, sb.credentials).sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${role}`, RoleSessionName: "mesh-test", ExternalId: externalId }),
  );
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

/** Credentials of a task role, as ECS gives them to a task (the sandbox's admin API). */
export async function taskRoleCreds(sb: Sandbox, account: string, role = "shop-api-task"): Promise<Creds & { arn: string }> {
  const c = await sb.admin.issueTaskRoleCredentials({ account, role });
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, arn: c.arn };
}
