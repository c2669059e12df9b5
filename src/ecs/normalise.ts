// One canonical form for any ECS task definition, rendered (what deployer would register) or live
// (what DescribeTaskDefinition returns). Plan, rollout's "no change" skip, drift and promotion all
// compare definitions through this function, so "identical after normalisation" means the same
// everywhere.
//
// What it does, on either side:
//  - drops what ECS adds or computes on registration (ARN, revision, status, requiresAttributes,
//    compatibilities, registeredAt/By, deregisteredAt) and `tags` (not part of the definition);
//  - fills the defaults ECS fills on registration, so a template may omit them: container
//    `essential: true`, container `cpu: 0`, port-mapping `protocol: "tcp"` and, under awsvpc/host
//    networking, `hostPort = containerPort`, health-check interval/timeout/retries (30/5/3),
//    `enableFaultInjection: false`, volume `configuredAtLaunch: false`, EFS `rootDirectory: "/"`,
//    environment entries without a value dropped, empty `mountPoints`/`volumesFrom`/`systemControls`/
//    `volumes`/`placementConstraints`;
//  - drops `null`s and any other empty list or map (ECS echoes many as `[]`: environmentFiles,
//    ulimits, secretOptions, dnsServers…; absent and empty mean the same thing to ECS);
//  - task cpu/memory as strings in units ("0.25 vCPU" -> "256", "1 GB" -> "1024"), as ECS stores them;
//    container cpu/memory/memoryReservation as numbers;
//  - `environment` and `secrets` deduplicated by name (last wins, as Docker does) and sorted by name;
//    containers and volumes sorted by name; other order-free lists (port mappings, mount points,
//    ulimits, …) sorted; keys of every object in sorted order.
// Lists whose order carries meaning (command, entryPoint, dnsServers, healthCheck.command, …) keep it.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Top-level fields ECS computes or adds on registration; never part of a comparison. */
export const ECS_COMPUTED_FIELDS: readonly string[] = [
  "taskDefinitionArn",
  "revision",
  "status",
  "requiresAttributes",
  "compatibilities",
  "registeredAt",
  "registeredBy",
  "deregisteredAt",
  "tags",
];

/** Lists ECS returns as `[]` when the template left them out; kept (as `[]`) in the canonical form. */
const TASK_EMPTY_LIST_DEFAULTS = ["volumes", "placementConstraints"] as const;
const CONTAINER_EMPTY_LIST_DEFAULTS = ["mountPoints", "volumesFrom", "systemControls", "portMappings", "environment"] as const;

/** Container lists where order does not matter to ECS: sorted by their canonical JSON. */
const CONTAINER_UNORDERED_LISTS = [
  "portMappings",
  "mountPoints",
  "volumesFrom",
  "ulimits",
  "systemControls",
  "extraHosts",
  "environmentFiles",
  "resourceRequirements",
  "dependsOn",
  "dockerSecurityOptions",
  "links",
  "credentialSpecs",
] as const;

/** Health-check defaults ECS fills on registration (seconds / count). */
const HEALTH_CHECK_DEFAULTS = { interval: 30, timeout: 5, retries: 3 } as const;

export function normaliseTaskDefinition(def: Record<string, unknown>): Record<string, unknown> {
  const input = toJson(def);
  if (!isObject(input)) return {};
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(input)) {
    if (ECS_COMPUTED_FIELDS.includes(key)) continue;
    out[key] = value;
  }

  const networkMode = typeof out.networkMode === "string" ? out.networkMode : undefined;
  // A request's `taskRoleArn: ""` is not echoed (botocore ecs examples-1.json RegisterTaskDefinition
  // pair, test/fixtures/aws/register-task-definition.botocore-example-sleep360.*): "" means no role.
  for (const key of ["taskRoleArn", "executionRoleArn"]) if (out[key] === "") delete out[key];

  if (out.cpu !== undefined && out.cpu !== null) out.cpu = taskCpuString(out.cpu);
  if (out.memory !== undefined && out.memory !== null) out.memory = taskMemoryString(out.memory);
  if (out.enableFaultInjection === undefined || out.enableFaultInjection === null) out.enableFaultInjection = false;

  const containers = Array.isArray(out.containerDefinitions) ? out.containerDefinitions : [];
  out.containerDefinitions = sortBy(
    containers.filter(isObject).map((c) => normaliseContainer(c, networkMode)),
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a sort key: any value sorts, a non-string name is not ECS's
    (c) => String(c.name ?? ""),
  );

  if (Array.isArray(out.volumes)) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a sort key: any value sorts
    out.volumes = sortBy(out.volumes.filter(isObject).map(normaliseVolume), (v) => String(v.name ?? ""));
  }
  if (Array.isArray(out.placementConstraints)) out.placementConstraints = sortByJson(out.placementConstraints);
  if (Array.isArray(out.requiresCompatibilities)) out.requiresCompatibilities = [...new Set(out.requiresCompatibilities)].sort(compareJson);

  const pruned = prune(out) as JsonObject;
  for (const key of TASK_EMPTY_LIST_DEFAULTS) if (pruned[key] === undefined) pruned[key] = [];
  for (const c of (pruned.containerDefinitions as JsonObject[] | undefined) ?? []) {
    for (const key of CONTAINER_EMPTY_LIST_DEFAULTS) if (c[key] === undefined) c[key] = [];
  }
  if (pruned.containerDefinitions === undefined) pruned.containerDefinitions = [];
  return sortKeysDeep(pruned) as Record<string, unknown>;
}

function normaliseContainer(container: JsonObject, networkMode: string | undefined): JsonObject {
  const c: JsonObject = { ...container };
  if (c.essential === undefined || c.essential === null) c.essential = true;
  if (c.cpu === undefined || c.cpu === null) c.cpu = 0;
  for (const key of ["cpu", "memory", "memoryReservation"] as const) {
    const v = c[key];
    if (typeof v === "string" && /^\d+$/.test(v.trim())) c[key] = Number(v.trim());
  }

  if (Array.isArray(c.portMappings)) {
    c.portMappings = c.portMappings.filter(isObject).map((pm) => {
      const m: JsonObject = { ...pm };
      m.protocol = typeof m.protocol === "string" ? m.protocol.toLowerCase() : "tcp";
      if (typeof m.containerPort === "string" && /^\d+$/.test(m.containerPort)) m.containerPort = Number(m.containerPort);
      if (typeof m.hostPort === "string" && /^\d+$/.test(m.hostPort)) m.hostPort = Number(m.hostPort);
      if (
        (networkMode === "awsvpc" || networkMode === "host") &&
        (m.hostPort === undefined || m.hostPort === null) &&
        typeof m.containerPort === "number"
      ) {
        m.hostPort = m.containerPort;
      }
      return m;
    });
  }

  // ECS drops environment entries without a value on registration
  // (https://github.com/aws-actions/amazon-ecs-deploy-task-definition/pull/224): so does the canonical form.
  if (Array.isArray(c.environment))
    c.environment = byName(
      c.environment.filter((e) => !isObject(e) || (e.value !== undefined && e.value !== null)),
      "value",
    );
  if (Array.isArray(c.secrets)) c.secrets = byName(c.secrets, "valueFrom");

  if (isObject(c.healthCheck)) {
    const hc: JsonObject = { ...c.healthCheck };
    for (const [k, v] of Object.entries(HEALTH_CHECK_DEFAULTS)) if (hc[k] === undefined || hc[k] === null) hc[k] = v;
    c.healthCheck = hc;
  }

  if (isObject(c.logConfiguration) && Array.isArray(c.logConfiguration.secretOptions)) {
    c.logConfiguration = { ...c.logConfiguration, secretOptions: byName(c.logConfiguration.secretOptions, "valueFrom") };
  }

  for (const key of CONTAINER_UNORDERED_LISTS) {
    const v = c[key];
    if (Array.isArray(v)) c[key] = sortByJson(v);
  }
  return c;
}

/**
 * Volume defaults ECS fills in: `configuredAtLaunch: false` (DescribeTaskDefinition returns it for every
 * volume; terraform-provider-aws had the perpetual diff: https://github.com/hashicorp/terraform-provider-aws/issues/38153),
 * and an EFS volume's `rootDirectory: "/"` ("If this parameter is omitted, the root of the Amazon EFS
 * volume will be used", botocore ecs EFSVolumeConfiguration.rootDirectory). Absent and default mean the
 * same, so the canonical form leaves both out; an empty `host: {}` is pruned with other empty maps.
 */
function normaliseVolume(volume: JsonObject): JsonObject {
  const v: JsonObject = { ...volume };
  if (v.configuredAtLaunch === false) delete v.configuredAtLaunch;
  if (isObject(v.efsVolumeConfiguration) && v.efsVolumeConfiguration.rootDirectory === "/") {
    const { rootDirectory: _root, ...efs } = v.efsVolumeConfiguration;
    v.efsVolumeConfiguration = efs;
  }
  return v;
}

/** `[{name, value}]` deduplicated by name (the last entry wins) and sorted by name. */
function byName(list: Json[], valueKey: string): Json[] {
  const map = new Map<string, JsonObject>();
  for (const item of list) {
    if (!isObject(item) || typeof item.name !== "string") continue;
    const v = item[valueKey];
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a JSON scalar as ECS would stringify it
    map.set(item.name, { name: item.name, [valueKey]: v === undefined || v === null ? "" : typeof v === "string" ? v : String(v) });
  }
  return [...map.keys()].sort().map((k) => map.get(k)!);
}

/** Task-level cpu as ECS stores it: CPU units as a string. Accepts 256, "256", "0.25 vCPU", "1vcpu". */
export function taskCpuString(v: Json): Json {
  if (typeof v === "number") return String(v);
  if (typeof v !== "string") return v;
  const s = v.trim();
  const m = /^(\d+(?:\.\d+)?)\s*vcpu$/i.exec(s);
  if (m) return String(Math.round(Number(m[1]) * 1024));
  return s;
}

/** Task-level memory as ECS stores it: MiB as a string. Accepts 512, "512", "1 GB", "2gb". */
export function taskMemoryString(v: Json): Json {
  if (typeof v === "number") return String(v);
  if (typeof v !== "string") return v;
  const s = v.trim();
  const m = /^(\d+(?:\.\d+)?)\s*gb$/i.exec(s);
  if (m) return String(Math.round(Number(m[1]) * 1024));
  const mb = /^(\d+)\s*mi?b$/i.exec(s);
  if (mb) return mb[1]!;
  return s;
}

/** Removes nulls, undefined, empty lists and empty maps, recursively. */
function prune(v: Json): Json | undefined {
  if (v === null) return undefined;
  if (Array.isArray(v)) {
    const items = v.map(prune).filter((x): x is Json => x !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, val] of Object.entries(v)) {
      const p = prune(val);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v;
}

function sortKeysDeep(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeysDeep(v[k] as Json);
    return out;
  }
  return v;
}

/** JSON with object keys sorted at every level: the canonical text of a value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(toJson(value)));
}

/** A JSON-safe deep copy: Dates become ISO strings, undefined members disappear. */
function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as Json;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function compareJson(a: Json, b: Json): number {
  const x = canonicalJson(a);
  const y = canonicalJson(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortByJson(list: Json[]): Json[] {
  return [...list].sort(compareJson);
}

function sortBy<T>(list: T[], key: (t: T) => string): T[] {
  return [...list].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** True when both definitions are identical after normalisation (secrets included; never published). */
export function sameTaskDefinition(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonicalJson(normaliseTaskDefinition(a)) === canonicalJson(normaliseTaskDefinition(b));
}
