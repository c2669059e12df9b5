// deployer.yaml's values read into the configuration: the stages in promotion order (unique names)
// and the central image (its registry role in the registry's account); an environment file's merged
// layers into a Target.
import { DeployerError, type SourceLocation } from "../errors.js";
import { parseEcrRepository, parseRoleArn } from "./aws-names.js";
import { type MergedLayers } from "./merge.js";
import { isPlainObject } from "./paths.js";
import type { ImageConfig, StageConfig, Target } from "./types.js";
import { type YamlSource } from "./yaml-source.js";

export function notAMap(src: YamlSource, what: string): DeployerError {
  return new DeployerError({
    code: "CONFIG_INVALID",
    message: `${what} must be a map of fields, got ${src.value === null || src.value === undefined ? "an empty file" : Array.isArray(src.value) ? "a list" : `a ${typeof src.value}`}`,
    location: src.nodes.get("")?.loc ?? { file: src.file, line: 1, column: 1 },
    hint: "Write one `field: value` per line; see the example repository's files.",
  });
}

export function readStages(raw: Record<string, unknown>, src: YamlSource, errors: DeployerError[]): StageConfig[] {
  if (!Array.isArray(raw.stages)) return [];
  const stages: StageConfig[] = [];
  const seen = new Map<string, SourceLocation>();
  raw.stages.forEach((s, i) => {
    if (!isPlainObject(s) || typeof s.name !== "string") return;
    const loc = src.nodes.get(`/stages/${i}/name`)?.loc ?? { file: src.file, line: 1, column: 1 };
    const first = seen.get(s.name);
    if (first) {
      errors.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `this stage name is listed twice (first at line ${first.line})`,
          location: loc,
          field: `stages[${i}].name`,
          hint: "Each stage appears once in `stages`, in promotion order.",
        }),
      );
      return;
    }
    seen.set(s.name, loc);
    const stage: StageConfig = { name: s.name };
    if (typeof s.maxParallel === "number") stage.maxParallel = s.maxParallel;
    if (s.requireConfirmation === true) stage.requireConfirmation = true;
    if (s.requirePreviousStage === true) {
      if (i === 0) {
        errors.push(
          new DeployerError({
            code: "CONFIG_INVALID",
            message: "the first stage has no stage before it to require",
            location: src.nodes.get(`/stages/${i}/requirePreviousStage`)?.loc ?? loc,
            field: `stages[${i}].requirePreviousStage`,
            hint: "Set requirePreviousStage on a later stage (e.g. prod), or remove it here.",
          }),
        );
      } else stage.requirePreviousStage = true;
    }
    stages.push(stage);
  });
  return stages;
}

export function readImage(
  raw: Record<string, unknown>,
  at: (field: string) => SourceLocation,
  errors: DeployerError[],
): ImageConfig | undefined {
  const img = raw.image;
  if (!isPlainObject(img) || typeof img.repository !== "string") return undefined;
  const image: ImageConfig = { repository: img.repository };
  if (typeof img.registryRole === "string") {
    image.registryRole = img.registryRole;
    const role = parseRoleArn(img.registryRole);
    const repo = parseEcrRepository(img.repository);
    if (role && repo && role.account !== repo.registryId) {
      errors.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `registryRole is in account ${role.account}, but the repository ${img.repository} is in account ${repo.registryId}`,
          location: at("image.registryRole"),
          field: "image.registryRole",
          hint: `registryRole is assumed to read the central repository, so it lives in the registry account: arn:${role.partition}:iam::${repo.registryId}:role/${role.name}.`,
        }),
      );
    }
  }
  if (typeof img.registryExternalId === "string") image.registryExternalId = img.registryExternalId;
  return image;
}

export function toTarget(name: string, file: string, merged: MergedLayers, serviceKey: string, env: string = name): Target {
  const v = merged.value;
  const str = (k: string) => v[k] as string;
  const target: Target = {
    name,
    env,
    serviceKey,
    file,
    stage: str("stage"),
    account: str("account"),
    region: str("region"),
    cluster: str("cluster"),
    service: str("service"),
    deployRole: str("deployRole"),
    taskRole: str("taskRole"),
    executionRole: str("executionRole"),
    vars: isPlainObject(v.vars) ? v.vars : {},
    sensitive: Array.isArray(v.sensitive) ? (v.sensitive as string[]) : [],
    locations: merged.locations,
  };
  if (typeof v.externalId === "string") target.externalId = v.externalId;
  if (typeof v.viewRole === "string") target.viewRole = v.viewRole;
  if (typeof v.viewExternalId === "string") target.viewExternalId = v.viewExternalId;
  if (typeof v.imageRepository === "string") target.imageRepository = v.imageRepository;
  if (Array.isArray(v.taskAssumes)) target.taskAssumes = v.taskAssumes.filter((x): x is string => typeof x === "string");
  return target;
}
