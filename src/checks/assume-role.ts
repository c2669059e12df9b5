// Check `assume-role`: the deploy role of the target could be assumed (sts:AssumeRole with the
// configured ExternalId). Check `assume-view-role`: the same for the target's read-only viewer role
// (`viewRole` with `viewExternalId`), which reads and simulates instead of the deploy role when set
// (issue 18). The reads of every other check rest on the reading session, so when that fails the
// observer marks every other check of the target "skip".
import type { AssumeRoleRequest, SessionFactory, TargetSession } from "../aws/ports.js";
import type { Target } from "../config/types.js";
import { isDeployerError } from "../errors.js";
import { awsFailure, locationOf, targetError, verdict, whereWritten } from "./check-result.js";
import type { CheckResult } from "./check-result.js";

export const ASSUME_ROLE_CHECK = { id: "assume-role", title: "deploy role can be assumed" } as const;
export const ASSUME_VIEW_ROLE_CHECK = { id: "assume-view-role", title: "viewer role can be assumed" } as const;

export interface AssumeRoleOutcome {
  check: CheckResult;
  session?: TargetSession;
}

export async function assumeDeployRole(target: Target, sessions: SessionFactory, sessionName: string): Promise<AssumeRoleOutcome> {
  return assumeTargetRole(target, sessions, sessionName, "deploy");
}

/** The target's viewer role (`viewRole`); only called for targets that have one. */
export async function assumeViewRole(target: Target, sessions: SessionFactory, sessionName: string): Promise<AssumeRoleOutcome> {
  return assumeTargetRole(target, sessions, sessionName, "view");
}

async function assumeTargetRole(
  target: Target,
  sessions: SessionFactory,
  sessionName: string,
  which: "deploy" | "view",
): Promise<AssumeRoleOutcome> {
  const view = which === "view";
  const roleArn = view ? target.viewRole! : target.deployRole;
  const externalId = view ? target.viewExternalId : target.externalId;
  const roleField = view ? "viewRole" : "deployRole";
  const idField = view ? "viewExternalId" : "externalId";
  const head = { ...(view ? ASSUME_VIEW_ROLE_CHECK : ASSUME_ROLE_CHECK), target };
  const req: AssumeRoleRequest = {
    roleArn,
    region: target.region,
    sessionName,
    target: target.name,
    ...(externalId !== undefined ? { externalId } : {}),
  };
  const sent = externalId !== undefined ? `ExternalId "${externalId}"` : "no ExternalId";
  try {
    const session = await sessions.target(req);
    return {
      session,
      check: verdict(head, "pass", {
        message: `assumed ${roleArn} as ${session.identity.arn}`,
        evidence: {
          action: "sts:AssumeRole",
          roleArn,
          sessionName,
          externalIdSent: externalId !== undefined,
          identity: session.identity.arn,
        },
      }),
    };
  } catch (e) {
    const cause = isDeployerError(e) ? e : awsFailure(target, e, "sts:AssumeRole", roleArn);
    const denied = cause.code === "ASSUME_ROLE_DENIED" || cause.code === "ACCESS_DENIED";
    const error = targetError(target, {
      code: denied ? "ASSUME_ROLE_DENIED" : cause.code,
      message: denied ? `cannot assume ${roleArn} (sent ${sent})` : `assuming ${roleArn} failed (sent ${sent}): ${cause.message}`,
      action: "sts:AssumeRole",
      resource: roleArn,
      awsCode: cause.awsCode,
      awsMessage: cause.awsMessage,
      ...locationOf(target, externalId !== undefined && denied ? idField : roleField),
      hint: denied
        ? `The role's trust policy must allow the identity deployer runs as to sts:AssumeRole, and its sts:ExternalId condition must equal the ${idField} in ${whereWritten(target, idField)} (${sent} was sent). Check both, and that ${roleArn} exists in account ${target.account}.`
        : cause.hint,
      cause,
    });
    return {
      check: verdict(head, "fail", {
        message: error.message,
        error,
        evidence: { action: "sts:AssumeRole", roleArn, sessionName, externalIdSent: externalId !== undefined },
      }),
    };
  }
}
