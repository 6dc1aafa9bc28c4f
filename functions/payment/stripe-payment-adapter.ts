import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { requireEnv } from '#shared/env.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { log } from '#shared/observability.ts';
import { type ApiKeySource, resolveApiKey, secretProvider } from '#shared/secrets.ts';
import {
  type ChargeAttempts,
  type ChargeRequest,
  type ChargeResult,
  type FoundCharge,
  isProcessorReference,
  PaymentOutcomePendingError,
  type PaymentProcessor,
  type RefundRequest,
} from './payment-port.ts';

/** Pinned so a change of the account's default API version cannot change the shapes parsed here. */
export const STRIPE_API_VERSION = '2024-06-20';

/**
 * Shown on the processor's dashboard and the patient's receipt. Deliberately generic: the appointment type,
 * department or clinic name could reveal a diagnosis (e.g. an oncology clinic), and the processor is not a
 * HIPAA business associate.
 */
export const CHARGE_DESCRIPTION = 'Clinic visit';

/**
 * How far behind Stripe's search index may be. Stripe: searchable "in less than a minute" normally, "up to an hour
 * behind during outages". Charges sent more recently than this are also looked for with the list API, which is
 * strongly consistent.
 */
export const SEARCH_LAG_ALLOWANCE_MS = 2 * 60 * 60 * 1000;
/** Our clock against Stripe's `created`: the list window opens this much before the first attempt we recorded. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Stripe's maximum page size for search and list. */
const PAGE_SIZE = 100;
/** Pages of the list API read before giving up (20 × 100 intents created in the lag window): a person looks instead. */
const MAX_LIST_PAGES = 20;

/** PaymentIntent statuses that mean the card may be charged but it is not final: nobody may charge again or ask to pay. */
const PENDING_STATUSES = new Set(['processing', 'requires_capture']);

export interface StripePaymentAdapterConfig {
  baseUrl: string;
  apiKey: ApiKeySource;
  /** Per request; a request that times out is retried with the same idempotency key, so it cannot charge twice. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** The clock deciding whether attempts are recent enough for the list API (tests move it). */
  now?: () => Date;
}

/** The config with its defaults applied and the base URL's trailing slashes removed. */
type ResolvedConfig = Required<Omit<StripePaymentAdapterConfig, 'fetch' | 'now'>> & { fetch: typeof fetch; now: () => Date };

interface StripeError {
  type?: string;
  code?: string;
  decline_code?: string;
}

/** The PaymentIntent fields read here; the rest of Stripe's object is ignored. */
interface StripePaymentIntent {
  id?: string;
  object?: string;
  status?: string;
  amount?: number;
  amount_received?: number;
  created?: number;
  metadata?: Record<string, string>;
}

interface StripeBody extends StripePaymentIntent {
  error?: StripeError;
  /** Search results and lists. */
  data?: unknown;
  has_more?: boolean;
  next_page?: string | null;
}

interface StripeResponse {
  status: number;
  body: StripeBody;
}

/**
 * The search query for a journey's PaymentIntents. Stripe's query language quotes string values and documents
 * backslash-escaping only for quotes, so rather than rely on escaping, a reference that is not an opaque token
 * (letters, digits, `-`, `_`) is refused: nothing but the quoted token can reach the query.
 */
export function journeySearchQuery(reference: string): string {
  assertReference(reference);
  return `metadata['journey']:'${reference}'`;
}

function assertReference(reference: string): void {
  if (!isProcessorReference(reference)) throw new Error('Payment reference must be an opaque token (letters, digits, - and _)');
}

/**
 * PaymentProcessor over Stripe's REST API (PaymentIntents, Refunds), spoken with fetch: no SDK, form-encoded bodies,
 * Bearer key, Idempotency-Key header. The PaymentIntent ID is the charge ID (refunds name the payment intent).
 */
export function stripePaymentAdapter(options: StripePaymentAdapterConfig): PaymentProcessor {
  const config: ResolvedConfig = {
    timeoutMs: 10_000,
    fetch: globalThis.fetch,
    now: () => new Date(),
    ...options,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
  };
  return {
    charge: (request) => charge(config, request),
    findCharge: (reference, attempts) => findCharge(config, reference, attempts),
    refund: (request) => refund(config, request),
  };
}

async function charge(config: ResolvedConfig, request: ChargeRequest): Promise<ChargeResult> {
  if (!Number.isInteger(request.amountCents) || request.amountCents <= 0) throw new Error('amountCents must be a positive integer');
  // A charge findCharge could not look up later must not be made.
  assertReference(request.reference);
  // The complete list of what leaves for the processor: amount, currency, token and the opaque reference.
  const form = new URLSearchParams({
    amount: String(request.amountCents),
    currency: request.currency,
    payment_method: request.paymentMethodToken,
    confirm: 'true',
    'automatic_payment_methods[enabled]': 'true',
    // The patient is not on a page we control when the task runs, so a redirect (3-D Secure) cannot complete.
    'automatic_payment_methods[allow_redirects]': 'never',
    description: CHARGE_DESCRIPTION,
    'metadata[journey]': request.reference,
  });
  const response = await stripeRequest(config, 'POST', '/v1/payment_intents', { form, idempotencyKey: request.idempotencyKey });
  const { body } = response;

  if (response.status === 402 && body.error?.type === 'card_error') {
    return { status: 'declined', declineCode: body.error.decline_code ?? body.error.code ?? 'card_declined' };
  }
  throwUnlessOk(response);
  if (body.status === 'succeeded' && body.id) return { status: 'succeeded', chargeId: body.id };
  // The card needs the patient (3-D Secure) or was refused after confirmation: ask them to pay another way.
  if (body.status === 'requires_action') return { status: 'declined', declineCode: 'authentication_required' };
  if (body.status === 'requires_payment_method') return { status: 'declined', declineCode: 'requires_payment_method' };
  // processing, requires_capture: not paid and not declined; a person should look rather than charge again.
  if (body.status && PENDING_STATUSES.has(body.status)) throw new PaymentOutcomePendingError(`Stripe payment intent is ${body.status}`);
  throw new Error(`Stripe payment intent ended in unexpected status ${body.status ?? 'unknown'}`);
}

/**
 * The journey's PaymentIntents, found by the `metadata[journey]` every charge carries, and judged by status:
 * `succeeded` is paid; `processing`/`requires_capture` may still be charged (throws PaymentOutcomePendingError);
 * `requires_payment_method` (declined), `requires_action`, `requires_confirmation` and `canceled` hold no money.
 *
 * Search (`GET /v1/payment_intents/search`) is eventually consistent — Stripe says not to use it for read-after-write
 * — and that is still safe here, because it is never the only guard against a second charge:
 * - Within 24 hours of a charge its idempotency key still answers: a charge sent again with the same key replays
 *   the first outcome instead of charging. A lookup that misses a fresh charge only lets the replay answer.
 * - After 24 hours the key is gone, but the search index caught up long before (a minute normally, an hour in an
 *   incident), so the lookup sees the charge and nothing is sent.
 * - The one caller with no key to fall back on is the DEFER path (it never charges, and a miss would ask the patient
 *   to pay what they paid). For that window, charges sent within SEARCH_LAG_ALLOWANCE_MS (the caller records each
 *   attempt before sending) are also looked for with the list API (`GET /v1/payment_intents?created[gte]=…`), which
 *   is strongly consistent but cannot filter by metadata: it reads every intent created in the window, bounded by
 *   the window's length, and filters here.
 */
async function findCharge(config: ResolvedConfig, reference: string, attempts?: ChargeAttempts): Promise<FoundCharge | undefined> {
  const query = journeySearchQuery(reference);
  const intents = new Map<string, StripePaymentIntent>();
  for (const intent of await search(config, query)) if (intent.id) intents.set(intent.id, intent);

  const since = listWindowStart(config, attempts);
  if (since !== undefined) {
    for (const intent of await listCreatedSince(config, since)) {
      if (intent.id && intent.metadata?.journey === reference) intents.set(intent.id, intent);
    }
  }

  const succeeded = [...intents.values()]
    .filter((i) => i.status === 'succeeded' && i.id)
    .sort((a, b) => (a.created ?? 0) - (b.created ?? 0));
  const [oldest] = succeeded;
  if (oldest?.id) {
    // More than one means the patient was charged twice before this lookup existed: ops must refund one.
    if (succeeded.length > 1) log.warn('Several succeeded charges for one journey', { journeyId: reference, count: succeeded.length });
    const amountCents = oldest.amount_received || oldest.amount;
    if (!Number.isInteger(amountCents)) throw new Error('Stripe payment intent has no amount');
    return { status: 'succeeded', chargeId: oldest.id, amountCents: amountCents as number };
  }
  const pending = [...intents.values()].find((i) => i.status && PENDING_STATUSES.has(i.status));
  if (pending) throw new PaymentOutcomePendingError(`Stripe holds a ${pending.status} payment intent for the journey`);
  return undefined;
}

async function refund(config: ResolvedConfig, request: RefundRequest): Promise<{ refundId: string }> {
  const response = await stripeRequest(config, 'POST', '/v1/refunds', {
    form: new URLSearchParams({ payment_intent: request.chargeId }),
    idempotencyKey: request.idempotencyKey,
  });
  throwUnlessOk(response);
  if (!response.body.id) throw new Error('Stripe refund response has no id');
  return { refundId: response.body.id };
}

/** Where the strongly consistent list must start, or undefined when search alone is current enough. */
function listWindowStart(config: ResolvedConfig, attempts: ChargeAttempts | undefined): number | undefined {
  if (!attempts) return undefined;
  const horizon = config.now().getTime() - SEARCH_LAG_ALLOWANCE_MS;
  if (attempts.last.getTime() < horizon) return undefined;
  return Math.max(attempts.first.getTime(), horizon) - CLOCK_SKEW_MS;
}

async function search(config: ResolvedConfig, query: string): Promise<StripePaymentIntent[]> {
  const found: StripePaymentIntent[] = [];
  let page: string | undefined;
  do {
    const params = new URLSearchParams({ query, limit: String(PAGE_SIZE), ...(page ? { page } : {}) });
    const response = await stripeRequest(config, 'GET', '/v1/payment_intents/search', { params });
    throwUnlessOk(response);
    found.push(...pageOf(response.body));
    page = response.body.has_more && response.body.next_page ? response.body.next_page : undefined;
  } while (page);
  return found;
}

async function listCreatedSince(config: ResolvedConfig, sinceMs: number): Promise<StripePaymentIntent[]> {
  const found: StripePaymentIntent[] = [];
  let startingAfter: string | undefined;
  for (let pages = 0; pages < MAX_LIST_PAGES; pages++) {
    const params = new URLSearchParams({
      'created[gte]': String(Math.floor(sinceMs / 1000)),
      limit: String(PAGE_SIZE),
      ...(startingAfter ? { starting_after: startingAfter } : {}),
    });
    const response = await stripeRequest(config, 'GET', '/v1/payment_intents', { params });
    throwUnlessOk(response);
    const intents = pageOf(response.body);
    found.push(...intents);
    startingAfter = intents.at(-1)?.id;
    if (!response.body.has_more || !startingAfter) return found;
  }
  throw new Error(`More than ${MAX_LIST_PAGES * PAGE_SIZE} payment intents in the lookup window: look the journey up by hand`);
}

async function stripeRequest(
  config: ResolvedConfig,
  method: 'GET' | 'POST',
  path: string,
  options: { form?: URLSearchParams; idempotencyKey?: string; params?: URLSearchParams },
): Promise<StripeResponse> {
  const apiKey = await resolveApiKey(config.apiKey);
  const query = options.params ? `?${options.params.toString()}` : '';
  let response: Response;
  try {
    response = await config.fetch(`${config.baseUrl}${path}${query}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        'stripe-version': STRIPE_API_VERSION,
        // Stripe takes idempotency keys on POST only.
        ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
      },
      ...(options.form ? { body: options.form.toString() } : {}),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (error) {
    // Network failure or timeout: the outcome is unknown, and retrying with the same key is exactly what resolves it.
    throw new TransientDependencyError(
      TRANSIENT_ERRORS.paymentProcessorUnavailable,
      `Payment processor unreachable: ${(error as Error).name}`,
      {
        cause: error,
      },
    );
  }
  let body: StripeBody = {};
  try {
    body = ((await response.json()) as StripeBody | null) ?? {};
  } catch {
    // A proxy's HTML error page, say: the status code alone decides below.
  }
  return { status: response.status, body };
}

function throwUnlessOk({ status, body }: StripeResponse): void {
  if (status >= 200 && status < 300) return;
  const type = body.error?.type ?? 'unknown';
  // 409: the same idempotency key is still being processed by an earlier attempt; Stripe asks to retry later.
  if (status >= 500 || status === 429 || status === 409 || type === 'api_error' || type === 'rate_limit_error') {
    throw new TransientDependencyError(TRANSIENT_ERRORS.paymentProcessorUnavailable, `Payment processor answered ${status} ${type}`);
  }
  // Type and code only: Stripe's message text may echo request parameters.
  throw new Error(`Payment processor rejected the request: ${status} ${type}${body.error?.code ? ` ${body.error.code}` : ''}`);
}

/** The PaymentIntents of a search result or list page; anything else is a response we do not understand. */
function pageOf(body: StripeBody): StripePaymentIntent[] {
  if (!Array.isArray(body.data)) throw new Error('Stripe answered a lookup without a data array');
  return body.data.filter((item): item is StripePaymentIntent => typeof item === 'object' && item !== null);
}

/** The adapter configured from the function's environment (the secret key from Secrets Manager when deployed). */
export function stripePaymentAdapterFromEnv(): PaymentProcessor {
  return stripePaymentAdapter({ baseUrl: requireEnv('paymentsBaseUrl'), apiKey: secretProvider('paymentsApiKey') });
}
