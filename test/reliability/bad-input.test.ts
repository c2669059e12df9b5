// Bad input never reaches AWS: each broken environment file (every field with a wrong type, a
// missing value, an ARN from another account; YAML that is not a map; a syntax error) and a template
// that renders invalid JSON is a clear error with file and line, exit 1, and ZERO calls in the
// sandbox log, for the commands that would otherwise talk to AWS.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import type { TempRepo } from "../fixtures/config/repo.js";
import { describeRun, generatedRepo, runCli } from "../helpers/sandbox-cli.js";

const ACCOUNTS = ["700000000001", "700000000002"];
const ENV = `environments/gen-${ACCOUNTS[0]}.yaml`;
const OTHER = "123456789012";

let sb: Sandbox;
let repo: TempRepo;
beforeAll(async () => {
  sb = await startSandbox({});
  expect(sb.admin.addGeneratedAccounts(2, { firstAccount: 700000000001 })).toEqual(ACCOUNTS);
});
afterAll(() => sb?.stop());
beforeEach(() => {
  sb.admin.clearLog();
  repo?.cleanup();
  repo = generatedRepo(ACCOUNTS);
});

interface Case {
  name: string;
  /** Breaks the repo. */
  edit: (r: TempRepo) => void;
  code: string;
  /** The file the error must point at, and the text of the line it must point at (or the line number). */
  file: string;
  line: string | number;
  message: RegExp;
}

const field =
  (name: string, value: string): ((r: TempRepo) => void) =>
  (r) =>
    r.edit(ENV, new RegExp(`^${name}: .*$`, "m"), `${name}: ${value}`);
const drop =
  (name: string): ((r: TempRepo) => void) =>
  (r) =>
    r.edit(ENV, new RegExp(`^${name}: .*\\n`, "m"), "");
const append =
  (text: string): ((r: TempRepo) => void) =>
  (r) =>
    r.write(ENV, r.read(ENV) + text);

const cases: Case[] = [
  // wrong types
  { name: "stage: a list", edit: field("stage", "[fleet]"), code: "CONFIG_INVALID", file: ENV, line: "stage:", message: /stage/ },
  {
    name: "account: a list",
    edit: field("account", "[1, 2]"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "account:",
    message: /account: expected a 12-digit AWS account id .* got a list/,
  },
  {
    name: "account: a number",
    edit: field("account", "700000000001"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "account:",
    message: /account:/,
  },
  {
    name: "region: a number",
    edit: field("region", "42"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "region:",
    message: /region: expected an AWS region code/,
  },
  {
    name: "cluster: a map",
    edit: field("cluster", "{ a: 1 }"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "cluster:",
    message: /cluster: .* got a map/,
  },
  { name: "service: a list", edit: field("service", "[api]"), code: "CONFIG_INVALID", file: ENV, line: "service:", message: /service:/ },
  {
    name: "deployRole: a number",
    edit: field("deployRole", "12"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "deployRole:",
    message: /deployRole:/,
  },
  {
    name: "externalId: a number",
    edit: field("externalId", "12"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "externalId:",
    message: /externalId: .*got a whole number/,
  },
  {
    name: "taskRole: a map",
    edit: field("taskRole", "{ arn: x }"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "taskRole:",
    message: /taskRole:/,
  },
  {
    name: "executionRole: a list",
    edit: field("executionRole", "[a]"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "executionRole:",
    message: /executionRole:/,
  },
  {
    name: "imageRepository: a number",
    edit: append("imageRepository: 5\n"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "imageRepository:",
    message: /imageRepository:/,
  },
  {
    name: "vars: a list",
    edit: append("vars: [1, 2]\n"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "vars:",
    message: /vars: expected a map/,
  },
  {
    name: "sensitive: a string",
    edit: append("sensitive: yes\n"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "sensitive:",
    message: /sensitive: expected a list/,
  },
  {
    name: "an unknown field",
    edit: append("clustr: x\n"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: "clustr:",
    message: /unknown field "clustr"/,
  },
  // missing values
  ...["stage", "account", "region", "cluster", "service", "deployRole", "taskRole", "executionRole"].map((f): Case => ({
    name: `${f}: missing`,
    // Role ARNs may come from a pattern in _defaults.yaml (the example writes them there): gone from both.
    edit: (r) => {
      drop(f)(r);
      if (f.endsWith("Role")) r.edit("environments/_defaults.yaml", new RegExp(`^${f}: .*\\n`, "m"), "");
    },
    code: "CONFIG_INVALID",
    file: ENV,
    line: 1,
    message: new RegExp(`${f}: missing required field "${f}"`),
  })),
  ...["account", "region", "cluster", "deployRole", "taskRole"].map((f): Case => ({
    name: `${f}: empty`,
    edit: field(f, ""),
    code: "CONFIG_INVALID",
    file: ENV,
    line: `${f}:`,
    message: new RegExp(`${f}:.*(null|empty)`),
  })),
  // ARNs from another account
  ...["deployRole", "taskRole", "executionRole"].map((f): Case => ({
    name: `${f}: ARN from another account`,
    edit: (r) => r.edit(ENV, new RegExp(`^${f}: arn:aws:iam::\\d{12}:`, "m"), `${f}: arn:aws:iam::${OTHER}:`),
    code: "CONFIG_INVALID",
    file: ENV,
    line: `${f}:`,
    message: new RegExp(`${f}: ${f} is in account ${OTHER}, but target "gen-${ACCOUNTS[0]}" is account ${ACCOUNTS[0]}`),
  })),
  // not a map, not YAML
  {
    name: "YAML that is a list",
    edit: (r) => r.write(ENV, "- stage: fleet\n- account: x\n"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: 1,
    message: /must be a map of fields, got a list/,
  },
  {
    name: "YAML that is a string",
    edit: (r) => r.write(ENV, "hello\n"),
    code: "CONFIG_INVALID",
    file: ENV,
    line: 1,
    message: /must be a map of fields, got a string$/m,
  },
  {
    name: "a YAML syntax error",
    edit: field("cluster", "[unclosed"),
    code: "YAML_SYNTAX",
    file: ENV,
    line: "cluster:",
    message: /YAML syntax error/,
  },
  { name: "tabs for indentation", edit: append("vars:\n\tcpu: 1\n"), code: "YAML_SYNTAX", file: ENV, line: "\tcpu: 1", message: /Tabs/ },
  // templates
  {
    name: "a template that renders invalid JSON (missing comma)",
    edit: (r) => r.edit("templates/task-definition.json.hbs", '"networkMode": "awsvpc",', '"networkMode": "awsvpc"'),
    code: "RENDER_INVALID",
    file: "templates/task-definition.json.hbs",
    line: '"requiresCompatibilities"',
    message: /rendered template is not valid JSON/,
  },
  {
    name: "a template whose value renders invalid JSON",
    edit: (r) => r.edit("templates/task-definition.json.hbs", '"cpu": "{{vars.cpu}}",', '"cpu": {{vars.cpu}} {{vars.memory}},'),
    code: "RENDER_INVALID",
    file: "templates/task-definition.json.hbs",
    line: '"cpu":',
    message: /rendered template is not valid JSON/,
  },
];

// Every case through rollout (the command that writes); one case of each kind through plan too.
const planCases = [
  "account: a list",
  "deployRole: missing",
  "taskRole: ARN from another account",
  "YAML that is a list",
  "a template that renders invalid JSON (missing comma)",
];

describe.each([
  { command: "rollout", only: cases },
  { command: "plan", only: cases.filter((c) => planCases.includes(c.name)) },
])("deployer $command with bad input", ({ command, only }) => {
  it.each(only)("$name: error with file:line, exit 1, no AWS call", async (c) => {
    c.edit(repo);
    const r = await runCli([command, "--image", "8d1e4b7"], { cwd: repo.dir, sandbox: sb, timeoutMs: 30_000 });
    expect(r.exitCode, describeRun(r)).toBe(1);
    const line = typeof c.line === "number" ? c.line : repo.lineOf(c.file, c.line);
    const at = new RegExp(`^error ${c.code} ${escape(c.file)}:${line}:\\d+ `, "m");
    expect(r.stderr, describeRun(r)).toMatch(at);
    expect(r.stderr).toMatch(c.message);
    expect(sb.admin.log()).toEqual([]);
  });
});

describe("a 10 MB environment file", () => {
  // Configuration files are limited to 1 MiB (src/config/load.ts): a 10 MB value or a file of
  // 400 000 keys is refused before it is parsed, with a CONFIG_INVALID error at the file, before
  // any AWS call.
  it("is refused with file and line, exit 1, no AWS call", async () => {
    repo.write(ENV, repo.read(ENV) + "vars:\n  blob: " + "x".repeat(10 * 1024 * 1024) + "\n");
    const r = await runCli(["rollout", "--image", "8d1e4b7"], { cwd: repo.dir, sandbox: sb, timeoutMs: 30_000 });
    expect(r.exitCode, describeRun(r)).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error CONFIG_INVALID ${escape(ENV)}:1:1 `, "m"));
    expect(sb.admin.log()).toEqual([]);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
