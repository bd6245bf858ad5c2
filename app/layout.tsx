import type { Metadata } from "next";
import { connection } from "next/server";
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
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
