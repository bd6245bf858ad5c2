import type { Metadata } from "next";
import { cookies } from "next/headers";
import { connection } from "next/server";
import { parseTheme, THEME_COOKIE } from "@/lib/console/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Mandate", template: "%s · Mandate" },
  description: "Decide, record and review what AI agents may do with their tools.",
  // public/favicon.svg, with public/favicon.ico for clients that ask for /favicon.ico regardless.
  icons: {
    icon: [
      { url: "/favicon.svg", type: "image/svg+xml" },
      { url: "/favicon.ico", sizes: "16x16 32x32" },
    ],
  },
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request, so that Next.js can put the request's CSP nonce on its scripts
  // (lib/http/security.ts): a page prerendered at build time (the 404 page was) has scripts without it,
  // which the browser refuses.
  await connection();
  // The theme is the server's to render (lib/console/theme.ts): no flash of the wrong colours, no script.
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme}>
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
