import Stripe from 'stripe';

/**
 * What the payment provider said happened (a verified webhook), in Charla's terms:
 * `plan` is the plan the account should be on now (null: back to the default plan).
 */
export interface ProviderEvent {
  id: string;
  type: string;
  /** The account it concerns, when the event names one (our client_reference_id / metadata). */
  accountId: string | null;
  customerId: string | null;
  subscriptionId: string | null;
  status: string | null;
  /** undefined: the event does not change the plan. */
  plan?: string | null;
}

/** A payment provider behind `BILLING_PROVIDER` (docs/billing.md "Payment providers"). */
export interface PaymentProvider {
  readonly name: string;
  /** A hosted checkout page where the account subscribes to `plan`. */
  checkout(input: { accountId: string; email: string; plan: string; customerId: string | null; successUrl: string; cancelUrl: string }): Promise<{ url: string }>;
  /** The provider's customer portal (invoices, card, cancel). */
  portal(input: { customerId: string; returnUrl: string }): Promise<{ url: string }>;
  /** Verifies a webhook's signature over the raw body; throws `WebhookSignatureError` when it does not hold. */
  verify(rawBody: string, headers: Record<string, string | string[] | undefined>): ProviderEvent;
}

export class WebhookSignatureError extends Error {}
export class ProviderConfigError extends Error {}

export interface StripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** Plan id → Stripe price id. */
  prices: Record<string, string>;
  /** Seconds a signature stays valid (Stripe's default: 300). */
  toleranceSeconds: number;
  /** Where the Stripe API is (tests: a local server). */
  apiBase?: string;
}

const ACTIVE = new Set(['active', 'trialing', 'past_due']);

/** The Stripe adapter, with the official `stripe` package. */
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe';
  private readonly stripe: Stripe;
  private readonly planOfPrice: Map<string, string>;

  constructor(private readonly o: StripeOptions) {
    const base = o.apiBase ? new URL(o.apiBase) : null;
    this.stripe = new Stripe(o.secretKey, {
      maxNetworkRetries: 0, timeout: 10_000, telemetry: false,
      ...(base && { host: base.hostname, port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)), protocol: base.protocol.replace(':', '') as 'http' | 'https' }),
    });
    this.planOfPrice = new Map(Object.entries(o.prices).map(([plan, price]) => [price, plan]));
  }

  async checkout(input: Parameters<PaymentProvider['checkout']>[0]): Promise<{ url: string }> {
    const price = this.o.prices[input.plan];
    if (!price) throw new ProviderConfigError(`The plan "${input.plan}" has no Stripe price (STRIPE_PRICES).`);
    const session = await this.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price, quantity: 1 }],
      client_reference_id: input.accountId,
      ...(input.customerId ? { customer: input.customerId } : { customer_email: input.email }),
      subscription_data: { metadata: { accountId: input.accountId, plan: input.plan } },
      metadata: { accountId: input.accountId, plan: input.plan },
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
    });
    if (!session.url) throw new Error('Stripe returned a checkout session without a URL.');
    return { url: session.url };
  }

  async portal(input: { customerId: string; returnUrl: string }): Promise<{ url: string }> {
    const session = await this.stripe.billingPortal.sessions.create({ customer: input.customerId, return_url: input.returnUrl });
    return { url: session.url };
  }

  verify(rawBody: string, headers: Record<string, string | string[] | undefined>): ProviderEvent {
    const sig = headers['stripe-signature'];
    if (typeof sig !== 'string' || !sig) throw new WebhookSignatureError('The Stripe-Signature header is missing.');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, sig, this.o.webhookSecret, this.o.toleranceSeconds);
    } catch (err) {
      throw new WebhookSignatureError(`The Stripe signature does not verify: ${(err as Error).message}`);
    }
    return this.translate(event);
  }

  private translate(event: Stripe.Event): ProviderEvent {
    const base = { id: event.id, type: event.type, accountId: null, customerId: null, subscriptionId: null, status: null } as ProviderEvent;
    const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : v?.id ?? null);
    switch (event.type) {
      case 'checkout.session.completed': {
        const s = event.data.object;
        const plan = s.metadata?.plan ?? null;
        return { ...base, accountId: s.client_reference_id ?? s.metadata?.accountId ?? null, customerId: idOf(s.customer), subscriptionId: idOf(s.subscription), status: 'active', plan };
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const sub = event.data.object;
        const price = sub.items?.data?.[0]?.price?.id;
        const plan = (price && this.planOfPrice.get(price)) || sub.metadata?.plan || null;
        const on = event.type !== 'customer.subscription.deleted' && ACTIVE.has(sub.status);
        return { ...base, accountId: sub.metadata?.accountId ?? null, customerId: idOf(sub.customer), subscriptionId: sub.id, status: sub.status, plan: on ? plan : null };
      }
      default:
        return base;
    }
  }
}

const parsePrices = (raw: string | undefined): Record<string, string> => {
  if (!raw) return {};
  const text = raw.trim();
  if (text.startsWith('{')) {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Object.values(v).some((x) => typeof x !== 'string')) throw new ProviderConfigError('STRIPE_PRICES: expected {"<plan id>": "<price id>"}');
    return v as Record<string, string>;
  }
  return Object.fromEntries(text.split(',').map((pair) => {
    const [plan, price] = pair.split('=').map((x) => x.trim());
    if (!plan || !price) throw new ProviderConfigError(`STRIPE_PRICES: expected plan=price pairs separated by commas, got "${pair}"`);
    return [plan, price];
  }));
};

/** The provider the operator chose (BILLING_PROVIDER, default none); a bad configuration stops the boot. */
export function providerFromEnv(env: Record<string, string | undefined>, planIds: string[]): PaymentProvider | null {
  const name = (env.BILLING_PROVIDER ?? 'none').trim().toLowerCase() || 'none';
  if (name === 'none') return null;
  if (name !== 'stripe') throw new ProviderConfigError(`BILLING_PROVIDER: expected "none" or "stripe", got "${env.BILLING_PROVIDER}"`);
  if (!env.STRIPE_SECRET_KEY) throw new ProviderConfigError('BILLING_PROVIDER=stripe needs STRIPE_SECRET_KEY');
  if (!env.STRIPE_WEBHOOK_SECRET) throw new ProviderConfigError('BILLING_PROVIDER=stripe needs STRIPE_WEBHOOK_SECRET (the endpoint\'s whsec_… signing secret)');
  const prices = parsePrices(env.STRIPE_PRICES);
  const unknown = Object.keys(prices).filter((p) => !planIds.includes(p));
  if (unknown.length) throw new ProviderConfigError(`STRIPE_PRICES names plans that are not configured: ${unknown.join(', ')}`);
  const tolerance = env.STRIPE_WEBHOOK_TOLERANCE_SECONDS ? Number(env.STRIPE_WEBHOOK_TOLERANCE_SECONDS) : 300;
  if (!Number.isInteger(tolerance) || tolerance < 1) throw new ProviderConfigError(`STRIPE_WEBHOOK_TOLERANCE_SECONDS: expected a positive integer, got "${env.STRIPE_WEBHOOK_TOLERANCE_SECONDS}"`);
  return new StripeProvider({ secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET, prices, toleranceSeconds: tolerance, apiBase: env.STRIPE_API_BASE || undefined });
}
