// POST /api/test-payments {orderId, card}: "Pay with test card" for the
// embedded payment provider. Off unless HARNESS_TEST_PAYMENTS_SECRET_FILE
// names the provider's webhook secret (the API's <data-dir>/keys/
// webhook-secret; `make run` sets it). The caller's session (its cookies,
// refreshed when due) reads the order (so only its owner can pay it); the
// payment is then reported the way the provider would, by a signed webhook
// to the API. Only from the shop's own pages (crossSite).

import { readFile } from "node:fs/promises";

import { serverApiUrl } from "@/lib/config";
import { Code, ConnectError, OrderStatus } from "@/lib/harness";
import { ordersAs } from "@/lib/server-api";
import { crossSite, sessionOf, withSession, type SessionState } from "@/lib/server-session";
import { paymentEvent, signatureHeader, testCardOutcome } from "@/lib/test-payments";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function POST(request: Request): Promise<Response> {
  let state: SessionState | null = null;
  const problem = (status: number, message: string, field?: string) =>
    Response.json({ error: message, ...(field ? { field } : {}) }, { status, headers: state ? withSession(request, new Headers(), state) : undefined });
  const refusal = crossSite(request);
  if (refusal !== null) return problem(403, `refused: ${refusal}`);
  const secretFile = process.env.HARNESS_TEST_PAYMENTS_SECRET_FILE;
  if (!secretFile) return problem(404, "test payments are off on this server");

  try {
    state = await sessionOf(request);
  } catch {
    return problem(503, "the session could not be refreshed: try again");
  }
  let token = state.tokens?.accessToken ?? "";
  if (!token) return problem(401, "sign in to pay");
  let body: { orderId?: unknown; card?: unknown };
  try {
    body = (await request.json()) as typeof body;
  } catch {
    return problem(400, "the request is not JSON");
  }
  const orderId = typeof body.orderId === "string" ? body.orderId : "";
  if (!UUID.test(orderId)) return problem(400, "orderId must be an order's id", "orderId");
  const outcome = testCardOutcome(typeof body.card === "string" ? body.card : "");
  if (!outcome) {
    return problem(400, "Use a test card: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined.", "card");
  }

  let order;
  try {
    try {
      order = (await ordersAs(token).getOrder({ id: orderId })).order;
    } catch (err) {
      if (ConnectError.from(err).code !== Code.Unauthenticated || state.changed) throw err;
      // Refused: refresh once and read it again.
      state = await sessionOf(request, { refused: token });
      token = state.tokens?.accessToken ?? "";
      if (!token) throw err;
      order = (await ordersAs(token).getOrder({ id: orderId })).order;
    }
  } catch (err) {
    const ce = ConnectError.from(err);
    if (ce.code === Code.Unauthenticated) return problem(401, "your session has expired");
    if (ce.code === Code.NotFound || ce.code === Code.InvalidArgument) return problem(404, "no such order");
    return problem(502, `the shop could not read the order: ${ce.rawMessage}`);
  }
  if (!order) return problem(404, "no such order");
  if (order.status !== OrderStatus.PENDING_PAYMENT) return problem(409, "this order is not awaiting payment");
  if (order.payment?.provider !== "test" || !order.payment.paymentIntentId) {
    return problem(409, "this order is not paid through the test provider");
  }

  let secret: string;
  try {
    secret = (await readFile(secretFile, "utf8")).trim();
  } catch {
    return problem(503, "the test provider's webhook secret cannot be read (is the API running on this machine?)");
  }
  const event = paymentEvent(outcome, order.payment.paymentIntentId, order.id, order.totalCents, order.currency || "usd");
  const res = await fetch(`${serverApiUrl()}/webhooks/payments`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Stripe-Signature": signatureHeader(event, secret) },
    body: event,
  });
  if (!res.ok) return problem(502, `the payment webhook answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return Response.json({ outcome }, { headers: withSession(request, new Headers(), state) });
}
