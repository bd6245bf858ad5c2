import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DETECTORS, type DetectorName } from "./registry.ts";

interface Sample {
  text: string;
  expect: Partial<Record<DetectorName, number>>;
  note: string;
}

const jsonl = <T>(path: string): T[] =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as T);

// The PII corpus (positives and look-alikes, every detector run on every line) plus the redaction
// corpus for the secrets detector (each secret line holds exactly one secret; look-alikes none).
const redaction = join(import.meta.dirname, "..", "redaction", "corpus");
const CORPUS: Sample[] = [
  ...jsonl<Sample>(join(import.meta.dirname, "corpus", "corpus.jsonl")),
  ...jsonl<{ value: string; kind: string }>(join(redaction, "secrets.jsonl")).map((s) => ({
    text: s.value,
    expect: { secrets: 1 },
    note: `redaction corpus: ${s.kind}`,
    only: "secrets",
  })),
  ...jsonl<{ value: string; note: string }>(join(redaction, "look-alikes.jsonl")).map((l) => ({
    text: l.value,
    expect: {},
    note: `redaction look-alike: ${l.note}`,
    only: "secrets",
  })),
];

/**
 * Floors: a detector that fires on look-alikes pushes sessions into labels they do not deserve (and
 * policies then deny legitimate calls), so precision must stay at or above 0.95; recall at or above 0.9
 * on this corpus, whose positives are the formats each detector claims to cover (docs/gateway.md).
 */
const PRECISION_FLOOR = 0.95;
const RECALL_FLOOR = 0.9;

function score(name: DetectorName) {
  const d = DETECTORS.find((x) => x.name === name)!;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const misses: string[] = [];
  for (const s of CORPUS as Array<Sample & { only?: DetectorName }>) {
    if (s.only && s.only !== name) continue;
    const want = s.expect[name] ?? 0;
    const got = d.count(s.text);
    tp += Math.min(got, want);
    fp += Math.max(0, got - want);
    fn += Math.max(0, want - got);
    if (got !== want) misses.push(`${got > want ? "FP" : "FN"} ${s.note}: ${JSON.stringify(s.text.slice(0, 80))}`);
  }
  return { tp, fp, fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn), misses };
}

describe("detectors on the committed corpus", () => {
  const rows = DETECTORS.map((d) => ({ name: d.name, ...score(d.name) }));

  it("prints precision and recall per detector", () => {
    const lines = rows.map(
      (r) =>
        `${r.name.padEnd(13)} tp=${String(r.tp).padStart(3)} fp=${String(r.fp).padStart(2)} fn=${String(r.fn).padStart(2)} precision=${r.precision.toFixed(3)} recall=${r.recall.toFixed(3)}`,
    );
    console.log(`corpus: ${CORPUS.length} samples\n${lines.join("\n")}`);
    for (const r of rows) if (r.misses.length > 0) console.log(`${r.name} misses:\n  ${r.misses.join("\n  ")}`);
  });

  it.each(DETECTORS.map((d) => d.name))("%s stays above the precision and recall floors", (name) => {
    const r = rows.find((x) => x.name === name)!;
    expect(r.tp, "the corpus must hold positives for every detector").toBeGreaterThanOrEqual(10);
    expect(r.precision).toBeGreaterThanOrEqual(PRECISION_FLOOR);
    expect(r.recall).toBeGreaterThanOrEqual(RECALL_FLOOR);
  });

  it("has look-alikes for the PII detectors", () => {
    const lookAlikes = CORPUS.filter((s) => s.note.startsWith("look-alike:"));
    expect(lookAlikes.length).toBeGreaterThanOrEqual(60);
  });
});
