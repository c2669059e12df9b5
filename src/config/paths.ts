// Paths into configuration values. Internally a path is a list of segments (object keys and array
// indexes); Ajv speaks JSON pointers (`/vars/cpu`); users read dotted paths (`vars.cpu`,
// `sensitive[0]`), which is also the key format of `Target.locations`.

export type PathSegment = string | number;

export function toPointer(path: readonly PathSegment[]): string {
  return path.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** Splits a JSON pointer into its raw (string) segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** `vars.cpu`, `sensitive[0]`, `containerDefinitions[0].image`. */
export function toDotted(path: readonly PathSegment[]): string {
  let out = "";
  for (const s of path) {
    if (typeof s === "number") out += `[${s}]`;
    else out += out === "" ? s : `.${s}`;
  }
  return out;
}

/**
 * Resolves a JSON pointer's segments against a value, so array indexes become numbers
 * (`/sensitive/0` -> ["sensitive", 0]) and the dotted form is right.
 */
export function pointerToPath(pointer: string, root: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  let cur: unknown = root;
  for (const seg of pointerSegments(pointer)) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
