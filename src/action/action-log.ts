// The Action's log: plain lines and collapsible groups (`::group::`), every line scrubbed of the
// sensitive values known so far, then made safe for the runner (escape.ts terminalOutput): control
// characters shown as `\u001b`, a leading `::` and every `##[` broken, so no text from the
// configuration or from AWS is ever read by the runner as a workflow command or an escape sequence.
import { terminalOutput } from "../report/escape.js";
import type { SecretMask } from "./secret-mask.js";

export interface ActionLog {
  info(text: string): void;
  /** One collapsible group, written at once (so groups of parallel targets never interleave). */
  group(title: string, lines: readonly string[]): void;
}

/** The data of a workflow command (`::group::DATA`) as @actions/core escapes it: one line. */
function commandData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function createActionLog(mask: SecretMask, write: (text: string) => void = (t) => void process.stdout.write(t)): ActionLog {
  const clean = (s: string) => terminalOutput(mask.scrub(s));
  return {
    info(text) {
      write(`${clean(text)}\n`);
    },
    group(title, lines) {
      const body = lines.map(clean).join("\n");
      write(`::group::${commandData(clean(title).replace(/\r?\n/g, " "))}\n${body}${body ? "\n" : ""}::endgroup::\n`);
    },
  };
}
