// Read-only sessions in the other accounts of the fleet, for checks that must read there: the trust
// policy of a role a task assumes in another account, the RAM shares of a namespace's owner. The
// session is the viewRole of a target in that account (the first one, in the project's order), assumed
// with its viewExternalId; an account with no such target has none, and the checks say so
// (unverified). One session per account for the whole run, shared by every target's checks.
import type { SessionFactory } from "../aws/ports.js";
import type { Project } from "../config/types.js";
import { isDeployerError } from "../errors.js";
import type { FleetReader, FleetSession } from "../checks/context.js";

const readers = new WeakMap<SessionFactory, Map<string, Promise<FleetSession>>>();

export function fleetReader(sessions: SessionFactory, project: Project, sessionName: string): FleetReader {
  let memo = readers.get(sessions);
  if (!memo) {
    memo = new Map();
    readers.set(sessions, memo);
  }
  const byAccount = memo;
  return {
    session(account) {
      let p = byAccount.get(account);
      if (!p) {
        p = open(sessions, project, sessionName, account);
        byAccount.set(account, p);
      }
      return p;
    },
  };
}

async function open(sessions: SessionFactory, project: Project, sessionName: string, account: string): Promise<FleetSession> {
  const inAccount = project.targets.filter((t) => t.account === account);
  const viewer = inAccount.find((t) => t.viewRole);
  if (!viewer?.viewRole) {
    return {
      ok: false,
      reason:
        inAccount.length === 0
          ? `account ${account} is not an account of the fleet (no target there, so no viewer role to read it with)`
          : `no target in account ${account} has a viewRole to read it with`,
    };
  }
  try {
    const session = await sessions.target({
      roleArn: viewer.viewRole,
      region: viewer.region,
      sessionName,
      target: viewer.name,
      ...(viewer.viewExternalId !== undefined ? { externalId: viewer.viewExternalId } : {}),
    });
    return { ok: true, session, role: viewer.viewRole, target: viewer.name };
  } catch (e) {
    const reason = `the viewer role ${viewer.viewRole} (target ${viewer.name}) could not be assumed`;
    return { ok: false, reason, ...(isDeployerError(e) ? { error: e } : {}) };
  }
}
