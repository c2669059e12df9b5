// Loading a deploy repository: deployer.yaml, environments/*.yaml (with _defaults.yaml and
// _<stage>.yaml merged under each target) and the template. The files are read within bounds
// (read.ts, yaml-source.ts), their values parsed (parse.ts), validated by the JSON Schemas and then by
// the rules a schema cannot express (rules.ts); every problem of every file is reported at once, in
// order (error-order.ts).
import { readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { DeployerError, DeployerErrors, type SourceLocation } from "../errors.js";
import { containedPath } from "./contained-file.js";
import { findConfigFile } from "./find-config.js";
import { mergeLayers, overlayService, type Layer, type MergedLayers } from "./merge.js";
import { isPlainObject } from "./paths.js";
import { validateAgainstSchema } from "./schema-validation.js";
import { closest } from "./suggest.js";
import { shortSensitiveValueErrors } from "./sensitive-values.js";
import type { DeployerConfig, Project, ServiceConfig, Target } from "./types.js";
import { readServices } from "./services.js";
import { parseYamlSource, type YamlSource } from "./yaml-source.js";
import { readText, notContained, type Root } from "./read.js";
import { notAMap, readStages, readImage, toTarget } from "./parse.js";
import { capPerFile, sortErrors, dedupeErrors } from "./error-order.js";
import { duplicateFile, TARGET_NAME, semanticErrors, duplicateServiceErrors } from "./rules.js";
import { expandRolePatterns, PatternErrors } from "./role-patterns.js";

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

  const declared = readServices(raw, configSource, image, errors);
  const multi = isPlainObject(raw.services);
  // With `services:`, `name:` names the project (session names, tags); else `service:` does.
  const service = multi ? (typeof raw.name === "string" ? raw.name : "") : typeof raw.service === "string" ? raw.service : "";

  // templates, one per service
  const templates = new Map<string, { file: string; source: string }>();
  for (const s of declared) {
    if (s.templatePath === undefined || s.templatePath === "") continue;
    const read = await readTemplate(s.templatePath, s.templatePointer);
    if (read) templates.set(s.key, read);
  }
  async function readTemplate(rel: string, pointer: string): Promise<{ file: string; source: string } | undefined> {
    const field = pointer.slice(1).split("/").join(".");
    const where0 = configSource.nodes.get(pointer)?.loc ?? { file: configFile, line: 1, column: 1 };
    const file = path.resolve(rootDir, rel);
    const where = await containedPath(root.real, root.lexical, file);
    try {
      if (!where.ok)
        throw notContained(where, rel, where0, field, "The template path is relative to deployer.yaml and must stay inside its directory.");
      if (where.kind !== "file")
        throw new DeployerError({
          code: "CONFIG_INVALID",
          message: `${rel} is not a file`,
          location: where0,
          field,
          hint: `Point \`${field}\` at the Handlebars task-definition template, relative to deployer.yaml.`,
        });
      return { file, source: await readText(file, where.real) };
    } catch (e) {
      if (e instanceof DeployerError && e.code === "CONFIG_INVALID") errors.push(e);
      else
        errors.push(
          new DeployerError({
            code: "CONFIG_INVALID",
            message: `template ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.replace(/^cannot read .* \((.*)\)$/, "$1")})`,
            location: where0,
            field,
            hint: "The template path is relative to deployer.yaml.",
          }),
        );
      return undefined;
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
    targets.push(
      ...(await loadTargets(
        environmentsDir,
        root,
        stageNames,
        configSource,
        errors,
        declared.map((s) => s.key),
        multi,
        image?.repository ?? declared[0]?.image?.repository,
      )),
    );
  }

  if (errors.length > 0) throw new DeployerErrors(capPerFile(sortErrors(dedupeErrors(errors))), `${configFile}: configuration is invalid`);

  const services: ServiceConfig[] = declared.map((s) => ({
    key: s.key,
    template: templates.get(s.key)!.file,
    image: s.image!,
    ...(s.tasks.length > 0 ? { tasks: s.tasks } : {}),
    ...(s.dependsOn.length > 0 ? { dependsOn: s.dependsOn } : {}),
  }));
  const config: DeployerConfig = {
    file: configFile,
    rootDir,
    service,
    services,
    template: services[0]!.template,
    image: image ?? services[0]!.image,
    stages,
    environmentsDir,
  };
  const order = new Map(stageNames.map((n, i) => [n, i]));
  const serviceOrder = new Map(services.map((s, i) => [s.key, i]));
  targets.sort(
    (a, b) =>
      order.get(a.stage)! - order.get(b.stage)! ||
      (a.env < b.env ? -1 : a.env > b.env ? 1 : 0) ||
      serviceOrder.get(a.serviceKey)! - serviceOrder.get(b.serviceKey)!,
  );
  const project: Project = { config, targets, template: templates.get(services[0]!.key)! };
  if (multi) project.templates = Object.fromEntries(templates);
  return project;
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
  /** The project's service keys in declared order (one: `service:` of deployer.yaml). */
  serviceKeys: string[],
  /** `services:` in deployer.yaml: one target per environment and service, named ENV/SERVICE. */
  multi: boolean,
  /** image.repository of deployer.yaml: replicas may be in its account. */
  centralRepository?: string,
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
  const patternErrors = new PatternErrors();
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
    // `services:` of the environment (and its defaults): its shape, and only known service keys.
    const overrides = merged.value.services;
    if (overrides !== undefined) {
      errors.push(
        ...validateAgainstSchema("environment", merged.value, {
          code: "CONFIG_INVALID",
          file: source.file,
          target: name,
          locate: (p) => merged.locate(p),
        }).filter((e) => e.field === "services" || e.field?.startsWith("services.")),
      );
      if (isPlainObject(overrides)) {
        for (const key of Object.keys(overrides)) {
          if (serviceKeys.includes(key)) continue;
          const guess = closest(key, serviceKeys);
          const info = merged.locate(`/services/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`);
          errors.push(
            new DeployerError({
              code: "CONFIG_INVALID",
              message: `services.${/^[\w-]{1,64}$/.test(key) ? key : "(a key)"} overrides a service that deployer.yaml does not declare`,
              location: info?.keyLoc ?? info?.loc ?? { file: source.file, line: 1, column: 1 },
              target: name,
              field: "services",
              hint: `${guess ? `Did you mean "${guess}"? ` : ""}Services in ${path.basename(configSource.file)}: ${serviceKeys.join(", ")}.`,
            }),
          );
        }
      }
    }
    for (const key of serviceKeys) {
      const unitName = multi ? `${name}/${key}` : name;
      // A project of several services gets its own copy per service (the defaults below write to it).
      const unit: MergedLayers = overrides === undefined && !multi ? merged : overlayService(merged, key);
      // Several services: the ECS service is named after its key unless the environment says otherwise.
      if (multi && unit.value.service === undefined) unit.value.service = key;
      loadUnit(name, unitName, key, source.file, unit);
    }
  }
  function loadUnit(env: string, name: string, serviceKey: string, file: string, merged: MergedLayers): void {
    // Role ARN patterns ({account}, {name}…) are filled in before validation: the schema and the rules
    // check the ARN this target gets; errors keep the location where the pattern was written.
    const { expanded, failed } = expandRolePatterns(name, merged, patternErrors, env);
    const targetErrors: DeployerError[] = [];
    let patternFailed = failed.size > 0;
    for (const e of validateAgainstSchema("environment", merged.value, {
      code: "CONFIG_INVALID",
      file,
      target: name,
      locate: (p) => merged.locate(p),
    })) {
      if (e.field !== undefined && failed.has(e.field)) continue;
      // A pattern that expands to something invalid: one error at the pattern, naming its targets.
      if (e.field !== undefined && expanded.has(e.field)) {
        patternErrors.add(name, { ...e.toJSON(), cause: e });
        patternFailed = true;
      } else targetErrors.push(e);
    }
    if (targetErrors.length === 0 && !patternFailed)
      targetErrors.push(
        ...semanticErrors(name, file, merged, stageNames, stagesHint, centralRepository),
        ...shortSensitiveValueErrors(name, file, merged),
      );
    errors.push(...targetErrors);
    if (targetErrors.length === 0 && !patternFailed) targets.push(toTarget(name, file, merged, serviceKey, env));
  }
  errors.push(...patternErrors.errors());
  errors.push(...duplicateServiceErrors(targets));
  return targets;
}
