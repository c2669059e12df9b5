import { describe, expect, it } from "vitest";
import { toJsonSafe } from "../../../src/aws/json-safe.js";

describe("toJsonSafe", () => {
  it("turns an SDK structure into what JSON round-trips", () => {
    const input = {
      registeredAt: new Date("2024-05-01T09:59:00.000Z"),
      nested: [{ when: new Date(0), gone: undefined, n: 1 }],
      missing: undefined,
      bytes: new Uint8Array([1, 2, 3]),
      nan: Number.NaN,
    };
    const out = toJsonSafe(input);
    expect(out).toEqual({
      registeredAt: "2024-05-01T09:59:00.000Z",
      nested: [{ when: "1970-01-01T00:00:00.000Z", n: 1 }],
      bytes: "AQID",
      nan: null,
    });
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });
});
