// The timeline of an ECS-native BLUE_GREEN, LINEAR or CANARY deployment, as the ECS guide describes
// its lifecycle stages:
//   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
//   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html
//   API_ServiceDeployment.lifecycleStage (RECONCILE_SERVICE, PRE_SCALE_UP, SCALE_UP, POST_SCALE_UP,
//   TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT,
//   POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP).
//
// The green revision scales up next to the blue one (SCALE_UP, `deploymentSeconds`), takes test
// traffic, then production traffic: at once (BLUE_GREEN), in equal steps with `stepBakeTimeInMinutes`
// between them ("not applied after reaching 100 percent", LINEAR), or a canary share first and the
// rest after `canaryBakeTimeInMinutes` (CANARY). Both revisions then run for `bakeTimeInMinutes`
// (BAKE_TIME) before the blue one is scaled in (CLEAN_UP) and the deployment is SUCCESSFUL. A
// lifecycle hook at a stage makes that stage last longer (the hook is not run: it succeeds).
//
// Failures: green tasks that never get healthy stay in SCALE_UP; with the circuit breaker the
// deployment fails once the failed-task threshold is reached. The reference says the breaker is for
// the rolling update; whether it also watches the ECS-native strategies is not stated: modelled as
// watching SCALE_UP, and a service without it simply never finishes (the case a deploy tool must
// stop with StopServiceDeployment). Tasks that trip the deployment alarms fail the deployment once
// production traffic reaches them. A failure rolls back ("the blue revision takes the traffic back")
// when the failing mechanism has `rollback`, else the service deployment is STOPPED.
//
// DescribeServices lists the green deployment as PRIMARY and the blue one as ACTIVE, both running.
// Their rolloutState is not returned: "The rolloutState of a service is only returned for services
// that use the rolling update (ECS) deployment type" (API_Deployment) — the stricter reading for
// the ECS-native strategies, so their progress is only known through the service deployment.
import type { DeploymentHealth, NativeTimeline, ServiceDeploymentConfig } from "./world.js";

/** A rollback of a native deployment takes this fraction of `deploymentSeconds` (blue is still running). */
export const NATIVE_ROLLBACK_FRACTION = 0.5;

export function nativeTimeline(
  cfg: ServiceDeploymentConfig,
  start: number,
  deployMs: number,
  minuteMs: number,
  health: DeploymentHealth,
  tripsAlarms: boolean,
): NativeTimeline {
  const quick = Math.max(1, deployMs / 10);
  const hookMs = (stage: string) => (cfg.lifecycleHooks.some((h) => h.lifecycleStages.includes(stage)) ? deployMs / 2 : 0);
  const phases: NativeTimeline["phases"] = [];
  let t = start;
  const push = (stage: string, ms: number, trafficPercent: number) => {
    phases.push({ stage, at: t, trafficPercent });
    t += ms + hookMs(stage);
  };

  push("PRE_SCALE_UP", quick, 0);
  const scaleUpAt = t;
  push("SCALE_UP", deployMs, 0);
  if (health === "crash" || health === "pull-error") {
    const tl: NativeTimeline = { phases, doneAt: Infinity };
    if (cfg.circuitBreaker.enable) {
      tl.failAt = scaleUpAt + deployMs;
      tl.failCause = { by: "circuit-breaker", reason: "tasks failed to start" };
    }
    return tl;
  }
  push("POST_SCALE_UP", quick, 0);
  push("TEST_TRAFFIC_SHIFT", quick, 0);
  push("POST_TEST_TRAFFIC_SHIFT", quick, 0);

  const shifts: Array<{ percent: number; bakeMs: number }> = [];
  if (cfg.strategy === "LINEAR" && cfg.linear) {
    const n = Math.ceil(100 / cfg.linear.stepPercent);
    for (let i = 1; i <= n; i++)
      shifts.push({
        percent: Math.min(100, Math.round(i * cfg.linear.stepPercent * 10) / 10),
        bakeMs: i < n ? cfg.linear.stepBakeTimeInMinutes * minuteMs : 0,
      });
  } else if (cfg.strategy === "CANARY" && cfg.canary) {
    shifts.push({ percent: cfg.canary.canaryPercent, bakeMs: cfg.canary.canaryBakeTimeInMinutes * minuteMs });
    shifts.push({ percent: 100, bakeMs: 0 });
  } else {
    shifts.push({ percent: 100, bakeMs: 0 });
  }
  const firstShiftAt = t;
  for (const s of shifts) push("PRODUCTION_TRAFFIC_SHIFT", quick + s.bakeMs, s.percent);
  push("POST_PRODUCTION_TRAFFIC_SHIFT", quick, 100);
  push("BAKE_TIME", (cfg.bakeTimeInMinutes ?? 0) * minuteMs, 100);
  push("CLEAN_UP", quick, 100);
  const tl: NativeTimeline = { phases, doneAt: health === "manual" ? Infinity : t };
  if (tripsAlarms && cfg.alarms.enable && cfg.alarms.alarmNames.length > 0) {
    tl.failAt = firstShiftAt + quick;
    tl.failCause = {
      by: "alarm",
      reason: `CloudWatch alarm(s) ${cfg.alarms.alarmNames.join(", ")} in ALARM state`,
      alarms: [...cfg.alarms.alarmNames],
    };
  }
  return tl;
}
