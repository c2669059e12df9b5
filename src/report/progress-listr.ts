// Run progress in a terminal: a listr2 task list, one group per stage and one row per target showing
// its current step, with the latest progress (running/pending/desired) or service event under it.
//
// listr2 wants to run the work itself; here the work runs in applyPlan and arrives as events. So each
// row's task only awaits its target's `target-done` event, and the events update the rows' titles and
// output. An untitled last task (invisible in listr2) keeps the list rendering until `done()`, so a
// row can still change afterwards (a `rollbackStage` revert). listr2's own SIGINT handling is off:
// Ctrl-C belongs to the caller, who aborts applyPlan and then calls `done()`.
import {
  Listr,
  ListrLogger,
  ProcessOutput,
  type ListrBaseClassOptions,
  type ListrRendererFactory,
  type ListrTask,
  type ListrTaskWrapper,
} from "listr2";
import type { RunEvent, RunEventSink, TargetOutcome } from "../apply/types.js";
import { terminalSafe } from "./escape.js";

export interface ListrProgressOptions {
  /** listr2 renderer (default "default": the live task list; listr2 itself falls back to "simple" without a TTY). */
  renderer?: "default" | "simple" | "verbose" | "test" | "silent";
  /** Where to render (default process.stdout; errors too). */
  stream?: NodeJS.WriteStream;
}

export interface ListrProgress {
  sink: RunEventSink;
  /** Ends every row still open (as not started) and waits for the renderer to finish. */
  done(): Promise<void>;
}

type Wrapper = ListrTaskWrapper<unknown, ListrRendererFactory, ListrRendererFactory>;
type Task = ListrTask<unknown, ListrRendererFactory, ListrRendererFactory>;

interface RowEnd {
  outcome: TargetOutcome;
  message: string;
}

interface Row {
  name: string;
  title: string;
  output?: string;
  task?: Wrapper;
  end?: RowEnd;
  /**
   * The last ECS service event about a stopped task ("has stopped 1 running tasks: (task …)", with its
   * reason when the event gives one, e.g. "Essential container in task exited"). The row's output
   * shows each event only until the next one; a failed row keeps this one in its final line.
   */
  lastStop?: string;
  finish: (end: RowEnd) => void;
  finished: Promise<RowEnd>;
}

/** ECS's service event for stopped tasks: "(service api) has stopped 1 running tasks: (task 0a1b…)." */
const STOPPED_TASK = /\bhas stopped \d+ running tasks?\b/;

/** The stop's reason when the event gives one ("Reason: …"), else the event itself. */
function stoppedTaskText(message: string): string {
  const reason = /\bReason: (.+?)\.?$/.exec(message)?.[1];
  return reason ? `stopped task: ${reason}` : message;
}

export function createListrProgress(
  allStages: Array<{ stage: string; targets: string[] }>,
  options: ListrProgressOptions = {},
): ListrProgress {
  const targetsByStage = allStages.filter((s) => s.targets.length > 0);
  const rows = new Map<string, Row>();
  for (const s of targetsByStage) {
    for (const name of s.targets) {
      let finish!: (end: RowEnd) => void;
      const finished = new Promise<RowEnd>((resolve) => (finish = resolve));
      rows.set(name, { name, title: "queued", finish, finished });
    }
  }
  let close!: () => void;
  const closed = new Promise<void>((resolve) => (close = resolve));
  // A stage's row stays open until its stage-done event (or done()): its rows may all have ended
  // while the stage is still finishing (the last services of an environment, a stage rollback), and
  // its title must say done or FAILED before listr2 marks it complete.
  const stageEnds = new Map<string, () => void>();
  const stageEnded = new Map<string, Promise<void>>();
  for (const s of targetsByStage) stageEnded.set(s.stage, new Promise<void>((resolve) => stageEnds.set(s.stage, resolve)));

  const stageTasks = new Map<string, Wrapper>();
  const shownOutput = new Map<string, string>();
  const show = (row: Row): void => {
    if (!row.task) return;
    const title = `${row.name}  ${row.title}`;
    if (row.task.title !== title) row.task.title = title;
    if (row.output !== undefined && shownOutput.get(row.name) !== row.output) {
      shownOutput.set(row.name, row.output);
      row.task.output = row.output;
    }
  };

  const rowTask = (row: Row) => async (_ctx: unknown, task: Wrapper) => {
    row.task = task;
    show(row);
    const end = await row.finished;
    if (end.outcome === "failed" || end.outcome === "interrupted" || end.outcome === "unknown") {
      // listr2 shows the error's message with the row: keep the title short.
      row.title = end.outcome === "unknown" ? "state unknown" : end.outcome;
      show(row);
      throw new Error(row.lastStop && end.outcome === "failed" ? `${end.message} (ecs: ${row.lastStop})` : end.message);
    }
    row.title = end.message;
    show(row);
    if (end.outcome === "not-started") task.skip(`${row.name}  ${end.message}`);
  };

  const logger = options.stream ? new ListrLogger({ processOutput: new ProcessOutput(options.stream, options.stream) }) : undefined;
  const tasks: Task[] = [
    ...targetsByStage.map((s): Task => ({
      title: `stage ${s.stage}`,
      task: (_ctx: unknown, stageTask: Wrapper) => {
        stageTasks.set(s.stage, stageTask);
        return stageTask.newListr(
          [
            ...s.targets.map((name) => ({ title: name, task: rowTask(rows.get(name)!) })),
            // Untitled: not rendered; the stage completes when the run says it did.
            { task: () => stageEnded.get(s.stage) },
          ],
          { concurrent: true, exitOnError: false },
        );
      },
    })),
    // Untitled: not rendered; keeps the list alive until done().
    { task: () => closed },
  ];
  const listr = new Listr<unknown, ListrRendererFactory, ListrRendererFactory>(tasks, {
    concurrent: false,
    exitOnError: false,
    registerSignalListeners: false,
    renderer: options.renderer ?? "default",
    rendererOptions: { collapseSubtasks: false, collapseErrors: false, ...(logger ? { logger } : {}) },
    fallbackRendererOptions: logger ? { logger } : {},
  } as unknown as ListrBaseClassOptions<unknown, ListrRendererFactory, ListrRendererFactory>);
  const rendering = listr.run().then(
    () => undefined,
    () => undefined,
  );

  const sink: RunEventSink = (event: RunEvent) => {
    // Messages carry AWS and configuration text (ECS service events name containers): terminal-safe.
    const e = terminalSafe(event);
    if (e.type === "stage-done") {
      const stageTask = stageTasks.get(e.stage);
      if (stageTask) stageTask.title = `stage ${e.stage}  ${e.ok ? "done" : "FAILED"}`;
      stageEnds.get(e.stage)?.();
      return;
    }
    if (!("target" in e) || e.target === undefined) return;
    const row = rows.get(e.target);
    if (!row) return;
    switch (e.type) {
      case "target-start":
        row.title = row.end ? "rolling back" : "starting";
        row.output = undefined;
        break;
      case "step":
        row.title = e.message;
        break;
      case "progress":
        row.output = e.message;
        break;
      case "service-event":
        row.output = `ecs: ${e.message}`;
        if (STOPPED_TASK.test(e.message)) row.lastStop = stoppedTaskText(e.message);
        break;
      case "warning":
        row.output = `warning: ${e.message}`;
        break;
      case "target-done":
        if (row.end) {
          // A second ending (rolled back after its stage failed): the row's task is over, retitle it.
          row.end = { outcome: e.outcome, message: e.message };
          row.title = e.message;
          break;
        }
        row.end = { outcome: e.outcome, message: e.message };
        row.finish(row.end);
        return;
    }
    show(row);
  };

  return {
    sink,
    async done() {
      for (const row of rows.values()) {
        if (!row.end) {
          row.end = { outcome: "not-started", message: "not started" };
          row.finish(row.end);
        }
      }
      for (const end of stageEnds.values()) end();
      close();
      await rendering;
    },
  };
}
