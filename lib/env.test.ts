import { afterEach, describe, expect, it, vi } from "vitest";

/** env() as a fresh process would parse it, with these variables set (the module caches its answer). */
async function freshEnv(vars: Record<string, string>) {
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  vi.resetModules();
  return (await import("./env.ts")).env;
}
afterEach(() => vi.unstubAllEnvs());

describe("env(): the one place configuration is read", () => {
  it("MANDATE_DECISION_CACHE: on unless 0, and any other value stops start-up naming the variable", async () => {
    expect((await freshEnv({}))().MANDATE_DECISION_CACHE).toBe(true);
    expect((await freshEnv({ MANDATE_DECISION_CACHE: "0" }))().MANDATE_DECISION_CACHE).toBe(false);
    const bad = await freshEnv({ MANDATE_DECISION_CACHE: "off" });
    expect(() => bad()).toThrow(/MANDATE_DECISION_CACHE: must be 0 or 1/);
  });

  it("the console's OpenID settings, with their defaults (app/auth.ts reads only these)", async () => {
    const e = (await freshEnv({ OIDC_ISSUER: "https://idp.example", OIDC_CLIENT_ID: "mandate" }))();
    expect(e).toMatchObject({
      OIDC_ISSUER: "https://idp.example",
      OIDC_CLIENT_ID: "mandate",
      OIDC_SCOPES: "openid email profile groups",
      OIDC_DISPLAY_NAME: "Single sign-on",
      OIDC_ROLE_CLAIM: "groups",
    });
    expect((await freshEnv({ OIDC_SCOPES: "openid email", OIDC_DISPLAY_NAME: "Okta" }))()).toMatchObject({
      OIDC_SCOPES: "openid email",
      OIDC_DISPLAY_NAME: "Okta",
    });
  });

  it("MANDATE_METRICS_LISTEN (default 127.0.0.1:9464, off, host:port) and MANDATE_METRICS_TOKEN: a wrong value stops start-up naming it", async () => {
    const defaults = (await freshEnv({}))();
    expect(defaults.MANDATE_METRICS_LISTEN).toBe("127.0.0.1:9464");
    expect(defaults.MANDATE_METRICS_TOKEN).toBeUndefined();
    expect((await freshEnv({ MANDATE_METRICS_LISTEN: "off" }))().MANDATE_METRICS_LISTEN).toBe("off");
    expect((await freshEnv({ MANDATE_METRICS_LISTEN: "[::1]:0" }))().MANDATE_METRICS_LISTEN).toBe("[::1]:0");
    const badListen = await freshEnv({ MANDATE_METRICS_LISTEN: "9464" });
    expect(() => badListen()).toThrow(/MANDATE_METRICS_LISTEN: must be host:port/);
    const shortToken = await freshEnv({ MANDATE_METRICS_TOKEN: "short" });
    expect(() => shortToken()).toThrow(/MANDATE_METRICS_TOKEN: must be at least 16 characters/);
  });

  it("the evaluator's decision cache follows it", async () => {
    await freshEnv({ MANDATE_DECISION_CACHE: "0" });
    const { CedarEvaluator } = await import("./policy/evaluator.ts");
    const ev = new CedarEvaluator(0);
    expect(ev.cacheEnabled).toBe(false);
    await ev.close();
  });
});
