// A minimal STS (query protocol) + ECS (JSON 1.1) endpoint on 127.0.0.1 for session tests: records
// every request (action, signing key id, user agent, params) and answers from per-test handlers.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  service: "sts" | "ecs" | "other";
  action: string;
  /** Access key id from the SigV4 Authorization header. */
  keyId: string;
  /** Signing region from the SigV4 credential scope. */
  region: string;
  userAgent: string;
  params: Record<string, string>;
  body: unknown;
}

export interface FakeReply {
  status?: number;
  body: string;
  contentType?: string;
}

export type Handler = (req: RecordedRequest) => FakeReply | undefined;

export interface FakeAwsServer {
  endpoint: string;
  requests: RecordedRequest[];
  /** Sockets opened by clients so far. */
  connections: () => number;
  handle: (h: Handler) => void;
  close: () => Promise<void>;
}

const xml = (action: string, result: string): FakeReply => ({
  body: `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`,
  contentType: "text/xml",
});

export function stsError(code: string, message: string, status = 403): FakeReply {
  return {
    status,
    contentType: "text/xml",
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-2</RequestId></ErrorResponse>`,
  };
}

export function assumeRoleOk(roleArn: string, sessionName: string, expiration: Date, n: number): FakeReply {
  const account = roleArn.split(":")[4];
  const roleName = roleArn.split("/").pop();
  return xml(
    "AssumeRole",
    `<Credentials><AccessKeyId>ASIAFAKE${String(n).padStart(8, "0")}</AccessKeyId><SecretAccessKey>secret${n}</SecretAccessKey><SessionToken>token${n}</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials>` +
      `<AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}</Arn><AssumedRoleId>AROAFAKE:${sessionName}</AssumedRoleId></AssumedRoleUser>`,
  );
}

export function callerIdentityOk(arn: string, account: string, userId: string): FakeReply {
  return xml("GetCallerIdentity", `<Arn>${arn}</Arn><UserId>${userId}</UserId><Account>${account}</Account>`);
}

export function ecsJson(body: unknown, status = 200): FakeReply {
  return { status, body: JSON.stringify(body), contentType: "application/x-amz-json-1.1" };
}

export async function startFakeAws(): Promise<FakeAwsServer> {
  const requests: RecordedRequest[] = [];
  const handlers: Handler[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const auth = String(req.headers.authorization ?? "");
      const keyId = /Credential=([^/]+)\//.exec(auth)?.[1] ?? "";
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(auth)?.[1] ?? "";
      const userAgent = `${req.headers["user-agent"] ?? ""} ${String(req.headers["x-amz-user-agent"] ?? "")}`;
      const target = String(req.headers["x-amz-target"] ?? "");
      let rec: RecordedRequest;
      if (target.startsWith("AmazonEC2ContainerService")) {
        rec = {
          service: "ecs",
          action: target.split(".").pop() ?? "",
          keyId,
          region,
          userAgent,
          params: {},
          body: text ? JSON.parse(text) : {},
        };
      } else {
        const params = Object.fromEntries(new URLSearchParams(text));
        rec = { service: params.Action ? "sts" : "other", action: params.Action ?? "", keyId, region, userAgent, params, body: text };
      }
      requests.push(rec);
      let reply: FakeReply | undefined;
      for (const h of handlers) {
        reply = h(rec);
        if (reply) break;
      }
      reply ??= {
        status: 400,
        body: JSON.stringify({ __type: "UnknownOperationException", message: `no handler for ${rec.action}` }),
        contentType: "application/x-amz-json-1.1",
      };
      res.writeHead(reply.status ?? 200, { "content-type": reply.contentType ?? "text/xml", "x-amzn-requestid": "r-0" });
      res.end(reply.body);
    });
  });
  server.on("connection", () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    handle: (h) => handlers.unshift(h),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
