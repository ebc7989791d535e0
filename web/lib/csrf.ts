// The header the browser's transport (and every fetch of the app's own
// routes) sends with each request to /api: a cross-site form or a plain
// cross-site fetch cannot set it (a custom header needs a CORS preflight,
// which the app never grants), and the routes refuse a request without it.

export const CSRF_HEADER = "X-Harness-CSRF";

/** Headers for a fetch of the app's own routes. */
export const CSRF_HEADERS: Record<string, string> = { [CSRF_HEADER]: "1" };
