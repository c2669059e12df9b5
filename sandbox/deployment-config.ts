// A service's deploymentConfiguration as CreateService / UpdateService take it, checked the way the
// API reference describes it, and rendered back the way DescribeServices returns it:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
// (shapes and ranges from the botocore model, botocore/data/ecs/2014-11-13/service-2.json).
import { AwsError } from "./aws-error.js";
import type { DeploymentStrategy, EcsService, ServiceDeploymentConfig } from "./world.js";

type Json = Record<string, unknown>;

const invalid = (m: string) => new AwsError("InvalidParameterException", m);

const STRATEGIES: DeploymentStrategy[] = ["ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"];

/** DeploymentLifecycleHookStage (botocore enum). */
const HOOK_STAGES = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
];

export type ServiceSettings = Pick<
  EcsService,
  "circuitBreaker" | "alarms" | "strategy" | "bakeTimeInMinutes" | "linear" | "canary" | "lifecycleHooks"
>;

export function defaultSettings(): ServiceSettings {
  return {
    circuitBreaker: { enable: false, rollback: false },
    alarms: { enable: false, rollback: false, alarmNames: [] },
    strategy: "ROLLING",
    lifecycleHooks: [],
  };
}

function tenths(n: number): boolean {
  return Math.abs(Math.round(n * 10) - n * 10) < 1e-9;
}

/**
 * Applies `input` (a deploymentConfiguration; absent members keep their current value) to
 * `current`, refusing what the API refuses. Where the reference is silent the stricter reading is
 * taken and said so beside it.
 */
export function applyDeploymentConfiguration(current: ServiceSettings, input: Json | undefined, controller: string): ServiceSettings {
  // Only the settings: `current` may be a whole service (its deployments must stay the same objects).
  const out: ServiceSettings = structuredClone({
    circuitBreaker: current.circuitBreaker,
    alarms: current.alarms,
    strategy: current.strategy,
    lifecycleHooks: current.lifecycleHooks,
    ...(current.bakeTimeInMinutes !== undefined ? { bakeTimeInMinutes: current.bakeTimeInMinutes } : {}),
    ...(current.linear ? { linear: current.linear } : {}),
    ...(current.canary ? { canary: current.canary } : {}),
  });
  if (!input) return out;
  const cb = input.deploymentCircuitBreaker as { enable?: unknown; rollback?: unknown } | undefined;
  if (cb) out.circuitBreaker = { enable: cb.enable === true, rollback: cb.rollback === true };

  const alarms = input.alarms as { alarmNames?: unknown; enable?: unknown; rollback?: unknown } | undefined;
  if (alarms) {
    // DeploymentAlarms: alarmNames, enable and rollback are all required members.
    if (!Array.isArray(alarms.alarmNames) || typeof alarms.enable !== "boolean" || typeof alarms.rollback !== "boolean") {
      throw invalid("DeploymentAlarms requires alarmNames, enable and rollback.");
    }
    // "You can only use the DeploymentAlarms method to detect failures when the DeploymentController is set to ECS."
    if (alarms.enable && controller !== "ECS") throw invalid("Deployment alarms can only be used with the ECS deployment controller.");
    out.alarms = { enable: alarms.enable, rollback: alarms.rollback, alarmNames: alarms.alarmNames.map(String) };
  }

  if (input.strategy !== undefined) {
    const s = input.strategy as DeploymentStrategy;
    if (!STRATEGIES.includes(s))
      throw invalid(`Invalid deployment strategy: ${String(input.strategy)}. Valid values are ${STRATEGIES.join(", ")}.`);
    if (s !== "ROLLING" && controller !== "ECS") throw invalid(`The ${s} deployment strategy requires the ECS deployment controller.`);
    out.strategy = s;
  }
  if (input.bakeTimeInMinutes !== undefined) {
    const b = input.bakeTimeInMinutes;
    // The reference gives no range; 0..1440 like the step and canary bake times (stricter).
    if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b > 1440)
      throw invalid("bakeTimeInMinutes must be a whole number of minutes from 0 to 1440.");
    out.bakeTimeInMinutes = b;
  }
  const linear = input.linearConfiguration as { stepPercent?: unknown; stepBakeTimeInMinutes?: unknown } | undefined;
  if (linear) {
    // stepPercent: multiples of 0.1 from 3.0 to 100.0, default 10.0; stepBakeTimeInMinutes 0..1440, default 6.
    const step = linear.stepPercent === undefined ? 10 : Number(linear.stepPercent);
    const bake = linear.stepBakeTimeInMinutes === undefined ? 6 : Number(linear.stepBakeTimeInMinutes);
    if (!(step >= 3 && step <= 100 && tenths(step)))
      throw invalid("linearConfiguration.stepPercent must be a multiple of 0.1 from 3.0 to 100.0.");
    if (!(Number.isInteger(bake) && bake >= 0 && bake <= 1440))
      throw invalid("linearConfiguration.stepBakeTimeInMinutes must be from 0 to 1440.");
    out.linear = { stepPercent: step, stepBakeTimeInMinutes: bake };
  }
  const canary = input.canaryConfiguration as { canaryPercent?: unknown; canaryBakeTimeInMinutes?: unknown } | undefined;
  if (canary) {
    // canaryPercent: multiples of 0.1 from 0.1 to 100.0, default 5.0; canaryBakeTimeInMinutes 0..1440, default 10.
    const pct = canary.canaryPercent === undefined ? 5 : Number(canary.canaryPercent);
    const bake = canary.canaryBakeTimeInMinutes === undefined ? 10 : Number(canary.canaryBakeTimeInMinutes);
    if (!(pct >= 0.1 && pct <= 100 && tenths(pct)))
      throw invalid("canaryConfiguration.canaryPercent must be a multiple of 0.1 from 0.1 to 100.0.");
    if (!(Number.isInteger(bake) && bake >= 0 && bake <= 1440))
      throw invalid("canaryConfiguration.canaryBakeTimeInMinutes must be from 0 to 1440.");
    out.canary = { canaryPercent: pct, canaryBakeTimeInMinutes: bake };
  }
  if (Array.isArray(input.lifecycleHooks)) {
    out.lifecycleHooks = (input.lifecycleHooks as Json[]).map((h) => {
      const stages = Array.isArray(h.lifecycleStages) ? h.lifecycleStages.map(String) : [];
      if (typeof h.hookTargetArn !== "string" || stages.length === 0 || stages.some((st) => !HOOK_STAGES.includes(st))) {
        throw invalid(`Each lifecycle hook needs a hookTargetArn and lifecycleStages from ${HOOK_STAGES.join(", ")}.`);
      }
      return { hookTargetArn: h.hookTargetArn, ...(typeof h.roleArn === "string" ? { roleArn: h.roleArn } : {}), lifecycleStages: stages };
    });
  }

  // "Only valid when the deployment strategy is LINEAR" / "... is CANARY" (API_DeploymentConfiguration).
  if (out.linear && out.strategy !== "LINEAR" && linear)
    throw invalid("linearConfiguration is only valid with the LINEAR deployment strategy.");
  if (out.canary && out.strategy !== "CANARY" && canary)
    throw invalid("canaryConfiguration is only valid with the CANARY deployment strategy.");
  // bakeTimeInMinutes: "You must provide this parameter when you use the BLUE_GREEN deployment strategy."
  if (out.strategy === "BLUE_GREEN" && out.bakeTimeInMinutes === undefined)
    throw invalid("bakeTimeInMinutes is required with the BLUE_GREEN deployment strategy.");
  if (out.strategy === "LINEAR") out.linear ??= { stepPercent: 10, stepBakeTimeInMinutes: 6 };
  if (out.strategy === "CANARY") out.canary ??= { canaryPercent: 5, canaryBakeTimeInMinutes: 10 };
  return out;
}

/** The snapshot a service deployment keeps of the configuration it started with. */
export function snapshotConfig(s: ServiceSettings): ServiceDeploymentConfig {
  const c: ServiceDeploymentConfig = {
    strategy: s.strategy,
    circuitBreaker: { ...s.circuitBreaker },
    alarms: { ...s.alarms, alarmNames: [...s.alarms.alarmNames] },
    lifecycleHooks: structuredClone(s.lifecycleHooks),
  };
  if (s.bakeTimeInMinutes !== undefined) c.bakeTimeInMinutes = s.bakeTimeInMinutes;
  if (s.linear && s.strategy === "LINEAR") c.linear = { ...s.linear };
  if (s.canary && s.strategy === "CANARY") c.canary = { ...s.canary };
  return c;
}

/** deploymentConfiguration as DescribeServices / DescribeServiceDeployments return it. */
export function renderDeploymentConfiguration(c: ServiceDeploymentConfig): Json {
  const out: Json = {
    deploymentCircuitBreaker: { enable: c.circuitBreaker.enable, rollback: c.circuitBreaker.rollback },
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    alarms: { alarmNames: [...c.alarms.alarmNames], enable: c.alarms.enable, rollback: c.alarms.rollback },
    strategy: c.strategy,
  };
  if (c.bakeTimeInMinutes !== undefined) out.bakeTimeInMinutes = c.bakeTimeInMinutes;
  if (c.linear) out.linearConfiguration = { ...c.linear };
  if (c.canary) out.canaryConfiguration = { ...c.canary };
  if (c.lifecycleHooks.length > 0) out.lifecycleHooks = structuredClone(c.lifecycleHooks);
  return out;
}
