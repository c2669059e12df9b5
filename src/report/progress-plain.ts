// Run progress for CI logs and other non-TTY output: one timestamped line per event, greppable,
// never rewritten. `2025-03-01T09:00:02.000Z [prod-eu] registered shop-api:13`.
import type { RunEvent, RunEventSink, TargetOutcome } from "../apply/types.js";
import { terminalOutput, terminalSafe } from "./escape.js";

const DONE: Record<TargetOutcome, { symbol: string; label: string }> = {
  deployed: { symbol: "✔", label: "deployed" },
  unchanged: { symbol: "=", label: "unchanged" },
  "rolled-back": { symbol: "↩", label: "rolled back" },
  failed: { symbol: "✖", label: "failed" },
  interrupted: { symbol: "!", label: "interrupted" },
  "not-started": { symbol: "-", label: "not started" },
  unknown: { symbol: "?", label: "state unknown" },
};

export function createPlainProgress(write: (line: string) => void): RunEventSink {
  return (e: RunEvent) => write(formatPlainEvent(e));
}

/** One line, whatever the event carries (AWS messages, names from the configuration): see escape.ts. */
export function formatPlainEvent(event: RunEvent): string {
  const e = terminalSafe(event);
  return terminalOutput(`${e.at} ${describe(e)}`);
}

function describe(e: RunEvent): string {
  switch (e.type) {
    case "stage-start":
      return `stage ${e.stage}: starting ${e.targets.length} target${e.targets.length === 1 ? "" : "s"} (${e.targets.join(", ")})`;
    case "stage-done":
      return `stage ${e.stage}: ${e.ok ? "done" : "FAILED"}`;
    case "target-start":
      return `[${e.target}] started`;
    case "step":
      return `[${e.target}] ${e.message}`;
    case "progress":
      return `[${e.target}] ${e.message}`;
    case "service-event":
      return `[${e.target}] ecs: ${e.message}`;
    case "warning":
      return `${e.target ? `[${e.target}] ` : ""}warning: ${e.message}`;
    case "target-done": {
      const { symbol, label } = DONE[e.outcome];
      // Most messages already start with the outcome's words ("deployed shop-api:13").
      const text = e.message.startsWith(label) ? e.message : `${label}: ${e.message}`;
      return `[${e.target}] ${symbol} ${text}`;
    }
  }
}
