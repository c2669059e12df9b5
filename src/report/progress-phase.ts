// The read/check phase (load, resolve the image, assume every role, read live state, run the
// checks) can take a while across many accounts and prints nothing until it is done. In a terminal
// a spinner on one line says it is running (and for how long); elsewhere (CI, a pipe) one
// timestamped line says so. Both on stderr: stdout may carry the plan or a JSON document.

export interface PhaseProgress {
  /** A more precise label (a terminal's spinner shows it; the line already printed stays). */
  update(label: string): void;
  /** Clears the spinner (a terminal) or does nothing (a line was printed). Idempotent. */
  stop(): void;
}

export interface PhaseOptions {
  stream: NodeJS.WriteStream;
  /** Spinner (true) or one line (false). */
  interactive: boolean;
  now?: () => Date;
  /** Spinner frame interval (ms). */
  intervalMs?: number;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CLEAR_LINE = "\r\x1b[2K";

export function startPhase(label: string, opts: PhaseOptions): PhaseProgress {
  const now = opts.now ?? (() => new Date());
  if (!opts.interactive) {
    opts.stream.write(`${now().toISOString()} ${label}…\n`);
    return { update() {}, stop() {} };
  }
  const started = now().getTime();
  let frame = 0;
  let text = label;
  const draw = () => {
    const seconds = Math.floor((now().getTime() - started) / 1000);
    opts.stream.write(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${text}…${seconds >= 1 ? ` ${seconds}s` : ""}`);
  };
  // The first frame after a short delay: fast runs (a config error, a cached answer) never flash.
  let timer: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    draw();
    timer = setInterval(draw, opts.intervalMs ?? 100);
    timer.unref();
  }, 150);
  first.unref();
  let stopped = false;
  return {
    update(next) {
      text = next;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(first);
      if (timer) {
        clearInterval(timer);
        opts.stream.write(CLEAR_LINE);
      }
    },
  };
}
