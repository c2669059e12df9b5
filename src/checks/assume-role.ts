// Check `assume-role`: the deploy role of the target could be assumed (sts:AssumeRole with the
// configured ExternalId). Everything else about a target rests on this session, so when it fails the
// observer marks every other check of the target "skip".
import type { AssumeRoleRequest, SessionFactory, TargetSession } from "../aws/ports.js";
import type { Target } from "../config/types.js";
import { isDeployerError } from "../errors.js";
import { awsFailure, locationOf, targetError, verdict, whereWritten } from "./check-result.js";
import type { CheckResult } from "./check-result.js";

export const ASSUME_ROLE_CHECK = { id: "assume-role", title: "deploy role can be assumed" } as const;

export interface AssumeRoleOutcome {
  check: CheckResult;
  session?: TargetSession;
}

export async function assumeDeployRole(target: Target, sessions: SessionFactory, sessionName: string): Promise<AssumeRoleOutcome> {
  const head = { ...ASSUME_ROLE_CHECK, target };
  const req: AssumeRoleRequest = {
    roleArn: target.deployRole,
    region: target.region,
    sessionName,
    target: target.name,
    ...(target.externalId !== undefined ? { externalId: target.externalId } : {}),
  };
  const sent = target.externalId !== undefined ? `ExternalId "${target.externalId}"` : "no ExternalId";
  try {
    const session = await sessions.target(req);
    return {
      session,
      check: verdict(head, "pass", {
        message: `assumed ${target.deployRole} as ${session.identity.arn}`,
        evidence: {
          action: "sts:AssumeRole",
          roleArn: target.deployRole,
          sessionName,
          externalIdSent: target.externalId !== undefined,
          identity: session.identity.arn,
        },
      }),
    };
  } catch (e) {
    const cause = isDeployerError(e) ? e : awsFailure(target, e, "sts:AssumeRole", target.deployRole);
    const denied = cause.code === "ASSUME_ROLE_DENIED" || cause.code === "ACCESS_DENIED";
    const error = targetError(target, {
      code: denied ? "ASSUME_ROLE_DENIED" : cause.code,
      message: denied
        ? `cannot assume ${target.deployRole} (sent ${sent})`
        : `assuming ${target.deployRole} failed (sent ${sent}): ${cause.message}`,
      action: "sts:AssumeRole",
      resource: target.deployRole,
      awsCode: cause.awsCode,
      awsMessage: cause.awsMessage,
      ...locationOf(target, target.externalId !== undefined && denied ? "externalId" : "deployRole"),
      hint: denied
        ? `The role's trust policy must allow the identity deployer runs as to sts:AssumeRole, and its sts:ExternalId condition must equal the externalId in ${whereWritten(target, "externalId")} (${sent} was sent). Check both, and that ${target.deployRole} exists in account ${target.account}.`
        : cause.hint,
      cause,
    });
    return {
      check: verdict(head, "fail", {
        message: error.message,
        error,
        evidence: { action: "sts:AssumeRole", roleArn: target.deployRole, sessionName, externalIdSent: target.externalId !== undefined },
      }),
    };
  }
}
