// What a rendered task definition owes to sensitive input: the fields (JSON pointers) whose text
// came, even partly, from a value under a `sensitive:` path or from a helper or lookup that took one,
// and the texts themselves (what each such expression wrote, and each such field's whole value).
// Recorded by the template engine's taint tracking (template-engine.ts) and kept beside the rendered
// definition object, so every later reader (plan, render, drift) finds it without a new parameter.

export interface RenderedSensitivity {
  /** JSON pointers (RFC 6901) into the definition: values or keys written from sensitive input. */
  pointers: string[];
  /** Texts derived from sensitive input, unique, longest first, never empty. */
  values: string[];
}

const byDefinition = new WeakMap<object, RenderedSensitivity>();

export function attachSensitivity(def: object, s: RenderedSensitivity): void {
  byDefinition.set(def, { pointers: [...s.pointers], values: [...s.values] });
}

/** The sensitivity recorded when `def` was rendered (nothing for definitions read from AWS). */
export function sensitivityOf(def: object | undefined): RenderedSensitivity {
  const s = def ? byDefinition.get(def) : undefined;
  return s ? { pointers: [...s.pointers], values: [...s.values] } : { pointers: [], values: [] };
}
