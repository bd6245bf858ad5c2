import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_DEPTH, MAX_STRING, MAX_TOTAL, redactArguments, secretKeyKind, TRUNCATED_VALUE } from "./index.ts";

interface SecretCase {
  kind: string;
  value: string;
  secret?: string;
  note?: string;
}
interface LookAlike {
  value: string;
  note: string;
}

const corpus = <T>(name: string): T[] =>
  readFileSync(join(import.meta.dirname, "corpus", name), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as T);
const SECRETS = corpus<SecretCase>("secrets.jsonl");
const LOOK_ALIKES = corpus<LookAlike>("look-alikes.jsonl");
const redact = (args: unknown, sensitiveArgs: string[] = []) => redactArguments(args, { sensitiveArgs });
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe("corpus", () => {
  it("has at least 40 secrets of every kind and 40 look-alikes", () => {
    expect(SECRETS.length).toBeGreaterThanOrEqual(40);
    expect(LOOK_ALIKES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(SECRETS.map((s) => s.kind)).size).toBeGreaterThanOrEqual(17);
  });

  it.each(SECRETS.map((s) => [`${s.kind}${s.note ? ` (${s.note})` : ""}`, s] as const))("redacts %s", (_label, s) => {
    const { redacted, redactions } = redact({ text: s.value });
    const text = (redacted as { text: string }).text;
    expect(text).toContain(`[REDACTED:${s.kind}]`);
    expect(text).not.toContain(s.secret ?? s.value);
    expect(redactions).toContainEqual({ path: "/text", kind: "secret", pattern: s.kind });
  });

  it.each(LOOK_ALIKES.map((l) => [l.note, l] as const))("leaves alone: %s", (_label, l) => {
    const { redacted, redactions } = redact({ text: l.value, note: l.note });
    expect(redactions).toEqual([]);
    expect(redacted).toEqual({ text: l.value, note: l.note });
  });

  it("keeps the context around a secret and the non-secret key id of Mandate keys", () => {
    const key = SECRETS.find((s) => s.kind === "mandate_agent_key")!.value;
    const { redacted } = redact({ cmd: `curl -H "x-api-key: ${key}" https://mandate.acme.example` });
    expect(redacted).toEqual({ cmd: `curl -H "x-api-key: ${key.slice(0, 15)}_[REDACTED:mandate_agent_key]" https://mandate.acme.example` });
    const url = redact("postgres://mandate:s3cr3tPassw0rd@db:5432/app").redacted;
    expect(url).toBe("postgres://mandate:[REDACTED:url_password]@db:5432/app");
  });

  it("finds an assignment after a separator or inside another key's value (property-test regression)", () => {
    expect(redact(": X-Api-Key=7bZJysgEzaAgTmwuIMPkC4fk2HAuqHMf :").redacted).toBe(": X-Api-Key=[REDACTED:generic_secret] :");
    expect(redact("note: api_key=7bZJysgEzaAgTmwuIMPkC4fk2HAuqHMf").redacted).toBe("note: api_key=[REDACTED:generic_secret]");
    expect(redact("password: required").redacted).toBe("password: required");
  });
});

describe("credential-like keys", () => {
  it("redacts passwords of any strength and high-entropy values under secret keys", () => {
    const { redacted, redactions } = redact({
      user: "alice",
      password: "hunter2",
      headers: { Authorization: "Basic YWxpY2U6aHVudGVyMg==", "X-Api-Key": "9fK2mQ7vX1pL8zR4" },
      oauth: { client_secret: "c8d1e7f2a9b3c4d5e6f7a8b9", refresh_token: "1//0gL-abc123XYZ" },
    });
    expect(redacted).toEqual({
      user: "alice",
      password: "[REDACTED:password]",
      headers: { Authorization: "[REDACTED:generic_secret]", "X-Api-Key": "[REDACTED:generic_secret]" },
      oauth: { client_secret: "[REDACTED:generic_secret]", refresh_token: "[REDACTED:generic_secret]" },
    });
    expect(redactions.map((r) => r.path)).toEqual([
      "/password",
      "/headers/Authorization",
      "/headers/X-Api-Key",
      "/oauth/client_secret",
      "/oauth/refresh_token",
    ]);
  });

  it("leaves counters, types, placeholders and prose under such keys alone", () => {
    const args = {
      max_tokens: 4096,
      token_type: "Bearer",
      next_page_token: "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA",
      password: "",
      api_key: "YOUR_API_KEY",
      secret: "a surprise party",
      token: "short",
    };
    expect(redact(args)).toEqual({ redacted: args, redactions: [] });
  });

  it("classifies key names", () => {
    expect(secretKeyKind("DB_PASSWORD")).toBe("password");
    expect(secretKeyKind("apiKey")).toBe("generic_secret");
    expect(secretKeyKind("x-api-key")).toBe("generic_secret");
    expect(secretKeyKind("AWS_SECRET_ACCESS_KEY")).toBe("generic_secret");
    for (const k of ["author", "keyword", "monkey", "tokenCount", "password_reset_url", "key"]) expect(secretKeyKind(k), k).toBeNull();
  });
});

describe("sensitive arguments", () => {
  it("replaces them, at any depth and in any case, by the SHA-256 of their canonical JSON", () => {
    const { redacted, redactions } = redact({ ssn: "123-45-6789", patient: { SSN: "987-65-4321", card: { number: "4242", exp: "12/30" } }, note: "ok" }, [
      "ssn",
      "card",
    ]);
    expect(redacted).toEqual({
      ssn: `sha256:${sha256('"123-45-6789"')}`,
      patient: { SSN: `sha256:${sha256('"987-65-4321"')}`, card: `sha256:${sha256('{"exp":"12/30","number":"4242"}')}` },
      note: "ok",
    });
    expect(redactions).toEqual([
      { path: "/ssn", kind: "sensitive" },
      { path: "/patient/SSN", kind: "sensitive" },
      { path: "/patient/card", kind: "sensitive" },
    ]);
  });

  it("gives equal values equal hashes and does not hash a hash again", () => {
    const a = redact({ ssn: "123-45-6789" }, ["ssn"]).redacted;
    expect(redact({ ssn: "123-45-6789" }, ["ssn"]).redacted).toEqual(a);
    expect(redact(a, ["ssn"])).toEqual({ redacted: a, redactions: [] });
  });
});

describe("storage safety", () => {
  it("strips NUL characters (keys too) and repairs lone surrogates", () => {
    expect(redact({ "a\u0000b": "x\u0000y", s: "ok \ud83d" }).redacted).toEqual({ ab: "xy", s: "ok \ufffd" });
  });

  it("truncates long strings to MAX_STRING with a marker, without leaking a secret cut in half", () => {
    const token = "ghp_" + "A1b2C3d4E5".repeat(4);
    const long = "word ".repeat(1637) + "x" + token + " tail " + "z".repeat(5000);
    const out = redact({ long }).redacted as { long: string };
    expect(out.long.length).toBeLessThanOrEqual(MAX_STRING);
    expect(out.long).toMatch(/…\[TRUNCATED:\d+ chars\]$/);
    expect(out.long).not.toContain("A1b2C3");
    const huge = "y".repeat(1_000_000);
    expect((redact(huge).redacted as string).length).toBeLessThanOrEqual(MAX_STRING);
  });

  it("caps the total size and the depth", () => {
    const many = Array.from({ length: 100 }, () => "z".repeat(MAX_STRING));
    const out = redact(many).redacted as string[];
    expect(out).toHaveLength(100);
    expect(out.join("").length).toBeLessThanOrEqual(MAX_TOTAL + MAX_STRING);
    expect(out.at(-1)).toBe(TRUNCATED_VALUE);
    let deep: unknown = "bottom";
    for (let i = 0; i < 1000; i++) deep = { d: deep };
    let cursor = redact(deep).redacted as { d: unknown };
    for (let i = 0; i < MAX_DEPTH; i++) cursor = cursor.d as { d: unknown };
    expect(cursor).toBe("[TRUNCATED:depth]");
  });

  it("keeps a __proto__ key as data and never pollutes prototypes", () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes"}, "a": 1}');
    const out = redact(input).redacted as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__", "a"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("speed (hot path)", () => {
  const time = (fn: () => void) => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };

  it("handles adversarial strings without catastrophic backtracking", () => {
    const nasty = [
      "eyJ-".repeat(2300),
      "eyJaaaaaaaaaa.".repeat(700),
      "sk-".repeat(3000),
      "https://" + "a:".repeat(4500),
      "a://b".repeat(1800) + ":",
      "-----BEGIN PRIVATE KEY-----".repeat(300),
      "password=".repeat(1000),
      "Bearer ".repeat(1300),
      ("a".repeat(40) + "=").repeat(220),
      "xoxb-".repeat(1800),
      "\ud83d".repeat(9000),
    ];
    for (const s of nasty)
      expect(
        time(() => redact({ s })),
        s.slice(0, 20),
      ).toBeLessThan(150);
  });

  it("redacts a typical argument object in well under a millisecond", () => {
    const args = {
      path: "notes/q3-plan.md",
      content: "# Plan\n\nShip the gateway. Contact amelia.hartmann@northwind.example about the renewal.\n".repeat(10),
      options: { overwrite: true, mode: 420, tags: ["plan", "q3"] },
      headers: { Authorization: "Bearer abcDEF123456ghiJKL789", Accept: "application/json" },
    };
    redact(args); // warm up
    const n = 5000;
    const ms = time(() => {
      for (let i = 0; i < n; i++) redact(args, ["ssn"]);
    });
    expect(ms / n).toBeLessThan(0.5);
  });
});
