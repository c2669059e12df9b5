// The Action's log: plain lines and collapsible groups (`::group::`), every line scrubbed of the
// sensitive values known so far. Workflow commands in logged text are neutralised so a value from
// configuration or AWS can never be read by the runner as a command.
import type { SecretMask } from "./secret-mask.js";

export interface ActionLog {
  info(text: string): void;
  /** One collapsible group, written at once (so groups of parallel targets never interleave). */
  group(title: string, lines: readonly string[]): void;
}

export function createActionLog(mask: SecretMask, write: (text: string) => void = (t) => void process.stdout.write(t)): ActionLog {
  const clean = (s: string) => neutraliseCommands(mask.scrub(s));
  return {
    info(text) {
      write(`${clean(text)}\n`);
    },
    group(title, lines) {
      const body = lines.map(clean).join("\n");
      write(`::group::${clean(title).replace(/\r?\n/g, " ")}\n${body}${body ? "\n" : ""}::endgroup::\n`);
    },
  };
}

/** A line starting with `::` would be a workflow command (`::set-output`, `::stop-commands`): indent it. */
function neutraliseCommands(text: string): string {
  return text.replace(/^(\s*)::/gm, "$1 ::");
}
