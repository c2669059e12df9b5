// The shape the project keeps (README "Layout"): the SDK only behind the ports in src/aws/, the
// product never importing the sandbox (nor the sandbox the product), the AGPL IAM simulator only in
// tests and the sandbox, and the pure planning core free of I/O.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../fixtures/config/repo.js";

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(projectRoot, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(projectRoot, rel)).isDirectory()) out.push(...files(rel));
    else if (/\.(ts|js|mjs)$/.test(name)) out.push(rel);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(projectRoot, file), "utf8");
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
}

function offenders(dir: string, bad: (spec: string, file: string) => boolean): string[] {
  return files(dir).flatMap((f) =>
    importsOf(f)
      .filter((s) => bad(s, f))
      .map((s) => `${f} imports ${s}`),
  );
}

describe("architecture", () => {
  it("only src/aws/ imports the AWS SDK", () => {
    expect(offenders("src", (s, f) => s.startsWith("@aws-sdk/") && !f.startsWith(path.join("src", "aws")))).toEqual([]);
  });

  it("the product never imports the sandbox, and the sandbox never imports the product", () => {
    expect(offenders("src", (s) => /(^|\/)sandbox(\/|$)/.test(s))).toEqual([]);
    expect(offenders("sandbox", (s) => /(^|\/)src(\/|$)/.test(s))).toEqual([]);
  });

  it("the AGPL IAM simulator is never shipped: no import from src/", () => {
    expect(offenders("src", (s) => s.startsWith("@cloud-copilot/"))).toEqual([]);
  });

  it("planning is pure: src/plan/ reaches neither AWS, the network nor the ports' implementations", () => {
    const io = (s: string, f: string) =>
      s.startsWith("@aws-sdk/") ||
      /sdk-|session/.test(s) ||
      s === "node:http" ||
      s === "node:https" ||
      (s.startsWith("node:fs") && !f.endsWith("saved-plan.ts"));
    expect(offenders(path.join("src", "plan"), io)).toEqual([]);
  });
});
