/**
 * next-auth configuration: credentials (users managed in Mandate) and, when OIDC_ISSUER is set, any
 * standard OpenID provider with its groups mapped to roles. The rules live in lib/auth: password
 * sign-in with throttling (password-sign-in.ts), explicit identity linking (sso.ts), console sessions
 * checked on every request and ended by sign-out (console-session.ts). The client address comes from
 * the header server/main.ts stamps on every console request (lib/auth/client-address.ts).
 */
import type { NextAuthOptions, User } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { CLIENT_ADDRESS_HEADER } from "@/lib/auth/client-address";
import { loginUrlFor, REQUEST_PATH_HEADER, safeReturnPath } from "@/lib/auth/return-path";
import { CONSOLE_SESSION_MAX_AGE_S, consoleUserOfSession, endConsoleSession, startConsoleSession } from "@/lib/auth/console-session";
import { roleFromClaims, type ConsoleUser } from "@/lib/auth/console-user";
import { passwordSignIn } from "@/lib/auth/password-sign-in";
import { ssoSignIn } from "@/lib/auth/sso";
import { env } from "@/lib/env";
import { MandateError } from "@/lib/errors";
import type { Role } from "@/lib/identity/credential-cache";
import { runtime } from "@/lib/runtime/runtime";

/** The client address of the request being handled ("unknown" outside a `mandate start` node). */
async function requestSource(): Promise<string> {
  return (await headers()).get(CLIENT_ADDRESS_HEADER) ?? "unknown";
}

/** What authorize() returns for a throttled attempt: the signIn callback turns it into the redirect. */
interface Throttled extends User {
  throttledForS: number;
}

function providers(): NextAuthOptions["providers"] {
  const list: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(creds) {
        const r = await passwordSignIn(runtime(), String(creds?.email ?? ""), String(creds?.password ?? ""), await requestSource());
        if (r.ok) return { id: r.user.id, email: r.user.email, name: r.user.name ?? r.user.email };
        if (r.reason === "throttled") return { id: "", throttledForS: r.retryAfterS } satisfies Throttled;
        return null;
      },
    }),
  ];
  const e = env();
  if (e.OIDC_ISSUER && e.OIDC_CLIENT_ID) {
    list.push({
      id: "oidc",
      name: e.OIDC_DISPLAY_NAME,
      type: "oauth",
      wellKnown: `${e.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET ?? "",
      authorization: { params: { scope: e.OIDC_SCOPES } },
      idToken: true,
      checks: ["pkce", "state"],
      profile(profile: Record<string, unknown>) {
        return {
          id: String(profile.sub),
          email: typeof profile.email === "string" ? profile.email : "",
          name: (profile.name as string) ?? null,
          claims: profile,
        } as never;
      },
    });
  }
  return list;
}

export const authOptions: NextAuthOptions = {
  providers: providers(),
  session: { strategy: "jwt", maxAge: CONSOLE_SESSION_MAX_AGE_S },
  pages: { signIn: "/login" },
  callbacks: {
    /** After sign-in: only a page of this console (lib/auth/return-path.ts), else the dashboard. */
    redirect({ url, baseUrl }) {
      const base = baseUrl.replace(/\/$/, "");
      if (url.startsWith(`${base}/`)) url = url.slice(base.length);
      return `${base}${safeReturnPath(url)}`;
    },
    async signIn({ user, account, profile }) {
      const throttled = (user as Partial<Throttled>).throttledForS;
      if (throttled !== undefined) return `/login?error=TooManyAttempts&retry_after=${throttled}`;
      if (account?.provider !== "oidc") return true;
      // The ID token's claims (verified by next-auth against the provider's keys and issuer).
      const claims = (profile ?? {}) as Record<string, unknown>;
      const r = await ssoSignIn(runtime(), {
        issuer: typeof claims.iss === "string" ? claims.iss : "",
        subject: typeof claims.sub === "string" ? claims.sub : "",
        email: typeof claims.email === "string" ? claims.email : null,
        emailVerified: claims.email_verified === true,
        name: typeof claims.name === "string" ? claims.name : null,
        role: roleFromClaims(claims, env().OIDC_ROLE_CLAIM, env().OIDC_ROLE_MAP),
        source: await requestSource(),
      });
      if (!r.ok) return `/login?error=${r.error}`;
      (user as { mandateId?: string }).mandateId = r.user.id;
      return true;
    },
    async jwt({ token, user, account }) {
      if (user) {
        // A sign-in: a new console session, whose id the cookie carries.
        const uid = (user as { mandateId?: string }).mandateId ?? user.id;
        const provider = account?.provider === "oidc" ? "oidc" : "credentials";
        token.uid = uid;
        token.sid = await startConsoleSession(runtime(), uid, provider, await requestSource());
      }
      return token;
    },
    async session({ session, token }) {
      Object.assign(session, { uid: token.uid, sid: token.sid });
      return session;
    },
  },
  events: {
    async signOut({ token }) {
      if (typeof token?.sid === "string") await endConsoleSession(runtime(), token.sid, "signout");
    },
  },
};

/** The signed-in user as stored now (live session; role and disabled status re-read on every request), or null. */
export async function currentUser(): Promise<ConsoleUser | null> {
  const s: { uid?: unknown; sid?: unknown } | null = await getServerSession(authOptions);
  return s ? consoleUserOfSession(s.sid, s.uid) : null;
}

/**
 * For pages: redirects to /login when signed out, carrying the page asked for (same-origin paths only)
 * so that sign-in lands there; 403 when the role is not allowed.
 */
export async function requireUser(roles?: Role[]): Promise<ConsoleUser> {
  const u = await currentUser();
  if (!u) redirect(loginUrlFor((await headers()).get(REQUEST_PATH_HEADER)));
  if (roles && !roles.includes(u.role)) forbidden();
  return u;
}

/** For the console's JSON route handlers: the signed-in user, or a 401 (answered as problem+json, no redirect). */
export async function requireApiUser(): Promise<ConsoleUser> {
  const u = await currentUser();
  if (!u) throw new MandateError(401, "unauthorized", "sign in to the console");
  return u;
}
