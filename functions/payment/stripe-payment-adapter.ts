import { requireEnv } from '#shared/env.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { TRANSIENT_ERRORS } from '#shared/journey-contract.ts';
import { type ApiKeySource, resolveApiKey, secretProvider } from '#shared/secrets.ts';
import type { ChargeRequest, ChargeResult, PaymentProcessor, RefundRequest } from './payment-port.ts';

/** Pinned so a change of the account's default API version cannot change the shapes parsed here. */
export const STRIPE_API_VERSION = '2024-06-20';

/**
 * Shown on the processor's dashboard and the patient's receipt. Deliberately generic: the appointment type,
 * department or clinic name could reveal a diagnosis (e.g. an oncology clinic), and the processor is not a
 * HIPAA business associate.
 */
export const CHARGE_DESCRIPTION = 'Clinic visit';

export interface StripePaymentAdapterConfig {
  baseUrl: string;
  apiKey: ApiKeySource;
  /** Per request; a request that times out is retried with the same idempotency key, so it cannot charge twice. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface StripeError {
  type?: string;
  code?: string;
  decline_code?: string;
}

interface StripeResponse {
  status: number;
  body: { id?: string; status?: string; error?: StripeError };
}

/**
 * PaymentProcessor over Stripe's REST API (PaymentIntents, Refunds), spoken with fetch: no SDK, form-encoded bodies,
 * Bearer key, Idempotency-Key header. The PaymentIntent ID is the charge ID (refunds name the payment intent).
 */
export class StripePaymentAdapter implements PaymentProcessor {
  readonly #config: Required<Omit<StripePaymentAdapterConfig, 'fetch'>> & { fetch: typeof fetch };

  constructor(config: StripePaymentAdapterConfig) {
    this.#config = { timeoutMs: 10_000, fetch: globalThis.fetch, ...config, baseUrl: config.baseUrl.replace(/\/+$/, '') };
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (!Number.isInteger(request.amountCents) || request.amountCents <= 0) throw new Error('amountCents must be a positive integer');
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
    const response = await this.#post('/v1/payment_intents', form, request.idempotencyKey);
    const { body } = response;

    if (response.status === 402 && body.error?.type === 'card_error') {
      return { status: 'declined', declineCode: body.error.decline_code ?? body.error.code ?? 'card_declined' };
    }
    this.#throwUnlessOk(response);
    if (body.status === 'succeeded' && body.id) return { status: 'succeeded', chargeId: body.id };
    // The card needs the patient (3-D Secure) or was refused after confirmation: ask them to pay another way.
    if (body.status === 'requires_action') return { status: 'declined', declineCode: 'authentication_required' };
    if (body.status === 'requires_payment_method') return { status: 'declined', declineCode: 'requires_payment_method' };
    // processing, requires_capture, …: not paid and not declined; a person should look rather than charge again.
    throw new Error(`Stripe payment intent ended in unexpected status ${body.status ?? 'unknown'}`);
  }

  async refund(request: RefundRequest): Promise<{ refundId: string }> {
    const response = await this.#post('/v1/refunds', new URLSearchParams({ payment_intent: request.chargeId }), request.idempotencyKey);
    this.#throwUnlessOk(response);
    if (!response.body.id) throw new Error('Stripe refund response has no id');
    return { refundId: response.body.id };
  }

  async #post(path: string, form: URLSearchParams, idempotencyKey: string): Promise<StripeResponse> {
    const apiKey = await resolveApiKey(this.#config.apiKey);
    let response: Response;
    try {
      response = await this.#config.fetch(`${this.#config.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': idempotencyKey,
          'stripe-version': STRIPE_API_VERSION,
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.#config.timeoutMs),
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
    let body: StripeResponse['body'] = {};
    try {
      body = ((await response.json()) as StripeResponse['body'] | null) ?? {};
    } catch {
      // A proxy's HTML error page, say: the status code alone decides below.
    }
    return { status: response.status, body };
  }

  #throwUnlessOk({ status, body }: StripeResponse): void {
    if (status >= 200 && status < 300) return;
    const type = body.error?.type ?? 'unknown';
    // 409: the same idempotency key is still being processed by an earlier attempt; Stripe asks to retry later.
    if (status >= 500 || status === 429 || status === 409 || type === 'api_error' || type === 'rate_limit_error') {
      throw new TransientDependencyError(TRANSIENT_ERRORS.paymentProcessorUnavailable, `Payment processor answered ${status} ${type}`);
    }
    // Type and code only: Stripe's message text may echo request parameters.
    throw new Error(`Payment processor rejected the request: ${status} ${type}${body.error?.code ? ` ${body.error.code}` : ''}`);
  }
}

/** The adapter configured from the function's environment (the secret key from Secrets Manager when deployed). */
export function stripePaymentAdapterFromEnv(): StripePaymentAdapter {
  return new StripePaymentAdapter({ baseUrl: requireEnv('paymentsBaseUrl'), apiKey: secretProvider('paymentsApiKey') });
}
