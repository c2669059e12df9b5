// SDK responses carry Date objects (registeredAt, createdAt, …) and may carry `undefined` members;
// plans and reports need plain JSON. This turns an SDK output value into exactly what
// JSON.stringify/JSON.parse would round-trip: dates as ISO strings, undefined members dropped.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function toJsonSafe(value: unknown): JsonValue | undefined {
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return Number(value);
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v) ?? null);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const j = toJsonSafe(v);
    if (j !== undefined) out[k] = j;
  }
  return out;
}

/** An SDK structure as a JSON object. */
export function toJsonObject(value: object): Record<string, JsonValue> {
  return toJsonSafe(value) as Record<string, JsonValue>;
}

/** ISO string of an SDK date, or undefined. */
export function isoDate(d: Date | string | undefined): string | undefined {
  if (d === undefined) return undefined;
  if (typeof d === "string") return d;
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
