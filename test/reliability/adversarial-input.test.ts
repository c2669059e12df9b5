// Hostile configuration files (a pull request controls them): alias bombs of increasing depth, deep
// nesting, 1 MiB files, template bombs. Each is accepted or refused with the file and line of the
// offending spot, zero AWS calls, and under 100 MB of memory for the WHOLE `deployer` process (Node's
// own ~60 MB included; peak RSS measured inside the child by measure-preload.cjs).
//
// No time is asserted here: the "under 1 s of CPU" bound of the README is measured by `npm run bench`
// (row "hostile inputs"), as every speed is. Wall time is only guarded against hangs (timeoutMs).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { describeRun, runCli, type CliResult } from "../helpers/sandbox-cli.js";

const PRELOAD = path.join(path.dirname(new URL(import.meta.url).pathname), "measure-preload.cjs");
const MAX_RSS_MB = 100;
const MiB = 1024 * 1024;

let sb: Sandbox;
let repo: TempRepo;
let measureDir: string;
beforeAll(async () => {
  sb = await startSandbox({});
  measureDir = mkdtempSync(path.join(tmpdir(), "deployer-measure-"));
});
afterAll(async () => {
  await sb?.stop();
  rmSync(measureDir, { recursive: true, force: true });
});
beforeEach(() => {
  repo?.cleanup();
  repo = exampleRepo();
  sb.admin.clearLog();
});

let runs = 0;
/** `deployer ARGS` in the repo, with its peak memory. */
async function measured(args: string[]): Promise<{ r: CliResult; maxRssMB: number }> {
  const file = path.join(measureDir, `run-${runs++}.json`);
  const r = await runCli(args, {
    cwd: repo.dir,
    sandbox: sb,
    nodeArgs: ["--require", PRELOAD],
    env: { DEPLOYER_TEST_MEASURE: file },
    timeoutMs: 30_000,
  });
  const m = JSON.parse(readFileSync(file, "utf8")) as { maxRssMB: number };
  return { r, maxRssMB: m.maxRssMB };
}

function aliasBomb(levels: number): string {
  let text = 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i <= levels; i++)
    text += `l${i}: &l${i} [${Array(9)
      .fill(`*l${i - 1}`)
      .join(",")}]\n`;
  return text;
}

/** Exactly `bytes` long (the 1 MiB limit is on the file size). */
function fill(bytes: number, line: (i: number) => string, head = ""): string {
  let text = head;
  for (let i = 0; text.length < bytes; i++) text += line(i);
  return text.slice(0, bytes - 1) + "\n";
}

interface Hostile {
  name: string;
  file: string;
  content: () => string;
  /** Line and column of the error, and its message. */
  at: [number, number];
  message: RegExp;
}

const ENV = "environments/dev.yaml";
const hostile: Hostile[] = [
  ...[3, 5, 7, 9, 12].map((levels): Hostile => ({
    name: `an alias bomb of ${levels} levels`,
    file: ENV,
    content: () => aliasBomb(levels),
    at: [4, 14],
    message: /alias \*l2 expands the file beyond 2,000 values/,
  })),
  {
    name: "an alias bomb in _defaults.yaml (merged under every target)",
    file: "environments/_defaults.yaml",
    content: () => aliasBomb(9),
    at: [4, 14],
    message: /alias \*l2 expands/,
  },
  {
    name: "an alias bomb in deployer.yaml",
    file: "deployer.yaml",
    content: () => aliasBomb(9),
    at: [4, 14],
    message: /alias \*l2 expands/,
  },
  {
    name: "a cycle (an alias inside its own anchor)",
    file: ENV,
    content: () => "vars: &v\n  self: *v\n",
    at: [2, 9],
    message: /inside the value it refers to/,
  },
  {
    name: "1 MiB of nested flow lists",
    file: ENV,
    content: () => `vars: ${"[".repeat(MiB / 2 - 4)}${"]".repeat(MiB / 2 - 4)}\n`,
    at: [1, 142],
    message: /nested more than 64 levels deep/,
  },
  {
    name: "1 MiB of nested block lists on one line",
    file: ENV,
    content: () => `vars:\n${"- ".repeat(MiB / 2 - 8)}x\n`,
    at: [2, 270],
    message: /nested more than 64 levels deep/,
  },
  {
    name: "1 MiB of nested maps by indentation",
    file: ENV,
    content: () => fill(MiB, (i) => `${" ".repeat(i % 1400)}k:\n`),
    at: [136, 137],
    message: /nested more than 64 levels deep/,
  },
  {
    name: "1 MiB of list items",
    file: ENV,
    content: () => fill(MiB, () => "- 1\n", "vars:\n"),
    at: [3201, 1],
    message: /too much YAML: more than 16,000 tokens/,
  },
  { name: "1 MiB of keys", file: ENV, content: () => fill(MiB, (i) => `k${i}: ${i}\n`), at: [2286, 8], message: /too much YAML/ },
  {
    name: "1 MiB of blank lines",
    file: ENV,
    content: () => fill(MiB, () => "\n", "stage: dev\n"),
    at: [15994, 1],
    message: /too much YAML/,
  },
  {
    name: "2 500 aliases of one scalar",
    file: ENV,
    content: () => `a: &a 1\nb: [${Array(2500).fill("*a").join(",")}]\n`,
    at: [2, 5990],
    message: /alias \*a expands the file beyond 2,000 values/,
  },
  {
    name: "a file of 1 MiB + 1 byte",
    file: ENV,
    content: () => `vars:\n  blob: ${"x".repeat(MiB)}\n`,
    at: [1, 1],
    message: /limited to 1 MiB/,
  },
  {
    name: "a 1 MiB template of expressions",
    file: "templates/task-definition.json.hbs",
    content: () => fill(MiB - 16, () => "{{vars.cpu}}", '{"family": "') + '"}\n',
    at: [1, 6013],
    message: /more than 500 \{\{…\}\} expressions/,
  },
  {
    name: "a template of 40 000 nested blocks",
    file: "templates/task-definition.json.hbs",
    content: () => `{"family": "${"{{#if vars.cpu}}".repeat(40_000)}x${"{{/if}}".repeat(40_000)}"}\n`,
    at: [1, 525],
    message: /blocks are nested more than 32 deep/,
  },
];

describe("hostile configuration files: refused within the bounds, with file:line, before any AWS call", () => {
  it.each(hostile)("$name", async (h) => {
    repo.write(h.file, h.content());
    const v = await measured(["validate"]);
    expect(v.r.exitCode, describeRun(v.r)).toBe(1);
    const code = h.file.endsWith(".hbs") ? "TEMPLATE_ERROR" : "CONFIG_INVALID";
    expect(v.r.stderr.split("\n")[0], h.name).toMatch(
      new RegExp(`^error ${code} ${h.file.replace(/[.]/g, "\\.")}:${h.at[0]}:${h.at[1]} `, "m"),
    );
    expect(v.r.stderr).toMatch(h.message);
    expect(v.maxRssMB, `peak memory of deployer validate on ${h.name}`).toBeLessThan(MAX_RSS_MB);

    const r = await measured(["rollout", "--image", "8d1e4b7"]);
    expect(r.r.exitCode, describeRun(r.r)).toBe(1);
    expect(r.r.stderr).toMatch(h.message);
    expect(r.maxRssMB).toBeLessThan(MAX_RSS_MB);
    expect(sb.admin.log()).toEqual([]);
  });
});

describe("files within the limits are accepted within the same bounds", () => {
  it.each([
    { name: "a 1 MiB value", edit: () => repo.write(ENV, `${repo.read(ENV)}  blob: ${"x".repeat(MiB - 700)}\n`) },
    {
      name: "1 900 values",
      edit: () => repo.write(ENV, `${repo.read(ENV)}${Array.from({ length: 940 }, (_, i) => `  k${i}: ${i}\n`).join("")}`),
    },
    {
      name: "two levels of an alias bomb (924 values)",
      edit: () =>
        repo.write(
          ENV,
          `${repo.read(ENV)}  bomb:\n${aliasBomb(2)
            .trimEnd()
            .split("\n")
            .map((l) => `    ${l}`)
            .join("\n")}\n`,
        ),
    },
  ])("$name", async ({ edit }) => {
    edit();
    const v = await measured(["validate"]);
    expect(v.r.exitCode, describeRun(v.r)).toBe(0);
    expect(v.maxRssMB).toBeLessThan(MAX_RSS_MB);
  });
});
