import type { Command } from "commander";

// Placeholder until the command is implemented: see its issue.
export function register(_program: Command): void {}
