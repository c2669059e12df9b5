// The mesh as CloudFormation:
//   stackset-template.json            ONE template for every target account (a StackSet): its deploy
//                                     role, viewer role, task role and execution role, with every
//                                     account-specific value a parameter;
//   stackset-parameters/ACCOUNT.json  those values per account (create-stack-instances --parameter-overrides);
//   ci-account-ACCOUNT.json           the CI roles (and image.registryRole) of the CI account, a plain stack;
//   central-repository-policy.json    the central repository's policy (aws ecr set-repository-policy):
//                                     CloudFormation can set it only on a repository the stack creates.
// The template's statements come from the same table as the other formats (mesh.ts statementGroups);
// a statement whose resources are empty in some account is conditional on its parameter.
// Sources: AWS::IAM::Role https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html;
// CommaDelimitedList parameters, conditions and Fn::If / AWS::NoValue
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html;
// StackSets need CAPABILITY_NAMED_IAM for named IAM resources (botocore cloudformation CreateStackSetInput.Capabilities).
import { DeployerError, DeployerErrors } from "../errors.js";
import { ECS_TASKS_PRINCIPAL } from "./trust.js";
import {
  POLICY_NAME,
  groupCondition,
  groupResources,
  statementGroups,
  type IamMesh,
  type MeshRole,
  type RoleKind,
  type StatementGroup,
} from "./mesh.js";

export interface GeneratedFile {
  /** Relative path. */
  path: string;
  content: unknown;
}

type Json = Record<string, unknown>;

/** The role slots of a target account, in the template. */
const SLOTS = [
  { slot: "Deploy", kind: "deploy", required: true },
  { slot: "View", kind: "view", required: false },
  { slot: "Task", kind: "task", required: true },
  { slot: "Execution", kind: "execution", required: true },
] as const;
type Slot = (typeof SLOTS)[number];

const TARGET_KINDS: RoleKind[] = ["deploy", "view", "task", "execution"];

export function meshToCloudFormation(mesh: IamMesh, header: string): GeneratedFile[] {
  const errors: DeployerError[] = [];
  const targetAccounts = mesh.accounts.filter((a) => a.roles.some((r) => r.kinds.some((k) => TARGET_KINDS.includes(k))));
  // Each target account: exactly one role per slot (the viewer optional), each with one purpose.
  const slotsOf = new Map<string, Map<Slot["slot"], MeshRole>>();
  for (const a of targetAccounts) {
    const bySlot = new Map<Slot["slot"], MeshRole>();
    for (const r of a.roles.filter((x) => x.kinds.some((k) => TARGET_KINDS.includes(k)))) {
      if (r.kinds.length > 1) {
        errors.push(cfnShapeError(`${r.arn} is both ${r.kinds.join(" and ")} role`));
        continue;
      }
      const slot = SLOTS.find((s) => s.kind === r.kinds[0])!;
      if (bySlot.has(slot.slot)) {
        errors.push(cfnShapeError(`account ${a.account} has two ${slot.kind} roles (${bySlot.get(slot.slot)!.arn}, ${r.arn})`));
        continue;
      }
      bySlot.set(slot.slot, r);
    }
    for (const s of SLOTS)
      if (s.required && !bySlot.has(s.slot)) errors.push(cfnShapeError(`account ${a.account} has no ${s.kind} role of its own`));
    slotsOf.set(a.account, bySlot);
  }
  if (errors.length > 0) throw new DeployerErrors(errors, "the mesh does not fit one StackSet template");

  // Parameter values per account, computed as the other formats compute the statements.
  const values = new Map<string, Record<string, string[]>>();
  for (const a of targetAccounts) {
    const bySlot = slotsOf.get(a.account)!;
    const v: Record<string, string[]> = { CiAccount: [mesh.ci.account] };
    for (const s of SLOTS) {
      const r = bySlot.get(s.slot);
      v[`${s.slot}RoleName`] = [r?.name ?? ""];
      v[`${s.slot}RolePath`] = [r?.path ?? "/"];
      v[`${s.slot}RoleDescription`] = [r?.description ?? ""];
      if (s.kind === "deploy" || s.kind === "view") {
        const trust = r?.trust.kind === "ci-roles" ? r.trust : undefined;
        v[`${s.slot}CiRoleArns`] = trust?.principals ?? [];
        v[`${s.slot}ExternalIds`] = trust?.externalIds ?? [];
      }
      if (s.kind !== "task")
        for (const g of statementGroups(s.kind))
          v[groupParam(s, g)] = r ? groupResources(g, r.resources, { kind: s.kind, readsByViewer: r.readsByViewer }) : [];
    }
    for (const [k, list] of Object.entries(v))
      for (const item of list)
        if (item.includes(","))
          errors.push(
            cfnShapeError(`${k} of account ${a.account} contains a comma (${item}): a CommaDelimitedList parameter cannot hold it`),
          );
    values.set(a.account, v);
  }
  if (errors.length > 0) throw new DeployerErrors(errors, "the mesh does not fit one StackSet template");

  const files: GeneratedFile[] = [];
  if (targetAccounts.length > 0) {
    files.push({ path: "stackset-template.json", content: stackSetTemplate([...values.values()], header) });
    for (const [account, v] of values)
      files.push({
        path: `stackset-parameters/${account}.json`,
        content: Object.entries(v).map(([ParameterKey, list]) => ({ ParameterKey, ParameterValue: list.join(",") })),
      });
  }
  for (const a of mesh.accounts) {
    const ci = a.roles.filter((r) => r.kinds.some((k) => k === "ci-deploy" || k === "ci-plan" || k === "registry"));
    if (ci.length > 0) files.push({ path: `ci-account-${a.account}.json`, content: plainTemplate(ci, header) });
  }
  for (const a of mesh.accounts)
    for (const p of a.repositoryPolicies) files.push({ path: "central-repository-policy.json", content: p.policy });
  return files;
}

function cfnShapeError(what: string): DeployerError {
  return new DeployerError({
    code: "CONFIG_INVALID",
    message: `CloudFormation: ${what}`,
    hint: "One StackSet template holds one deploy, viewer, task and execution role per account; generate --format terraform or --format json for this mesh, or give the account's targets the same roles.",
  });
}

const groupParam = (s: Slot, g: StatementGroup) => `${s.slot}${g.sid}Resources`;
const has = (param: string) => `Has${param}`;
const ref = (name: string) => ({ Ref: name });
const notEmptyList = (param: string) => ({ "Fn::Not": [{ "Fn::Equals": [{ "Fn::Join": ["", ref(param)] }, ""] }] });

/** The StackSet template: conditional where the parameter may be empty in some account. */
function stackSetTemplate(accounts: Array<Record<string, string[]>>, header: string): Json {
  const parameters: Json = {
    CiAccount: {
      Type: "String",
      AllowedPattern: "^[0-9]{12}$",
      Description: "The CI account (its roles assume the deploy and viewer roles).",
    },
  };
  const conditions: Json = {};
  const resources: Json = {};
  const alwaysSet = (param: string) => accounts.every((v) => (v[param] ?? []).some((x) => x !== ""));

  for (const s of SLOTS) {
    parameters[`${s.slot}RoleName`] = {
      Type: "String",
      ...(s.required ? {} : { Default: "" }),
      Description: `The ${s.kind} role's name${s.required ? "" : " (empty: none)"}.`,
    };
    parameters[`${s.slot}RolePath`] = { Type: "String", Default: "/" };
    parameters[`${s.slot}RoleDescription`] = { Type: "String", Default: "" };
    if (s.kind === "deploy" || s.kind === "view") {
      parameters[`${s.slot}CiRoleArns`] = { Type: "CommaDelimitedList", Default: "", Description: "CI role ARNs that may assume it." };
      parameters[`${s.slot}ExternalIds`] = {
        Type: "CommaDelimitedList",
        Default: "",
        Description: "ExternalIds it requires (empty: none).",
      };
      conditions[has(`${s.slot}ExternalIds`)] = notEmptyList(`${s.slot}ExternalIds`);
    }
  }
  conditions.HasViewRole = { "Fn::Not": [{ "Fn::Equals": [ref("ViewRoleName"), ""] }] };

  const trustFromCi = (s: Slot): Json => {
    const who = { ArnEquals: { "aws:PrincipalArn": ref(`${s.slot}CiRoleArns`) } };
    const principal = { AWS: { "Fn::Sub": "arn:${AWS::Partition}:iam::${CiAccount}:root" } };
    return {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AssumeFromDeployerCi",
          Effect: "Allow",
          Principal: principal,
          Action: "sts:AssumeRole",
          Condition: {
            "Fn::If": [has(`${s.slot}ExternalIds`), { StringEquals: { "sts:ExternalId": ref(`${s.slot}ExternalIds`) }, ...who }, who],
          },
        },
        { Sid: "TagSessionFromDeployerCi", Effect: "Allow", Principal: principal, Action: "sts:TagSession", Condition: who },
      ],
    };
  };

  for (const s of SLOTS) {
    let policies: unknown;
    if (s.kind !== "task") {
      const statements: unknown[] = [];
      const optional: string[] = [];
      let anyAlways = false;
      for (const g of statementGroups(s.kind)) {
        const param = groupParam(s, g);
        parameters[param] = {
          Type: "CommaDelimitedList",
          Default: "",
          Description: `Resources of statement ${g.sid} (${g.actions.join(", ")}).`,
        };
        const statement: Json = { Sid: g.sid, Effect: "Allow", Action: g.actions, Resource: ref(param) };
        const condition = groupCondition(g);
        if (condition) statement.Condition = condition;
        if (alwaysSet(param)) {
          statements.push(statement);
          anyAlways = true;
        } else {
          conditions[has(param)] = notEmptyList(param);
          optional.push(has(param));
          statements.push({ "Fn::If": [has(param), statement, ref("AWS::NoValue")] });
        }
      }
      const policy = [{ PolicyName: POLICY_NAME[s.kind], PolicyDocument: { Version: "2012-10-17", Statement: statements } }];
      if (anyAlways) policies = policy;
      else if (optional.length > 0) {
        conditions[`Has${s.slot}Policy`] = anyOf(optional);
        policies = { "Fn::If": [`Has${s.slot}Policy`, policy, ref("AWS::NoValue")] };
      }
    }
    const trust =
      s.kind === "deploy" || s.kind === "view"
        ? trustFromCi(s)
        : {
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "EcsTasks",
                Effect: "Allow",
                Principal: { Service: ECS_TASKS_PRINCIPAL },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": ref("AWS::AccountId") } },
              },
            ],
          };
    resources[`${s.slot}Role`] = {
      Type: "AWS::IAM::Role",
      ...(s.required ? {} : { Condition: "HasViewRole" }),
      Properties: {
        RoleName: ref(`${s.slot}RoleName`),
        Path: ref(`${s.slot}RolePath`),
        Description: ref(`${s.slot}RoleDescription`),
        AssumeRolePolicyDocument: trust,
        ...(policies ? { Policies: policies } : {}),
      },
    };
  }
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `${header} One template for every target account; the values of each account are in stackset-parameters/ACCOUNT.json.`,
    Parameters: parameters,
    Conditions: conditions,
    Resources: resources,
  };
}

/** Fn::Or takes 2 to 10 conditions: nested for more, a single one as is. */
function anyOf(conditions: string[]): unknown {
  const refs = conditions.map((c) => ({ Condition: c }));
  const group = (list: unknown[]): unknown => {
    if (list.length === 1) return { "Fn::Or": [list[0], list[0]] };
    if (list.length <= 10) return { "Fn::Or": list };
    return group([group(list.slice(0, 10)), ...list.slice(10)]);
  };
  return group(refs);
}

/** A plain stack with concrete roles (the CI account). */
function plainTemplate(roles: MeshRole[], header: string): Json {
  const resources: Json = {};
  const ids = new Set<string>();
  for (const r of roles) {
    let id = `${r.kinds.map((k) => k.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())).join("")}Role`;
    for (let i = 2; ids.has(id); i++) id = `${id}${i}`;
    ids.add(id);
    resources[id] = {
      Type: "AWS::IAM::Role",
      Properties: {
        RoleName: r.name,
        Path: r.path,
        Description: r.description,
        AssumeRolePolicyDocument: r.trustPolicy,
        ...(r.policy ? { Policies: [{ PolicyName: r.policy.name, PolicyDocument: r.policy.document }] } : {}),
      },
    };
  }
  return { AWSTemplateFormatVersion: "2010-09-09", Description: `${header} The CI account's roles.`, Resources: resources };
}
