// AWS RAM (REST-JSON, POST /<operation>): the reads a consumer and an owner use to see where a
// namespace share stands, and AcceptResourceShareInvitation. Shapes and errors: botocore
// ram/2018-01-04 and the API reference pages:
// https://docs.aws.amazon.com/ram/latest/APIReference/API_GetResourceShares.html
// https://docs.aws.amazon.com/ram/latest/APIReference/API_GetResourceShareAssociations.html
// https://docs.aws.amazon.com/ram/latest/APIReference/API_GetResourceShareInvitations.html
// https://docs.aws.amazon.com/ram/latest/APIReference/API_AcceptResourceShareInvitation.html
// https://docs.aws.amazon.com/ram/latest/APIReference/API_ListResourceSharePermissions.html
// The state behind it (organizations, invitations, association states) is sharing.ts.
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import { managedPermissionArn, type ResourceShare, type ShareInvitation } from "../sharing.js";

type Json = Record<string, unknown>;
export type RamAction = (ctx: CallContext, input: Json) => Promise<Json>;

const secs = (ms: number): number => ms / 1000;

// Every RAM client error is HTTP 400 in the service model (@aws-sdk/client-ram schemas).
const invalidParameter = (m: string) => new AwsError("InvalidParameterException", m, 400);
const missingParameter = (m: string) => new AwsError("MissingRequiredParameterException", m, 400);
const malformedArn = (m: string) => new AwsError("MalformedArnException", m, 400);
const unknownResource = (m: string) => new AwsError("UnknownResourceException", m, 400);

/** The REST path of each supported operation (botocore ram: "requestUri": "/getresourceshares", …). */
export const RAM_PATHS: Record<string, string> = {
  "/getresourceshares": "GetResourceShares",
  "/getresourceshareassociations": "GetResourceShareAssociations",
  "/getresourceshareinvitations": "GetResourceShareInvitations",
  "/acceptresourceshareinvitation": "AcceptResourceShareInvitation",
  "/listresourcesharepermissions": "ListResourceSharePermissions",
};

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined;
}

function page<T>(items: T[], input: Json): { items: T[]; nextToken?: string } {
  const max = input.maxResults === undefined ? 500 : Number(input.maxResults);
  if (!Number.isInteger(max) || max < 1 || max > 500)
    throw new AwsError("InvalidMaxResultsException", "The value of maxResults must be between 1 and 500.", 400);
  const from = typeof input.nextToken === "string" ? Number(Buffer.from(input.nextToken, "base64").toString("utf8")) : 0;
  if (!Number.isInteger(from) || from < 0)
    throw new AwsError("InvalidNextTokenException", "The specified value for nextToken is not valid.", 400);
  const out = { items: items.slice(from, from + max) } as { items: T[]; nextToken?: string };
  if (from + max < items.length) out.nextToken = Buffer.from(String(from + max)).toString("base64");
  return out;
}

function renderShare(s: ResourceShare): Json {
  return {
    resourceShareArn: s.arn,
    name: s.name,
    owningAccountId: s.owner,
    allowExternalPrincipals: s.allowExternalPrincipals,
    status: "ACTIVE",
    tags: [],
    creationTime: secs(s.createdAt),
    lastUpdatedTime: secs(s.updatedAt),
    featureSet: "STANDARD",
  };
}

function renderInvitation(i: ShareInvitation): Json {
  return {
    resourceShareInvitationArn: i.arn,
    resourceShareName: i.shareName,
    resourceShareArn: i.shareArn,
    senderAccountId: i.sender,
    receiverAccountId: i.receiver,
    invitationTimestamp: secs(i.createdAt),
    status: i.status,
  };
}

function sharesInRegion(ctx: CallContext): ResourceShare[] {
  return ctx.world.sharing.shares.filter((s) => s.region === ctx.region);
}

export const ramActions: Record<string, RamAction> = {
  /**
   * resourceOwner (required): SELF — the shares this account owns; OTHER-ACCOUNTS — the shares
   * others share with it. A share whose invitation this account has not accepted is reached through
   * GetResourceShareInvitations, not listed here (the API reference does not say; the stricter reading).
   */
  async GetResourceShares(ctx, input) {
    await ctx.authorize("ram:GetResourceShares", "*");
    const owner = input.resourceOwner;
    if (owner === undefined) throw missingParameter("The resourceOwner parameter is required.");
    if (owner !== "SELF" && owner !== "OTHER-ACCOUNTS") throw invalidParameter("resourceOwner must be SELF or OTHER-ACCOUNTS.");
    const arns = strings(input.resourceShareArns);
    const status = typeof input.resourceShareStatus === "string" ? input.resourceShareStatus : undefined;
    const name = typeof input.name === "string" ? input.name : undefined;
    const permission = typeof input.permissionArn === "string" ? input.permissionArn : undefined;
    const shares = sharesInRegion(ctx)
      .filter((s) => (owner === "SELF" ? s.owner === ctx.account : s.owner !== ctx.account && ctx.world.sharing.hasAccess(s, ctx.account)))
      .filter((s) => !arns || arns.includes(s.arn))
      .filter(() => status === undefined || status === "ACTIVE")
      .filter((s) => name === undefined || s.name === name)
      .filter((s) => permission === undefined || managedPermissionArn(s.permissionName) === permission);
    const p = page(shares, input);
    return { resourceShares: p.items.map(renderShare), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  },

  /**
   * "Retrieves the lists of resources and principals that associated for resource shares that you
   * own." associationType (required) PRINCIPAL | RESOURCE; `principal` only with PRINCIPAL,
   * `resourceArn` only with RESOURCE.
   */
  async GetResourceShareAssociations(ctx, input) {
    await ctx.authorize("ram:GetResourceShareAssociations", "*");
    const type = input.associationType;
    if (type === undefined) throw missingParameter("The associationType parameter is required.");
    if (type !== "PRINCIPAL" && type !== "RESOURCE") throw invalidParameter("associationType must be PRINCIPAL or RESOURCE.");
    if (type === "PRINCIPAL" && input.resourceArn !== undefined)
      throw invalidParameter("You cannot specify a resourceArn when the associationType is PRINCIPAL.");
    if (type === "RESOURCE" && input.principal !== undefined)
      throw invalidParameter("You cannot specify a principal when the associationType is RESOURCE.");
    const arns = strings(input.resourceShareArns);
    const status = typeof input.associationStatus === "string" ? input.associationStatus : undefined;
    const sharing = ctx.world.sharing;
    const rows: Json[] = [];
    for (const s of sharesInRegion(ctx)) {
      if (s.owner !== ctx.account || (arns && !arns.includes(s.arn))) continue;
      if (type === "RESOURCE") {
        for (const r of s.resources) {
          if (input.resourceArn !== undefined && r.arn !== input.resourceArn) continue;
          rows.push({
            resourceShareArn: s.arn,
            resourceShareName: s.name,
            associatedEntity: r.arn,
            associationType: "RESOURCE",
            status: "ASSOCIATED",
            creationTime: secs(r.createdAt),
            lastUpdatedTime: secs(r.createdAt),
            external: false,
          });
        }
      } else {
        for (const a of s.principals) {
          if (input.principal !== undefined && a.principal !== input.principal) continue;
          rows.push({
            resourceShareArn: s.arn,
            resourceShareName: s.name,
            associatedEntity: a.principal,
            associationType: "PRINCIPAL",
            status: sharing.associationStatus(a),
            creationTime: secs(a.createdAt),
            lastUpdatedTime: secs(a.updatedAt),
            external: a.external,
          });
        }
      }
    }
    const filtered = rows.filter((r) => status === undefined || r.status === status);
    const p = page(filtered, input);
    return { resourceShareAssociations: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  },

  /** "Retrieves details about invitations that you have received for resource shares." */
  async GetResourceShareInvitations(ctx, input) {
    await ctx.authorize("ram:GetResourceShareInvitations", "*");
    const arns = strings(input.resourceShareInvitationArns);
    const shareArns = strings(input.resourceShareArns);
    for (const a of arns ?? []) if (!a.startsWith("arn:aws:ram:")) throw malformedArn(`The format of ${a} is not valid.`);
    const mine = ctx.world.sharing.invitationsFor(ctx.account).filter((i) => i.arn.split(":")[3] === ctx.region);
    if (arns) {
      const missing = arns.find((a) => !mine.some((i) => i.arn === a));
      if (missing)
        throw new AwsError(
          "ResourceShareInvitationArnNotFoundException",
          `The resource share invitation ${missing} could not be found.`,
          400,
        );
    }
    const list = mine.filter((i) => (!arns || arns.includes(i.arn)) && (!shareArns || shareArns.includes(i.shareArn)));
    const p = page(list, input);
    return { resourceShareInvitations: p.items.map(renderInvitation), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  },

  /**
   * The receiver accepts: PENDING → ACCEPTED, and its principal association becomes ASSOCIATED
   * (sharing.ts). Errors as botocore lists them: ResourceShareInvitationArnNotFoundException,
   * …AlreadyAcceptedException, …AlreadyRejectedException, …ExpiredException, MalformedArnException.
   */
  async AcceptResourceShareInvitation(ctx, input) {
    const arn = typeof input.resourceShareInvitationArn === "string" ? input.resourceShareInvitationArn : "";
    if (!arn) throw missingParameter("The resourceShareInvitationArn parameter is required.");
    if (!/^arn:aws:ram:[a-z0-9-]+:\d{12}:resource-share-invitation\/.+$/.test(arn))
      throw malformedArn(`The format of ${arn} is not valid.`);
    await ctx.authorize("ram:AcceptResourceShareInvitation", arn);
    const invitation = ctx.world.sharing.invitationsFor(ctx.account).find((i) => i.arn === arn);
    if (!invitation)
      throw new AwsError("ResourceShareInvitationArnNotFoundException", `The resource share invitation ${arn} could not be found.`, 400);
    if (invitation.status === "ACCEPTED")
      throw new AwsError("ResourceShareInvitationAlreadyAcceptedException", "The invitation was already accepted.", 400);
    if (invitation.status === "REJECTED")
      throw new AwsError("ResourceShareInvitationAlreadyRejectedException", "The invitation was already rejected.", 400);
    if (invitation.status === "EXPIRED") throw new AwsError("ResourceShareInvitationExpiredException", "The invitation is expired.", 400);
    invitation.status = "ACCEPTED";
    const share = ctx.world.sharing.shareByArn(invitation.shareArn);
    const assoc = share?.principals.find((p) => p.invitation === invitation);
    if (assoc) assoc.updatedAt = ctx.now;
    return {
      resourceShareInvitation: renderInvitation(invitation),
      ...(typeof input.clientToken === "string" ? { clientToken: input.clientToken } : {}),
    };
  },

  /**
   * The managed permission of a share, for its owner and for accounts it is shared with. The
   * permission's resourceType string for namespaces was not found in a source: modelled as
   * "servicediscovery:Namespace"; read the permission by its ARN/name, not by this field.
   */
  async ListResourceSharePermissions(ctx, input) {
    const arn = typeof input.resourceShareArn === "string" ? input.resourceShareArn : "";
    if (!arn) throw missingParameter("The resourceShareArn parameter is required.");
    if (!arn.startsWith("arn:aws:ram:")) throw malformedArn(`The format of ${arn} is not valid.`);
    await ctx.authorize("ram:ListResourceSharePermissions", arn);
    const share = ctx.world.sharing.shareByArn(arn);
    if (!share || (share.owner !== ctx.account && !ctx.world.sharing.hasAccess(share, ctx.account)))
      throw unknownResource(`The resource share ${arn} could not be found.`);
    const p = page(
      [
        {
          arn: managedPermissionArn(share.permissionName),
          version: "1",
          defaultVersion: true,
          name: share.permissionName,
          resourceType: "servicediscovery:Namespace",
          status: "ATTACHABLE",
          creationTime: secs(share.createdAt),
          lastUpdatedTime: secs(share.createdAt),
          isResourceTypeDefault: false,
          permissionType: "AWS_MANAGED",
          featureSet: "STANDARD",
        },
      ],
      input,
    );
    return { permissions: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
  },
};
