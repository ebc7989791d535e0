import type { NextConfig } from "next";

// The app imports @harnesshero/client from the npm workspace at the
// repository root (package.json there): Turbopack finds that root from the
// lockfile, so the workspace package resolves without a `file:` link.
const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
