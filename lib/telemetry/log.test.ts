import { afterEach, describe, expect, it } from "vitest";
import { childLogger, logger, setLogOutput } from "./log.ts";

let lines: string[] = [];
const capture = (level: Parameters<typeof setLogOutput>[1]) => {
  lines = [];
  setLogOutput((l) => lines.push(l), level);
};
const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

afterEach(() => setLogOutput(null));

describe("the node's JSON log", () => {
  it("writes one JSON object per line with time, level, msg, process and the fields given", () => {
    capture("debug");
    logger.info("node listening", { request_id: "req-1", component: "http" });
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith("\n")).toBe(true);
    expect(lines[0].slice(0, -1)).not.toContain("\n");
    const [l] = parsed();
    expect(l).toMatchObject({ level: "info", msg: "node listening", process: "main", request_id: "req-1", component: "http" });
    expect(new Date(String(l.time)).toISOString()).toBe(l.time);
  });

  it("honours the level: below it nothing is written", () => {
    capture("warn");
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(parsed().map((l) => l.level)).toEqual(["warn", "error"]);
    capture("error");
    childLogger({ component: "x" }).warn("w");
    expect(lines).toHaveLength(0);
  });

  it("never writes a secret: keys and tokens in the message, in fields, in errors, and fields named as secrets", () => {
    capture("debug");
    const agentKey = "mnd_ak_abcd2345_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0";
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    logger.error(`request with Authorization: Bearer ${jwt} failed`, {
      url: "postgresql://postgres:s3cr3t-Passw0rd@127.0.0.1:5432/mandate",
      err: new Error(`refused key ${agentKey}`),
      token: "anything-at-all",
      nested: { api_key: "whatever-it-is", list: [jwt] },
    });
    const text = lines.join("");
    for (const secret of [jwt, "s3cr3t-Passw0rd", agentKey.slice(16), "anything-at-all", "whatever-it-is"]) expect(text).not.toContain(secret);
    const [l] = parsed();
    expect(l.token).toBe("[REDACTED]");
    expect(String(l.msg)).toContain("[REDACTED:");
  });
});
