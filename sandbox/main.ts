// `npm run sandbox`: runs the sandbox in the foreground and prints how to point deployer (or the
// AWS CLI/SDK) at it.  Options: --port N (default 4577, 0 = any free port), --fixture PATH,
// --deployment-seconds S.  It stops on Ctrl-C, SIGTERM, or when the process that started it exits
// (killing `npm run sandbox` must not leave a server behind: npm runs the script through `sh -c`
// and tsx, and neither passes a kill on to the server).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startSandbox } from "./index.js";

const DEFAULT_PORT = "4577";
const USAGE = [
  "usage: npm run sandbox -- [--port 4577] [--fixture sandbox/fixtures/demo.yaml] [--deployment-seconds 2]",
  "",
  "  --port N                 the TCP port on 127.0.0.1 (default 4577); 0 = any free port (the one",
  "                           chosen is printed)",
  "  --fixture PATH           the accounts, roles, services and images to start with",
  "  --deployment-seconds S   how long a healthy ECS deployment takes to complete (default 2)",
  "",
  "It runs in the foreground and stops on Ctrl-C, or when the process that started it exits.",
  "",
].join("\n");

function fail(message: string, code: number): never {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(code);
}

let values: { port?: string; fixture?: string; "deployment-seconds"?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string", default: DEFAULT_PORT },
      fixture: { type: "string" },
      "deployment-seconds": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (err) {
  fail(`${err instanceof Error ? err.message : String(err)}\n${USAGE.trimEnd()}`, 2);
}

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const portText = values.port ?? DEFAULT_PORT;
const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
if (!(port >= 0 && port <= 65535)) fail(`--port must be a TCP port number from 0 to 65535, 0 for any free port (got "${portText}")`, 2);
const deploymentSeconds = values["deployment-seconds"] !== undefined ? Number(values["deployment-seconds"]) : undefined;

/** Node's error for a port it cannot listen on, as a sentence that says what to do. */
function listenError(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const again = "Use another port with --port N, or any free port with --port 0 (npm run sandbox -- --port 0).";
  if (code === "EADDRINUSE") return `port ${port} on 127.0.0.1 is already in use (another sandbox still running?). ${again}`;
  if (code === "EACCES") return `not allowed to listen on port ${port} of 127.0.0.1 (ports below 1024 need privileges). ${again}`;
  return undefined;
}

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
try {
  sandbox = await startSandbox({ port, fixture: values.fixture, deploymentSeconds });
} catch (err) {
  fail(listenError(err) ?? (err instanceof Error ? err.message : String(err)), 1);
}

let stopping = false;
function shutdown(why?: string): void {
  if (stopping) return;
  stopping = true;
  if (why) process.stderr.write(`sandbox: ${why}; stopping.\n`);
  // Open keep-alive connections are destroyed by stop(); the timer only guards against a hang.
  setTimeout(() => process.exit(0), 2_000).unref();
  void sandbox.stop().then(() => process.exit(0));
}
process.on("SIGINT", () => shutdown());
process.on("SIGTERM", () => shutdown());
process.on("SIGHUP", () => shutdown());
// A closed terminal or pipe: nobody can use the printed endpoint any more.
process.stdout.on("error", () => shutdown());
process.stderr.on("error", () => shutdown());
watchStarter(() => shutdown("the process that started the sandbox exited"));

process.stdout.write(
  [
    `AWS sandbox listening on ${sandbox.endpoint} (STS, IAM, ECS, ECR, Cloud Map, RAM; admin API under ${sandbox.endpoint}/_sandbox/)`,
    "",
    "Point the AWS SDK/CLI and deployer at it (the CI user's key below is FAKE sandbox fixture data,",
    "accepted only by this local sandbox, so it is fine to print):",
    "",
    `export AWS_ENDPOINT_URL=${sandbox.endpoint}`,
    `export AWS_ACCESS_KEY_ID=${sandbox.credentials.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${sandbox.credentials.secretAccessKey}`,
    "unset AWS_SESSION_TOKEN AWS_PROFILE",
    "export AWS_REGION=eu-west-1",
    "",
    "Ctrl-C to stop.",
    "",
  ].join("\n"),
);

/**
 * Calls `onExit` once the process that started the sandbox is gone. `npm run sandbox` is a chain
 * npm → sh → tsx → this process, and killing npm reaches none of the others: on SIGTERM npm passes
 * the signal to `sh`, which dies without passing it on; on SIGKILL nothing is passed on at all.
 * So every link of the chain, from this process up to the leader of its process group (npm, when
 * started from an interactive shell), is watched: when a process of the chain dies, its child is
 * re-parented, and that change is seen at the next poll. A parent that is a zombie (dead, not yet
 * reaped) counts as dead, since its children are re-parented at once.
 * Linux reads /proc; other systems ask `ps` (macOS, BSD). Where neither works, only signals stop it.
 */
function watchStarter(onExit: () => void): void {
  type Proc = { ppid: number; pgid: number };
  const procfs = process.platform === "linux";
  const read = (pid: number): Proc | undefined => {
    if (procfs) {
      try {
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const [, ppid, pgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return { ppid: Number(ppid), pgid: Number(pgid) };
      } catch {
        return undefined;
      }
    }
    const r = spawnSync("ps", ["-o", "ppid=,pgid=", "-p", String(pid)], { encoding: "utf8", timeout: 2_000 });
    const [ppid, pgid] = (r.stdout ?? "").trim().split(/\s+/).map(Number);
    return r.status === 0 && ppid !== undefined && pgid !== undefined && ppid > 0 ? { ppid, pgid } : undefined;
  };

  const self = read(process.pid);
  if (!self) return;
  const links: Array<{ pid: number; ppid: number }> = [];
  for (let pid = process.pid, depth = 0; depth < 16; depth++) {
    const p = pid === process.pid ? self : read(pid);
    if (!p || p.ppid <= 1) break;
    links.push({ pid, ppid: p.ppid });
    if (pid === self.pgid || p.ppid === self.pgid) break; // the group leader: what the user started
    pid = p.ppid;
  }
  if (links.length === 0) return;

  const timer = setInterval(
    () => {
      const broken = links.some(({ pid, ppid }) => read(pid)?.ppid !== ppid);
      if (broken) {
        clearInterval(timer);
        onExit();
      }
    },
    procfs ? 250 : 1_000,
  );
  timer.unref();
}
