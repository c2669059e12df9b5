// The Action's base credentials: GitHub OIDC with `role-to-assume` (a new ID token from the runner
// for every exchange, so sessions are renewed for as long as the job runs), else the job's
// environment. The providers themselves live in src/aws/ci-credentials.ts.
import type { BaseCredentialsFactory } from "../aws/base-credentials.js";
import { environmentCredentials, webIdentityCredentials } from "../aws/ci-credentials.js";

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

export function actionCredentials(
  aws: ActionAwsInputs,
  idToken: (audience: string) => Promise<string>,
  env: NodeJS.ProcessEnv = process.env,
): BaseCredentialsFactory {
  const roleArn = aws.roleToAssume;
  if (roleArn) {
    return (sts) =>
      webIdentityCredentials(
        {
          roleArn,
          sessionName: aws.roleSessionName,
          durationSeconds: aws.roleDurationSeconds,
          audience: aws.audience,
          idToken,
          input: "role-to-assume",
        },
        sts,
      );
  }
  return () => environmentCredentials(env);
}

/** prepareRun's AWS options in the Action: the endpoint (AWS_ENDPOINT_URL, for a local sandbox), base credentials, the caller's region. */
export function actionAwsOptions(
  aws: ActionAwsInputs,
  idToken: (audience: string) => Promise<string>,
  env: NodeJS.ProcessEnv = process.env,
) {
  return {
    endpointUrl: env.AWS_ENDPOINT_URL || undefined,
    credentials: actionCredentials(aws, idToken, env),
    // configure-aws-credentials' `aws-region` sets both; without them STS is called in the central repository's region.
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  };
}
