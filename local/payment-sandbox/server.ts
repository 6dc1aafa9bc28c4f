import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';

/**
 * Payment methods the sandbox knows, named like Stripe's test PaymentMethods where Stripe has one. The
 * `pm_card_sandbox_*` ones have no Stripe equivalent; each forces a path Stripe takes only in incidents:
 * - `transient` fails the first attempt of each idempotency key as an overloaded edge would (503, not stored), so
 *   retry-with-the-same-key can be tested;
 * - `chargedThenError` charges the card and then answers 500 api_error, stored under the key like any response of an
 *   endpoint that began executing, so every replay within the key's life answers 500 too;
 * - `processing` leaves the PaymentIntent `processing` until settlePaymentIntent decides it.
 */
export const SANDBOX_PAYMENT_METHODS = {
  succeeds: 'pm_card_visa',
  declines: 'pm_card_chargeDeclined',
  transientThenSucceeds: 'pm_card_sandbox_transient',
  chargedThenError: 'pm_card_sandbox_chargedThenError',
  processing: 'pm_card_sandbox_processing',
} as const;

export interface SandboxCharge {
  /** The PaymentIntent ID (what the adapter calls the charge ID). */
  id: string;
  amount: number;
  idempotencyKey: string;
}

/** A PaymentIntent as Stripe returns it (the fields the sandbox keeps). */
export interface SandboxPaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  description: string | null;
  metadata: Record<string, string>;
  payment_method: string;
  status: string;
  latest_charge: string | null;
  canceled_at: number | null;
  /** Unix seconds. */
  created: number;
  livemode: false;
}

/** One request as received, for tests that check what left our system (e.g. that no PHI did). */
export interface SandboxRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The form-encoded body (POST). */
  form: Record<string, string>;
  /** The URL's query parameters (GET). */
  query: Record<string, string>;
}

export interface PaymentSandboxOptions {
  port: number;
  apiKey?: string;
  /**
   * Keeps the processor's state (PaymentIntents, the charge ledger, stored idempotent responses, refunds) in this JSON
   * file, read at start and rewritten after every change: the real processor keeps running while the local stack
   * restarts, so its state must outlive a restart. Absent keeps everything in memory for the life of the server.
   */
  stateFile?: string;
  /**
   * How long a new or changed PaymentIntent stays invisible to search (Stripe: under a minute normally, up to an
   * hour in incidents; the list API is never behind). Default 0.
   */
  searchLagMs?: number;
}

export interface PaymentSandbox {
  url: string;
  stop(): Promise<void>;
  /** Successful charges, one per PaymentIntent that succeeded (idempotent replays add none): the processor's ledger. */
  charges(): SandboxCharge[];
  /** Every PaymentIntent, declined and unfinished ones included, oldest first. */
  paymentIntents(): SandboxPaymentIntent[];
  requests(): SandboxRequest[];
  /** Drops every stored idempotent response, as Stripe does 24 hours after a key's first use. */
  forgetIdempotencyKeys(): void;
  /** Ends a `processing` PaymentIntent: succeeded (charged) or failed (back to requires_payment_method, not charged). */
  settlePaymentIntent(id: string, outcome: 'succeeded' | 'failed'): void;
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

/** What survives a restart when `stateFile` is set. */
interface SandboxState {
  intents: SandboxPaymentIntent[];
  /** Epoch ms from which each intent's current state is visible to search. */
  searchableAt: Record<string, number>;
  charges: SandboxCharge[];
  /** The idempotency key each intent was created with. */
  intentKeys: Record<string, string>;
  idempotency: Record<string, StoredResponse>;
  transientSeen: string[];
  refundedIntents: string[];
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const stripeError = (status: number, error: Record<string, unknown>, store = true): Answer => ({ status, body: { error }, store });
const invalidRequest = (param: string, message: string, code?: string): Answer =>
  stripeError(400, { type: 'invalid_request_error', ...(code ? { code } : {}), param, message }, false);

function emptyState(): SandboxState {
  return { intents: [], searchableAt: {}, charges: [], intentKeys: {}, idempotency: {}, transientSeen: [], refundedIntents: [] };
}

function loadState(stateFile: string | undefined): SandboxState {
  if (!stateFile || !existsSync(stateFile)) return emptyState();
  return { ...emptyState(), ...(JSON.parse(readFileSync(stateFile, 'utf8')) as Partial<SandboxState>) };
}

/** A search clause the sandbox understands: `field:'value'` (or "value"), with metadata['key'] as a field. */
interface Clause {
  field: string;
  value: string;
  negated: boolean;
}

/**
 * Parses the subset of Stripe's search query language the sandbox supports: clauses joined by spaces or AND, each
 * `field:value` or `-field:value`, the value quoted with ' or " (a backslash escapes the next character) or bare, and
 * metadata['key'] / metadata["key"] as a field. Returns an error message for anything else (OR, comparisons,
 * unbalanced quotes), which Stripe also answers with 400.
 */
export function parseSearchQuery(query: string): Clause[] | string {
  const clauses: Clause[] = [];
  let i = 0;
  const quoted = (): string | undefined => {
    const quote = query[i];
    if (quote !== "'" && quote !== '"') return undefined;
    let value = '';
    for (i++; i < query.length; i++) {
      const c = query[i];
      if (c === '\\' && i + 1 < query.length) value += query[++i];
      else if (c === quote) {
        i++;
        return value;
      } else value += c;
    }
    return undefined;
  };
  while (i < query.length) {
    if (query[i] === ' ') {
      i++;
      continue;
    }
    const keyword = /^(AND|OR)(?=\s)/i.exec(query.slice(i));
    if (keyword) {
      if (keyword[1]?.toUpperCase() === 'OR') return 'The sandbox supports AND only.';
      i += keyword[0].length;
      continue;
    }
    const negated = query[i] === '-';
    if (negated) i++;
    let field: string;
    if (query.startsWith('metadata[', i)) {
      i += 'metadata['.length;
      const key = quoted();
      if (key === undefined || query[i] !== ']') return 'Invalid metadata field.';
      i++;
      field = `metadata.${key}`;
    } else {
      const name = /^[a-z_]+/.exec(query.slice(i))?.[0];
      if (!name) return `Unexpected character at position ${i}.`;
      field = name;
      i += name.length;
    }
    if (query[i] !== ':') return `Expected ':' after ${field} (the sandbox supports exact matches only).`;
    i++;
    let value: string | undefined;
    if (query[i] === "'" || query[i] === '"') value = quoted();
    else {
      value = /^[^\s'"]+/.exec(query.slice(i))?.[0];
      i += value?.length ?? 0;
    }
    if (value === undefined) return 'Unterminated or missing value.';
    clauses.push({ field, value, negated });
  }
  return clauses.length > 0 ? clauses : 'Empty query.';
}

const SEARCHABLE_FIELDS = new Set(['status', 'currency', 'amount']);

/**
 * A Stripe-shaped stand-in on 127.0.0.1 (node:http, in-process) for the PaymentIntents and Refunds endpoints the
 * adapter uses — POST /v1/payment_intents, GET /v1/payment_intents (list), GET /v1/payment_intents/search,
 * GET /v1/payment_intents/:id, POST /v1/refunds — so the real adapter runs unchanged locally. It follows Stripe's
 * idempotency rules: a repeated key replays the stored status and body (with `Idempotent-Replayed: true`) and never
 * charges again; a key reused with other parameters is a 400 idempotency_error; GET takes no key. Search may lag
 * (`searchLagMs`), the list never does, as with Stripe.
 */
export async function startPaymentSandbox(options: PaymentSandboxOptions): Promise<PaymentSandbox> {
  const state = loadState(options.stateFile);
  const received: SandboxRequest[] = [];
  const searchLagMs = options.searchLagMs ?? 0;

  const save = () => {
    if (!options.stateFile) return;
    mkdirSync(dirname(options.stateFile), { recursive: true });
    const temporary = `${options.stateFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(state));
    renameSync(temporary, options.stateFile);
  };
  const findIntent = (id: string) => state.intents.find((intent) => intent.id === id);
  const changed = (intent: SandboxPaymentIntent) => {
    state.searchableAt[intent.id] = Date.now() + searchLagMs;
  };

  const createPaymentIntent = (form: Record<string, string>, idempotencyKey: string): Answer => {
    const amount = Number(form.amount);
    if (!form.amount || !Number.isInteger(amount)) return invalidRequest('amount', 'Missing or invalid amount.', 'parameter_missing');
    if (form.currency !== 'usd') return invalidRequest('currency', 'Invalid currency.', 'parameter_invalid');
    if (amount < 50) return invalidRequest('amount', 'Amount must be at least $0.50 usd.', 'amount_too_small');
    const method = form.payment_method ?? '';
    if (!(Object.values(SANDBOX_PAYMENT_METHODS) as string[]).includes(method)) {
      return invalidRequest('payment_method', 'No such PaymentMethod.', 'resource_missing');
    }
    if (method === SANDBOX_PAYMENT_METHODS.transientThenSucceeds && idempotencyKey && !state.transientSeen.includes(idempotencyKey)) {
      state.transientSeen.push(idempotencyKey);
      return stripeError(503, { type: 'api_error', message: 'The sandbox is simulating a temporary outage.' }, false);
    }
    const intent: SandboxPaymentIntent = {
      id: newId('pi'),
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency: form.currency,
      description: form.description ?? null,
      metadata: Object.fromEntries(Object.entries(form).flatMap(([k, v]) => (k.startsWith('metadata[') ? [[k.slice(9, -1), v]] : []))),
      payment_method: method,
      status: 'requires_payment_method',
      latest_charge: null,
      canceled_at: null,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    state.intents.push(intent);
    state.intentKeys[intent.id] = idempotencyKey;
    changed(intent);

    if (method === SANDBOX_PAYMENT_METHODS.declines) {
      // Stripe keeps the declined intent (requires_payment_method) and names it in the error.
      return stripeError(402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        message: 'Your card was declined.',
        payment_intent: { ...intent },
      });
    }
    if (method === SANDBOX_PAYMENT_METHODS.processing) {
      intent.status = 'processing';
      return { status: 200, body: { ...intent }, store: true };
    }
    succeed(intent);
    if (method === SANDBOX_PAYMENT_METHODS.chargedThenError) {
      return stripeError(500, { type: 'api_error', message: 'An unknown error occurred.' });
    }
    return { status: 200, body: { ...intent }, store: true };
  };

  const succeed = (intent: SandboxPaymentIntent) => {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.latest_charge = newId('ch');
    state.charges.push({ id: intent.id, amount: intent.amount, idempotencyKey: state.intentKeys[intent.id] ?? '' });
    changed(intent);
  };

  const createRefund = (form: Record<string, string>): Answer => {
    const charge = state.charges.find((c) => c.id === form.payment_intent);
    if (!charge) {
      return stripeError(400, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'payment_intent',
        message: 'No such payment_intent.',
      });
    }
    if (state.refundedIntents.includes(charge.id)) {
      return stripeError(400, {
        type: 'invalid_request_error',
        code: 'charge_already_refunded',
        message: 'Charge has already been refunded.',
      });
    }
    state.refundedIntents.push(charge.id);
    return {
      status: 200,
      body: { id: newId('re'), object: 'refund', amount: charge.amount, payment_intent: charge.id, status: 'succeeded' },
      store: true,
    };
  };

  const limitOf = (query: Record<string, string>): number | Answer => {
    const limit = query.limit === undefined ? 10 : Number(query.limit);
    return Number.isInteger(limit) && limit >= 1 && limit <= 100 ? limit : invalidRequest('limit', 'Invalid integer: limit.');
  };

  /** GET /v1/payment_intents/search: newest first, `page` is an opaque cursor, only intents search has caught up with. */
  const searchPaymentIntents = (query: Record<string, string>): Answer => {
    if (!query.query) return invalidRequest('query', 'Missing required param: query.', 'parameter_missing');
    const clauses = parseSearchQuery(query.query);
    if (typeof clauses === 'string') return invalidRequest('query', clauses);
    const unsupported = clauses.find((c) => !c.field.startsWith('metadata.') && !SEARCHABLE_FIELDS.has(c.field));
    if (unsupported)
      return invalidRequest('query', `Field \`${unsupported.field}\` is an unsupported search field for resource \`payment_intents\`.`);
    const limit = limitOf(query);
    if (typeof limit !== 'number') return limit;
    const offset = query.page
      ? Number(
          Buffer.from(query.page, 'base64url')
            .toString('utf8')
            .replace(/^offset:/, ''),
        )
      : 0;
    if (!Number.isInteger(offset) || offset < 0) return invalidRequest('page', 'Invalid page.');

    const now = Date.now();
    const fieldOf = (intent: SandboxPaymentIntent, field: string) =>
      field.startsWith('metadata.')
        ? intent.metadata[field.slice('metadata.'.length)]
        : String(intent[field as keyof SandboxPaymentIntent]);
    const matches = state.intents
      .filter((intent) => (state.searchableAt[intent.id] ?? 0) <= now)
      .filter((intent) => clauses.every((c) => (fieldOf(intent, c.field) === c.value) !== c.negated))
      .reverse();
    const data = matches.slice(offset, offset + limit);
    const hasMore = offset + limit < matches.length;
    return {
      status: 200,
      body: {
        object: 'search_result',
        url: '/v1/payment_intents/search',
        has_more: hasMore,
        data,
        next_page: hasMore ? Buffer.from(`offset:${offset + limit}`).toString('base64url') : null,
      },
      store: false,
    };
  };

  /** GET /v1/payment_intents: newest first, `created[gte|gt|lte|lt]` and `starting_after`; never behind. */
  const listPaymentIntents = (query: Record<string, string>): Answer => {
    const limit = limitOf(query);
    if (typeof limit !== 'number') return limit;
    const bound = (name: string) => (query[`created[${name}]`] === undefined ? undefined : Number(query[`created[${name}]`]));
    const [gte, gt, lte, lt] = [bound('gte'), bound('gt'), bound('lte'), bound('lt')];
    let intents = state.intents
      .filter(
        (i) =>
          (gte === undefined || i.created >= gte) &&
          (gt === undefined || i.created > gt) &&
          (lte === undefined || i.created <= lte) &&
          (lt === undefined || i.created < lt),
      )
      .reverse();
    if (query.starting_after) {
      const at = intents.findIndex((i) => i.id === query.starting_after);
      if (at < 0) return invalidRequest('starting_after', `No such payment_intent: '${query.starting_after}'`, 'resource_missing');
      intents = intents.slice(at + 1);
    }
    return {
      status: 200,
      body: { object: 'list', url: '/v1/payment_intents', has_more: intents.length > limit, data: intents.slice(0, limit) },
      store: false,
    };
  };

  const retrievePaymentIntent = (id: string): Answer => {
    const intent = findIntent(id);
    return intent
      ? { status: 200, body: { ...intent }, store: false }
      : stripeError(
          404,
          { type: 'invalid_request_error', code: 'resource_missing', param: 'intent', message: `No such payment_intent: '${id}'` },
          false,
        );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), ...headers }).end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    received.push({ method: req.method ?? '', path, headers: { ...req.headers }, form, query });

    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
      return;
    }
    const route = `${req.method} ${path}`;
    if (req.method === 'GET') {
      const retrieve = /^\/v1\/payment_intents\/(pi_[A-Za-z0-9]+)$/.exec(path);
      const answer =
        path === '/v1/payment_intents/search'
          ? searchPaymentIntents(query)
          : path === '/v1/payment_intents'
            ? listPaymentIntents(query)
            : retrieve?.[1]
              ? retrievePaymentIntent(retrieve[1])
              : undefined;
      if (answer) send(answer.status, answer.body);
      else send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${route}).` } });
      return;
    }
    const endpoint = route === 'POST /v1/payment_intents' ? createPaymentIntent : route === 'POST /v1/refunds' ? createRefund : undefined;
    if (!endpoint) {
      send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${route}).` } });
      return;
    }

    const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : '';
    const storeKey = `${route} ${idempotencyKey}`;
    const previous = idempotencyKey ? state.idempotency[storeKey] : undefined;
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
    if (answer.store && idempotencyKey) state.idempotency[storeKey] = { form, status: answer.status, body: answer.body };
    save();
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
    charges: () => state.charges.map((c) => ({ ...c })),
    paymentIntents: () => state.intents.map((i) => ({ ...i, metadata: { ...i.metadata } })),
    requests: () => received.map((r) => ({ ...r, form: { ...r.form }, query: { ...r.query } })),
    forgetIdempotencyKeys: () => {
      state.idempotency = {};
      save();
    },
    settlePaymentIntent: (id, outcome) => {
      const intent = findIntent(id);
      if (intent?.status !== 'processing') throw new Error(`No processing payment intent ${id}`);
      if (outcome === 'succeeded') succeed(intent);
      else {
        intent.status = 'requires_payment_method';
        changed(intent);
      }
      save();
    },
  };
}
