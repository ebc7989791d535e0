// ESLint for the shop: Next.js's rules (core web vitals, React, hooks,
// accessibility of JSX, TypeScript). `npm run lint --workspace web`.
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", ".unit/**", "next-env.d.ts", "e2e/screenshots/**"],
  },
];

export default config;
