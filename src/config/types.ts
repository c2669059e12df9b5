// The configuration model: what a user writes (deployer.yaml + environments/*.yaml + a template),
// after loading, defaults merging and validation. Everything downstream reads these types only.
import type { SourceLocation } from "../errors.js";

export interface StageConfig {
  name: string;
  /** Targets of this stage rolled out at once. Undefined = all. */
  maxParallel?: number;
  /** rollout to this stage always asks first (or needs --yes). */
  requireConfirmation?: boolean;
  /** rollout to this stage is refused for a digest that never ran healthy in the stage before it. */
  requirePreviousStage?: boolean;
}

export interface ImageConfig {
  /** Central ECR repository URI: ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME */
  repository: string;
  /** Optional role (in the registry account) assumed to read the central repository. */
  registryRole?: string;
  registryExternalId?: string;
}

/**
 * One service of the project (issue 17). A one-service deployer.yaml (`service:` + `template:`) is
 * one ServiceConfig whose key is `service`; `services:` declares several.
 */
export interface ServiceConfig {
  /** The logical service name (the key under `services:`, or `service:`): `{{service}}` in templates. */
  key: string;
  /** Absolute path of this service's Handlebars task-definition template. */
  template: string;
  /** This service's image repository (defaults to the project's `image`). */
  image: ImageConfig;
  /** One-off tasks run in each environment before this service is updated (`tasks:`), in declared order. */
  tasks?: TaskConfig[];
  /** Keys of the services updated before this one in each environment (`dependsOn:`). */
  dependsOn?: string[];
}

/** A one-off task of a service (`tasks.NAME` in deployer.yaml): e.g. a database migration. */
export interface TaskConfig {
  /** Its key under `tasks:`. */
  name: string;
  /** The container command override. */
  command: string[];
  /** The container (of the rendered task definition) that runs it; its exit code decides. */
  container: string;
  /** How long to wait for STOPPED before stopping it (default DEFAULT_TASK_TIMEOUT_SECONDS). */
  timeoutSeconds: number;
  /** Where `container:` is written (render-time errors point here). */
  location?: SourceLocation;
}

/** The wait for a one-off task when `timeoutSeconds` is not given. */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 600;

export interface DeployerConfig {
  /** Absolute path of deployer.yaml. */
  file: string;
  /** Directory holding deployer.yaml; relative paths in it resolve from here. */
  rootDir: string;
  /**
   * Logical service name: used in task-definition family and tags. With several `services:`, the
   * project's name (plan headers, session names); each target then carries its own `serviceKey`.
   */
  service: string;
  /** The project's services in declared order; one entry for a one-service deployer.yaml. */
  services: ServiceConfig[];
  /** Absolute path of the Handlebars task-definition template. */
  template: string;
  image: ImageConfig;
  /** In promotion order. */
  stages: StageConfig[];
  /** Absolute path of the environments directory. */
  environmentsDir: string;
}

/** One deploy target: one environments/<name>.yaml after defaults are merged under it. */
export interface Target {
  /**
   * Unique per deploy unit: the environment file name for a one-service project; with several
   * services, `ENV/SERVICE` (one Target per environment file and service).
   */
  name: string;
  /** The environment file name without extension (what `--env` selects, `{{target.name}}` renders). */
  env: string;
  /** The logical service this target deploys (a key of `services:`, or `service:`). */
  serviceKey: string;
  /** Absolute path of the environment file. */
  file: string;
  stage: string;
  account: string;
  region: string;
  cluster: string;
  service: string;
  deployRole: string;
  externalId?: string;
  /**
   * The target's read-only viewer role (same account), for reads that need no write permission;
   * assumed with `viewExternalId`. Absent: the deploy role is used for everything.
   */
  viewRole?: string;
  viewExternalId?: string;
  taskRole: string;
  executionRole: string;
  /**
   * Role ARNs (usually in other accounts) the task's application assumes with the task role
   * (`taskAssumes`); preflight checks each, and those the task role's policies name.
   */
  taskAssumes?: string[];
  /** Optional replica of the central repository in the target's account/region. */
  imageRepository?: string;
  vars: Record<string, unknown>;
  /** Dotted paths (`vars.apiKey`) whose values are never shown in plans or logs. */
  sensitive: string[];
  /**
   * Where each field was written (dotted path -> location), so errors found later (PassRole denied
   * for `taskRole`, say) can point at the line. Includes fields coming from _defaults files.
   */
  locations: Record<string, SourceLocation>;
}

/** A loaded, validated deploy repository. */
export interface Project {
  config: DeployerConfig;
  /** Sorted by stage order, then name. */
  targets: Target[];
  /** The first service's template (the only one of a one-service project). */
  template: { file: string; source: string };
  /** Every service's template, by service key (absent: every service uses `template`). */
  templates?: Record<string, { file: string; source: string }>;
}

/** The template a target renders: its service's. */
export function templateOf(project: Project, target: { serviceKey: string }): { file: string; source: string } {
  return project.templates?.[target.serviceKey] ?? project.template;
}

/** The configuration of a target's service (its image repository, tasks, dependencies). */
export function serviceOf(project: Project, target: { serviceKey: string }): ServiceConfig | undefined {
  return project.config.services.find((s) => s.key === target.serviceKey);
}

/** A resolved image: what every target's task definition will reference. */
export interface ResolvedImage {
  /** Repository URI the digest was resolved in (the central one). */
  repository: string;
  /** The tag asked for, when a tag was given. */
  tag?: string;
  /** sha256:… */
  digest: string;
}

/** `REPOSITORY@DIGEST` for a repository (the central one, or a target's replica). */
export function imageUri(repository: string, digest: string): string {
  return `${repository}@${digest}`;
}

/** A JSON task definition as RegisterTaskDefinition takes it (the rendered template). */
export interface TaskDefinitionInput {
  family: string;
  containerDefinitions: ContainerDefinition[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  networkMode?: string;
  requiresCompatibilities?: string[];
  cpu?: string;
  memory?: string;
  runtimePlatform?: { cpuArchitecture?: string; operatingSystemFamily?: string };
  volumes?: unknown[];
  [key: string]: unknown;
}

export interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  portMappings?: Array<{ containerPort?: number; hostPort?: number; protocol?: string; name?: string; appProtocol?: string }>;
  environment?: Array<{ name: string; value: string }>;
  secrets?: Array<{ name: string; valueFrom: string }>;
  [key: string]: unknown;
}

/** A target with its rendered task definition for one image. */
export interface DesiredTarget {
  target: Target;
  image: ResolvedImage;
  /** The image reference put in the task definition (replica or central repository, by digest). */
  imageRef: string;
  taskDefinition: TaskDefinitionInput;
}
