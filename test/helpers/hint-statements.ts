// The policy statements deployer pastes into a hint ("Add to the trust policy: {...}"), parsed back,
// so tests can assert on the statement itself rather than its wording.

/** The JSON objects with Effect and Action found in a hint, in order. */
export function statementsIn(hint: string | undefined): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const text = hint ?? "";
  for (let i = text.indexOf("{"); i >= 0; i = text.indexOf("{", i + 1)) {
    for (let j = text.indexOf("}", i); j >= 0; j = text.indexOf("}", j + 1)) {
      try {
        const v = JSON.parse(text.slice(i, j + 1)) as Record<string, unknown>;
        if (v && typeof v === "object" && "Effect" in v && "Action" in v) out.push(v);
        break;
      } catch {
        /* not yet the end of this object */
      }
    }
  }
  return out;
}
