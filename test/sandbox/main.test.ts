// `npm run sandbox` (sandbox/main.ts) as the README has users start it: --port (0 = any free port,
// the one chosen is printed), a clear error on a busy port, the server gone when the npm process
// that started it is killed, and the README's export block equal to what it prints.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import path from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot } from "../fixtures/config/repo.js";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const started: Started[] = [];
const held: Server[] = [];
afterEach(async () => {
  // Whatever a test left running: its whole process group (npm, sh, tsx, node), by its own id.
  for (const s of started.splice(0)) {
    try {
      if (s.child.pid) process.kill(-s.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await Promise.all(held.splice(0).map((srv) => new Promise((resolve) => srv.close(resolve))));
});

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("AWS_")) e[k] = v;
  return e;
}

/** Starts `cmd args` in the repository, in a process group of its own (so cleanup can reach all of it). */
function start(cmd: string, args: string[]): Started {
  const child = spawn(cmd, args, { cwd: projectRoot, env: env(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const s = { child, stdout: () => out, stderr: () => err, exit };
  started.push(s);
  return s;
}

/** The sandbox started directly (what `npm run sandbox` ends up running), for the quick error cases. */
const startMain = (args: string[]) => start(process.execPath, ["--import", "tsx", "sandbox/main.ts", ...args]);

/** Waits for the sandbox's banner; returns the port it printed. */
async function ready(s: Started): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (!s.stdout().includes("Ctrl-C to stop.")) {
    const code = await Promise.race([s.exit, new Promise((r) => setTimeout(() => r("wait"), 50))]);
    if (code !== "wait") throw new Error(`the sandbox exited (${String(code)}) before it was ready:\n${s.stdout()}\n${s.stderr()}`);
    if (Date.now() > deadline) throw new Error(`the sandbox did not start:\n${s.stdout()}\n${s.stderr()}`);
  }
  const m = /^export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:(\d+)$/m.exec(s.stdout());
  if (!m) throw new Error(`no endpoint printed:\n${s.stdout()}`);
  return Number(m[1]);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port });
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

/** Polls until nothing listens on `port`; false if something still does after `ms`. */
async function closesWithin(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!(await portOpen(port))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !(await portOpen(port));
}

/** Occupies `port` on 127.0.0.1 (0: any); resolves the port, or undefined when something else already holds it. */
function hold(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", (e: NodeJS.ErrnoException) => (e.code === "EADDRINUSE" ? resolve(undefined) : reject(e)));
    srv.listen(port, "127.0.0.1", () => {
      held.push(srv);
      const a = srv.address();
      resolve(typeof a === "object" && a ? a.port : undefined);
    });
  });
}

/** The lines a user pastes: what the sandbox prints that sets or unsets AWS_* variables. */
const exportLines = (text: string) => text.split("\n").filter((l) => /^(export|unset) AWS_/.test(l));

describe("npm run sandbox", () => {
  it("--port 0 takes a free port and prints it; the printed lines reach the sandbox; the README shows exactly those lines", async () => {
    const s = start(npm, ["run", "sandbox", "--", "--port", "0"]);
    const port = await ready(s);
    expect(port).toBeGreaterThan(0);
    expect(s.stdout()).toContain(`AWS sandbox listening on http://127.0.0.1:${port} `);

    // The printed lines, applied as a shell would, let the SDK in.
    const printed = exportLines(s.stdout());
    const vars = Object.fromEntries(
      printed.filter((l) => l.startsWith("export ")).map((l) => l.slice("export ".length).split(/=(.*)/s, 2)),
    );
    expect(printed).toContain("unset AWS_SESSION_TOKEN AWS_PROFILE");
    const sts = new STSClient({
      endpoint: vars.AWS_ENDPOINT_URL,
      region: vars.AWS_REGION,
      credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID!, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY! },
      maxAttempts: 1,
    });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::111111111111:user/ci");

    // The README's block (Quick start) is those lines, verbatim, for the default port.
    const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");
    const block = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).find((b) => b.includes("export AWS_ENDPOINT_URL="));
    expect(block, "a ```sh block with the export lines in README.md").toBeDefined();
    expect(block!.trimEnd().split("\n")).toEqual(printed.map((l) => l.replace(`127.0.0.1:${port}`, "127.0.0.1:4577")));
  });

  it.each(["SIGTERM", "SIGKILL"] as const)("killing the npm process (%s) stops the server", async (signal) => {
    const s = start(npm, ["run", "sandbox", "--", "--port", "0"]);
    const port = await ready(s);
    expect(await portOpen(port)).toBe(true);
    process.kill(s.child.pid!, signal); // npm only, not its process group
    expect(await closesWithin(port, 15_000), `port ${port} still open after npm got ${signal}`).toBe(true);
  });
});

describe("sandbox/main.ts: ports", () => {
  it("a busy port: a clear error naming it and suggesting --port 0, exit 1, nothing to paste", async () => {
    const port = (await hold(0))!;
    const s = startMain(["--port", String(port)]);
    expect(await s.exit).toBe(1);
    expect(s.stderr()).toContain(`sandbox: port ${port} on 127.0.0.1 is already in use`);
    expect(s.stderr()).toContain("--port 0");
    expect(s.stdout()).toBe("");
  });

  it("the default port is 4577", async () => {
    // Busy either way: held here, or by something else (a developer's own sandbox) already.
    await hold(4577);
    const s = startMain([]);
    expect(await s.exit).toBe(1);
    expect(s.stderr()).toContain("sandbox: port 4577 on 127.0.0.1 is already in use");
  });

  it.each([["x"], ["65536"], [""]])("--port=%j is refused with exit 2", async (value) => {
    const s = startMain([`--port=${value}`]);
    expect(await s.exit).toBe(2);
    expect(s.stderr()).toContain("--port must be a TCP port number from 0 to 65535");
  });
});
