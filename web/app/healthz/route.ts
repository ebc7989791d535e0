// GET /healthz: the web server is up. The orchestrators' probes (deploy/k8s
// web.yaml, compose's healthcheck) call it; it asks the API nothing, so an
// API outage does not restart or unroute the shop's servers.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return new Response("ok\n", {
    status: 200,
    headers: { "cache-control": "no-store", "content-type": "text/plain; charset=utf-8" },
  });
}
