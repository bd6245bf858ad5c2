/**
 * next-auth configuration: credentials (users managed in Mandate) and, when OIDC_ISSUER is set, any
 * standard OpenID provider with its groups mapped to roles (lib/auth/console-user.ts).
 */
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { redirect } from "next/navigation";
import { checkPasswordLogin, currentUserById, roleFromClaims, upsertOidcUser, type ConsoleUser } from "@/lib/auth/console-user";
import type { Role } from "@/lib/identity/credential-cache";
import { forbidden } from "next/navigation";

function providers(): NextAuthOptions["providers"] {
  const list: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(creds) {
        if (!creds?.email || !creds.password) return null;
        const u = await checkPasswordLogin(creds.email, creds.password);
        return u ? { id: u.id, email: u.email, name: u.name ?? u.email } : null;
      },
    }),
  ];
  if (process.env.OIDC_ISSUER && process.env.OIDC_CLIENT_ID) {
    list.push({
      id: "oidc",
      name: process.env.OIDC_DISPLAY_NAME ?? "Single sign-on",
      type: "oauth",
      wellKnown: `${process.env.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: process.env.OIDC_CLIENT_ID,
      clientSecret: process.env.OIDC_CLIENT_SECRET ?? "",
      authorization: { params: { scope: process.env.OIDC_SCOPES ?? "openid email profile groups" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile(profile: Record<string, unknown>) {
        return { id: String(profile.sub), email: String(profile.email ?? ""), name: (profile.name as string) ?? null, claims: profile } as never;
      },
    });
  }
  return list;
}

export const authOptions: NextAuthOptions = {
  providers: providers(),
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login" },
  callbacks: {
    async signIn({ user, account, profile }) {
      if (account?.provider !== "oidc") return true;
      const claims = (profile ?? {}) as Record<string, unknown>;
      const role = roleFromClaims(claims, process.env.OIDC_ROLE_CLAIM ?? "groups", process.env.OIDC_ROLE_MAP);
      if (!role || !user.email) return "/login?error=NoRole";
      const u = await upsertOidcUser(String(claims.sub ?? user.id), user.email, user.name ?? null, role);
      if (!u) return "/login?error=Disabled";
      (user as { mandateId?: string }).mandateId = u.id;
      return true;
    },
    async jwt({ token, user }) {
      if (user) token.uid = (user as { mandateId?: string }).mandateId ?? user.id;
      return token;
    },
    async session({ session, token }) {
      (session as { uid?: string }).uid = token.uid as string;
      return session;
    },
  },
};

/** The signed-in user as stored now (role and disabled status re-read on every request), or null. */
export async function currentUser(): Promise<ConsoleUser | null> {
  const s = await getServerSession(authOptions);
  const uid = (s as { uid?: string } | null)?.uid;
  return uid ? currentUserById(uid) : null;
}

/** For pages: redirects to /login when signed out; 403 when the role is not allowed. */
export async function requireUser(roles?: Role[]): Promise<ConsoleUser> {
  const u = await currentUser();
  if (!u) redirect("/login");
  if (roles && !roles.includes(u.role)) forbidden();
  return u;
}
