// The name of deployer's deploy-role sessions, shown in CloudTrail next to every call deployer makes
// in a target account (and in `deployer:by` of the sessions it tags).
// STS: RoleSessionName is [\w+=,.@-]{2,64}.
const SESSION_NAME_MAX = 64;

/** `deployer-<service>-<runId>`, with characters STS refuses replaced and cut to 64 characters. */
export function deploySessionName(service: string, runId: string): string {
  const raw = `deployer-${service}-${runId}`.replace(/[^\w+=,.@-]/g, "-");
  const cut = raw.slice(0, SESSION_NAME_MAX);
  return cut.length >= 2 ? cut : `${cut}--`.slice(0, 2);
}

/**
 * `deployer-view-<service>-<runId>`: the viewer-role sessions (plan, check, status, drift, history
 * and preflight reads when a target has a `viewRole`), told apart from the deploy-role sessions in
 * CloudTrail at a glance.
 */
export function viewSessionName(service: string, runId: string): string {
  return deploySessionName(`view-${service}`, runId);
}
