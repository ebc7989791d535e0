// The app's settings, read from the environment of the Next server at
// request time (never baked into the build), and passed to the browser by
// the root layout.

/** What the browser needs to know. */
export interface PublicConfig {
  /** Base URL of the API for the browser; empty means the page's own origin. */
  apiUrl: string;
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
 * The public settings: HARNESS_PUBLIC_API_URL (the API as browsers reach it;
 * unset: HARNESS_API_URL; empty: the page's own origin, as behind the
 * Ingress), HARNESS_TEST_PAYMENTS_SECRET_FILE (set: test payments on),
 * HARNESS_STRIPE_PUBLISHABLE_KEY.
 */
export function publicConfig(): PublicConfig {
  return {
    apiUrl: process.env.HARNESS_PUBLIC_API_URL ?? serverApiUrl(),
    testPayments: Boolean(process.env.HARNESS_TEST_PAYMENTS_SECRET_FILE),
    stripePublishableKey: process.env.HARNESS_STRIPE_PUBLISHABLE_KEY ?? "",
  };
}
