// Loading a deploy repository: deployer.yaml, environments/*.yaml (with _defaults.yaml and
// _<stage>.yaml merged under each target) and the template. Everything is validated (JSON Schema,
// then the semantic rules below) and every problem of every file is reported at once.
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { DeployerError, DeployerErrors, type SourceLocation } from "../errors.js";
import { parseEcrRepository, parseRoleArn } from "./aws-names.js";
import { containedPath, type Containment } from "./contained-file.js";
import { findConfigFile } from "./find-config.js";
import { mergeLayers, type Layer, type MergedLayers } from "./merge.js";
import { isPlainObject } from "./paths.js";
import { validateAgainstSchema } from "./schema-validation.js";
import { closest } from "./suggest.js";
import { shortSensitiveValueErrors } from "./sensitive-values.js";
import type { DeployerConfig, ImageConfig, Project, StageConfig, Target } from "./types.js";
import { parseYamlSource, type YamlSource } from "./yaml-source.js";

const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const YAML_EXT = /\.ya?ml$/;

/**
 * Loads and validates a deploy repository. Throws DeployerErrors holding every error found
 * (CONFIG_NOT_FOUND, YAML_SYNTAX, CONFIG_INVALID), each with its file, line and column.
 */
export async function loadProject(opts: { config?: string; cwd?: string } = {}): Promise<Project> {
  const configFile = await findConfigFile(opts);
  const errors: DeployerError[] = [];
  const rootDir = path.dirname(configFile);
  // Everything deployer reads because of the configuration stays inside this directory, symlinks
  // followed (contained-file.ts): deployer.yaml itself, the template, environmentsDir and its files.
  const root: Root = { lexical: rootDir, real: await realpath(rootDir) };
  const configReal = await containedPath(root.real, root.lexical, configFile);
  if (!configReal.ok) {
    throw new DeployerError({
      code: configReal.reason === "outside" ? "CONFIG_INVALID" : "CONFIG_NOT_FOUND",
      message:
        configReal.reason === "outside"
          ? `${path.basename(configFile)} is a symbolic link to a file outside its own directory${configReal.via ? ` (${configReal.via})` : ""}`
          : `cannot read ${configFile} (${configReal.code})`,
      location: { file: configFile, line: 1, column: 1 },
      hint: "Paths in deployer.yaml resolve inside its directory; keep deployer.yaml a file there (a symbolic link may point within that directory only).",
    });
  }

  // deployer.yaml
  const configSource = parseYamlSource(configFile, await readText(configFile, configReal.real));
  errors.push(...configSource.errors);
  const raw = isPlainObject(configSource.value) ? configSource.value : {};
  if (configSource.errors.length === 0) {
    if (!isPlainObject(configSource.value)) {
      errors.push(notAMap(configSource, "deployer.yaml"));
    } else {
      errors.push(
        ...validateAgainstSchema("deployer", raw, {
          code: "CONFIG_INVALID",
          file: configFile,
          locate: (p) => configSource.nodes.get(p),
        }),
      );
    }
  }
  const at = (field: string): SourceLocation =>
    configSource.nodes.get("/" + field.split(".").join("/"))?.loc ?? { file: configFile, line: 1, column: 1 };

  const stages = readStages(raw, configSource, errors);
  const stageNames = stages.map((s) => s.name);
  const image = readImage(raw, at, errors);
  const service = typeof raw.service === "string" ? raw.service : "";

  // template
  let template: { file: string; source: string } | undefined;
  if (typeof raw.template === "string" && raw.template !== "") {
    const file = path.resolve(rootDir, raw.template);
    const where = await containedPath(root.real, root.lexical, file);
    try {
      if (!where.ok)
        throw notContained(
          where,
          raw.template,
          at("template"),
          "template",
          "The template path is relative to deployer.yaml and must stay inside its directory.",
        );
      if (where.kind !== "file")
        throw new DeployerError({
          code: "CONFIG_INVALID",
          message: `${raw.template} is not a file`,
          location: at("template"),
          field: "template",
          hint: "Point `template` at the Handlebars task-definition template, relative to deployer.yaml.",
        });
      template = { file, source: await readText(file, where.real) };
    } catch (e) {
      if (e instanceof DeployerError && e.code === "CONFIG_INVALID") errors.push(e);
      else
        errors.push(
          new DeployerError({
            code: "CONFIG_INVALID",
            message: `template ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.replace(/^cannot read .* \((.*)\)$/, "$1")})`,
            location: at("template"),
            field: "template",
            hint: "The template path is relative to deployer.yaml.",
          }),
        );
    }
  }

  // environments/
  const envDirSetting = typeof raw.environmentsDir === "string" && raw.environmentsDir !== "" ? raw.environmentsDir : "environments";
  const environmentsDir = path.resolve(rootDir, envDirSetting);
  const targets: Target[] = [];
  const envDirWhere = await containedPath(root.real, root.lexical, environmentsDir);
  if (!envDirWhere.ok && envDirWhere.reason === "outside") {
    errors.push(
      notContained(
        envDirWhere,
        envDirSetting,
        configSource.nodes.has("/environmentsDir") ? at("environmentsDir") : { file: configFile, line: 1, column: 1 },
        "environmentsDir",
        "environmentsDir is relative to deployer.yaml and must stay inside its directory.",
      ),
    );
  } else if (!envDirWhere.ok || envDirWhere.kind !== "dir") {
    errors.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `environments directory ${environmentsDir} does not exist`,
        location: configSource.nodes.has("/environmentsDir") ? at("environmentsDir") : { file: configFile, line: 1, column: 1 },
        field: "environmentsDir",
        hint: "Create it with one <target>.yaml per deploy target, or set environmentsDir in deployer.yaml (relative to it).",
      }),
    );
  } else {
    targets.push(...(await loadTargets(environmentsDir, root, stageNames, configSource, errors)));
  }

  if (errors.length > 0) throw new DeployerErrors(capPerFile(sortErrors(dedupeErrors(errors))), `${configFile}: configuration is invalid`);

  const config: DeployerConfig = {
    file: configFile,
    rootDir,
    service,
    template: template!.file,
    image: image!,
    stages,
    environmentsDir,
  };
  const order = new Map(stageNames.map((n, i) => [n, i]));
  targets.sort((a, b) => order.get(a.stage)! - order.get(b.stage)! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { config, targets, template: template! };
}

/**
 * Configuration files are small; anything larger is a mistake (a generated blob, a binary) and YAML
 * parsing of it could take minutes. Refused before it is read.
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

interface Root {
  /** The directory holding deployer.yaml, as found. */
  lexical: string;
  /** The same, symlinks resolved. */
  real: string;
}

/** The error for a path that leaves the repository (or cannot be resolved). Names paths, never content. */
function notContained(
  where: Exclude<Containment, { ok: true }>,
  what: string,
  location: SourceLocation,
  field: string | undefined,
  hint: string,
): DeployerError {
  const message =
    where.reason === "outside"
      ? `${what} is outside the directory of deployer.yaml${where.via && where.via !== where.shown ? ` (it leads to ${where.via})` : ""}`
      : `${what} cannot be read (${where.code})`;
  return new DeployerError({ code: "CONFIG_INVALID", message, location, ...(field ? { field } : {}), hint });
}

/** `real`: where the file really is (containment checked); `file` is the path errors name. */
async function readText(file: string, real: string): Promise<string> {
  let size: number | undefined;
  try {
    size = (await stat(real)).size;
  } catch {
    // reported by readFile below
  }
  if (size !== undefined && size > MAX_CONFIG_FILE_BYTES) {
    throw new DeployerError({
      code: "CONFIG_INVALID",
      message: `${path.basename(file)} is ${(size / (1024 * 1024)).toFixed(1)} MiB; configuration files and templates are limited to ${MAX_CONFIG_FILE_BYTES / (1024 * 1024)} MiB`,
      location: { file, line: 1, column: 1 },
      hint: "keep large values out of deployer's files: reference them (an SSM parameter or secret through `secrets`/valueFrom) instead",
    });
  }
  try {
    return await readFile(real, "utf8");
  } catch (e) {
    throw new DeployerError({
      code: "CONFIG_NOT_FOUND",
      message: `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      location: { file, line: 1, column: 1 },
    });
  }
}

function notAMap(src: YamlSource, what: string): DeployerError {
  return new DeployerError({
    code: "CONFIG_INVALID",
    message: `${what} must be a map of fields, got ${src.value === null || src.value === undefined ? "an empty file" : Array.isArray(src.value) ? "a list" : `a ${typeof src.value}`}`,
    location: src.nodes.get("")?.loc ?? { file: src.file, line: 1, column: 1 },
    hint: "Write one `field: value` per line; see the example repository's files.",
  });
}

function readStages(raw: Record<string, unknown>, src: YamlSource, errors: DeployerError[]): StageConfig[] {
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
    stages.push(stage);
  });
  return stages;
}

function readImage(raw: Record<string, unknown>, at: (field: string) => SourceLocation, errors: DeployerError[]): ImageConfig | undefined {
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

interface DefaultsFile {
  layer: Layer;
}

/** Set for a defaults file that could not be read: targets merging it are not validated further. */
const BROKEN: DefaultsFile = { layer: { file: "", value: {}, nodes: new Map() } };

async function loadTargets(
  dir: string,
  root: Root,
  stageNames: string[],
  configSource: YamlSource,
  errors: DeployerError[],
): Promise<Target[]> {
  // Symbolic links too: followed when they stay inside the repository, refused otherwise.
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && YAML_EXT.test(e.name))
    .map((e) => e.name);
  entries.sort();
  const defaults = new Map<string, DefaultsFile>(); // "" for _defaults, else the stage name
  const targetFiles: Array<{ name: string; source: YamlSource }> = [];
  const stagesKnown = stageNames.length > 0;
  const stagesHint = () => `Stages in ${path.basename(configSource.file)}: ${stageNames.join(", ") || "(none valid)"}.`;

  for (const entry of entries) {
    const file = path.join(dir, entry);
    let text: string;
    try {
      const where = await containedPath(root.real, root.lexical, file);
      if (!where.ok)
        throw notContained(
          where,
          path.relative(root.lexical, file),
          { file, line: 1, column: 1 },
          undefined,
          "Environment files must be files inside the directory of deployer.yaml (a symbolic link may point within it only).",
        );
      if (where.kind !== "file")
        throw new DeployerError({
          code: "CONFIG_INVALID",
          message: `${entry} is not a file`,
          location: { file, line: 1, column: 1 },
          hint: "Environment files are YAML files, one per target.",
        });
      text = await readText(file, where.real);
    } catch (e) {
      // Unreadable or too large: report it with the other files' errors (the run fails anyway).
      if (e instanceof DeployerError) {
        errors.push(e);
        continue;
      }
      throw e;
    }
    const source = parseYamlSource(file, text);
    errors.push(...source.errors);
    const base = entry.replace(YAML_EXT, "");
    if (base.startsWith("_")) {
      const scope = base === "_defaults" ? "" : base.slice(1);
      if (scope !== "" && stagesKnown && !stageNames.includes(scope)) {
        const guess = closest(scope, stageNames);
        errors.push(
          new DeployerError({
            code: "CONFIG_INVALID",
            message: `${entry} looks like per-stage defaults, but "${scope}" is not a stage`,
            location: { file, line: 1, column: 1 },
            hint: `${guess ? `Did you mean _${guess}.yaml? ` : ""}Files starting with "_" are defaults: _defaults.yaml for every target, _<stage>.yaml per stage. ${stagesHint()}`,
          }),
        );
        continue;
      }
      if (defaults.has(scope)) {
        errors.push(duplicateFile(file, `_${scope || "defaults"}`));
        continue;
      }
      if (source.errors.length > 0) {
        defaults.set(scope, BROKEN);
        continue;
      }
      if (source.value === null || source.value === undefined) {
        defaults.set(scope, { layer: { file, value: {}, nodes: new Map() } });
        continue;
      }
      if (!isPlainObject(source.value)) {
        errors.push(notAMap(source, entry));
        defaults.set(scope, BROKEN);
        continue;
      }
      if (scope !== "" && "stage" in source.value) {
        errors.push(
          new DeployerError({
            code: "CONFIG_INVALID",
            message: `${entry} applies to stage "${scope}" and cannot set \`stage\``,
            location: source.nodes.get("/stage")?.keyLoc ?? { file, line: 1, column: 1 },
            field: "stage",
            hint: "Set `stage` in each target's own file.",
          }),
        );
        defaults.set(scope, BROKEN);
        continue;
      }
      defaults.set(scope, { layer: { file, value: source.value, nodes: source.nodes } });
      continue;
    }
    if (!TARGET_NAME.test(base)) {
      errors.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `target name "${base}" (from the file name) is not valid`,
          location: { file, line: 1, column: 1 },
          target: base,
          hint: "Name target files with letters, digits, '-' and '_' (up to 64 characters, starting with a letter or digit), e.g. prod-eu.yaml: the name is used in the task-definition family.",
        }),
      );
      continue;
    }
    if (targetFiles.some((t) => t.name === base)) {
      errors.push(duplicateFile(file, base));
      continue;
    }
    targetFiles.push({ name: base, source });
  }

  if (targetFiles.length === 0 && errors.length === 0) {
    errors.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `no target files in ${dir}`,
        location: configSource.nodes.get("/environmentsDir")?.loc ?? { file: configSource.file, line: 1, column: 1 },
        field: "environmentsDir",
        hint: 'Add one <target>.yaml per deploy target (files starting with "_" are defaults, not targets).',
      }),
    );
  }

  const targets: Target[] = [];
  for (const { name, source } of targetFiles) {
    if (source.errors.length > 0) continue;
    if (!isPlainObject(source.value)) {
      errors.push(notAMap(source, path.basename(source.file)));
      continue;
    }
    const own: Layer = { file: source.file, value: source.value, nodes: source.nodes };
    const base = defaults.get("");
    const stageGuess =
      typeof source.value.stage === "string"
        ? source.value.stage
        : typeof base?.layer.value.stage === "string"
          ? base.layer.value.stage
          : undefined;
    const stageLayer = stageGuess !== undefined ? defaults.get(stageGuess) : undefined;
    // Its defaults file is already reported as broken; validating the merge would only add noise.
    if (base === BROKEN || stageLayer === BROKEN) continue;
    const merged = mergeLayers([base?.layer, stageLayer?.layer, own].filter((l): l is Layer => l !== undefined));
    const targetErrors = validateAgainstSchema("environment", merged.value, {
      code: "CONFIG_INVALID",
      file: source.file,
      target: name,
      locate: (p) => merged.locate(p),
    });
    if (targetErrors.length === 0)
      targetErrors.push(
        ...semanticErrors(name, source.file, merged, stageNames, stagesHint),
        ...shortSensitiveValueErrors(name, source.file, merged),
      );
    errors.push(...targetErrors);
    if (targetErrors.length === 0) targets.push(toTarget(name, source.file, merged));
  }
  errors.push(...duplicateServiceErrors(targets));
  return targets;
}

function duplicateFile(file: string, name: string): DeployerError {
  return new DeployerError({
    code: "CONFIG_INVALID",
    message: `two files define "${name}" (.yaml and .yml)`,
    location: { file, line: 1, column: 1 },
    target: name,
    hint: "Keep one file per target name; delete or rename the other.",
  });
}

function semanticErrors(name: string, file: string, merged: MergedLayers, stageNames: string[], stagesHint: () => string): DeployerError[] {
  const v = merged.value as Record<string, string>;
  const out: DeployerError[] = [];
  const loc = (field: string) => merged.locate("/" + field)?.loc ?? { file, line: 1, column: 1 };

  if (stageNames.length > 0 && !stageNames.includes(v.stage!)) {
    const guess = closest(v.stage!, stageNames);
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: "stage is not one of the stages of deployer.yaml",
        target: name,
        location: loc("stage"),
        field: "stage",
        hint: `${guess ? `Did you mean "${guess}"? ` : ""}${stagesHint()}`,
      }),
    );
  }

  const roleHints: Record<string, string> = {
    deployRole:
      "deployer assumes deployRole in the target's account; a role ARN from another account is usually a line copied from another environment file.",
    taskRole: "ECS only accepts a task role from the task's own account.",
    executionRole: "ECS only accepts an execution role from the task's own account.",
  };
  for (const field of ["deployRole", "taskRole", "executionRole"] as const) {
    const role = parseRoleArn(v[field]!);
    if (role && role.account !== v.account) {
      out.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `${field} is in account ${role.account}, but target "${name}" is account ${v.account}`,
          target: name,
          account: v.account,
          location: loc(field),
          field,
          hint: `${roleHints[field]} Expected arn:${role.partition}:iam::${v.account}:role/${role.name} (account is set at ${fmt(loc("account"))}).`,
        }),
      );
    }
  }

  if (typeof v.imageRepository === "string") {
    const replica = parseEcrRepository(v.imageRepository);
    if (replica && replica.registryId !== v.account) {
      out.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `imageRepository is in account ${replica.registryId}, but target "${name}" is account ${v.account}`,
          target: name,
          account: v.account,
          location: loc("imageRepository"),
          field: "imageRepository",
          hint: `imageRepository names the target's own replica of the central repository (ECR replication into ${v.account}); to pull from the central repository, leave imageRepository out and grant ${v.account} in its repository policy.`,
        }),
      );
    }
  }

  const clusterArn = /^arn:[^:]+:ecs:([a-z0-9-]+):(\d{12}):cluster\//.exec(v.cluster!);
  if (clusterArn && (clusterArn[1] !== v.region || clusterArn[2] !== v.account)) {
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `cluster ARN is in ${clusterArn[2]}/${clusterArn[1]}, but target "${name}" is ${v.account}/${v.region}`,
        target: name,
        account: v.account,
        location: loc("cluster"),
        field: "cluster",
        hint: "The cluster must be in the target's account and region; a plain cluster name avoids the repetition.",
      }),
    );
  }
  return out;
}

function fmt(l: SourceLocation): string {
  return `${path.basename(l.file)}:${l.line}`;
}

function toTarget(name: string, file: string, merged: MergedLayers): Target {
  const v = merged.value;
  const str = (k: string) => v[k] as string;
  const target: Target = {
    name,
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
  if (typeof v.imageRepository === "string") target.imageRepository = v.imageRepository;
  return target;
}

/** Two targets cannot deploy the same ECS service: (account, region, cluster, service) is unique. */
function duplicateServiceErrors(targets: Target[]): DeployerError[] {
  const out: DeployerError[] = [];
  const seen = new Map<string, Target>();
  for (const t of targets) {
    const clusterName = t.cluster.replace(/^arn:[^:]+:ecs:[^:]+:\d{12}:cluster\//, "");
    const key = [t.account, t.region, clusterName, t.service].join("|");
    const first = seen.get(key);
    if (!first) {
      seen.set(key, t);
      continue;
    }
    const firstLoc = first.locations["service"];
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `targets "${first.name}" and "${t.name}" both deploy service ${t.service} in cluster ${clusterName} (account ${t.account}, ${t.region})`,
        target: t.name,
        account: t.account,
        location: t.locations["service"] ?? { file: t.file, line: 1, column: 1 },
        field: "service",
        hint: `Each ECS service is deployed by one target; ${path.basename(first.file)}${firstLoc ? `:${firstLoc.line}` : ""} already targets it. Fix the account, region, cluster or service of one of them.`,
      }),
    );
  }
  return out;
}

function dedupeErrors(errors: DeployerError[]): DeployerError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const l = e.location;
    const key = [e.code, l?.file, l?.line, l?.column, e.field, e.message].join("|");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Errors shown per file; a file with thousands of unknown keys is one problem, not a screenful per key. */
export const MAX_ERRORS_PER_FILE = 50;

function capPerFile(errors: DeployerError[]): DeployerError[] {
  const perFile = new Map<string, number>();
  const out: DeployerError[] = [];
  for (const e of errors) {
    const file = e.location?.file ?? "";
    const n = (perFile.get(file) ?? 0) + 1;
    perFile.set(file, n);
    if (n <= MAX_ERRORS_PER_FILE) out.push(e);
  }
  for (const [file, n] of perFile) {
    if (file === "" || n <= MAX_ERRORS_PER_FILE) continue;
    const last = out.filter((e) => e.location?.file === file).at(-1)!;
    out.splice(
      out.indexOf(last) + 1,
      0,
      new DeployerError({
        code: last.code,
        message: `${n - MAX_ERRORS_PER_FILE} more errors in ${path.basename(file)} (the first ${MAX_ERRORS_PER_FILE} are shown)`,
        location: { file, line: 1, column: 1 },
        hint: "Fix the errors above and run again; a file this broken is often not the file it should be.",
      }),
    );
  }
  return out;
}

function sortErrors(errors: DeployerError[]): DeployerError[] {
  return errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => {
      const la = a.e.location;
      const lb = b.e.location;
      if (!la || !lb) return la ? 1 : lb ? -1 : a.i - b.i;
      return la.file < lb.file ? -1 : la.file > lb.file ? 1 : la.line - lb.line || la.column - lb.column || a.i - b.i;
    })
    .map(({ e }) => e);
}
