// Issue 15: the plan reviewed on the pull request is the plan applied on merge. Through the bundled
// Action against the sandbox: `command: plan` uploads the saved plan as a workflow artifact (to a
// local stand-in of the runner's artifact service, which speaks the protocol @actions/artifact
// speaks: Twirp CreateArtifact/FinalizeArtifact, then the zip PUT to the signed blob URL) and names
// it in an output; `command: rollout` with `plan-file` applies exactly that plan, and refuses it
// (PLAN_STALE, nothing written) once the live state moved, as `deployer rollout --plan` does.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, runDistAction, useActionFixture } from "./run-dist.js";

const fx = useActionFixture();

interface ArtifactService {
  url: string;
  /** Token the runner gives a step: a JWT whose `scp` names the run's and job's backend ids. */
  token: string;
  created: Array<Record<string, unknown>>;
  finalized: Array<Record<string, unknown>>;
  /** The bytes PUT to the signed URL (all blocks, in order). */
  blob: () => Buffer;
}

let service: ArtifactService & { server: Server };

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  const created: Array<Record<string, unknown>> = [];
  const finalized: Array<Record<string, unknown>> = [];
  const blocks = new Map<string, Buffer>();
  let committed: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const data = await body(req);
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (url.pathname.endsWith(".ArtifactService/CreateArtifact")) {
        created.push(JSON.parse(data.toString("utf8")) as Record<string, unknown>);
        const port = (server.address() as AddressInfo).port;
        return json(200, { ok: true, signed_upload_url: `http://127.0.0.1:${port}/blob/plan.zip?sig=fake` });
      }
      if (url.pathname.endsWith(".ArtifactService/FinalizeArtifact")) {
        finalized.push(JSON.parse(data.toString("utf8")) as Record<string, unknown>);
        return json(200, { ok: true, artifact_id: "4242" });
      }
      if (url.pathname === "/blob/plan.zip" && req.method === "PUT") {
        // Azure Put Block (comp=block&blockid=…), Put Block List (comp=blocklist), or Put Blob.
        const comp = url.searchParams.get("comp");
        if (comp === "block") blocks.set(url.searchParams.get("blockid")!, data);
        else if (comp === "blocklist")
          committed = [...data.toString("utf8").matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)</g)].map((m) => m[1]!);
        else {
          blocks.set("whole", data);
          committed = ["whole"];
        }
        res.writeHead(201, { etag: '"0x1"', "last-modified": new Date().toUTCString(), "x-ms-request-id": "fake" });
        return res.end();
      }
      json(404, { code: "not_found", msg: `${req.method} ${url.pathname}` });
    })();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  service = {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    token: `${b64({ alg: "none", typ: "JWT" })}.${b64({ scp: "Actions.ExampleScope Actions.Results:run-backend-1:job-backend-2" })}.sig`,
    created,
    finalized,
    blob: () => Buffer.concat(committed.map((id) => blocks.get(id)!)),
  };
});
afterAll(async () => {
  await new Promise<void>((r) => service?.server.close(() => r()));
});

/** The first entry of a zip: its name and content (stored or deflated; sizes may be in a data descriptor). */
function firstZipEntry(zip: Buffer): { name: string; content: string } {
  expect(zip.readUInt32LE(0)).toBe(0x04034b50);
  const method = zip.readUInt16LE(8);
  const nameLength = zip.readUInt16LE(26);
  const extraLength = zip.readUInt16LE(28);
  const name = zip.subarray(30, 30 + nameLength).toString("utf8");
  const start = 30 + nameLength + extraLength;
  const rest = zip.subarray(start);
  const content = method === 8 ? inflateRawSync(rest, { finishFlush: 2 /* Z_SYNC_FLUSH: stop at the stream's end */ }) : rest;
  return { name, content: content.toString("utf8") };
}

describe("action: the reviewed plan, applied", () => {
  it("plan uploads the saved plan as an artifact (plan-artifact); rollout applies it with plan-file, then refuses it as stale", async () => {
    const env = { ACTIONS_RUNTIME_TOKEN: service.token, ACTIONS_RESULTS_URL: service.url };
    const plan = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "plan", image: "8d1e4b7", stage: "dev", "plan-artifact": "deployer-plan-dev" },
      env,
    });
    expect(plan.exitCode, describeRun(plan)).toBe(0);
    expect(plan.outputs["plan-artifact"], describeRun(plan)).toBe("deployer-plan-dev");
    expect(plan.outputs["plan-artifact-id"]).toBe("4242");
    expect(service.created).toMatchObject([
      { name: "deployer-plan-dev", workflow_run_backend_id: "run-backend-1", workflow_job_run_backend_id: "job-backend-2" },
    ]);
    expect(service.finalized).toMatchObject([{ name: "deployer-plan-dev" }]);
    const planJson = readFileSync(plan.outputs["plan-json"]!, "utf8");
    expect(firstZipEntry(service.blob())).toEqual({ name: "plan.json", content: planJson });

    // The workflow downloads the artifact into the checkout (actions/download-artifact), then:
    mkdirSync(fx.repo.file("reviewed-plan"));
    writeFileSync(fx.repo.file("reviewed-plan/plan.json"), planJson);
    const updates = () => fx.sandbox.admin.log({ account: "222222222222", action: "UpdateService" }).length;
    const before = updates();
    const apply = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", "plan-file": "reviewed-plan/plan.json", timeout: "2m" },
    });
    expect(apply.exitCode, describeRun(apply)).toBe(0);
    expect(apply.log).toContain("Applying the saved plan reviewed-plan/plan.json");
    const report = JSON.parse(readFileSync(apply.outputs["report-json"]!, "utf8")) as {
      targets: Array<{ target: { name: string }; outcome: string }>;
    };
    expect(report.targets.map((t) => `${t.target.name}:${t.outcome}`)).toEqual(["dev:deployed"]);
    expect(updates()).toBe(before + 1);

    // The same plan again: dev runs another revision than when it was planned.
    const again = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", "plan-file": "reviewed-plan/plan.json", timeout: "2m" },
    });
    expect(again.exitCode).toBe(1);
    expect(again.stdout).toMatch(/::error[^\n]*PLAN_STALE reviewed-plan\/plan\.json: plan is stale: dev: the service ran/);
    expect(updates()).toBe(before + 1);
  });

  it("plan-file is rollout's alone, and replaces image, stage and environments", async () => {
    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", "plan-file": "x.json", image: "8d1e4b7", stage: "dev" },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("input `image`: and `plan-file` both say what to deploy: give one");
    expect(r.stdout).toContain("input `stage`: does not apply with `plan-file`");
    const p = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "plan", image: "8d1e4b7", "plan-file": "x.json" },
    });
    expect(p.exitCode).toBe(1);
    expect(p.stdout).toContain("input `plan-file`: only applies to `command: rollout`");
  });

  it("without the runner's artifact service the plan is not uploaded: a log line, or a warning when plan-artifact was asked for", async () => {
    const quiet = await runDistAction({ workspace: fx.repo.dir, sandbox: fx.sandbox, inputs: { command: "plan", image: "8d1e4b7" } });
    expect(quiet.exitCode, describeRun(quiet)).toBe(0);
    expect(quiet.outputs["plan-artifact"]).toBeUndefined();
    expect(quiet.annotations.filter((a) => a.level === "warning")).toEqual([]);
    const asked = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "plan", image: "8d1e4b7", "plan-artifact": "mine" },
    });
    expect(asked.exitCode).toBe(0);
    expect(asked.annotations.map((a) => a.props.title)).toContain("deployer: plan not uploaded");
  });
});
