// A pull request can point deployer's configuration at any file of the runner: the template by
// absolute path, by `..`, through a symlink, /proc/self/environ; an environment file or deployer.yaml
// that is a symlink; environmentsDir outside the repository. None of it may be read: each is
// CONFIG_INVALID at its file:line, before any AWS call, and a secret in such a file never appears in
// any output of any command.
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { describeRun, runCli } from "../helpers/sandbox-cli.js";

const SECRET = `RUNNER-SECRET-${randomUUID()}`;
let sb: Sandbox;
let outside: string;
let secretFile: string;
const repos: TempRepo[] = [];

beforeAll(async () => {
  sb = await startSandbox({});
  // A runner-side directory: a file whose first line would be quoted by a JSON or YAML error.
  outside = mkdtempSync(path.join(tmpdir(), "deployer-runner-"));
  secretFile = path.join(outside, "credentials");
  writeFileSync(secretFile, `${SECRET} is not JSON, and not a map\n`);
  writeFileSync(path.join(outside, "prod.yaml"), `${SECRET}\n`);
});
afterAll(async () => {
  await sb?.stop();
  rmSync(outside, { recursive: true, force: true });
  for (const r of repos) r.cleanup();
});

interface Hostile {
  name: string;
  edit: (r: TempRepo) => void;
  /** The file and the text of the line the error points at. */
  file: string;
  line: string | number;
  message: RegExp;
}

const template = (value: (r: TempRepo) => string) => (r: TempRepo) => r.edit("deployer.yaml", /^template: .*$/m, `template: ${value(r)}`);

const hostile: Hostile[] = [
  {
    name: "template: an absolute path",
    edit: template(() => secretFile),
    file: "deployer.yaml",
    line: "template:",
    message: /is outside the directory of deployer\.yaml/,
  },
  {
    name: "template: ../ up to it",
    edit: template((r) => path.relative(r.dir, secretFile)),
    file: "deployer.yaml",
    line: "template:",
    message: /^.*\.\.\/.* is outside the directory/m,
  },
  {
    name: "template: a symlink in templates/ to it",
    edit: (r) => {
      symlinkSync(secretFile, r.file("templates/shared.json.hbs"));
      template(() => "templates/shared.json.hbs")(r);
    },
    file: "deployer.yaml",
    line: "template:",
    message: /templates\/shared\.json\.hbs is outside the directory of deployer\.yaml \(it leads to /,
  },
  {
    name: "template: the template file itself replaced by a symlink",
    edit: (r) => {
      rmSync(r.file("templates/task-definition.json.hbs"));
      symlinkSync(secretFile, r.file("templates/task-definition.json.hbs"));
    },
    file: "deployer.yaml",
    line: "template:",
    message: /is outside the directory/,
  },
  {
    name: "template: /proc/self/environ (the secret is in the environment too)",
    edit: template(() => "/proc/self/environ"),
    file: "deployer.yaml",
    line: "template:",
    message: /\/proc\/self\/environ is outside/,
  },
  {
    name: "an environment file that is a symlink to it",
    edit: (r) => symlinkSync(secretFile, r.file("environments/prod-ap.yaml")),
    file: "environments/prod-ap.yaml",
    line: 1,
    message: /environments\/prod-ap\.yaml is outside the directory of deployer\.yaml/,
  },
  {
    name: "environmentsDir: a directory outside",
    edit: (r) => r.write("deployer.yaml", `${r.read("deployer.yaml").replace(/^environmentsDir: .*\n/m, "")}environmentsDir: ${outside}\n`),
    file: "deployer.yaml",
    line: "environmentsDir:",
    message: /is outside the directory of deployer\.yaml/,
  },
  {
    name: "environmentsDir: a symlink to a directory outside",
    edit: (r) => {
      symlinkSync(outside, r.file("envs"));
      r.write("deployer.yaml", `${r.read("deployer.yaml").replace(/^environmentsDir: .*\n/m, "")}environmentsDir: envs\n`);
    },
    file: "deployer.yaml",
    line: "environmentsDir:",
    message: /envs is outside the directory of deployer\.yaml/,
  },
  {
    name: "deployer.yaml itself a symlink to it",
    edit: (r) => {
      renameSync(r.file("deployer.yaml"), r.file("real.yaml"));
      symlinkSync(secretFile, r.file("deployer.yaml"));
    },
    file: "deployer.yaml",
    line: 1,
    message: /deployer\.yaml is a symbolic link to a file outside its own directory/,
  },
];

// Every command, as a pull-request workflow (or a curious reviewer) might run it.
const COMMANDS: string[][] = [
  ["validate"],
  ["-o", "json", "validate"],
  ["targets"],
  ["render", "--env", "dev", "--image", "8d1e4b7"],
  ["check", "--image", "8d1e4b7", "--all-stages"],
  ["plan", "--image", "8d1e4b7", "--all-stages", "-o", "markdown"],
  ["-o", "json", "plan", "--image", "8d1e4b7"],
  ["rollout", "--image", "8d1e4b7"],
  ["rollback", "--yes", "--env", "dev"],
  ["promote", "--stage", "staging", "--yes"],
  ["status"],
  ["drift"],
];

describe("paths that leave the repository: refused before anything is read, nothing of the file in any output", () => {
  it.each(hostile)("$name", async (h) => {
    const repo = exampleRepo();
    repos.push(repo);
    h.edit(repo);
    sb.admin.clearLog();
    // Four at a time: 12 commands of ~0.5 s each on a shared machine.
    const results = [];
    for (let i = 0; i < COMMANDS.length; i += 4) {
      results.push(
        ...(await Promise.all(
          COMMANDS.slice(i, i + 4).map(async (args) => ({
            args,
            r: await runCli(args, { cwd: repo.dir, sandbox: sb, env: { RUNNER_TOKEN: SECRET }, timeoutMs: 60_000 }),
          })),
        )),
      );
    }
    const line = typeof h.line === "number" ? h.line : repo.lineOf(h.file, h.line);
    for (const { args, r } of results) {
      const what = `deployer ${args.join(" ")}\n${describeRun(r)}`;
      expect(r.exitCode, what).toBe(1);
      expect(r.stdout + r.stderr, what).not.toContain(SECRET);
      expect(r.stdout + r.stderr, what).not.toContain("not JSON, and not a map");
      if (args.includes("json")) {
        const body = JSON.parse(r.stdout) as { errors: Array<{ code: string; location?: { file: string; line: number } }> };
        expect(body.errors[0], what).toMatchObject({ code: "CONFIG_INVALID", location: { file: h.file, line } });
      } else {
        expect(r.stderr, what).toMatch(new RegExp(`^error CONFIG_INVALID ${h.file.replace(/[.]/g, "\\.")}:${line}:\\d+ `, "m"));
        expect(r.stderr, what).toMatch(h.message);
      }
    }
    expect(sb.admin.log()).toEqual([]);
  });

  it("a symlink that stays inside the repository is followed", async () => {
    const repo = exampleRepo();
    repos.push(repo);
    mkdirSync(repo.file("shared"));
    renameSync(repo.file("templates/task-definition.json.hbs"), repo.file("shared/td.json.hbs"));
    symlinkSync("../shared/td.json.hbs", repo.file("templates/task-definition.json.hbs"));
    symlinkSync("dev.yaml", repo.file("environments/dev-copy.yaml"));
    const r = await runCli(["validate"], { cwd: repo.dir });
    // dev-copy is a second target for dev's service: found, read and validated like any file.
    expect(r.stderr, describeRun(r)).toMatch(
      /^error CONFIG_INVALID environments\/dev\.yaml:\d+:\d+ service: targets "dev-copy" and "dev" both deploy/m,
    );
    repo.remove("environments/dev-copy.yaml");
    const ok = await runCli(["validate"], { cwd: repo.dir });
    expect(ok.exitCode, describeRun(ok)).toBe(0);
  });
});
