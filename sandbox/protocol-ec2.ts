// The EC2 Query protocol (botocore "ec2"): form-encoded POST in (`Action`, `Version`, lists as
// `SubnetId.1`, `Filter.1.Name`, `Filter.1.Value.1`), XML out with a `requestId` and lists as `<item>`
// elements; errors as `<Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors>
// <RequestID>…</RequestID></Response>` (a real one: https://github.com/deis/deis/issues/129).
import { randomUUID } from "node:crypto";
import type { AwsError } from "./aws-error.js";
import { escapeXml } from "./protocol-query.js";

const NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

/** XML value: objects become elements, arrays lists of `<item>`, booleans "true"/"false", undefined skipped. */
export type Ec2Value = string | number | boolean | undefined | Ec2Value[] | { [k: string]: Ec2Value };

function toXml(v: Ec2Value): string {
  if (v === undefined) return "";
  if (Array.isArray(v)) return v.map((m) => `<item>${toXml(m)}</item>`).join("");
  if (typeof v === "object") {
    return Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `<${k}>${toXml(x)}</${k}>`)
      .join("");
  }
  return escapeXml(String(v));
}

export function ec2Response(action: string, result: Record<string, Ec2Value>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS}"><requestId>${randomUUID()}</requestId>${toXml(result)}</${action}Response>`;
}

export function ec2Error(err: AwsError): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code>` +
    `<Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`
  );
}

export interface Ec2Params {
  get(name: string): string | undefined;
  /** `Name.1`, `Name.2`, … in order. */
  list(name: string): string[];
  /** `Filter.N.Name` with its `Filter.N.Value.M`. */
  filters(): { name: string; values: string[] }[];
}

export function parseEc2Params(body: string): Ec2Params {
  const params = new URLSearchParams(body);
  const indexed = (prefix: string): string[] => {
    const out: [number, string][] = [];
    const re = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)$`);
    for (const [k, v] of params) {
      const m = re.exec(k);
      if (m) out.push([Number(m[1]), v]);
    }
    return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  };
  return {
    get: (name) => params.get(name) ?? undefined,
    list: indexed,
    filters() {
      const ns = new Set<number>();
      for (const k of params.keys()) {
        const m = /^Filter\.(\d+)\.Name$/.exec(k);
        if (m) ns.add(Number(m[1]));
      }
      return [...ns]
        .sort((a, b) => a - b)
        .map((n) => ({ name: params.get(`Filter.${n}.Name`) ?? "", values: indexed(`Filter.${n}.Value`) }));
    },
  };
}
