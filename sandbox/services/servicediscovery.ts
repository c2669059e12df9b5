// AWS Cloud Map (JSON 1.1, Route53AutoNaming_v20170314): GetNamespace and ListNamespaces, for the
// namespaces an account owns and those shared with it through AWS RAM (sharing.ts).
// Shapes: botocore servicediscovery/2017-03-14 (Namespace, NamespaceSummary, NamespaceFilter) and
// https://docs.aws.amazon.com/cloud-map/latest/api/API_GetNamespace.html ,
// https://docs.aws.amazon.com/cloud-map/latest/api/API_ListNamespaces.html ,
// https://docs.aws.amazon.com/cloud-map/latest/api/API_NamespaceFilter.html .
import { createHash } from "node:crypto";
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import type { CloudMapNamespace } from "../sharing.js";

type Json = Record<string, unknown>;
export type ServiceDiscoveryAction = (ctx: CallContext, input: Json) => Promise<Json>;

const secs = (ms: number): number => ms / 1000;

// NamespaceNotFound: "No namespace exists with the specified ID." (botocore); HTTP 404 in the
// service's Smithy model (@aws-sdk/client-servicediscovery: NamespaceNotFound httpError 404).
const namespaceNotFound = () => new AwsError("NamespaceNotFound", "No namespace exists with the specified ID.", 404);
const invalidInput = (m: string) => new AwsError("InvalidInput", m, 400);

function namespaceArnFor(ctx: CallContext, ref: string): string {
  return ref.startsWith("arn:") ? ref : `arn:aws:servicediscovery:${ctx.region}:${ctx.account}:namespace/${ref}`;
}

/** Namespace.Properties: HttpName for every type (the AWS CLI examples show it on DNS namespaces too); a hosted zone for DNS ones. */
function properties(ns: CloudMapNamespace): Json {
  const zone = `Z${createHash("sha256").update(ns.arn).digest("hex").slice(0, 20).toUpperCase()}`;
  return {
    DnsProperties: ns.type === "HTTP" ? { SOA: {} } : { HostedZoneId: zone, SOA: {} },
    HttpProperties: { HttpName: ns.name },
  };
}

function render(ns: CloudMapNamespace): Json {
  return {
    Id: ns.id,
    Arn: ns.arn,
    // "The ID of the AWS account that created the namespace" (shared namespaces: the owner).
    ResourceOwner: ns.owner,
    Name: ns.name,
    Type: ns.type,
    ...(ns.description ? { Description: ns.description } : {}),
    ServiceCount: 0,
    Properties: properties(ns),
    CreateDate: secs(ns.createdAt),
  };
}

function matches(ns: CloudMapNamespace, account: string, filter: Json): boolean {
  const name = String(filter.Name ?? "");
  const values = Array.isArray(filter.Values) ? filter.Values.map(String) : [];
  const condition = String(filter.Condition ?? "EQ");
  const value =
    name === "TYPE" ? ns.type : name === "NAME" || name === "HTTP_NAME" ? ns.name : ns.owner === account ? "SELF" : "OTHER_ACCOUNTS";
  if (condition === "EQ" || condition === "IN") return values.includes(value);
  return values.some((v) => value.startsWith(v)); // BEGINS_WITH
}

function validateFilters(filters: Json[]): void {
  for (const f of filters) {
    const name = String(f.Name ?? "");
    if (!["TYPE", "NAME", "HTTP_NAME", "RESOURCE_OWNER"].includes(name)) throw invalidInput(`Invalid filter name: ${name}`);
    const condition = String(f.Condition ?? "EQ");
    if (!["EQ", "IN", "BEGINS_WITH"].includes(condition)) throw invalidInput(`Invalid filter condition: ${condition}`);
    const values = Array.isArray(f.Values) ? f.Values : [];
    if (values.length === 0) throw invalidInput("Filter values must not be empty.");
    if (name === "RESOURCE_OWNER" && values.some((v) => v !== "SELF" && v !== "OTHER_ACCOUNTS"))
      throw invalidInput("RESOURCE_OWNER filter values must be SELF or OTHER_ACCOUNTS.");
  }
}

export const serviceDiscoveryActions: Record<string, ServiceDiscoveryAction> = {
  /**
   * Id: an ID or an ARN; "For namespaces shared with your AWS account, specify the namespace ARN".
   * A namespace that is not the caller's and not shared with it (or whose share it has not accepted)
   * is NamespaceNotFound, as one that does not exist. The identity side is authorised first (the
   * RAM share's managed permission is the resource side of a shared namespace).
   */
  async GetNamespace(ctx, input) {
    const ref = typeof input.Id === "string" ? input.Id : "";
    if (!ref) throw invalidInput("Id is required.");
    await ctx.authorize("servicediscovery:GetNamespace", namespaceArnFor(ctx, ref));
    const ns = ctx.world.sharing.lookup(ref, ctx.account, ctx.region);
    if (!ns) throw namespaceNotFound();
    return { Namespace: render(ns) };
  },

  /** Namespaces "created by the current AWS account and shared with the current AWS account", this Region; MaxResults 1-100 (default 100). */
  async ListNamespaces(ctx, input) {
    await ctx.authorize("servicediscovery:ListNamespaces", "*");
    const filters = Array.isArray(input.Filters) ? (input.Filters as Json[]) : [];
    validateFilters(filters);
    const max = input.MaxResults === undefined ? 100 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 100) throw invalidInput("MaxResults must be between 1 and 100.");
    const all = ctx.world.sharing
      .visibleIn(ctx.account, ctx.region)
      .filter((ns) => filters.every((f) => matches(ns, ctx.account, f)))
      .sort((a, b) => a.arn.localeCompare(b.arn));
    const from = typeof input.NextToken === "string" ? Number(Buffer.from(input.NextToken, "base64").toString("utf8")) : 0;
    if (!Number.isInteger(from) || from < 0) throw invalidInput("Invalid NextToken.");
    const out: Json = { Namespaces: all.slice(from, from + max).map(render) };
    if (from + max < all.length) out.NextToken = Buffer.from(String(from + max)).toString("base64");
    return out;
  },
};
