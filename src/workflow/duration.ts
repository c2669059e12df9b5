import { DeployerError } from "../errors.js";

/** Parse `15m`, `900s`, `1h`, `90` (seconds) into seconds. A bad value is INVALID_ARGUMENT (a flag or an input). */
export function parseDurationSeconds(value: string, option = "--timeout"): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
  if (!m) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `${option} ${JSON.stringify(value)} is not a duration`,
      hint: `use a number of seconds or a unit: ${option} 900, ${option} 15m, ${option} 1h`,
    });
  }
  const n = Number(m[1]);
  const unit = (m[2] ?? "s").toLowerCase();
  const seconds = unit === "ms" ? n / 1000 : unit === "m" ? n * 60 : unit === "h" ? n * 3600 : n;
  if (seconds <= 0) {
    throw new DeployerError({ code: "INVALID_ARGUMENT", message: `${option} must be greater than zero`, hint: `e.g. ${option} 15m` });
  }
  return seconds;
}
