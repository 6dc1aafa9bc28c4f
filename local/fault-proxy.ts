import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

/**
 * What the proxy does with a request a rule matches:
 * - `pass`: forwards it and relays the answer (also what happens to a request no rule matches);
 * - `refuse`: the caller's connection is reset before anything is forwarded; a rule that matches every request
 *   (no `method`, no `path`) also closes the listening port, so new connections are refused (ECONNREFUSED);
 * - `hang`: holds the request unanswered until the rules change (it is then handled by the new rules) or `hangMs`
 *   passes (its connection is then reset);
 * - `unavailable`: answers 503 itself, forwarding nothing;
 * - `drop-response`: forwards it (the upstream acts: charges, books…) and then loses the answer — the caller sees its
 *   connection reset (`dropAs: 'reset'`, the default) or a 502 from the proxy (`dropAs: '502'`).
 */
export type FaultMode = 'pass' | 'refuse' | 'hang' | 'unavailable' | 'drop-response';

export interface FaultRule {
  mode: FaultMode;
  /** Matches this HTTP method only (case-insensitive); any method when absent. */
  method?: string;
  /** Matches this path only: a string is compared with the path without its query, a RegExp tested on it. */
  path?: string | RegExp;
  /** drop-response: how the lost answer shows. Default `reset`. */
  dropAs?: 'reset' | '502';
  /** hang: the bound after which a held request's connection is reset. Default 60 000 ms. */
  hangMs?: number;
  /** The rule applies to this many matching requests, then is spent (later requests fall through). Unlimited when absent. */
  times?: number;
}

/** Rules as tests write them: one mode for every request, one rule, or a list (first match wins). */
export type FaultRules = FaultMode | FaultRule | readonly FaultRule[];

/** One request the proxy saw, and what it did with it. */
export interface SeenRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** The mode applied last (a held request that a rule change released shows the mode it was then handled with). */
  mode: FaultMode;
  /** The upstream's status, when the request was forwarded and the upstream answered. */
  upstreamStatus?: number;
  /** Epoch ms. */
  at: number;
}

export interface RequestFilter {
  method?: string;
  path?: string | RegExp;
  mode?: FaultMode;
}

export interface FaultProxy {
  /** Base URL of the proxy (http://127.0.0.1:<port>): give it to the caller instead of the upstream. */
  url: string;
  upstream: string;
  /**
   * Replaces every rule. Resolves once the new rules are in force, listening port included (a catch-all `refuse`
   * closes it; any other rule set opens it again on the same port). Requests held by `hang` are handled again.
   */
  set(rules: FaultRules): Promise<void>;
  /** Same as `set('pass')`. */
  pass(): Promise<void>;
  /** The rules in force (spent ones included, with `times` counting down). */
  rules(): FaultRule[];
  /** How many requests the proxy has seen (each request once, whatever happened to it), optionally filtered. */
  count(filter?: RequestFilter): number;
  /** Every request seen, in order, and what was done with it. */
  requests(): SeenRequest[];
  /** Requests held by `hang` right now. */
  hanging(): number;
  /** Closes the port and resets every connection (held requests included). */
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Base URL of the upstream on loopback, e.g. the payment sandbox's. Only http://127.0.0.1 and http://localhost. */
  upstream: string;
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Rules in force from the first request. Default `pass`. */
  rules?: FaultRules;
}

const DEFAULT_HANG_MS = 60_000;
/** Hop-by-hop headers are the proxy's own business on each side. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

interface Held {
  request: IncomingMessage;
  response: ServerResponse;
  body: Buffer;
  entry: SeenRequest;
  timer: NodeJS.Timeout;
}

function normalise(rules: FaultRules): FaultRule[] {
  if (typeof rules === 'string') return [{ mode: rules }];
  if (Array.isArray(rules)) return rules.map((r) => ({ ...r }));
  return [{ ...(rules as FaultRule) }];
}

function matches(rule: Pick<FaultRule, 'method' | 'path'>, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === 'string' ? rule.path === path : rule.path.test(path);
}

const catchAll = (rule: FaultRule) => rule.method === undefined && rule.path === undefined;

/**
 * An HTTP proxy on 127.0.0.1 in front of one upstream, whose behaviour a test switches at run time (see FaultMode),
 * per method and path. It counts every request it sees. For fault-injection tests: the caller is pointed at `url`
 * instead of the upstream, and the test decides when the dependency refuses, hangs, fails or loses its answers.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(upstream.hostname)) {
    throw new Error(`The fault proxy forwards to loopback only, not ${options.upstream}`);
  }
  const upstreamBase = upstream.pathname.replace(/\/+$/, '');
  let rules = normalise(options.rules ?? 'pass');
  const seen: SeenRequest[] = [];
  const held = new Set<Held>();
  const sockets = new Set<Socket>();
  let stopped = false;

  /** The first live rule that matches, spending one of its `times`; undefined means pass. */
  const take = (method: string, path: string): FaultRule | undefined => {
    const rule = rules.find((r) => (r.times === undefined || r.times > 0) && matches(r, method, path));
    if (rule?.times !== undefined) rule.times -= 1;
    return rule;
  };

  const record = (request: IncomingMessage, path: string, mode: FaultMode): SeenRequest => {
    const entry: SeenRequest = { method: request.method ?? 'GET', path, mode, at: Date.now() };
    seen.push(entry);
    return entry;
  };

  const reset = (request: IncomingMessage) => {
    request.socket.resetAndDestroy();
  };

  const answer = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (response.headersSent || response.destroyed) return;
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
  };

  /** Forwards the request; resolves with the upstream's answer, or undefined when the upstream could not be reached. */
  const forward = (
    request: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer } | undefined> =>
    new Promise((resolvePromise) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'host' && name !== 'content-length') headers[name] = value;
      }
      headers.host = upstream.host;
      headers['content-length'] = String(body.length);
      const outgoing = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: `${upstreamBase}${request.url ?? '/'}`,
          headers,
          agent: false,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () => {
            const relayed: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'content-length') relayed[name] = value;
            }
            resolvePromise({ status: incoming.statusCode ?? 502, headers: relayed, body: Buffer.concat(chunks) });
          });
          incoming.on('error', () => resolvePromise(undefined));
        },
      );
      outgoing.on('error', () => resolvePromise(undefined));
      outgoing.end(body);
    });

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    path: string,
    rule: FaultRule | undefined,
    previous?: SeenRequest,
  ) => {
    const mode = rule?.mode ?? 'pass';
    const entry = previous ?? record(request, path, mode);
    entry.mode = mode;
    switch (mode) {
      case 'refuse':
        reset(request);
        return;
      case 'unavailable':
        answer(response, 503, { message: 'Service Unavailable (fault proxy)' }, { 'retry-after': '1' });
        return;
      case 'hang': {
        const item: Held = {
          request,
          response,
          body,
          entry,
          timer: setTimeout(() => {
            held.delete(item);
            reset(request);
          }, rule?.hangMs ?? DEFAULT_HANG_MS),
        };
        held.add(item);
        // A caller that gives up frees the slot.
        request.socket.once('close', () => {
          clearTimeout(item.timer);
          held.delete(item);
        });
        return;
      }
      default: {
        const result = await forward(request, body);
        if (!result) {
          answer(response, 502, { message: 'Bad Gateway (fault proxy: upstream unreachable)' });
          return;
        }
        entry.upstreamStatus = result.status;
        if (mode === 'drop-response') {
          if (rule?.dropAs === '502') answer(response, 502, { message: 'Bad Gateway (fault proxy)' });
          else reset(request);
          return;
        }
        if (response.destroyed) return;
        response.writeHead(result.status, { ...result.headers, 'content-length': String(result.body.length) }).end(result.body);
      }
    }
  };

  const http = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', () => undefined);
    request.on('end', () => {
      if (stopped) return reset(request);
      const path = new URL(request.url ?? '/', 'http://proxy').pathname;
      const method = request.method ?? 'GET';
      void handle(request, response, Buffer.concat(chunks), path, take(method, path)).catch(() => {
        answer(response, 502, { message: 'Bad Gateway (fault proxy failure)' });
      });
    });
  });
  http.keepAliveTimeout = 1_000;

  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    http.emit('connection', socket);
  };

  let listener: NetServer | undefined;
  let port = options.port ?? 0;
  const listen = async () => {
    if (listener || stopped) return;
    const server = createNetServer(onConnection);
    await new Promise<void>((resolvePromise, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolvePromise();
      });
    });
    const address = server.address();
    if (typeof address === 'object' && address) port = address.port;
    listener = server;
  };
  const unlisten = async () => {
    const server = listener;
    listener = undefined;
    if (server) await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  };
  /** The port is closed exactly while a catch-all `refuse` rule is in force. */
  const applyListening = async () => {
    const first = rules.find((r) => r.times === undefined || r.times > 0);
    if (first && first.mode === 'refuse' && catchAll(first) && first.times === undefined) await unlisten();
    else await listen();
  };

  await listen();
  await applyListening();

  const set = async (next: FaultRules) => {
    rules = normalise(next);
    await applyListening();
    // Held requests are handled again under the new rules (they may hang again).
    for (const item of [...held]) {
      held.delete(item);
      clearTimeout(item.timer);
      const path = new URL(item.request.url ?? '/', 'http://proxy').pathname;
      void handle(item.request, item.response, item.body, path, take(item.request.method ?? 'GET', path), item.entry).catch(
        () => undefined,
      );
    }
  };

  return {
    url: `http://127.0.0.1:${port}`,
    upstream: options.upstream,
    set,
    pass: () => set('pass'),
    rules: () => rules.map((r) => ({ ...r })),
    count: (filter = {}) =>
      seen.filter((r) => matches(filter, r.method, r.path) && (filter.mode === undefined || filter.mode === r.mode)).length,
    requests: () => seen.map((r) => ({ ...r })),
    hanging: () => held.size,
    stop: async () => {
      stopped = true;
      for (const item of held) clearTimeout(item.timer);
      held.clear();
      for (const socket of sockets) socket.resetAndDestroy();
      await unlisten();
      http.close();
    },
  };
}
