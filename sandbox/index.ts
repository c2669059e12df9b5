// The local AWS sandbox: STS, IAM, ECS and ECR for many accounts on one 127.0.0.1 port, for the
// demo, the integration tests and the benchmarks. Independent of src/ (it is the oracle deployer
// is tested against); src/ never imports it.
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { handleAdminRequest, SandboxAdminImpl, type SandboxAdmin } from "./admin.js";
import { Rollouts } from "./deployments.js";
import { FaultInjector, type Faults } from "./faults.js";
import { loadFixtureFile, type Fixture } from "./fixture.js";
import { RequestLog } from "./request-log.js";
import { seedWorld } from "./seed.js";
import { AwsDispatcher, readBody } from "./server.js";
import { World } from "./world.js";
import type { RegistrationDefault } from "./task-definitions.js";
import { GITHUB_OIDC_PATH, GitHubOidc, type GitHubOidcOptions, type GitHubOidcStandIn } from "./github-oidc.js";

export type { Faults } from "./faults.js";
export type { RequestLogEntry } from "./request-log.js";
export type { SandboxAdmin, ServiceRef } from "./admin.js";
export type { LaunchAdmin, RoleRef } from "./launch-admin.js";
export type { TaskAdmin, TaskExitRuleInput } from "./task-admin.js";
export type {
  KmsKeyFixture,
  LaunchTargetOptions,
  LogGroupFixture,
  OrganizationFixture,
  ParameterFixture,
  SecretFixture,
} from "./launch-resources.js";
export type { DeploymentSettledEvent } from "./deployments.js";
export { REGISTRATION_DEFAULTS, type RegistrationDefault } from "./task-definitions.js";
export type { Fixture, AccountFixture, TargetFixture } from "./fixture.js";
export type {
  IamApplyAccount,
  IamApplyDocument,
  IamApplyResult,
  IssuedCredentials,
  RemoveActionRequest,
  RemovedAction,
  TaskRoleCredentialsRequest,
} from "./iam-admin.js";
export type { GitHubJob, GitHubOidcOptions, GitHubOidcStandIn } from "./github-oidc.js";

export const DEMO_FIXTURE = fileURLToPath(new URL("./fixtures/demo.yaml", import.meta.url));

/** The demo CI user's credentials (fake fixture data, accepted only by this sandbox). */
export const DEMO_CI_CREDENTIALS = {
  accessKeyId: "AKIASANDBOXCI0000001",
  secretAccessKey: "sandbox/ci/secret/0000000000000000000000",
} as const;

export interface StartSandboxOptions {
  /** Path to a YAML/JSON fixture or a fixture object; default: sandbox/fixtures/demo.yaml. */
  fixture?: string | Fixture;
  /** 0 = random free port; always binds 127.0.0.1. */
  port?: number;
  /** How long a healthy rollout takes (default from fixture; demo: 2). */
  deploymentSeconds?: number;
  /** How long one minute of ECS bake time lasts, in seconds (default from fixture, else 60). */
  minuteSeconds?: number;
  /** Cap on the lifetime of every temporary credential STS issues (for expiry tests). */
  maxSessionSeconds?: number;
  faults?: Faults;
  /**
   * Registration defaults ECS fills in (task-definitions.ts REGISTRATION_DEFAULTS), all on unless set
   * to false here: only for a test of a product that does not normalise one yet.
   */
  registrationDefaults?: Partial<Record<RegistrationDefault, boolean>>;
  /** Serve a GitHub Actions OIDC token stand-in under /_github-oidc/ (github-oidc.ts). */
  githubOidc?: GitHubOidcOptions;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** The CI user's (base) credentials: the first user access key of the fixture. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  admin: SandboxAdmin;
  /** The GitHub OIDC stand-in, when started with `githubOidc`: ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN for a job. */
  githubOidc?: GitHubOidcStandIn;
  stop(): Promise<void>;
}

export async function startSandbox(opts: StartSandboxOptions = {}): Promise<Sandbox> {
  const fixture: Fixture = typeof opts.fixture === "object" ? structuredClone(opts.fixture) : loadFixtureFile(opts.fixture ?? DEMO_FIXTURE);
  const world = new World(fixture);
  if (opts.deploymentSeconds !== undefined) world.deploymentSeconds = opts.deploymentSeconds;
  if (opts.minuteSeconds !== undefined) world.minuteSeconds = opts.minuteSeconds;
  for (const [name, on] of Object.entries(opts.registrationDefaults ?? {}))
    if (on === false) world.disabledDefaults.add(name as RegistrationDefault);
  const rollouts = new Rollouts(world);
  seedWorld(world, rollouts);
  const faults = new FaultInjector(opts.faults);
  const log = new RequestLog();
  const admin = new SandboxAdminImpl(world, rollouts, faults, log);
  const oidc = opts.githubOidc ? new GitHubOidc(world, opts.githubOidc) : undefined;
  const dispatcher = new AwsDispatcher(world, rollouts, faults, log, { maxSessionSeconds: opts.maxSessionSeconds });

  const sockets = new Set<Socket>();
  let endpoint = "";
  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((body) =>
        (req.url ?? "").startsWith("/_sandbox/") || req.url === "/_sandbox"
          ? handleAdminRequest(admin, endpoint, req, res, body)
          : oidc && (req.url ?? "").startsWith(GITHUB_OIDC_PATH)
            ? oidc.handle(req, res)
            : dispatcher.handle(req, res, body),
      )
      .catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`sandbox: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
  });
  server.keepAliveTimeout = 5_000;
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("sandbox: server has no TCP address");
  endpoint = `http://127.0.0.1:${address.port}`;

  const firstKey = [...world.accessKeys.values()].find((k) => k.principal.kind === "user" && k.sessionToken === undefined);
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    credentials: firstKey
      ? { accessKeyId: firstKey.accessKeyId, secretAccessKey: firstKey.secret }
      : { accessKeyId: "", secretAccessKey: "" },
    admin,
    ...(oidc
      ? {
          githubOidc: {
            // The runner's URL carries a query string; @actions/core appends `&audience=…`.
            requestUrl: `${endpoint}${GITHUB_OIDC_PATH}?api-version=2.0`,
            requestToken: oidc.requestToken,
            issued: () => oidc.issued(),
            setJob: (job) => oidc.setJob(job),
          },
        }
      : {}),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        rollouts.stop();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return stopped;
    },
  };
}
