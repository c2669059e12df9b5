// `npm run demo`: the whole tool against the embedded local AWS sandbox, no AWS account needed.
// Starts the sandbox on 127.0.0.1 with the demo fleet (dev, staging, prod-eu, prod-us, broken) and
// runs the deployer CLI the way a user would, printing each command before its output. The example
// project has two services (api, whose migrate task runs before any update, and worker after it): the
// rollout shows both deployed and the migration's result.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startSandbox } from "../sandbox/index.js";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = path.join(root, "bin", "deployer.js");

const sandbox = await startSandbox({ port: 0, deploymentSeconds: Number(process.env.DEMO_DEPLOYMENT_SECONDS ?? 2) });
const env = {
  ...process.env,
  AWS_ENDPOINT_URL: sandbox.endpoint,
  AWS_ACCESS_KEY_ID: sandbox.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: sandbox.credentials.secretAccessKey,
  AWS_REGION: "eu-west-1",
  // Never let a developer's real AWS profile or session leak into the demo.
  AWS_PROFILE: "",
  AWS_SESSION_TOKEN: "",
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
};
delete (env as Record<string, string | undefined>).AWS_PROFILE;
delete (env as Record<string, string | undefined>).AWS_SESSION_TOKEN;

// Styling only on a terminal, as deployer itself does (src/cli/shell.ts): `npm run demo > demo.txt`
// gets plain text. NO_COLOR (https://no-color.org) turns it off on a terminal too.
const styled = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const bold = (s: string) => (styled ? `\x1b[1m${s}\x1b[22m` : s);
const red = (s: string) => (styled ? `\x1b[31m${s}\x1b[39m` : s);

let failures = 0;
// Asynchronous on purpose: the sandbox runs in this process and must keep answering.
async function run(args: string[], expect: number[] = [0]): Promise<void> {
  process.stdout.write(`\n${bold(`$ deployer ${args.join(" ")}`)}\n`);
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: "inherit" });
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  if (!expect.includes(code)) {
    failures++;
    process.stdout.write(`${red(`(unexpected exit code ${code}, expected ${expect.join(" or ")})`)}\n`);
  } else if (code !== 0) {
    process.stdout.write(`(exit code ${code}, as expected)\n`);
  }
}

process.stdout.write(`Local AWS sandbox on ${sandbox.endpoint} (demo fleet: 1 CI account + 5 target accounts)\n`);
try {
  await run(["validate"]);
  await run(["targets"]);
  await run(["plan", "--image", "8d1e4b7", "--stage", "dev"]);
  await run(["rollout", "--image", "8d1e4b7", "--stage", "dev"]);
  await run(["promote", "--stage", "staging", "--yes"]);
  await run(["status"]);
  await run(["check", "--config", "examples/broken/deployer.yaml", "--image", "8d1e4b7"], [1]);
} finally {
  await sandbox.stop();
}
process.stdout.write(
  failures === 0 ? "\nDemo finished: every step behaved as expected.\n" : `\nDemo finished with ${failures} unexpected result(s).\n`,
);
process.exitCode = failures === 0 ? 0 : 1;
