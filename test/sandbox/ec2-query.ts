// A minimal EC2 Query client for the sandbox tests: SigV4-signed form POSTs (service "ec2", API
// version 2016-11-15), XML answers parsed with fast-xml-parser. The product has no EC2 client yet
// (@aws-sdk/client-ec2 is not a dependency); the sandbox's EC2 answers were also checked against
// @aws-sdk/client-ec2 itself (see sandbox/README.md). Signing follows the SigV4 documentation
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), independently of the
// sandbox's verifier.
import { createHash, createHmac } from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import type { Creds } from "./clients.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const hmac = (key: Buffer | string, s: string) => createHmac("sha256", key).update(s).digest();

/** Parsed XML: nested objects, `item` lists as arrays, text as strings or numbers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the parsed XML field by field
export type Xml = Record<string, any>;

export interface Ec2Answer {
  status: number;
  /** The parsed XML body (root element's children; lists of `item` as arrays). */
  body: Xml;
  /** For errors: Response.Errors.Error. */
  error?: { Code: string; Message: string };
}

/** Calls `action` with `params` (already in EC2's `Name.N` form) as the given credentials. */
export async function ec2Call(
  endpoint: string,
  creds: Creds,
  action: string,
  params: Record<string, string> = {},
  region = "eu-west-1",
): Promise<Ec2Answer> {
  const url = new URL(endpoint);
  const body = new URLSearchParams({ Action: action, Version: "2016-11-15", ...params }).toString();
  const now = new Date();
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    host: url.host,
    "x-amz-date": amzDate,
    ...(creds.sessionToken ? { "x-amz-security-token": creds.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonical = ["POST", "/", "", ...names.map((n) => `${n}:${headers[n]}`), "", names.join(";"), sha256(body)].join("\n");
  const scope = `${day}/${region}/ec2/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), region), "ec2"), "aws4_request");
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  const { host: _host, ...sent } = headers;
  const res = await fetch(`${endpoint}/`, { method: "POST", headers: sent, body });
  const text = await res.text();
  const parsed = new XMLParser({ isArray: (name) => name === "item" }).parse(text) as Xml;
  const root = Object.values(parsed).find((v) => v && typeof v === "object") as Xml | undefined;
  const error = parsed.Response?.Errors?.Error as { Code: string; Message: string } | undefined;
  return { status: res.status, body: root ?? {}, ...(error ? { error } : {}) };
}
