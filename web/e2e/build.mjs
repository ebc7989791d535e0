// npm run e2e builds the app once (next build) before the browser test
// files run, each against its own fresh platform and `next start`.
import { buildApp } from "./support.mjs";

buildApp();
