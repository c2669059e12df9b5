// ServiceDiscoveryPort over @aws-sdk/client-servicediscovery and RamPort over @aws-sdk/client-ram:
// whether a Cloud Map namespace of another account is visible from a target, and which AWS RAM
// share (and invitation) would make it so. Reads only; one client per region (region-clients.ts).
// Shapes: botocore servicediscovery/2017-03-14 (GetNamespace, Namespace.ResourceOwner) and
// ram/2018-01-04 (GetResourceShareInvitations, GetResourceShareAssociations):
// https://docs.aws.amazon.com/cloud-map/latest/api/API_GetNamespace.html
// https://docs.aws.amazon.com/ram/latest/APIReference/API_GetResourceShareInvitations.html
// https://docs.aws.amazon.com/ram/latest/APIReference/API_GetResourceShareAssociations.html
import { GetNamespaceCommand, ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { GetResourceShareAssociationsCommand, GetResourceShareInvitationsCommand, RAMClient } from "@aws-sdk/client-ram";
import { isAwsError, toDeployerError } from "./aws-error.js";
import type { PortContext } from "./port-context.js";
import type { RamPort, ServiceDiscoveryPort, ShareAssociationInfo } from "./ports.js";
import { perRegion, type ClientConfigFor } from "./region-clients.js";

/** Pages read at most per listing: an account with thousands of shares is not what a preflight reads through. */
const MAX_PAGES = 20;

export function createServiceDiscoveryPort(config: ClientConfigFor, context: PortContext = {}): ServiceDiscoveryPort {
  const client = perRegion((region) => new ServiceDiscoveryClient(config(region)));
  return {
    async getNamespace(region, idOrArn) {
      let out;
      try {
        out = await client(region).send(new GetNamespaceCommand({ Id: idOrArn }));
      } catch (e) {
        // "NamespaceNotFound: No namespace exists with the specified ID" — also for a namespace of
        // another account that is not shared with this one (or whose share is not accepted).
        if (isAwsError(e, "NamespaceNotFound")) return undefined;
        throw toDeployerError(e, { ...context, action: "servicediscovery:GetNamespace", resource: idOrArn });
      }
      const ns = out.Namespace;
      if (!ns?.Arn) return undefined;
      return { id: ns.Id ?? "", arn: ns.Arn, name: ns.Name ?? "", ...(ns.ResourceOwner ? { owner: ns.ResourceOwner } : {}) };
    },
  };
}

export function createRamPort(config: ClientConfigFor, context: PortContext = {}): RamPort {
  const client = perRegion((region) => new RAMClient(config(region)));
  const fail = (e: unknown, action: string) => toDeployerError(e, { ...context, action, resource: "*" });
  return {
    async listInvitations(region) {
      const out = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        let page;
        try {
          page = await client(region).send(new GetResourceShareInvitationsCommand({ nextToken }));
        } catch (e) {
          throw fail(e, "ram:GetResourceShareInvitations");
        }
        for (const i of page.resourceShareInvitations ?? []) {
          out.push({
            arn: i.resourceShareInvitationArn ?? "",
            shareArn: i.resourceShareArn ?? "",
            shareName: i.resourceShareName ?? "",
            sender: i.senderAccountId ?? "",
            ...(i.receiverAccountId ? { receiver: i.receiverAccountId } : {}),
            status: i.status ?? "UNKNOWN",
          });
        }
        nextToken = page.nextToken;
      } while (nextToken && ++pages < MAX_PAGES);
      return out;
    },

    async listAssociations(region, q) {
      const out: ShareAssociationInfo[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        let page;
        try {
          page = await client(region).send(
            new GetResourceShareAssociationsCommand({
              associationType: q.type,
              ...(q.type === "RESOURCE" && q.resourceArn ? { resourceArn: q.resourceArn } : {}),
              ...(q.type === "PRINCIPAL" && q.principal ? { principal: q.principal } : {}),
              ...(q.shareArns ? { resourceShareArns: q.shareArns } : {}),
              nextToken,
            }),
          );
        } catch (e) {
          throw fail(e, "ram:GetResourceShareAssociations");
        }
        for (const a of page.resourceShareAssociations ?? []) {
          out.push({
            shareArn: a.resourceShareArn ?? "",
            shareName: a.resourceShareName ?? "",
            entity: a.associatedEntity ?? "",
            type: a.associationType === "RESOURCE" ? "RESOURCE" : "PRINCIPAL",
            status: a.status ?? "UNKNOWN",
          });
        }
        nextToken = page.nextToken;
      } while (nextToken && ++pages < MAX_PAGES);
      return out;
    },
  };
}
