// `deployer iam`: the generated document itself (stdout) with the notes (stderr), or, once written to
// --out-dir, the files and what to run next. -o json: one JSON summary { format, files, notes } with
// each file's content when it was not written to a directory. Paths and notes are escaped for their
// sink (escape.ts); the documents are escaped by their writers (iam-mesh/files.ts).
import { jsonText, terminalOutput, terminalText } from "./escape.js";
import type { Chunk, View } from "./view.js";

export interface IamOutput {
  format: "json" | "terraform" | "cloudformation";
  /** Files, with their content when printed rather than written. */
  files: Array<{ path: string; content?: string }>;
  /** The directory the files were written to. */
  outDir?: string;
  notes: string[];
  /** What to run next (commands), for the text form. */
  next: string[];
}

function notesText(notes: string[]): string {
  return notes.length === 0 ? "" : `Notes:\n${notes.map((n) => `  - ${terminalText(n)}`).join("\n")}\n`;
}

export function iamView(o: IamOutput): View {
  return {
    json: () => `${jsonText({ format: o.format, ...(o.outDir ? { outDir: o.outDir } : {}), files: o.files, notes: o.notes }, 2)}\n`,
    text: (): Chunk[] => {
      const notes = notesText(o.notes);
      if (!o.outDir) {
        // The document alone on stdout (it is a file's content: `> iam.tf` must give a valid file).
        const doc = o.files[0]?.content ?? "";
        return [{ to: "stdout", text: doc }, ...(notes ? [{ to: "stderr" as const, text: terminalOutput(notes) }] : [])];
      }
      const lines = [
        ...o.files.map((f) => `wrote ${terminalText(f.path)}`),
        ...(o.next.length > 0 ? ["", "Next:", ...o.next.map((c) => `  ${terminalText(c)}`)] : []),
      ];
      return [{ to: "stdout", text: terminalOutput(`${lines.join("\n")}\n${notes ? `\n${notes}` : ""}`) }];
    },
  };
}
