import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "@/app/auth";

/** next-auth 4 types what NextAuth(options) returns as `any`; in an App Router route it is this handler. */
type NextAuthRouteHandler = (req: NextRequest, ctx: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

const handler = NextAuth(authOptions) as NextAuthRouteHandler;
export { handler as GET, handler as POST };
