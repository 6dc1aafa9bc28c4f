import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { answerEligibility, type SimulatorState } from './responses.ts';

export { TEST_MEMBERS, TEST_PAYER } from './responses.ts';

/** The real API's path; the simulator answers nothing else. */
const ELIGIBILITY_PATH = '/2024-04-01/change/medicalnetwork/eligibility/v3';
const MAX_BODY_BYTES = 1_000_000;

export interface ClearinghouseSimulator {
  /** Base URL for CLEARINGHOUSE_BASE_URL, e.g. http://127.0.0.1:4010 */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a local stand-in for the clearinghouse's real-time eligibility API on 127.0.0.1 (never another interface).
 * It answers the same endpoint with the same response shape: HTTP 200 with planStatus/benefitsInformation/errors for
 * the members in TEST_MEMBERS, 401 for a wrong Authorization key (when `apiKey` is given), 400 for a malformed body.
 */
export async function startClearinghouseSimulator(options: { port: number; apiKey?: string }): Promise<ClearinghouseSimulator> {
  const state: SimulatorState = { busyAnswered: new Set() };
  const server = createServer((request, response) => {
    handle(request, response, state, options.apiKey).catch(() => send(response, 500, { message: 'Internal failure' }));
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  return {
    url: `http://127.0.0.1:${options.port}`,
    stop: () =>
      new Promise<void>((resolvePromise, reject) => {
        server.close((error) => (error ? reject(error) : resolvePromise()));
        server.closeAllConnections();
      }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, state: SimulatorState, apiKey: string | undefined) {
  const path = new URL(request.url ?? '/', 'http://simulator').pathname;
  if (path !== ELIGIBILITY_PATH) return send(response, 404, { message: 'Not found' });
  if (request.method !== 'POST') return send(response, 405, { message: 'Method not allowed' });
  if (apiKey !== undefined && request.headers.authorization !== apiKey) {
    return send(response, 401, { code: 'UNAUTHORIZED', message: 'The API key is missing or not valid' });
  }

  const raw = await readBody(request);
  if (raw === undefined) return send(response, 413, { message: 'Request body too large' });
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return send(response, 400, { message: 'The body is not valid JSON' });
  }
  const reply = answerEligibility(body, state);
  send(response, reply.status, reply.body);
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown) {
  if (response.headersSent) return;
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
