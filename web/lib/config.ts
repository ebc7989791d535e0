// The app's settings, read from the environment of the Next server at
// request time (never baked into the build), and passed to the browser by
// the root layout.

/** What the browser needs to know. */
export interface PublicConfig {
  /** Whether this server offers "Pay with test card" (the embedded provider). */
  testPayments: boolean;
  /** Stripe's publishable key, for Stripe.js when the API uses Stripe. */
  stripePublishableKey: string;
}

/** The API's base URL as the Next server reaches it. */
export function serverApiUrl(): string {
  return process.env.HARNESS_API_URL || "http://localhost:4000";
}

/**
 * The public settings: HARNESS_TEST_PAYMENTS_SECRET_FILE (set: test payments
 * on), HARNESS_STRIPE_PUBLISHABLE_KEY. The browser never calls the API itself
 * (it calls the app's /api/rpc, which holds the session's tokens), so no API
 * address is public.
 */
export function publicConfig(): PublicConfig {
  return {
    testPayments: Boolean(process.env.HARNESS_TEST_PAYMENTS_SECRET_FILE),
    stripePublishableKey: process.env.HARNESS_STRIPE_PUBLISHABLE_KEY ?? "",
  };
}
