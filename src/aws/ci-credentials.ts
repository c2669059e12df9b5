// Base credentials for deployer running in CI (the GitHub Action), without the SDK's default chain.
//
// Web identity (GitHub OIDC, the Action's `role-to-assume`): the job's ID token is exchanged for a
// session of the role with AssumeRoleWithWebIdentity (@aws-sdk/credential-providers fromWebToken),
// and a NEW token is fetched for every exchange: deployer re-exchanges whenever the session nears its
// expiry, so a rollout may outlive any number of sessions. GitHub's ID tokens live minutes (5
// observed: https://github.com/Azure/login/issues/441), which is why one is never reused.
// https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
//
// The environment: what a separate step (aws-actions/configure-aws-credentials) left there:
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN (static: never refreshed,
// https://github.com/aws-actions/configure-aws-credentials/issues/354), AWS_WEB_IDENTITY_TOKEN_FILE,
// or a self-hosted runner's container or instance credentials. Shared config profiles are not read.
// Only these providers are loaded, so the Action's bundle carries no SSO, profile or process code.
import { createCredentialChain, fromEnv, fromHttp, fromInstanceMetadata, fromTokenFile, fromWebToken } from "@aws-sdk/credential-providers";
import type { BaseCredentials } from "./base-credentials.js";
import type { AwsCredentialIdentityProvider } from "./refreshing-credentials.js";
import { awsErrorName, isAwsError, redactSecrets, toDeployerError } from "./aws-error.js";
import { publicEndpoint } from "./session.js";
import { accountOfArn, parseRoleArn } from "../config/aws-names.js";
import { DeployerError, isDeployerError, errorMessage } from "../errors.js";

export interface WebIdentityOptions {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  /** The ID token's audience (one of the IAM OIDC provider's). */
  audience: string;
  /** A fresh ID token for the audience (GitHub: core.getIDToken). */
  idToken: (audience: string) => Promise<string>;
  /** The input that named the role, for messages (`role-to-assume`). */
  input: string;
}

export const ACTION_ENV_FIX =
  "Use this Action's `role-to-assume` input (GitHub OIDC, with `permissions: id-token: write`) instead of a separate credentials step: " +
  "deployer then fetches a new session whenever the current one nears expiry. Otherwise give the credentials step a `role-duration-seconds` " +
  "longer than the rollout.";

/** The job's environment: keys, a web identity token file, container or instance credentials. */
export function environmentCredentials(env: NodeJS.ProcessEnv = process.env): BaseCredentials {
  const chain: AwsCredentialIdentityProvider[] = [fromEnv()];
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) chain.push(fromTokenFile());
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) chain.push(fromHttp());
  else if ((env.AWS_EC2_METADATA_DISABLED ?? "false").toLowerCase() === "false") chain.push(fromInstanceMetadata());
  return {
    provider: createCredentialChain(...chain),
    source: "the job's environment (AWS_ACCESS_KEY_ID…, e.g. from aws-actions/configure-aws-credentials)",
    refreshable: "detect",
    fix: ACTION_ENV_FIX,
  };
}

/** A role's sessions from OIDC ID tokens, a fresh token for each exchange. */
export function webIdentityCredentials(o: WebIdentityOptions, sts: { region: string; endpointUrl?: string }): BaseCredentials {
  const endpoint = sts.endpointUrl ?? publicEndpoint("sts", sts.region);
  const provider: AwsCredentialIdentityProvider = async (properties) => {
    let token: string;
    try {
      token = await o.idToken(o.audience);
    } catch (e) {
      throw new DeployerError({
        code: "INVALID_ARGUMENT",
        field: o.input,
        message: `input \`${o.input}\`: the job could not get a GitHub OIDC token (${e instanceof Error ? e.message.replace(/\s+/g, " ").trim() : String(e)})`,
        hint: "Give the job `permissions: id-token: write` (and keep `contents: read`); on pull requests from forks GitHub gives no OIDC token.",
        cause: e,
      });
    }
    try {
      return await fromWebToken({
        roleArn: o.roleArn,
        roleSessionName: o.sessionName,
        webIdentityToken: token,
        durationSeconds: o.durationSeconds,
        clientConfig: { region: sts.region, ...(sts.endpointUrl ? { endpoint: sts.endpointUrl } : {}) },
      })(properties);
    } catch (e) {
      throw webIdentityError(e, o, endpoint);
    }
  };
  return {
    provider,
    source: `GitHub OIDC (${o.input} ${o.roleArn})`,
    refreshable: true,
    fix: `deployer exchanges a new GitHub OIDC token for ${o.roleArn} whenever its session nears expiry; check that the job still has \`permissions: id-token: write\` and that the role's trust policy still accepts the token.`,
  };
}

/** AssumeRoleWithWebIdentity's errors (botocore sts service-2.json), explained for a workflow author. */
function webIdentityError(e: unknown, o: WebIdentityOptions, endpoint: string): DeployerError {
  if (isDeployerError(e)) return e;
  const account = accountOfArn(o.roleArn);
  const partition = parseRoleArn(o.roleArn)?.partition ?? "aws";
  const said = { awsCode: awsErrorName(e), awsMessage: redactSecrets(errorMessage(e)), cause: e };
  const common = { account, action: "sts:AssumeRoleWithWebIdentity", resource: o.roleArn, ...said };
  if (isAwsError(e, "AccessDenied", "AccessDeniedException")) {
    return new DeployerError({
      ...common,
      code: "ASSUME_ROLE_DENIED",
      message: `GitHub OIDC: cannot assume ${o.roleArn} (${o.input})`,
      hint:
        `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal arn:${partition}:iam::${account ?? "ACCOUNT"}:oidc-provider/token.actions.githubusercontent.com, ` +
        `with "token.actions.githubusercontent.com:aud": "${o.audience}" and a "token.actions.githubusercontent.com:sub" condition matching this repository (e.g. "repo:OWNER/REPO:*"; it is case sensitive).`,
    });
  }
  if (isAwsError(e, "InvalidIdentityToken", "InvalidIdentityTokenException", "IDPRejectedClaim", "IDPRejectedClaimException")) {
    return new DeployerError({
      ...common,
      code: "ASSUME_ROLE_DENIED",
      message: `GitHub OIDC: AWS did not accept the job's token for ${o.roleArn}`,
      hint: `Account ${account ?? "of the role"} needs an IAM OIDC identity provider for https://token.actions.githubusercontent.com whose audiences include "${o.audience}" (the \`audience\` input).`,
    });
  }
  return toDeployerError(e, { ...common, endpoint });
}
