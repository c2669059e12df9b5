// The AWS Query protocol (STS, IAM): form-encoded POST in, XML out. Flattens `A.member.1.B=x`
// parameters into nested values, renders results and errors as the services do.
import { randomUUID } from "node:crypto";
import type { AwsError } from "./aws-error.js";

export type QueryValue = string | QueryValue[] | { [k: string]: QueryValue };
export type QueryParams = Record<string, QueryValue>;

/** `ContextEntries.member.1.ContextKeyValues.member.2=x` -> { ContextEntries: [{ ContextKeyValues: [, "x"] }] } */
export function parseQueryParams(body: string): QueryParams {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split(".");
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      if (part === "member" && i + 1 < parts.length) continue;
      const isIndex = /^\d+$/.test(part) && parts[i - 1] === "member";
      const k: string | number = isIndex ? Number(part) - 1 : part;
      if (last) {
        (node as Record<string | number, unknown>)[k] = value;
        break;
      }
      const nextIsList = parts[i + 1] === "member";
      let child = (node as Record<string | number, unknown>)[k];
      if (child === undefined || typeof child !== "object") {
        child = nextIsList ? [] : {};
        (node as Record<string | number, unknown>)[k] = child;
      }
      node = child as Record<string, unknown> | unknown[];
    }
  }
  return root as QueryParams;
}

export function str(p: QueryParams, k: string): string | undefined {
  const v = p[k];
  return typeof v === "string" ? v : undefined;
}

export function list(p: QueryParams | undefined, k: string): QueryValue[] {
  const v = p?.[k];
  return Array.isArray(v) ? v.filter((x) => x !== undefined) : [];
}

const NAMESPACES: Record<string, string> = {
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
  iam: "https://iam.amazonaws.com/doc/2010-05-08/",
};

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** XML value: objects become elements, arrays `<member>` lists, Dates ISO-8601, undefined skipped. */
export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { [k: string]: XmlValue };

export function toXml(v: XmlValue): string {
  if (v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((m) => `<member>${toXml(m)}</member>`).join("");
  if (typeof v === "object") {
    return Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `<${k}>${toXml(x)}</${k}>`)
      .join("");
  }
  return escapeXml(String(v));
}

export function queryResponse(service: "sts" | "iam", action: string, result: XmlValue | undefined): string {
  const requestId = randomUUID();
  const inner = result === undefined ? "" : `<${action}Result>${toXml(result)}</${action}Result>`;
  return (
    `<${action}Response xmlns="${NAMESPACES[service]}">${inner}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function queryError(service: "sts" | "iam", err: AwsError): string {
  return (
    `<ErrorResponse xmlns="${NAMESPACES[service]}"><Error><Type>${err.type}</Type><Code>${escapeXml(err.code)}</Code>` +
    `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}
