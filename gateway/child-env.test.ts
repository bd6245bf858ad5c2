import { describe, expect, it } from "vitest";
import { buildChildEnv } from "./child-env.ts";

describe("buildChildEnv", () => {
  it("drops MANDATE_* variables and any variable holding a secret", () => {
    const env = buildChildEnv({
      inherited: { PATH: "/bin", MANDATE_API_KEY: "mk_secret_value", mandate_url: "http://x", COPY: "prefix-mk_secret_value", HOME: "/h" },
      configured: { API_TOKEN: "upstream-own", MANDATE_OTHER: "x" },
      secrets: ["mk_secret_value"],
    });
    expect(env).toEqual({ PATH: "/bin", HOME: "/h", API_TOKEN: "upstream-own" });
  });

  it("lets configured values override inherited ones", () => {
    expect(buildChildEnv({ inherited: { A: "1" }, configured: { A: "2" } })).toEqual({ A: "2" });
  });
});
