import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * Payment methods the sandbox knows, named like Stripe's test PaymentMethods where Stripe has one.
 * `transient` has no Stripe equivalent: it fails the first attempt of each idempotency key as an overloaded edge
 * would (503, not stored), so retry-with-the-same-key can be tested.
 */
export const SANDBOX_PAYMENT_METHODS = {
  succeeds: 'pm_card_visa',
  declines: 'pm_card_chargeDeclined',
  transientThenSucceeds: 'pm_card_sandbox_transient',
} as const;

export interface SandboxCharge {
  /** The PaymentIntent ID (what the adapter calls the charge ID). */
  id: string;
  amount: number;
  idempotencyKey: string;
}

/** One request as received, for tests that check what left our system (e.g. that no PHI did). */
export interface SandboxRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  form: Record<string, string>;
}

export interface PaymentSandbox {
  url: string;
  stop(): Promise<void>;
  /** Successful charges, one per PaymentIntent created (idempotent replays add none). */
  charges(): SandboxCharge[];
  requests(): SandboxRequest[];
}

interface StoredResponse {
  form: Record<string, string>;
  status: number;
  body: unknown;
}

interface Answer {
  status: number;
  body: unknown;
  /** Stripe stores a response under its idempotency key only once the endpoint has begun executing. */
  store: boolean;
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const stripeError = (status: number, error: Record<string, unknown>, store = true): Answer => ({ status, body: { error }, store });

/**
 * A Stripe-shaped stand-in for POST /v1/payment_intents and POST /v1/refunds on 127.0.0.1 (node:http, in-process),
 * so the real adapter runs unchanged locally. It follows Stripe's idempotency rules: a repeated key replays the stored
 * status and body (with `Idempotent-Replayed: true`) and never charges again; a key reused with other parameters is a
 * 400 idempotency_error. State lives in memory for the life of the server.
 */
export async function startPaymentSandbox(options: { port: number; apiKey?: string }): Promise<PaymentSandbox> {
  const stored = new Map<string, StoredResponse>();
  const transientSeen = new Set<string>();
  const charges: SandboxCharge[] = [];
  const received: SandboxRequest[] = [];
  const refundedIntents = new Set<string>();

  const createPaymentIntent = (form: Record<string, string>, idempotencyKey: string): Answer => {
    const amount = Number(form.amount);
    if (!form.amount || !Number.isInteger(amount)) {
      return stripeError(
        400,
        { type: 'invalid_request_error', code: 'parameter_missing', param: 'amount', message: 'Missing or invalid amount.' },
        false,
      );
    }
    if (form.currency !== 'usd') {
      return stripeError(
        400,
        { type: 'invalid_request_error', code: 'parameter_invalid', param: 'currency', message: 'Invalid currency.' },
        false,
      );
    }
    if (amount < 50) {
      return stripeError(
        400,
        { type: 'invalid_request_error', code: 'amount_too_small', param: 'amount', message: 'Amount must be at least $0.50 usd.' },
        false,
      );
    }
    const method = form.payment_method;
    if (method === SANDBOX_PAYMENT_METHODS.transientThenSucceeds && idempotencyKey && !transientSeen.has(idempotencyKey)) {
      transientSeen.add(idempotencyKey);
      return stripeError(503, { type: 'api_error', message: 'The sandbox is simulating a temporary outage.' }, false);
    }
    const intent = {
      id: newId('pi'),
      object: 'payment_intent',
      amount,
      currency: form.currency,
      description: form.description ?? null,
      metadata: Object.fromEntries(Object.entries(form).flatMap(([k, v]) => (k.startsWith('metadata[') ? [[k.slice(9, -1), v]] : []))),
      payment_method: method,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    if (method === SANDBOX_PAYMENT_METHODS.succeeds || method === SANDBOX_PAYMENT_METHODS.transientThenSucceeds) {
      charges.push({ id: intent.id, amount, idempotencyKey });
      return { status: 200, body: { ...intent, status: 'succeeded', amount_received: amount, latest_charge: newId('ch') }, store: true };
    }
    if (method === SANDBOX_PAYMENT_METHODS.declines) {
      return stripeError(402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        message: 'Your card was declined.',
        payment_intent: { ...intent, status: 'requires_payment_method' },
      });
    }
    return stripeError(
      400,
      { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: 'No such PaymentMethod.' },
      false,
    );
  };

  const createRefund = (form: Record<string, string>): Answer => {
    const charge = charges.find((c) => c.id === form.payment_intent);
    if (!charge) {
      return stripeError(400, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'payment_intent',
        message: 'No such payment_intent.',
      });
    }
    if (refundedIntents.has(charge.id)) {
      return stripeError(400, {
        type: 'invalid_request_error',
        code: 'charge_already_refunded',
        message: 'Charge has already been refunded.',
      });
    }
    refundedIntents.add(charge.id);
    return {
      status: 200,
      body: { id: newId('re'), object: 'refund', amount: charge.amount, payment_intent: charge.id, status: 'succeeded' },
      store: true,
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), ...headers }).end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    received.push({ method: req.method ?? '', path, headers: { ...req.headers }, form });

    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
      return;
    }
    const route = `${req.method} ${path}`;
    const endpoint = route === 'POST /v1/payment_intents' ? createPaymentIntent : route === 'POST /v1/refunds' ? createRefund : undefined;
    if (!endpoint) {
      send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${route}).` } });
      return;
    }

    const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : '';
    const storeKey = `${route} ${idempotencyKey}`;
    const previous = idempotencyKey ? stored.get(storeKey) : undefined;
    if (previous) {
      if (JSON.stringify(previous.form) !== JSON.stringify(form)) {
        send(400, {
          error: {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with.`,
          },
        });
        return;
      }
      send(previous.status, previous.body, { 'idempotent-replayed': 'true' });
      return;
    }
    const answer = endpoint(form, idempotencyKey);
    if (answer.store && idempotencyKey) stored.set(storeKey, { form, status: answer.status, body: answer.body });
    send(answer.status, answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'api_error', message: 'Sandbox failure.' } }));
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolvePromise, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolvePromise()));
      }),
    charges: () => charges.map((c) => ({ ...c })),
    requests: () => received.map((r) => ({ ...r, form: { ...r.form } })),
  };
}
