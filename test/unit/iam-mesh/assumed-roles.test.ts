// `deployer iam` grants each account's viewer role iam:GetRole on the roles of that account that tasks
// of the fleet assume (taskAssumes): check task-assumes reads the destination role's trust through
// that account's viewer (src/observe/fleet-reader.ts), so without it the check is unverified.
import { describe, expect, it } from "vitest";
import type { PolicyStatement } from "../../../src/aws/ports.js";
import type { Target } from "../../../src/config/types.js";
import { buildMesh, type IamMesh, type MeshOptions } from "../../../src/iam-mesh/mesh.js";
import { DIGEST, REPO, makeProject, makeTarget, renderTemplate } from "../../helpers/factories.js";

const OPTIONS: MeshOptions = { github: { repository: "acme/shop-deploy", branches: ["main"], environments: [] } };
const PUBLISHER = "arn:aws:iam::444444444444:role/events/shop-events-publisher";
const ELSEWHERE = "arn:aws:iam::999999999999:role/partner-writer";

function mesh(targets: Target[]): IamMesh {
  return buildMesh(
    makeProject(targets, { repository: REPO }),
    targets.map((t) => ({ target: t, taskDefinition: renderTemplate(t, `${REPO}@${DIGEST}`) })),
    OPTIONS,
  );
}

function fleet(devAssumes: string[]): Target[] {
  return [
    makeTarget({ viewRole: "arn:aws:iam::222222222222:role/deployer-viewer", viewExternalId: "v", taskAssumes: devAssumes }),
    makeTarget({
      name: "prod",
      stage: "prod",
      account: "444444444444",
      cluster: "shop-prod",
      externalId: "shop-deployer-prod",
      viewRole: "arn:aws:iam::444444444444:role/deployer-viewer",
      viewExternalId: "v",
    }),
  ];
}

const statementsOf = (m: IamMesh, arn: string): PolicyStatement[] => {
  const role = m.accounts.flatMap((a) => a.roles).find((r) => r.arn === arn);
  if (!role) throw new Error(`no role ${arn}`);
  return role.policy ? ([] as PolicyStatement[]).concat(role.policy.document.Statement) : [];
};
const getRoleResources = (m: IamMesh, arn: string): string[] =>
  statementsOf(m, arn)
    .filter((s) => ([] as string[]).concat(s.Action ?? []).includes("iam:GetRole"))
    .flatMap((s) => ([] as string[]).concat(s.Resource ?? []));

describe("deployer iam: the destination account's viewer may read the trust of the roles tasks assume there", () => {
  it("prod's viewer gets iam:GetRole on the role dev's task assumes in prod; dev's viewer does not", () => {
    const m = mesh(fleet([PUBLISHER, ELSEWHERE]));
    const prodViewer = statementsOf(m, "arn:aws:iam::444444444444:role/deployer-viewer");
    const read = prodViewer.filter((s) => s.Sid === "ReadAssumedRoles");
    expect(read).toEqual([{ Sid: "ReadAssumedRoles", Effect: "Allow", Action: ["iam:GetRole"], Resource: PUBLISHER }]);
    expect(getRoleResources(m, "arn:aws:iam::222222222222:role/deployer-viewer")).not.toContain(PUBLISHER);
    // A role of an account with no target (no viewer there): nobody of the mesh reads it (the check says unverified).
    for (const a of m.accounts) for (const r of a.roles) expect(getRoleResources(m, r.arn)).not.toContain(ELSEWHERE);
    // Only the viewer: the deploy role of prod does not get it.
    expect(getRoleResources(m, "arn:aws:iam::444444444444:role/deployer")).not.toContain(PUBLISHER);
  });

  it("without taskAssumes, no viewer gets the statement", () => {
    const m = mesh(fleet([]));
    for (const a of m.accounts) for (const r of a.roles) expect(statementsOf(m, r.arn).map((s) => s.Sid)).not.toContain("ReadAssumedRoles");
  });
});
