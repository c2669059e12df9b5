// The Action's base credentials.
//
// With `role-to-assume`: GitHub OIDC. The job's ID token (core.getIDToken, which needs
// `permissions: id-token: write`) is exchanged for a session of the role with
// AssumeRoleWithWebIdentity (@aws-sdk/credential-providers fromWebToken), and a NEW token is fetched
// for every exchange: deployer re-exchanges whenever the session nears its expiry, so a rollout may
// outlive any number of sessions. GitHub's ID tokens themselves live minutes (5 observed:
// https://github.com/Azure/login/issues/441), which is why one is never reused.
// https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
//
// Without it: what the environment gives, as a separate step (aws-actions/configure-aws-credentials)
// left it: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN (static: never refreshed,
// https://github.com/aws-actions/configure-aws-credentials/issues/354), AWS_WEB_IDENTITY_TOKEN_FILE,
// or a self-hosted runner's container or instance credentials. Shared config profiles are not read.
// Only these providers are loaded, so the bundle carries no SSO, profile or process code.
import { createCredentialChain, fromEnv, fromHttp, fromInstanceMetadata, fromTokenFile, fromWebToken } from "@aws-sdk/credential-providers";
import type { BaseCredentials, BaseCredentialsFactory } from "../aws/base-credentials.js";
import type { AwsCredentialIdentityProvider } from "../aws/refreshing-credentials.js";
import { awsErrorName, isAwsError, redactSecrets, toDeployerError } from "../aws/aws-error.js";
import { publicEndpoint } from "../aws/session.js";
import { accountOfArn } from "../config/aws-names.js";
import { DeployerError, isDeployerError } from "../errors.js";

export interface ActionAwsInputs {
  /** `role-to-assume`: the role GitHub OIDC is exchanged for. */
  roleToAssume?: string;
  /** `role-session-name` (default deployer-<run id>). */
  roleSessionName: string;
  /** `role-duration-seconds` (default 3600). */
  roleDurationSeconds: number;
  /** `audience` of the ID token (default sts.amazonaws.com, what the IAM OIDC provider lists). */
  audience: string;
}

/** The GitHub OIDC audience AWS expects by default (the IAM OIDC provider's client id). */
export const DEFAULT_AUDIENCE = "sts.amazonaws.com";

export const ACTION_ENV_FIX =
  "Use this Action's `role-to-assume` input (GitHub OIDC, with `permissions: id-token: write`) instead of a separate credentials step: " +
  "deployer then fetches a new session whenever the current one nears expiry. Otherwise give the credentials step a `role-duration-seconds` " +
  "longer than the rollout.";

export function actionCredentials(aws: ActionAwsInputs, idToken: (audience: string) => Promise<string>, env: NodeJS.ProcessEnv = process.env): BaseCredentialsFactory {
  if (aws.roleToAssume) return (sts) => webIdentityCredentials({ ...aws, roleToAssume: aws.roleToAssume! }, idToken, sts);
  return () => environmentCredentials(env);
}

function environmentCredentials(env: NodeJS.ProcessEnv): BaseCredentials {
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

function webIdentityCredentials(aws: ActionAwsInputs & { roleToAssume: string }, idToken: (audience: string) => Promise<string>, sts: { region: string; endpointUrl?: string }): BaseCredentials {
  const endpoint = sts.endpointUrl ?? publicEndpoint("sts", sts.region);
  const provider: AwsCredentialIdentityProvider = async (properties) => {
    let token: string;
    try {
      token = await idToken(aws.audience);
    } catch (e) {
      throw new DeployerError({
        code: "INVALID_ARGUMENT",
        field: "role-to-assume",
        message: `input \`role-to-assume\`: the job could not get a GitHub OIDC token (${e instanceof Error ? e.message.replace(/\s+/g, " ").trim() : String(e)})`,
        hint: "Give the job `permissions: id-token: write` (and keep `contents: read`); on pull requests from forks GitHub gives no OIDC token.",
        cause: e,
      });
    }
    try {
      return await fromWebToken({
        roleArn: aws.roleToAssume,
        roleSessionName: aws.roleSessionName,
        webIdentityToken: token,
        durationSeconds: aws.roleDurationSeconds,
        clientConfig: { region: sts.region, ...(sts.endpointUrl ? { endpoint: sts.endpointUrl } : {}) },
      })(properties);
    } catch (e) {
      throw webIdentityError(e, aws, endpoint);
    }
  };
  return {
    provider,
    source: `GitHub OIDC (role-to-assume ${aws.roleToAssume})`,
    refreshable: true,
    fix: `deployer exchanges a new GitHub OIDC token for ${aws.roleToAssume} whenever its session nears expiry; check that the job still has \`permissions: id-token: write\` and that the role's trust policy still accepts the token.`,
  };
}

/** AssumeRoleWithWebIdentity's errors (botocore sts service-2.json), explained for a workflow author. */
function webIdentityError(e: unknown, aws: ActionAwsInputs & { roleToAssume: string }, endpoint: string): DeployerError {
  if (isDeployerError(e)) return e;
  const account = accountOfArn(aws.roleToAssume);
  const said = { awsCode: awsErrorName(e), awsMessage: redactSecrets(e instanceof Error ? e.message : String(e)), cause: e };
  const common = { account, action: "sts:AssumeRoleWithWebIdentity", resource: aws.roleToAssume, ...said };
  if (isAwsError(e, "AccessDenied", "AccessDeniedException")) {
    return new DeployerError({
      ...common,
      code: "ASSUME_ROLE_DENIED",
      message: `GitHub OIDC: cannot assume ${aws.roleToAssume} (role-to-assume)`,
      hint:
        `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal arn:aws:iam::${account ?? "ACCOUNT"}:oidc-provider/token.actions.githubusercontent.com, ` +
        `with "token.actions.githubusercontent.com:aud": "${aws.audience}" and a "token.actions.githubusercontent.com:sub" condition matching this repository (e.g. "repo:OWNER/REPO:*"; it is case sensitive).`,
    });
  }
  if (isAwsError(e, "InvalidIdentityToken", "InvalidIdentityTokenException", "IDPRejectedClaim", "IDPRejectedClaimException")) {
    return new DeployerError({
      ...common,
      code: "ASSUME_ROLE_DENIED",
      message: `GitHub OIDC: AWS did not accept the job's token for ${aws.roleToAssume}`,
      hint: `Account ${account ?? "of the role"} needs an IAM OIDC identity provider for https://token.actions.githubusercontent.com whose audiences include "${aws.audience}" (the \`audience\` input).`,
    });
  }
  return toDeployerError(e, { ...common, endpoint });
}

/** prepareRun's AWS options in the Action: the endpoint (AWS_ENDPOINT_URL, for a local sandbox), base credentials, the caller's region. */
export function actionAwsOptions(aws: ActionAwsInputs, idToken: (audience: string) => Promise<string>, env: NodeJS.ProcessEnv = process.env) {
  return {
    endpointUrl: env.AWS_ENDPOINT_URL || undefined,
    credentials: actionCredentials(aws, idToken, env),
    // configure-aws-credentials' `aws-region` sets both; without them STS is called in the central repository's region.
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  };
}
