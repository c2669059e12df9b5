// IamPort over @aws-sdk/client-iam. IAM returns policy documents URL-encoded; they are decoded here.
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
  type ContextKeyTypeEnum,
  type EvaluationResult,
  IAMClient,
  type Statement,
} from "@aws-sdk/client-iam";
import { DeployerError } from "../errors.js";
import { roleNameOf } from "../config/aws-names.js";
import { isAwsError, toDeployerError } from "./aws-error.js";
import { parsePolicyDocument } from "./policy-document.js";
import type { PortContext } from "./port-context.js";
import type { IamPort, PolicyDocument, SimulationResult } from "./ports.js";

/** A role name from a role name or a role ARN (`arn:aws:iam::123:role/path/name` -> `name`). */

/** The port over a client of its own made with `config` (region, credentials, retries, endpoint): what sessions use. */
export function iamPortWith(config: Record<string, unknown>, context: PortContext = {}): IamPort {
  return createIamPort(new IAMClient(config), context);
}

export function createIamPort(client: IAMClient, context: PortContext = {}): IamPort {
  const fail = (e: unknown, action: string, resource: string, hint?: string): DeployerError =>
    toDeployerError(e, { ...context, action, resource, hint });

  /** Re-targets errors thrown by parsePolicyDocument at this port's target. */
  const parse = (text: string, action: string, resource: string): PolicyDocument => {
    try {
      return parsePolicyDocument(text, { action, resource, urlEncoded: true });
    } catch (e) {
      throw fail(e, action, resource);
    }
  };

  const roleMissing = (roleName: string, action: string, cause: unknown): DeployerError =>
    new DeployerError({
      code: "ROLE_NOT_FOUND",
      message: `Role ${roleName} does not exist${context.account ? ` in account ${context.account}` : ""}`,
      target: context.target,
      account: context.account,
      action,
      resource: roleName,
      awsCode: "NoSuchEntity",
      awsMessage: cause instanceof Error ? cause.message : undefined,
      cause,
    });

  const port: IamPort & Required<Pick<IamPort, "getManagedPolicy">> = {
    async getRole(roleNameOrArn) {
      const roleName = roleNameOf(roleNameOrArn);
      let out;
      try {
        out = await client.send(new GetRoleCommand({ RoleName: roleName }));
      } catch (e) {
        if (isAwsError(e, "NoSuchEntityException", "NoSuchEntity")) return undefined;
        throw fail(e, "iam:GetRole", roleNameOrArn);
      }
      const role = out.Role;
      if (!role?.Arn) return undefined;
      const arn = role.Arn;
      return {
        arn,
        name: role.RoleName ?? roleName,
        trustPolicy: role.AssumeRolePolicyDocument
          ? parse(role.AssumeRolePolicyDocument, "iam:GetRole", arn)
          : { Version: "2012-10-17", Statement: [] },
        ...(role.PermissionsBoundary?.PermissionsBoundaryArn
          ? { permissionsBoundaryArn: role.PermissionsBoundary.PermissionsBoundaryArn }
          : {}),
      };
    },

    async simulatePrincipalPolicy(policySourceArn, actions, resources, context) {
      const results: SimulationResult[] = [];
      let marker: string | undefined;
      do {
        let out;
        try {
          out = await client.send(
            new SimulatePrincipalPolicyCommand({
              PolicySourceArn: policySourceArn,
              ActionNames: actions,
              ResourceArns: resources.length > 0 ? resources : undefined,
              ContextEntries: context.map((c) => ({
                ContextKeyName: c.key,
                ContextKeyType: c.type as ContextKeyTypeEnum,
                ContextKeyValues: c.values,
              })),
              Marker: marker,
            }),
          );
        } catch (e) {
          throw fail(e, "iam:SimulatePrincipalPolicy", policySourceArn);
        }
        for (const r of out.EvaluationResults ?? []) results.push(...toSimulationResults(r));
        marker = out.IsTruncated ? out.Marker : undefined;
      } while (marker);
      return results;
    },

    async listInlinePolicies(roleNameOrArn) {
      const roleName = roleNameOf(roleNameOrArn);
      const names: string[] = [];
      let marker: string | undefined;
      do {
        let out;
        try {
          out = await client.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
        } catch (e) {
          if (isAwsError(e, "NoSuchEntityException", "NoSuchEntity")) throw roleMissing(roleName, "iam:ListRolePolicies", e);
          throw fail(e, "iam:ListRolePolicies", roleNameOrArn);
        }
        names.push(...(out.PolicyNames ?? []));
        marker = out.IsTruncated ? out.Marker : undefined;
      } while (marker);

      const docs: Record<string, PolicyDocument> = {};
      for (const name of names) {
        let out;
        try {
          out = await client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
        } catch (e) {
          throw fail(e, "iam:GetRolePolicy", `${roleNameOrArn} (inline policy ${name})`);
        }
        if (out.PolicyDocument) docs[name] = parse(out.PolicyDocument, "iam:GetRolePolicy", `${roleName}/${name}`);
      }
      return docs;
    },

    async listAttachedPolicies(roleNameOrArn) {
      const roleName = roleNameOf(roleNameOrArn);
      const arns: string[] = [];
      let marker: string | undefined;
      do {
        let out;
        try {
          out = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
        } catch (e) {
          if (isAwsError(e, "NoSuchEntityException", "NoSuchEntity")) throw roleMissing(roleName, "iam:ListAttachedRolePolicies", e);
          throw fail(e, "iam:ListAttachedRolePolicies", roleNameOrArn);
        }
        for (const p of out.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
        marker = out.IsTruncated ? out.Marker : undefined;
      } while (marker);

      const docs: Record<string, PolicyDocument> = {};
      for (const arn of arns) {
        const document = await port.getManagedPolicy(arn);
        if (document) docs[arn] = document;
      }
      return docs;
    },

    async getManagedPolicy(arn) {
      let versionId: string | undefined;
      try {
        const out = await client.send(new GetPolicyCommand({ PolicyArn: arn }));
        versionId = out.Policy?.DefaultVersionId;
      } catch (e) {
        if (isAwsError(e, "NoSuchEntityException", "NoSuchEntity")) return undefined;
        throw fail(e, "iam:GetPolicy", arn);
      }
      if (!versionId) {
        throw new DeployerError({
          code: "AWS_ERROR",
          message: `GetPolicy returned no default version for ${arn}`,
          target: context.target,
          account: context.account,
          action: "iam:GetPolicy",
          resource: arn,
        });
      }
      let document: string | undefined;
      try {
        const out = await client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }));
        document = out.PolicyVersion?.Document;
      } catch (e) {
        throw fail(e, "iam:GetPolicyVersion", `${arn} (${versionId})`);
      }
      return document ? parse(document, "iam:GetPolicyVersion", `${arn} (${versionId})`) : undefined;
    },
  };
  return port;
}

function statementIds(statements: Statement[] | undefined): string[] {
  const ids = new Set<string>();
  for (const s of statements ?? []) {
    const id = s.SourcePolicyId ?? s.SourcePolicyType;
    if (id) ids.add(id);
  }
  return [...ids];
}

/**
 * SimulatePrincipalPolicy's answer as (action, resource) pairs, from either shape IAM has used:
 *  - since 2026-07-30 (botocore 1.43.60, iam/2010-05-08/service-2.json): ONE EvaluationResult per
 *    action "regardless of how many resource ARNs are provided", its EvalDecision the most
 *    restrictive over them and its EvalResourceName an ARN template (or "*"); the per-resource
 *    answers only in ResourceSpecificResults (decision, MatchedStatements, MissingContextValues,
 *    PermissionsBoundaryDecisionDetail); MissingContextValues at the top level only for "*";
 *    OrganizationsDecisionDetail at the top level only, and only for a member of an organization;
 *  - before: one EvaluationResult per action and resource (EvalResourceName the resource itself),
 *    sometimes with a one-element ResourceSpecificResults.
 * Per-resource answers are therefore read from ResourceSpecificResults whenever there are any, and
 * never from EvalResourceName/EvalDecision then. AllowedByOrganizations is an action-wide flag:
 * a resource that was allowed was allowed by the SCPs too; a denied one carries the action's flag.
 */
export function toSimulationResults(r: EvaluationResult): SimulationResult[] {
  const action = r.EvalActionName ?? "";
  const specific = r.ResourceSpecificResults ?? [];
  const org = r.OrganizationsDecisionDetail?.AllowedByOrganizations;
  const boundary = r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary;
  const withDetails = (
    out: SimulationResult,
    allowedByBoundary: boolean | undefined,
    details: Record<string, string> | undefined,
  ): SimulationResult => {
    if (org !== undefined) out.allowedByOrganizations = out.decision === "allowed" ? true : org;
    if (allowedByBoundary !== undefined) out.allowedByPermissionsBoundary = allowedByBoundary;
    if (details && Object.keys(details).length > 0) out.decisionDetails = { ...details };
    return out;
  };
  if (specific.length > 0) {
    return specific.map((s) =>
      withDetails(
        {
          action,
          resource: s.EvalResourceName ?? r.EvalResourceName ?? "*",
          decision: s.EvalResourceDecision ?? r.EvalDecision ?? "implicitDeny",
          matchedStatements: statementIds(s.MatchedStatements ?? (specific.length === 1 ? r.MatchedStatements : undefined)),
          missingContextValues: [
            ...new Set([...(s.MissingContextValues ?? []), ...(specific.length === 1 ? (r.MissingContextValues ?? []) : [])]),
          ],
        },
        s.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary ?? (specific.length === 1 ? boundary : undefined),
        s.EvalDecisionDetails ?? (specific.length === 1 ? r.EvalDecisionDetails : undefined),
      ),
    );
  }
  return [
    withDetails(
      {
        action,
        resource: r.EvalResourceName ?? "*",
        decision: r.EvalDecision ?? "implicitDeny",
        matchedStatements: statementIds(r.MatchedStatements),
        missingContextValues: [...(r.MissingContextValues ?? [])],
      },
      boundary,
      r.EvalDecisionDetails,
    ),
  ];
}
