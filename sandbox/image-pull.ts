// Whether the tasks of a task definition can start in an account: every container image must be
// pullable by the task execution role (repository exists, image exists, repository policy grants
// cross-account pulls) and none may be marked bad or carry SANDBOX_CRASH=1.
import { evaluate, identityPolicies } from "./iam-eval.js";
import type { DeploymentHealth, World } from "./world.js";

const ECR_IMAGE_RE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)(?:@(sha256:[0-9a-f]{64})|:([\w.-]+))?$/;

export interface ImageVerdict {
  health: DeploymentHealth;
  reason?: string;
}

export async function taskHealth(world: World, account: string, body: Record<string, unknown>): Promise<ImageVerdict> {
  const containers = (body.containerDefinitions as Record<string, unknown>[] | undefined) ?? [];
  const execRoleArn = typeof body.executionRoleArn === "string" ? body.executionRoleArn : undefined;
  for (const c of containers) {
    const env = (c.environment as { name?: string; value?: string }[] | undefined) ?? [];
    if (env.some((e) => e.name === "SANDBOX_CRASH" && e.value === "1")) {
      return { health: "crash", reason: "Essential container in task exited" };
    }
    const image = String(c.image ?? "");
    if (world.badDigests.has(image.split("@")[1] ?? "")) return { health: "crash", reason: "Essential container in task exited" };
    const m = ECR_IMAGE_RE.exec(image);
    if (!m) continue; // public registry image: assumed pullable
    const [, registry, region, name, digest, tag] = m;
    const cannotPull = (why: string): ImageVerdict => ({
      health: "pull-error",
      reason: `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${image}: ${why}`,
    });
    const repo = world.account(registry!)?.regions.get(region!)?.repositories.get(name!);
    if (!repo) return cannotPull("not found");
    const img = digest ? repo.images.find((i) => i.digest === digest) : repo.images.find((i) => i.tags.includes(tag ?? "latest"));
    if (!img) return cannotPull("not found");
    if (world.badDigests.has(img.digest)) return { health: "crash", reason: "Essential container in task exited" };
    const execRole = execRoleArn ? world.roleByArn(execRoleArn) : undefined;
    if (!execRole) {
      return {
        health: "pull-error",
        reason:
          "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: no execution role",
      };
    }
    const e = await evaluate({
      principalArn: execRole.arn,
      principalAccount: account,
      policies: identityPolicies(world, execRole),
      action: "ecr:BatchGetImage",
      resource: repo.arn,
      resourceAccount: repo.registryId,
      resourcePolicy: repo.policy,
    });
    if (e.decision !== "allowed") {
      return cannotPull(
        `pulling from host ${registry}.dkr.ecr.${region}.amazonaws.com failed with status code [manifests ${img.digest}]: 403 Forbidden`,
      );
    }
  }
  return { health: "healthy" };
}
