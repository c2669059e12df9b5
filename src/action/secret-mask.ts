// Sensitive values in the Action: every one is registered with the runner (`::add-mask::`, so the
// runner replaces it by *** in the log) before anything that could contain it is written, and every
// line the Action writes is also scrubbed by deployer's own redaction (the plan's "(sensitive)").
//
// Mask first: the values of every target's `sensitive:` paths, in every form deployer itself writes
// them (as is, upper and lower case, JSON-escaped, line by line), are registered right after the
// configuration is loaded (prepareRun's onLoaded), before anything is rendered, planned or printed.
// What the template engine then records as written from sensitive input (a lookup's result, a
// default) is registered as soon as the plan exists, before the plan is logged.
import type { Project } from "../config/types.js";
import { terminalText } from "../report/escape.js";
import { MIN_SCRUB_LENGTH, collectSensitiveValues, mergeSensitiveValues, scrubString, sensitiveVariants } from "../render/redact.js";

export class SecretMask {
  private values: string[] = [];
  private readonly masked = new Set<string>();

  /** @param setSecret the runner's mask command (core.setSecret). */
  constructor(private readonly setSecret: (value: string) => void) {}

  /**
   * Registers values and their forms. Values shorter than MIN_SCRUB_LENGTH are kept for whole-field
   * redaction but not masked in the log (masking "42" would blank out every 42 of the log and hide
   * nothing; sensitive paths refuse values under 8 characters at validate). Multi-line values are
   * masked line by line too, as the runner matches line by line.
   */
  add(values: readonly string[]): void {
    const forms = values.flatMap((v) => [...sensitiveVariants(v), terminalText(v)]);
    this.values = mergeSensitiveValues(this.values, forms);
    for (const v of forms) {
      for (const piece of [v, ...v.split(/\r?\n/)]) {
        const p = piece.trim();
        if (p.length < MIN_SCRUB_LENGTH || this.masked.has(p)) continue;
        this.masked.add(p);
        this.setSecret(p);
      }
    }
  }

  /** The sensitive values of every target of the project (its `sensitive:` paths). */
  addProject(project: Project): void {
    this.add(mergeSensitiveValues(...project.targets.map((t) => collectSensitiveValues(t))));
  }

  all(): string[] {
    return [...this.values];
  }

  scrub(text: string): string {
    return scrubString(text, this.values);
  }
}
