// A view: one subject (a plan, a run report, the fleet's status…) in every output format a command
// offers, each as the exact text to write, trailing newline included. Commands build a view and hand
// it to the shell's one `emit` (src/cli/shell.ts), which picks the form `--output` asks for; the
// Action reads the forms it needs (text for the log, Markdown for the summary, JSON for files).
import { scrubString } from "../render/redact.js";

export type OutputFormat = "text" | "json" | "markdown";

export interface TextOptions {
  /** Colours on stdout. */
  color: boolean;
  /** Colours on stderr (a terminal there too). Default: `color`. */
  stderrColor?: boolean;
  /** The terminal's width: tables fit it (table.ts). Undefined (a pipe, a file, a CI log): full width. */
  width?: number;
}

/** Part of a text form that belongs on another stream (errors and warnings of `validate`). */
export interface Chunk {
  to: "stdout" | "stderr";
  text: string;
}

export interface View {
  text(opts: TextOptions): string | Chunk[];
  json(): string;
  /** Absent: the subject has no Markdown form and prints its text form. */
  markdown?(): string;
}

/** The chunks to write for `format`, in order. */
export function viewChunks(view: View, format: OutputFormat, opts: TextOptions): Chunk[] {
  if (format === "json") return [{ to: "stdout", text: view.json() }];
  if (format === "markdown" && view.markdown) return [{ to: "stdout", text: view.markdown() }];
  const text = view.text(opts);
  return typeof text === "string" ? [{ to: "stdout", text }] : text;
}

/** The whole stdout text of a view for `format` (for a file: --output-file). */
export function viewText(view: View, format: OutputFormat, opts: TextOptions): string {
  return viewChunks(view, format, opts)
    .filter((c) => c.to === "stdout")
    .map((c) => c.text)
    .join("");
}

/** The same view with every form scrubbed of the given sensitive values (render/redact.ts). */
export function scrubbedView(view: View, values: readonly string[]): View {
  const scrub = (s: string) => scrubString(s, values);
  return {
    text: (o) => {
      const t = view.text(o);
      return typeof t === "string" ? scrub(t) : t.map((c) => ({ ...c, text: scrub(c.text) }));
    },
    json: () => scrub(view.json()),
    ...(view.markdown ? { markdown: () => scrub(view.markdown!()) } : {}),
  };
}
