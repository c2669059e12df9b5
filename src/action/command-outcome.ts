// What an Action command ends with: nothing (success), or the one-line reason the step fails.
// Thrown errors (configuration, AWS, inputs) fail the step too; see main.ts.
export interface CommandOutcome {
  failed?: string;
}
