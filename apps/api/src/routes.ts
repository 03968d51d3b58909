/** Stripe posts here server to server; its signature is its authentication (see DESIGN.md). */
export const STRIPE_WEBHOOK_PATH = '/api/stripe/webhook';
