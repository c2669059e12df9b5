// A strict JSON reader that also says where things are: the offset of every value (by JSON
// pointer), and for invalid input the offset of the first error. JSON.parse on Node 20 often omits
// the position, and a rendered template's error must point at a template line.

export interface JsonScan {
  value: unknown;
  /** Offset of each value, by JSON pointer ("" is the root). */
  offsets: Map<string, number>;
  /** Extent [start, end) of each value, by JSON pointer. */
  spans: Map<string, { start: number; end: number }>;
  /** Extent [start, end) of the key of each object member, by the member's JSON pointer. */
  keySpans: Map<string, { start: number; end: number }>;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** Parses `text`; throws JsonSyntaxError (with the offset) on invalid JSON or a repeated key. */
export function scanJson(text: string): JsonScan {
  let i = 0;
  const offsets = new Map<string, number>();
  const spans = new Map<string, { start: number; end: number }>();
  const keySpans = new Map<string, { start: number; end: number }>();

  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  // What is at an offset, by kind: the output may hold a value there, and errors never quote values.
  const describe = (at: number) => {
    if (at >= text.length) return "end of input";
    const c = text[at]!;
    if ('{}[]:,"'.includes(c)) return `'${c}'`;
    if (c === "\n" || c === "\r") return "a line break";
    if (c < " ") return "a control character";
    if (/\p{L}/u.test(c)) return "a letter";
    if (/\d/.test(c)) return "a digit";
    return "another character";
  };

  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return JSON.parse(text.slice(start, i)) as string;
      }
      if (c === 0x5c) {
        const n = text[i + 1];
        if (n === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("invalid \\u escape in string", i);
          i += 6;
        } else if (n !== undefined && '"\\/bfnrt'.includes(n)) i += 2;
        else fail(`invalid escape \\${n ?? ""} in string`, i);
        continue;
      }
      if (c < 0x20) fail(c === 0x0a ? "line break inside a string" : "control character inside a string", i);
      i++;
    }
    return fail("unterminated string", start);
  };

  const num = (): number => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "-") fail(`unexpected ${describe(i)}`);
    i += m![0].length;
    return Number(m![0]);
  };

  const value = (pointer: string, depth: number): unknown => {
    if (depth > 200) fail("nested too deeply");
    ws();
    const start = i;
    offsets.set(pointer, start);
    const v = valueAt(pointer, depth);
    spans.set(pointer, { start, end: i });
    return v;
  };

  const valueAt = (pointer: string, depth: number): unknown => {
    const c = text[i];
    if (c === "{") {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a "quoted" key, got ${describe(i)}`);
        const keyAt = i;
        const key = str();
        const keyEnd = i;
        if (Object.prototype.hasOwnProperty.call(out, key)) fail("a key appears twice in the same object", keyAt);
        ws();
        if (text[i] !== ":") fail(`expected ':' after a key, got ${describe(i)}`);
        i++;
        const member = `${pointer}/${escapePointer(key)}`;
        keySpans.set(member, { start: keyAt, end: keyEnd });
        Object.defineProperty(out, key, { value: value(member, depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "}") fail("trailing comma before '}'");
          continue;
        }
        if (text[i] === "}") {
          i++;
          return out;
        }
        fail(`expected ',' or '}', got ${describe(i)}`);
      }
    }
    if (c === "[") {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(`${pointer}/${out.length}`, depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "]") fail("trailing comma before ']'");
          continue;
        }
        if (text[i] === "]") {
          i++;
          return out;
        }
        fail(`expected ',' or ']', got ${describe(i)}`);
      }
    }
    if (c === '"') return str();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return num();
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(`unexpected ${describe(i)}; expected a value (string, number, object, list, true, false or null)`);
  };

  const v = value("", 0);
  ws();
  if (i < text.length) fail(`unexpected ${describe(i)} after the end of the JSON value`);
  return { value: v, offsets, spans, keySpans };
}
