// Rollout progress in the Action log: one collapsible group per target, written when the target is
// done (targets of a stage run in parallel; buffering keeps each target's lines together). Stage
// boundaries and run-wide warnings are plain lines between the groups. Each line is the same
// timestamped line the CLI prints in CI (formatPlainEvent).
import type { RunEvent, RunEventSink, TargetOutcome } from "../apply/types.js";
import { formatPlainEvent } from "../report/progress-plain.js";
import type { ActionLog } from "./action-log.js";

const OUTCOME_TITLE: Record<TargetOutcome, string> = {
  deployed: "✅ deployed",
  unchanged: "➖ unchanged",
  "rolled-back": "↩️ rolled back",
  failed: "❌ failed",
  interrupted: "⚠️ interrupted",
  "not-started": "⏸️ not started",
  unknown: "❓ state unknown",
};

export interface GroupedRunLog {
  sink: RunEventSink;
  /** Writes the groups of targets that never reported done (a crash mid-run). */
  flush(): void;
}

export function createGroupedRunLog(log: ActionLog): GroupedRunLog {
  const pending = new Map<string, string[]>();
  const linesOf = (target: string) => {
    let lines = pending.get(target);
    if (!lines) pending.set(target, (lines = []));
    return lines;
  };
  const sink: RunEventSink = (e: RunEvent) => {
    switch (e.type) {
      case "stage-start":
      case "stage-done":
        log.info(formatPlainEvent(e));
        return;
      case "warning":
        if (e.target) linesOf(e.target).push(formatPlainEvent(e));
        else log.info(formatPlainEvent(e));
        return;
      case "target-done": {
        const lines = linesOf(e.target);
        lines.push(formatPlainEvent(e));
        pending.delete(e.target);
        log.group(`${e.target} · ${OUTCOME_TITLE[e.outcome]}`, lines);
        return;
      }
      default:
        linesOf(e.target).push(formatPlainEvent(e));
    }
  };
  return {
    sink,
    flush() {
      for (const [target, lines] of pending) log.group(`${target} · (no result)`, lines);
      pending.clear();
    },
  };
}
