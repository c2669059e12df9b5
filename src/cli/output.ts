// The CLI's stdout and stderr may close or fail at any time: `deployer rollout | head -1` closes the
// pipe after one line (EPIPE), `> /dev/full` fails every write (ENOSPC), a CI log collector may go
// away. None of that may stop the work: a rollout that already registered a task definition must
// still update, wait, roll back and write its report. So a stream that fails once is marked closed and
// every later write to it is dropped quietly (no stack trace, no error event); the command ends
// normally and exits with its own code.
//
// Node ignores SIGPIPE, so a closed pipe surfaces as an 'error' event on the stream; without a
// listener that is an uncaught exception that kills the process mid-rollout.

type Stream = NodeJS.WriteStream;

const closed = new WeakSet<Stream>();
const guarded = new WeakSet<Stream>();

/** Write errors that mean "nobody reads this stream any more". Any other error is treated alike. */
export const CLOSED_STREAM_CODES = [
  "EPIPE",
  "ERR_STREAM_DESTROYED",
  "ERR_STREAM_WRITE_AFTER_END",
  "ECONNRESET",
  "EBADF",
  "EIO",
  "ENOSPC",
] as const;

/** True once `stream` has failed a write: output to it is being dropped. */
export function isClosed(stream: Stream): boolean {
  return closed.has(stream);
}

/** Guard process.stdout and process.stderr (or the given streams). Idempotent. */
export function guardOutputStreams(streams: Stream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on("error", () => markClosed(stream));
  }
}

function markClosed(stream: Stream): void {
  if (closed.has(stream)) return;
  closed.add(stream);
  // Every later write is a no-op that still calls its callback, so nobody waits for a drain that
  // never comes and nothing is retried against a closed descriptor.
  const drop = (_chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    const cb = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
    if (typeof cb === "function") process.nextTick(cb);
    return true;
  };
  stream.write = drop;
}
