// Which regions an account may use. Regions launched before 20 March 2019 are enabled in every
// account; later ones are opt-in: disabled until the account enables them, and no credentials of
// the account work there (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
// The sandbox treats every region outside the default list as opt-in (stricter for regions it does
// not know).
//
// What a call into a disabled region gets: STS answers 403 InvalidClientTokenId "The security token
// included in the request is invalid" (real output for sts.af-south-1 from an account without it:
// https://github.com/aws-azure-login/aws-azure-login/issues/251); calling STS in an opt-in region
// requires it enabled for the calling account
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html).
// When the caller's account has the region but the role's account does not, AssumeRole answers
// RegionDisabledException (403, botocore sts service-2.json: "STS is not activated in the requested
// region for the account that is being asked to generate credentials").
export const DEFAULT_REGIONS: ReadonlySet<string> = new Set([
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "sa-east-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
]);

export function isOptInRegion(region: string): boolean {
  return !DEFAULT_REGIONS.has(region);
}
