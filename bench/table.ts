// Plain-text tables for the benchmark's console output.

/** Columns listed in `left` (by index) are left-aligned; the first always is; the rest are right-aligned. */
export function table(headers: string[], rows: Array<Array<string | number | undefined>>, left: number[] = []): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? "n/a" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 || left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(cells[0]!), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)].join("\n");
}

export const ms = (x: number | undefined): string | undefined =>
  x === undefined ? undefined : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`;
export const mb = (x: number | undefined): string | undefined => (x === undefined ? undefined : `${Math.round(x)} MB`);
export const times = (x: number | undefined): string | undefined => (x === undefined ? undefined : `${x.toFixed(2)}×`);
