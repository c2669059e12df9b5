// The mesh as one JSON document in the shape the local sandbox's `POST /_sandbox/iam/apply` takes
// (sandbox/README.md, "The IAM document"): per account, the roles (created or replaced whole: trust,
// description, inline policies) and the repository policies. Any tool can read it; a test applies it
// to the sandbox and deploys with it.
import type { PolicyDocument } from "../aws/ports.js";
import type { IamMesh } from "./mesh.js";

export interface MeshJsonRole {
  name: string;
  path: string;
  description: string;
  trustPolicy: PolicyDocument;
  inlinePolicies: Record<string, PolicyDocument>;
}

export interface MeshJsonAccount {
  account: string;
  roles: MeshJsonRole[];
  repositoryPolicies?: Array<{ region: string; repository: string; policy: PolicyDocument }>;
}

export interface MeshJson {
  accounts: MeshJsonAccount[];
}

export function meshToJson(mesh: IamMesh): MeshJson {
  return {
    accounts: mesh.accounts.map((a) => ({
      account: a.account,
      roles: a.roles.map((r) => ({
        name: r.name,
        path: r.path,
        description: r.description,
        trustPolicy: r.trustPolicy,
        inlinePolicies: r.policy ? { [r.policy.name]: r.policy.document } : {},
      })),
      ...(a.repositoryPolicies.length > 0
        ? { repositoryPolicies: a.repositoryPolicies.map((p) => ({ region: p.region, repository: p.repository, policy: p.policy })) }
        : {}),
    })),
  };
}
