// Issue 17: a project may deploy several services; every view then shows which service a row is
// (SERVICE column, grouping by environment). A one-service project looks exactly as before: these
// helpers say "one service" for it, and the views keep their old layout.
import type { TargetSummary } from "../plan/types.js";

/**
 * True when the rows belong to a project with several services: the rows span more than one service,
 * or a unit is named `ENV/SERVICE` (a `--service` selection of one service of several). `images` (a
 * plan's or a run report's per-service images) with more than one entry says so too.
 */
export function severalServices(targets: readonly Pick<TargetSummary, "name" | "env" | "serviceKey">[], images?: object): boolean {
  if (images !== undefined && Object.keys(images).length > 1) return true;
  if (new Set(targets.map((t) => t.serviceKey)).size > 1) return true;
  return targets.some((t) => t.env !== undefined && t.serviceKey !== undefined && t.name === `${t.env}/${t.serviceKey}`);
}

/** The environment of a unit (older values without `env`: its name). */
export function envOf(t: Pick<TargetSummary, "name" | "env">): string {
  return t.env ?? t.name;
}

export interface EnvGroup<T> {
  env: string;
  items: T[];
}

/**
 * Items grouped by environment, groups in the order their environment first appears and items in
 * their own order within a group (the fleet's order: stage, environment, declared service order).
 */
export function groupByEnv<T>(items: readonly T[], summary: (item: T) => Pick<TargetSummary, "name" | "env">): EnvGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const env = envOf(summary(item));
    const list = groups.get(env);
    if (list) list.push(item);
    else groups.set(env, [item]);
  }
  return [...groups].map(([env, list]) => ({ env, items: list }));
}
