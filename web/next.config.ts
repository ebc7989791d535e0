import path from "node:path";

import type { NextConfig } from "next";

// The app imports @harnesshero/client from the npm workspace at the
// repository root (package.json there): Turbopack finds that root from the
// lockfile, so the workspace package resolves without a `file:` link.
//
// NEXT_OUTPUT=standalone (the image, web/Dockerfile) writes a self-contained
// server to .next/standalone, tracing files from the repository root.
const standalone = process.env.NEXT_OUTPUT === "standalone";

const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  ...(standalone ? { output: "standalone", outputFileTracingRoot: path.resolve(process.cwd(), "..") } : {}),
};

export default config;
