// The hostile-configuration suite (issue 19): a pull request's author writes the configuration a
// plan runs on. Every configuration field gets every payload (a line break with a fake verdict, a
// `::command::`, `::stop-commands::`, legacy `##[command]`s, terminal escapes, @team mentions, HTML),
// and every command's every sink is read the way its consumer reads it:
//   - terminal / CI log (CLI stdout and stderr): no raw control character, no line the runner acts on;
//   - Markdown (plan comment, job summary, -o markdown, --markdown FILE): the same, plus no @mention
//     and no raw HTML outside code;
//   - JSON (-o json, --json FILE, saved plans, reports): parses, and no line the runner acts on;
//   - the Action's own log: only deployer's own workflow commands (groups, masks, annotations);
// and a sensitive value, with what helpers make of it, appears in no output at all, errors included.
//
// Fields a schema refuses are refused, and the refusal is what is checked; values a schema accepts
// (vars, role ARNs with `@`, an externalId with `::`) go all the way: plan, rollout into the
// sandbox, then status and drift read them back from AWS.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { describeRun, generatedRepo, runCli, type CliResult } from "../helpers/sandbox-cli.js";
import { cleanupActionRuns, runDistAction, type ActionRun } from "../action/run-dist.js";
import { startFakeGitHubApi, type FakeGitHubApi } from "../action/fake-github-api.js";
import { HOSTILE, HOSTILE_LINE, PAYLOADS, leaks, violations, type Sink } from "../helpers/hostile.js";

const IMAGE = "8d1e4b7";
const OTHER_IMAGE = "c0ffee1";
const SECRET = "S3cr3t-Hostile-Value-42";
/** The secret and what the template's helpers make of it (upper, lower, the lookup it selects). */
const SECRET_NEEDLES = [SECRET, SECRET.toUpperCase(), SECRET.toLowerCase(), "tier-Platinum-7", "S3cr3t-H"];

/** A YAML double-quoted scalar holding `s` exactly (YAML takes JSON's escapes, \u for the rest). */
const yamlString = (s: string) =>
  JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

interface Output {
  name: string;
  text: string;
  sink: Sink;
}

function cliOutputs(name: string, r: CliResult, stdoutSink: Sink): Output[] {
  return [
    { name: `${name} (stdout)`, text: r.stdout, sink: stdoutSink },
    { name: `${name} (stderr)`, text: r.stderr, sink: "terminal" },
  ];
}

function actionOutputs(name: string, r: ActionRun): Output[] {
  const out: Output[] = [
    // The log as the runner shows it: without the ::add-mask:: lines (the runner consumes those).
    { name: `${name} (log)`, text: r.log, sink: "action-log" },
    { name: `${name} (stderr)`, text: r.stderr, sink: "terminal" },
    { name: `${name} (job summary)`, text: r.summary, sink: "markdown" },
  ];
  for (const a of r.annotations) out.push({ name: `${name} (annotation ${a.props.title ?? a.level})`, text: a.message, sink: "terminal" });
  for (const [key, file] of Object.entries(r.outputs)) {
    if (!file.startsWith("/")) continue;
    const text = readFileSync(file, "utf8");
    out.push({ name: `${name} (output ${key})`, text, sink: file.endsWith(".json") ? "json" : "markdown" });
  }
  return out;
}

/** The CLI commands every repository goes through, with the sink of their stdout. */
const COMMANDS: Array<{ args: string[]; sink: Sink }> = [
  { args: ["validate"], sink: "terminal" },
  { args: ["-o", "json", "validate"], sink: "json" },
  { args: ["targets"], sink: "terminal" },
  { args: ["-o", "markdown", "targets"], sink: "markdown" },
  { args: ["render", "--env", "dev", "--image", IMAGE], sink: "json" },
  { args: ["plan", "--image", IMAGE, "--all-stages"], sink: "terminal" },
  { args: ["-o", "json", "plan", "--image", IMAGE, "--all-stages"], sink: "json" },
  { args: ["-o", "markdown", "plan", "--image", IMAGE, "--all-stages"], sink: "markdown" },
  { args: ["iam", "--github-repository", "acme/shop-deploy"], sink: "json" },
  { args: ["iam", "--github-repository", "acme/shop-deploy", "--format", "terraform"], sink: "terminal" },
];

/** Runs `tasks` a few at a time (2 shared cores: not all at once). */
async function inBatches<T>(tasks: Array<() => Promise<T>>, size = 3): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < tasks.length; i += size) out.push(...(await Promise.all(tasks.slice(i, i + size).map((t) => t()))));
  return out;
}

function expectClean(outputs: Output[], needles: readonly string[] = SECRET_NEEDLES): void {
  const problems = outputs.flatMap((o) => [...violations(o.name, o.text, o.sink), ...leaks(o.name, o.text, needles)]);
  expect(problems).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Fields a schema or a rule refuses: every field of deployer.yaml, of an environment file, the
// file names and the template, each holding every payload.

/** The repositories of the refused half, each with every field of one file hostile. */
function refusedRepos(): Array<{ name: string; repo: TempRepo }> {
  const h = yamlString(HOSTILE);

  const config = exampleRepo();
  config.write(
    "deployer.yaml",
    [
      `service: ${h}`,
      `template: ${h}`,
      "image:",
      `  repository: ${h}`,
      `  registryRole: ${h}`,
      `  registryExternalId: ${h}`,
      "stages:",
      `  - name: ${h}`,
      `    maxParallel: ${h}`,
      `environmentsDir: ${h}`,
      `${h}: x`,
      "",
    ].join("\n"),
  );

  const env = exampleRepo();
  const fields = [
    "stage",
    "account",
    "region",
    "cluster",
    "service",
    "deployRole",
    "externalId",
    "taskRole",
    "executionRole",
    "imageRepository",
  ];
  env.write(
    "environments/dev.yaml",
    [...fields.map((f) => `${f}: ${h}`), `sensitive: [${h}]`, `${h}: x`, "vars:", `  ${h}: ${h}`, `  logLevel: ${h}`, ""].join("\n"),
  );
  // A target file whose NAME is hostile (everything a file name may hold on Linux).
  env.write(`environments/${HOSTILE_LINE.replace(/\//g, "_").slice(0, 120)}.yaml`, env.read("environments/staging.yaml"));
  env.write("environments/_defaults.yaml", `${env.read("environments/_defaults.yaml")}${h}: ${h}\n`);

  const template = exampleRepo();
  template.edit("templates/task-definition.json.hbs", '"networkMode": "awsvpc",', `"networkMode": "awsvpc", ${HOSTILE_LINE}`);

  return [
    { name: "deployer.yaml", repo: config },
    { name: "environment files", repo: env },
    { name: "template", repo: template },
  ];
}

describe("hostile configuration that is refused: every field × every payload, through every command", () => {
  const repos = refusedRepos();
  const results = new Map<string, Output[]>();

  beforeAll(async () => {
    for (const { name, repo } of repos) {
      const runs = await inBatches(COMMANDS.map((c) => async () => ({ c, r: await runCli(c.args, { cwd: repo.dir }) })));
      const outputs = runs.flatMap(({ c, r }) => cliOutputs(`${name}: deployer ${c.args.join(" ")}`, r, c.sink));
      const action = await runDistAction({ workspace: repo.dir, inputs: { command: "plan", image: IMAGE, stage: "all" } });
      outputs.push(...actionOutputs(`${name}: action plan`, action));
      results.set(name, outputs);
      // Every command refused the input (exit 1) rather than crashing or going on.
      for (const { c, r } of runs) {
        if (name === "template" && c.args.includes("targets")) continue; // listing targets renders nothing
        expect(r.exitCode, `${name}: deployer ${c.args.join(" ")}\n${describeRun(r)}`).toBe(1);
      }
      expect(action.exitCode).toBe(1);
    }
  }, 240_000);
  afterAll(() => {
    for (const { repo } of repos) repo.cleanup();
    cleanupActionRuns();
  });

  it.each(["deployer.yaml", "environment files", "template"])("%s: no command, escape, mention or HTML reaches any sink", (name) => {
    const outputs = results.get(name)!;
    expect(outputs.length).toBeGreaterThan(20);
    expectClean(outputs);
  });

  it("the errors still say where: file and line of each hostile field, the template line, never the payload raw", () => {
    const stderr = results.get("environment files")!.find((o) => o.name === "environment files: deployer validate (stderr)")!.text;
    // (sensitive[0] is _defaults.yaml's vars.sentryDsn: the lists add up.)
    for (const field of ["account", "region", "cluster", "deployRole", "externalId", "taskRole", "imageRepository", "sensitive[1]"]) {
      expect(stderr).toMatch(new RegExp(`environments/dev\\.yaml:\\d+:\\d+ .*${field.replace(/[[\]]/g, "\\$&")}`));
    }
    const template = results.get("template")!.find((o) => o.name === "template: deployer validate (stderr)")!.text;
    // The template's own line, as written (mid-line `::` is no command; `##[` is broken; escapes shown).
    expect(template).toMatch(
      /RENDER_INVALID .*template line 5: "networkMode": "awsvpc", ::error title=pwned::INJ-command ::stop-commands::INJ-stop ##\\\[error\]/,
    );
    expect(template).toContain("\\u001b[2J");
  });

  it("Markdown keeps the hostile text readable: escaped or in code, mentions broken, not removed", () => {
    const summary = results.get("environment files")!.find((o) => o.name.endsWith("(job summary)"))!.text;
    expect(summary).toContain("CONFIG_INVALID");
    expect(summary).toContain("INJ-mention");
    expect(summary).toContain("INJ-html");
  });
});

// ---------------------------------------------------------------------------------------------
// Values a schema accepts go all the way: rendered, planned, deployed, read back from AWS.

const TEMPLATE = `{
  "family": "{{service}}-{{target.name}}",
  "taskRoleArn": "{{taskRole}}",
  "executionRoleArn": "{{executionRole}}",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "256",
  "memory": "512",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "{{image}}",
      "essential": true,
      "command": ["serve", "--token={{upper vars.apiKey}}", "--quiet={{lower vars.apiKey}}", "--note={{vars.note}}"],
      "environment": [
        { "name": "NOTE", "value": "{{vars.note}}" },
        { "name": "TIER", "value": "{{lookup vars.tiers vars.apiKey}}" },
        { "name": "KEY_JSON", "value": {{json vars.apiKey}} },
        { "name": "FALLBACK", "value": "{{default vars.apiKey "none"}}" }
      ],
      "dockerLabels": { {{#each vars.labels}}"{{@key}}": "{{this}}"{{#unless @last}}, {{/unless}}{{/each}} }
    }
  ]
}
`;

describe("hostile values that are accepted: through plan, rollout, status and drift, CLI and Action", () => {
  let sb: Sandbox;
  let repo: TempRepo;
  let github: FakeGitHubApi;
  let good: string;
  let bad: string;
  const outputs: Output[] = [];
  const runs: Array<{ name: string; r: CliResult | ActionRun }> = [];

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
    [good, bad] = sb.admin.addGeneratedAccounts(2) as [string, string];
    repo = generatedRepo([good, bad]);
    github = await startFakeGitHubApi();
    repo.write("templates/task-definition.json.hbs", TEMPLATE);
    const h = yamlString(HOSTILE);
    repo.write(
      `environments/gen-${good}.yaml`,
      `${repo.read(`environments/gen-${good}.yaml`)}sensitive: [vars.apiKey]\nvars:\n  apiKey: ${SECRET}\n  note: ${h}\n  tiers:\n    ${SECRET}: tier-Platinum-7\n  labels:\n    ${h}: ${h}\n    ${yamlString(PAYLOADS.mention)}: plain\n`,
    );
    // Accepted by the schema, but hostile: a role path with a team mention, an externalId with `::`.
    repo.edit(`environments/gen-${bad}.yaml`, /deployRole: .*/, `deployRole: arn:aws:iam::${bad}:role/@acme/secteam/deployer`);
    repo.edit(`environments/gen-${bad}.yaml`, /externalId: .*/, "externalId: ::error::INJ-extid");
    repo.write(
      `environments/gen-${bad}.yaml`,
      `${repo.read(`environments/gen-${bad}.yaml`)}vars:\n  note: ${h}\n  tiers: { another-long-secret-value: tier-of-b }\n  apiKey: another-long-secret-value\n  labels: { ${yamlString(PAYLOADS.legacy)}: x }\nsensitive: [vars.apiKey]\n`,
    );

    const env = { DEPLOYER_POLL_INTERVAL_MS: "100" };
    const cli = (name: string, args: string[], sink: Sink) => async () => {
      const r = await runCli(args, { cwd: repo.dir, sandbox: sb, env, timeoutMs: 90_000 });
      runs.push({ name, r });
      outputs.push(...cliOutputs(`deployer ${name}`, r, sink));
      return r;
    };
    const file = (f: string) => path.join(repo.dir, f);
    const files = ["saved-plan.json", "plan.json", "plan.md", "report.json", "report2.json"];

    await inBatches([
      cli("validate", ["validate"], "terminal"),
      cli("render", ["render", "--env", `gen-${good}`, "--image", IMAGE], "json"),
      cli("render -o markdown", ["-o", "markdown", "render", "--env", `gen-${good}`, "--image", IMAGE], "markdown"),
      cli("targets", ["targets"], "terminal"),
      cli("targets -o markdown", ["-o", "markdown", "targets"], "markdown"),
      cli("check", ["check", "--image", IMAGE], "terminal"),
      cli(
        "plan",
        [
          "plan",
          "--image",
          IMAGE,
          "--out-plan",
          file("saved-plan.json"),
          "--out-json",
          file("plan.json"),
          "--out-markdown",
          file("plan.md"),
        ],
        "terminal",
      ),
      cli("plan -o json", ["-o", "json", "plan", "--image", IMAGE], "json"),
      cli("plan -o markdown", ["-o", "markdown", "plan", "--image", IMAGE], "markdown"),
    ]);
    // Deploy the hostile values into the sandbox, then plan and deploy again over them.
    await cli("rollout", ["rollout", "--env", `gen-${good}`, "--image", IMAGE, "--out-report", file("report.json")], "terminal")();
    await cli(
      "rollout -o json",
      ["-o", "json", "rollout", "--env", `gen-${good}`, "--image", OTHER_IMAGE, "--out-report", file("report2.json")],
      "json",
    )();
    // What runs now differs from the configuration: drift shows the hostile values read from AWS.
    repo.edit(`environments/gen-${good}.yaml`, /note: .*/, `note: ${yamlString(`${HOSTILE}\nchanged`)}`);
    await inBatches([
      cli("status", ["status"], "terminal"),
      cli("status -o json", ["-o", "json", "status"], "json"),
      cli("status -o markdown", ["-o", "markdown", "status"], "markdown"),
      cli("drift", ["drift"], "terminal"),
      cli("drift -o json", ["-o", "json", "drift"], "json"),
      cli("drift -o markdown", ["-o", "markdown", "drift"], "markdown"),
      cli("plan (over hostile live values)", ["plan", "--image", IMAGE, "--env", `gen-${good}`], "terminal"),
    ]);
    for (const f of files) {
      const r = runs.find((x) => x.name === "plan")!.r as CliResult;
      if (!existsSync(file(f))) throw new Error(`${f} was not written\n${describeRun(r)}`);
      outputs.push({ name: f, text: readFileSync(file(f), "utf8"), sink: f.endsWith(".md") ? "markdown" : "json" });
    }

    const action = async (name: string, inputs: Record<string, string>, pr?: number) => {
      const r = await runDistAction({
        workspace: repo.dir,
        sandbox: sb,
        eventName: pr ? "pull_request" : "push",
        ...(pr ? { pr } : {}),
        inputs: { "github-token": "ghs_faketoken0123456789", ...inputs },
        env: { GITHUB_API_URL: github.url, DEPLOYER_POLL_INTERVAL_MS: "100" },
      });
      runs.push({ name: `action ${name}`, r });
      outputs.push(...actionOutputs(`action ${name}`, r));
      return r;
    };
    await action("plan", { command: "plan", image: IMAGE, stage: "all" }, 17);
    await action("rollout", { command: "rollout", image: IMAGE, stage: "fleet", environments: `gen-${good}` });
    await action("status", { command: "status" });
    await action("drift", { command: "drift" });
    for (const c of github.comments("acme", "shop-deploy", 17))
      outputs.push({ name: `pull-request comment ${c.id}`, text: c.body, sink: "markdown" });
  }, 300_000);
  afterAll(async () => {
    repo?.cleanup();
    cleanupActionRuns();
    await github?.stop();
    await sb?.stop();
  });

  it("the runs happened: the hostile target deployed, the other was refused at preflight", () => {
    const byName = new Map(runs.map(({ name, r }) => [name, r]));
    expect(byName.get("validate")!.exitCode, describeRun(byName.get("validate") as CliResult)).toBe(0);
    expect(byName.get("rollout")!.exitCode, describeRun(byName.get("rollout") as CliResult)).toBe(0);
    expect(byName.get("rollout -o json")!.exitCode).toBe(0);
    expect(byName.get("plan")!.exitCode).toBe(1); // the second target's deploy role cannot be assumed
    expect(byName.get("action rollout")!.exitCode).toBe(0);
    expect(github.comments("acme", "shop-deploy", 17)).toHaveLength(1);
    // The hostile values did reach AWS (the live task definition carries them).
    const registered = sb.admin.log({ action: "RegisterTaskDefinition" }).filter((e) => e.status === 200 && e.account === good);
    expect(registered.length).toBeGreaterThan(0);
    expect(outputs.length).toBeGreaterThan(60);
  });

  it("no command, escape, mention or HTML reaches any sink", () => {
    expectClean(outputs, []);
  });

  it("the sensitive value appears in no output, in no form a helper made of it", () => {
    const found = outputs.flatMap((o) => leaks(o.name, o.text, SECRET_NEEDLES));
    expect(found).toEqual([]);
    const plan = outputs.find((o) => o.name === "deployer plan -o json (stdout)")!.text;
    const env = JSON.parse(plan).targets.find((t: { target: { name: string } }) => t.target.name === `gen-${good}`).desired
      .containerDefinitions[0].environment;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: "TIER", value: "(sensitive)" },
        { name: "KEY_JSON", value: "(sensitive)" },
        { name: "FALLBACK", value: "(sensitive)" },
      ]),
    );
  });

  it("the hostile text is shown, escaped, where a reader needs it", () => {
    const text = outputs.find((o) => o.name === "deployer plan (stdout)")!.text;
    expect(text).toContain("\\u001b[2J");
    // One line per field: the value's line break is shown as \n, so its `::error` never starts a line.
    expect(text).toContain("\\n::error title=pwned::INJ-command\\n");
    const md = outputs.find((o) => o.name === "deployer plan -o markdown (stdout)")!.text;
    expect(md).toContain("`arn:aws:iam::" + bad + ":role/@acme/secteam/deployer`");
    // Values are shown in the diff's code block, literally (code renders no HTML and notifies no one).
    expect(md).toMatch(/(`{3,})diff\n[^`]*<img src=x[^`]*\n\1/);
  });

  it("masks first: every form of the secret is registered before the first line of the Action's log", () => {
    const plan = runs.find((x) => x.name === "action plan")!.r as ActionRun;
    const lines = plan.stdout.split("\n");
    const firstOther = lines.findIndex((l) => !l.startsWith("::add-mask::"));
    const maskedBefore = plan.masks.slice(0, lines.slice(0, firstOther).length);
    for (const form of [SECRET, SECRET.toUpperCase(), SECRET.toLowerCase()]) expect(maskedBefore).toContain(form);
  });
});

// ---------------------------------------------------------------------------------------------
// A sensitive value in a broken template: the error names the template line, never the value.

describe("a sensitive value in an invalid rendered template", () => {
  let repo: TempRepo;
  const outputs: Output[] = [];
  beforeAll(async () => {
    repo = exampleRepo();
    repo.write("environments/dev.yaml", `${repo.read("environments/dev.yaml")}  apiKey: ${SECRET}\nsensitive: [vars.apiKey]\n`);
    repo.edit(
      "templates/task-definition.json.hbs",
      '{ "name": "STAGE", "value": "{{target.stage}}" },',
      '{ "name": "STAGE", "value": "{{target.stage}}" },\n        { "name": "API_KEY", "value": {{vars.apiKey}} },',
    );
    const runs = await inBatches(COMMANDS.map((c) => async () => ({ c, r: await runCli(c.args, { cwd: repo.dir }) })));
    for (const { c, r } of runs) outputs.push(...cliOutputs(`deployer ${c.args.join(" ")}`, r, c.sink));
    outputs.push(
      ...actionOutputs(
        "action plan",
        await runDistAction({ workspace: repo.dir, inputs: { command: "plan", image: IMAGE, stage: "all" } }),
      ),
    );
  }, 120_000);
  afterAll(() => {
    repo?.cleanup();
    cleanupActionRuns();
  });

  it("RENDER_INVALID quotes the template line, in every command and in the Action, and never the secret", () => {
    const validate = outputs.find((o) => o.name === "deployer validate (stderr)")!.text;
    expect(validate).toContain("RENDER_INVALID");
    expect(validate).toContain('template line 20: { "name": "API_KEY", "value": {{vars.apiKey}} },');
    expectClean(outputs);
  });
});
