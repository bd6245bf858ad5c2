import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_STRING, redactArguments } from "./index.ts";

const secrets = readFileSync(join(import.meta.dirname, "corpus", "secrets.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => (JSON.parse(l) as { value: string }).value);
const SENSITIVE = ["ssn", "card_number"];

/** Strings that often contain secrets, fragments of them, or odd characters. */
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 2, arbitrary: fc.constantFrom(...secrets) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...secrets), fc.string({ maxLength: 20 })).map((p) => p.join("")) },
  { weight: 1, arbitrary: fc.constantFrom(...secrets).chain((s) => fc.nat(s.length).map((n) => s.slice(0, n))) },
  { weight: 1, arbitrary: fc.constantFrom("\u0000", "\ud83d", "[REDACTED:jwt]", "sha256:" + "a".repeat(64), "password=hunter22", "Bearer x") },
);
const key = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("password", "api_key", "Authorization", "token", "max_tokens", "ssn", "SSN", "card_number", "__proto__", "a\u0000b"),
  },
);
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("json"), { maxLength: 5 }),
    fc.dictionary(key, tie("json"), { maxKeys: 5 }),
  ),
}));

const redact = (v: unknown) => redactArguments(v, { sensitiveArgs: SENSITIVE });

/** Same shape: same array lengths, same (NUL-free) keys, same types except redacted/hashed values. */
function sameStructure(input: unknown, output: unknown, path = "$"): void {
  if (Array.isArray(input)) {
    expect(Array.isArray(output), path).toBe(true);
    expect((output as unknown[]).length, path).toBe(input.length);
    input.forEach((v, i) => sameStructure(v, (output as unknown[])[i], `${path}[${i}]`));
  } else if (input !== null && typeof input === "object") {
    const out = output as Record<string, unknown>;
    expect(Object.getPrototypeOf(out), path).toBe(Object.prototype);
    const keys = new Set(Object.keys(input).map((k) => k.replaceAll("\u0000", "")));
    expect(new Set(Object.keys(out)), path).toEqual(keys);
    for (const [k, v] of Object.entries(input)) {
      const clean = k.replaceAll("\u0000", "");
      if (clean !== k && Object.hasOwn(input, clean)) continue; // two keys collapsed into one
      if (SENSITIVE.includes(clean.toLowerCase())) expect(out[clean], path).toMatch(/^sha256:[0-9a-f]{64}$/);
      else sameStructure(v, out[clean], `${path}.${clean}`);
    }
  } else if (typeof input === "string") {
    expect(typeof output, path).toBe("string");
  } else {
    expect(output, path).toBe(input);
  }
}

function strings(v: unknown, acc: string[] = []): string[] {
  if (typeof v === "string") acc.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, acc));
  else if (v !== null && typeof v === "object") Object.values(v).forEach((x) => strings(x, acc));
  return acc;
}

describe("redactArguments properties", () => {
  it("never throws and preserves the structure", () => {
    fc.assert(
      fc.property(json, (input) => {
        sameStructure(input, redact(input).redacted);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 500) },
    );
  });

  it("never throws on values that are not JSON at all", () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withNullPrototype: true,
          withObjectString: true,
          withSparseArray: true,
        }),
        (input) => {
          redact(input);
          redact({ ssn: input, nested: [input] });
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(json, (input) => {
        const once = redact(input).redacted;
        const twice = redact(once);
        expect(twice.redacted).toEqual(once);
        expect(twice.redactions).toEqual([]);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 500) },
    );
  });

  it("never grows unboundedly and leaves no NUL or lone surrogate", () => {
    fc.assert(
      fc.property(json, (input) => {
        const out = redact(input).redacted;
        for (const s of strings(out)) {
          expect(s.length).toBeLessThanOrEqual(MAX_STRING);
          expect(s).not.toContain("\u0000");
          expect((s as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
        }
        const leaves = strings(input).length + 1;
        expect(JSON.stringify(out).length).toBeLessThanOrEqual(3 * JSON.stringify(input).length + 80 * leaves);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 500) },
    );
  });

  it("never lets a corpus secret through, wherever it is embedded", () => {
    fc.assert(
      fc.property(fc.constantFrom(...secrets), fc.string({ maxLength: 10 }), fc.constantFrom(" ", "\n", "\t", "(", '"', "'", "; "), (secret, noise, sep) => {
        const out = redact({ a: [`${noise}${sep}${secret}${sep}${noise}`] }).redacted as { a: string[] };
        expect(out.a[0]).toContain("[REDACTED:");
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });
});
