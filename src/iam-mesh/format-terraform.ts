// The mesh as one Terraform file: a provider per account (each assuming an IAM administrator role
// there, var.admin_role_name), an aws_iam_role per role with its trust, an aws_iam_role_policy per
// inline policy, and the central repository's aws_ecr_repository_policy. Policies are written with
// jsonencode() of HCL objects, so Terraform (and a reader) sees the same documents as the JSON format.
// Resources: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role,
// …/iam_role_policy, …/ecr_repository_policy; provider assume_role:
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs#assume_role-configuration-block
import type { PolicyDocument } from "../aws/ports.js";
import type { IamMesh, MeshRole } from "./mesh.js";
import { hclBlock, hclName, hclString, hclValue, raw, type HclBlock, type HclValue } from "./hcl.js";

export interface TerraformOptions {
  /** The first comment lines (what generated the file). */
  header: string[];
  /** The region of each account's provider (IAM is global; a repository policy needs the repository's region). */
  regionOf: (account: string) => string;
}

export function meshToTerraform(mesh: IamMesh, o: TerraformOptions): string {
  const blocks: string[] = [];
  blocks.push(
    [
      ...o.header.map((l) => `# ${l}`.trimEnd()),
      "#",
      "# Apply with credentials that may assume var.admin_role_name (an IAM administrator role) in every",
      "# account below: `terraform init && terraform apply`.",
      ...(mesh.notes.length > 0 ? ["#", "# Notes:", ...mesh.notes.map((n) => `# - ${n}`)] : []),
    ].join("\n"),
  );
  blocks.push(
    hclBlock({
      type: "terraform",
      labels: [],
      body: [
        {
          block: {
            type: "required_providers",
            labels: [],
            body: [{ attribute: "aws", value: { source: "hashicorp/aws", version: ">= 5.0" } }],
          },
        },
      ],
    }),
  );
  blocks.push(
    hclBlock({
      type: "variable",
      labels: ["admin_role_name"],
      body: [
        { attribute: "type", value: raw("string") },
        { attribute: "default", value: "OrganizationAccountAccessRole" },
        {
          attribute: "description",
          value:
            "The role Terraform assumes in each account to manage IAM (default: the one AWS Organizations creates in member accounts).",
        },
      ],
    }),
  );

  const names = new Set<string>();
  const unique = (base: string) => {
    let n = hclName(base);
    for (let i = 2; names.has(n); i++) n = `${hclName(base)}_${i}`;
    names.add(n);
    return n;
  };

  for (const a of mesh.accounts) {
    const provider = `account_${a.account}`;
    blocks.push(
      hclBlock({
        type: "provider",
        labels: ["aws"],
        body: [
          { attribute: "alias", value: provider },
          { attribute: "region", value: o.regionOf(a.account) },
          {
            block: {
              type: "assume_role",
              labels: [],
              body: [
                {
                  attribute: "role_arn",
                  value: raw(`${hclString(`arn:${a.partition}:iam::${a.account}:role/`).slice(0, -1)}\${var.admin_role_name}"`),
                },
              ],
            },
          },
        ],
      }),
    );
    for (const r of a.roles) {
      const id = unique(`${a.account}_${r.name}`);
      blocks.push(hclBlock(roleBlock(r, id, provider)));
      if (r.policy)
        blocks.push(
          hclBlock({
            type: "resource",
            labels: ["aws_iam_role_policy", unique(`${id}_${r.policy.name}`)],
            body: [
              { attribute: "provider", value: raw(`aws.${provider}`) },
              { attribute: "name", value: r.policy.name },
              { attribute: "role", value: raw(`aws_iam_role.${id}.id`) },
              { attribute: "policy", value: jsonencode(r.policy.document) },
            ],
          }),
        );
    }
    for (const p of a.repositoryPolicies) {
      blocks.push(
        hclBlock({
          type: "resource",
          labels: ["aws_ecr_repository_policy", unique(`${a.account}_${p.repository}`)],
          comment: [`Replaces the whole policy of ${p.arn}: keep any other statement it needs here.`],
          body: [
            { attribute: "provider", value: raw(`aws.${provider}`) },
            { attribute: "repository", value: p.repository },
            { attribute: "policy", value: jsonencode(p.policy) },
          ],
        }),
      );
    }
  }
  return `${blocks.join("\n\n")}\n`;
}

function roleBlock(r: MeshRole, id: string, provider: string): HclBlock {
  return {
    type: "resource",
    labels: ["aws_iam_role", id],
    comment: [`${r.arn}: ${r.kinds.join(" + ")} role${r.targets.length > 0 ? ` of ${r.targets.join(", ")}` : ""}`],
    body: [
      { attribute: "provider", value: raw(`aws.${provider}`) },
      { attribute: "name", value: r.name },
      { attribute: "path", value: r.path },
      { attribute: "description", value: r.description },
      { attribute: "assume_role_policy", value: jsonencode(r.trustPolicy) },
    ],
  };
}

function jsonencode(doc: PolicyDocument): HclValue {
  return raw(`jsonencode(${hclValue(doc as unknown as HclValue, 1)})`);
}
