// Text tables that fit the terminal. Each column has a natural width (its longest cell); when the
// table is wider than the terminal, columns are dropped in the order the view gives (the least
// needed first: everything stays in -o json), then the cells of shrinkable columns are cut with "…"
// down to their minimum. Without a width (a pipe, a file, a CI log) nothing is cut: the full table.
// Cells must already be terminal-safe (escape.ts); widths count code points (no wide characters).

export interface Column<K extends string = string> {
  key: K;
  header: string;
  /** Dropped when the table does not fit: lower drops first; undefined = never dropped. */
  drop?: number;
  /** Cut cells to at most this many characters (not below) when the table still does not fit. */
  minWidth?: number;
  /** Where to cut: "end" (default) keeps the start, "middle" keeps both ends (ARNs, digests). */
  cut?: "end" | "middle";
  /** Which shrinkable column is cut first: lower first (default: after those that say). */
  shrink?: number;
}

export interface TableLayout<K extends string> {
  columns: Array<Column<K> & { width: number }>;
  /** Keys of the columns dropped to fit. */
  dropped: K[];
}

const GAP = 2;

export function displayWidth(s: string): number {
  return Array.from(s).length;
}

/** Cut `s` to `width` characters with "…". */
export function cutCell(s: string, width: number, where: "end" | "middle" = "end"): string {
  const chars = Array.from(s);
  if (chars.length <= width) return s;
  if (width <= 1) return "…".slice(0, width);
  if (where === "middle") {
    const head = Math.ceil((width - 1) / 2);
    const tail = width - 1 - head;
    return `${chars.slice(0, head).join("")}…${tail > 0 ? chars.slice(-tail).join("") : ""}`;
  }
  return `${chars.slice(0, width - 1).join("")}…`;
}

/** Which columns to show, and how wide, for `rows` in `maxWidth` characters (undefined: no limit). */
export function layoutTable<K extends string>(columns: Column<K>[], rows: Array<Record<K, string>>, maxWidth?: number): TableLayout<K> {
  let shown = columns.map((c) => ({ ...c, width: Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(r[c.key] ?? ""))) }));
  const dropped: K[] = [];
  const total = () => shown.reduce((n, c) => n + c.width, 0) + GAP * Math.max(0, shown.length - 1);
  if (maxWidth === undefined || total() <= maxWidth) return { columns: shown, dropped };

  // 1. Cut the shrinkable columns, widest first, down to their minimum.
  // 2. Drop columns in their drop order; after each drop, the cut columns may grow back.
  const fit = () => {
    for (const c of shown) c.width = Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(r[c.key] ?? "")));
    let excess = total() - maxWidth;
    const shrinkable = shown
      .filter((c) => c.minWidth !== undefined)
      .sort((a, b) => (a.shrink ?? 99) - (b.shrink ?? 99) || b.width - a.width);
    for (const c of shrinkable) {
      if (excess <= 0) break;
      const floor = Math.max(c.minWidth!, displayWidth(c.header));
      const take = Math.min(excess, c.width - floor);
      if (take > 0) {
        c.width -= take;
        excess -= take;
      }
    }
    return excess <= 0;
  };
  const order = columns.filter((c) => c.drop !== undefined).sort((a, b) => a.drop! - b.drop!);
  while (!fit() && order.length > 0) {
    const next = order.shift()!;
    shown = shown.filter((c) => c.key !== next.key);
    dropped.push(next.key);
  }
  return { columns: shown, dropped };
}

/** One line of a laid-out table (trailing spaces trimmed); `paint` colours a padded cell. */
export function tableLine<K extends string>(
  layout: TableLayout<K>,
  row: Record<K, string>,
  paint?: (key: K, padded: string) => string,
): string {
  return layout.columns
    .map((c) => {
      const text = cutCell(row[c.key] ?? "", c.width, c.cut);
      const padded = text + " ".repeat(Math.max(0, c.width - displayWidth(text)));
      return paint ? paint(c.key, padded) : padded;
    })
    .join(" ".repeat(GAP))
    .trimEnd();
}

/** The header line of a laid-out table. */
export function headerLine<K extends string>(layout: TableLayout<K>): string {
  return tableLine(layout, Object.fromEntries(layout.columns.map((c) => [c.key, c.header])) as Record<K, string>);
}

/** Words wrapped at `width` (undefined: one line), for notes under a table. */
export function wrapWords(text: string, width?: number): string[] {
  if (width === undefined || displayWidth(text) <= width) return [text];
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && displayWidth(line) + 1 + displayWidth(word) > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
