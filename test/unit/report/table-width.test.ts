// Tables fit the terminal (issue 15: `status` was 189 columns wide): narrow terminals drop the least
// needed columns and cut long cells with "…"; without a width (a pipe, a CI log) the table is whole.
import { beforeEach, describe, expect, it } from "vitest";
import type { Project } from "../../../src/config/types.js";
import { fleetStatus } from "../../../src/fleet/status.js";
import { formatStatusText } from "../../../src/report/status-text.js";
import { cutCell, layoutTable } from "../../../src/report/table.js";
import { DIGEST_A, DIGEST_B, FakeFleet, loadExample } from "../fleet/fleet-fakes.js";

let project: Project;
let fleet: FakeFleet;
beforeEach(async () => {
  project = await loadExample();
  fleet = new FakeFleet(project);
  fleet.runs("dev", DIGEST_B);
  for (const t of ["staging", "prod-eu", "prod-us"]) fleet.runs(t, DIGEST_A);
});

const now = () => new Date("2025-03-01T12:00:00.000Z");
const longest = (text: string) => Math.max(...text.split("\n").map((l) => Array.from(l).length));

describe("status fits the terminal", () => {
  it("at 80 and 120 columns every line fits; target, image, rollout and promotion stay; the note says what was left out", async () => {
    const status = await fleetStatus(fleet.run(), { now });
    const full = formatStatusText(status, { color: false });
    expect(longest(full)).toBeGreaterThan(120);
    for (const width of [80, 120]) {
      const text = formatStatusText(status, { color: false, width });
      expect(longest(text), text).toBeLessThanOrEqual(width);
      const header = text.split("\n").find((l) => l.startsWith("TARGET"))!;
      for (const col of ["TARGET", "IMAGE", "ROLLOUT", "PROMOTION"]) expect(header).toContain(col);
      expect(text.replace(/\n/g, " ")).toMatch(/left out to fit \d+ columns: -o json has every field/);
      expect(text).toMatch(/^staging\s/m);
    }
  });

  it("a wide terminal gets the whole table, and no note", async () => {
    const status = await fleetStatus(fleet.run(), { now });
    const text = formatStatusText(status, { color: false, width: 400 });
    expect(text).toBe(formatStatusText(status, { color: false }));
    expect(text).not.toContain("left out");
  });
});

describe("layoutTable", () => {
  const columns = [
    { key: "a", header: "A" },
    { key: "b", header: "B", drop: 1 },
    { key: "c", header: "C", minWidth: 5, cut: "middle" as const },
  ];
  const rows = [{ a: "aaaa", b: "bbbbbbbbbb", c: "cccccccccccccccccccc" }];

  it("cuts shrinkable cells first, then drops columns in their order", () => {
    expect(layoutTable(columns, rows, 100).dropped).toEqual([]);
    const cut = layoutTable(columns, rows, 30);
    expect(cut.dropped).toEqual([]);
    expect(cut.columns.find((c) => c.key === "c")!.width).toBe(30 - 4 - 10 - 4);
    const dropped = layoutTable(columns, rows, 12);
    expect(dropped.dropped).toEqual(["b"]);
  });

  it("cutCell keeps both ends in the middle mode", () => {
    expect(cutCell("sha256:abcdef0123456789", 9, "middle")).toBe("sha2…6789");
    expect(cutCell("short", 9)).toBe("short");
    expect(cutCell("a long value", 6)).toBe("a lon…");
  });
});
