// The hostile configuration files of test/reliability/adversarial-input.test.ts, rebuilt here for the
// benchmark (that test file runs its suite when imported, so its list cannot be shared): alias bombs,
// deep nesting, 1 MiB files, template bombs, each with the error deployer must refuse it with; and the
// files within the limits that must be accepted. Keep the two lists in step when the test changes.
import type { TempRepo } from "../test/fixtures/config/repo.js";

const MiB = 1024 * 1024;
const ENV = "environments/dev.yaml";
const TEMPLATE = "templates/task-definition.json.hbs";

export interface HostileInput {
  name: string;
  /** Sets the repository up (one file written or extended). */
  apply(repo: TempRepo): void;
  /** What `deployer validate` must answer: refused (exit 1) with this message, or accepted (exit 0). */
  expect: { refused: RegExp } | "accepted";
}

export function aliasBomb(levels: number): string {
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

const refused = (name: string, file: string, content: () => string, message: RegExp): HostileInput => ({
  name,
  apply: (repo) => repo.write(file, content()),
  expect: { refused: message },
});
const accepted = (name: string, apply: (repo: TempRepo) => void): HostileInput => ({ name, apply, expect: "accepted" });

export const HOSTILE_INPUTS: HostileInput[] = [
  ...[3, 5, 7, 9, 12].map((levels) =>
    refused(`alias bomb, ${levels} levels`, ENV, () => aliasBomb(levels), /alias \*l2 expands the file beyond 2,000 values/),
  ),
  refused("alias bomb (9) in _defaults.yaml", "environments/_defaults.yaml", () => aliasBomb(9), /alias \*l2 expands/),
  refused("alias bomb (9) in deployer.yaml", "deployer.yaml", () => aliasBomb(9), /alias \*l2 expands/),
  refused("alias inside its own anchor", ENV, () => "vars: &v\n  self: *v\n", /inside the value it refers to/),
  refused("1 MiB of nested flow lists", ENV, () => `vars: ${"[".repeat(MiB / 2 - 4)}${"]".repeat(MiB / 2 - 4)}\n`, /nested more than 64/),
  refused("1 MiB of nested block lists", ENV, () => `vars:\n${"- ".repeat(MiB / 2 - 8)}x\n`, /nested more than 64/),
  refused("1 MiB of nested maps", ENV, () => fill(MiB, (i) => `${" ".repeat(i % 1400)}k:\n`), /nested more than 64/),
  refused("1 MiB of list items", ENV, () => fill(MiB, () => "- 1\n", "vars:\n"), /too much YAML/),
  refused("1 MiB of keys", ENV, () => fill(MiB, (i) => `k${i}: ${i}\n`), /too much YAML/),
  refused("1 MiB of blank lines", ENV, () => fill(MiB, () => "\n", "stage: dev\n"), /too much YAML/),
  refused("2 500 aliases of one scalar", ENV, () => `a: &a 1\nb: [${Array(2500).fill("*a").join(",")}]\n`, /alias \*a expands/),
  refused("a file of 1 MiB + 1 byte", ENV, () => `vars:\n  blob: ${"x".repeat(MiB)}\n`, /limited to 1 MiB/),
  refused(
    "1 MiB template of expressions",
    TEMPLATE,
    () => fill(MiB - 16, () => "{{vars.cpu}}", '{"family": "') + '"}\n',
    /more than 500 \{\{…\}\} expressions/,
  ),
  refused(
    "template of 40 000 nested blocks",
    TEMPLATE,
    () => `{"family": "${"{{#if vars.cpu}}".repeat(40_000)}x${"{{/if}}".repeat(40_000)}"}\n`,
    /blocks are nested more than 32 deep/,
  ),
  accepted("a 1 MiB value (accepted)", (repo) => repo.write(ENV, `${repo.read(ENV)}  blob: ${"x".repeat(MiB - 700)}\n`)),
  accepted("1 900 values (accepted)", (repo) =>
    repo.write(ENV, `${repo.read(ENV)}${Array.from({ length: 940 }, (_, i) => `  k${i}: ${i}\n`).join("")}`),
  ),
  accepted("alias bomb, 2 levels: 924 values (accepted)", (repo) =>
    repo.write(
      ENV,
      `${repo.read(ENV)}  bomb:\n${aliasBomb(2)
        .trimEnd()
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")}\n`,
    ),
  ),
];
