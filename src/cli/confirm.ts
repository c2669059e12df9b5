// Asking before a command changes what runs (promote, rollback, rollout's gates): only where someone
// can answer — a terminal on both ends, text output, not CI. Without one, the command needs --yes and
// says so before it reads anything (or, for a gate found while planning, before it writes anything).
import { DeployerError } from "../errors.js";
import { interactive, type GlobalOptions } from "./shell.js";

/** Whether a confirmation can be asked: a terminal on both ends, not CI, text output. */
export function canAsk(g: GlobalOptions): boolean {
  return Boolean(process.stdin.isTTY) && interactive(g);
}

/** The error of a command that would ask but cannot: `needs --yes when not run in a terminal`. */
export function needsYesError(g: GlobalOptions, command: string, retry: string, alternative?: string): DeployerError {
  return new DeployerError({
    code: "INVALID_ARGUMENT",
    message: `${command} needs --yes when not run in a terminal${g.output !== "text" ? ` (or with -o ${g.output})` : ""}: there is no one to confirm the deployment`,
    hint: `${retry} --yes deploys without asking${alternative ? `; ${alternative}` : ""}.`,
  });
}

/** Asks a yes/no question on the terminal; only "y" or "yes" is yes. */
export async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
