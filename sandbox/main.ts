// `npm run sandbox`: runs the sandbox in the foreground and prints how to point deployer (or the
// AWS CLI/SDK) at it.  Options: --port N (default 4577), --fixture PATH, --deployment-seconds S.
import { parseArgs } from "node:util";
import { startSandbox } from "./index.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4577" },
    fixture: { type: "string" },
    "deployment-seconds": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  process.stdout.write("usage: npm run sandbox -- [--port 4577] [--fixture sandbox/fixtures/demo.yaml] [--deployment-seconds 2]\n");
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`sandbox: --port must be a TCP port number (got ${values.port})\n`);
  process.exit(2);
}
const deploymentSeconds = values["deployment-seconds"] !== undefined ? Number(values["deployment-seconds"]) : undefined;

try {
  const sandbox = await startSandbox({ port, fixture: values.fixture, deploymentSeconds });
  process.stdout.write(
    [
      `AWS sandbox listening on ${sandbox.endpoint} (STS, IAM, ECS, ECR; admin API under ${sandbox.endpoint}/_sandbox/)`,
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
  const shutdown = () => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
} catch (err) {
  process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
