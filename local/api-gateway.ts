import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { API_AUTHORIZER, API_ROUTES, type ApiRoute } from '#contract/api-routes.ts';
import type { FunctionName } from '#contract/function-catalog.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local/step-functions/definition.ts';
import { invokeFunction } from './lambda-runtime.ts';
import { type StaffTokenIssuer, staffTokenAuthorizer } from './staff-token-authorizer.ts';

/** API Gateway's own request limit; larger bodies never reach a function. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** HTTP APIs give up on an integration after 30 seconds. */
const INTEGRATION_TIMEOUT_MS = 30_000;
const API_ID = 'local';
/** Content types API Gateway passes as text; anything else arrives base64-encoded. */
const TEXTUAL = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|x-www-form-urlencoded|javascript))/i;

export interface LocalApiGateway {
  url: string;
  stop: () => Promise<void>;
}

export interface LocalApiGatewayOptions {
  port: number;
  /** Invokes a catalog function; defaults to running its handler in this process. */
  invoke?: (name: FunctionName, event: unknown) => Promise<unknown>;
  /** Where a function's unexpected error is reported (API Gateway only answers 500). */
  onError?: (route: string, error: Error) => void;
  /** The staff user pool's issuer and app client: staff routes answer 401 without a valid ID token of it. */
  staffIssuer?: StaffTokenIssuer;
}

type Authorize = (authorization: string | undefined) => Promise<Record<string, string> | undefined>;

/**
 * A local API Gateway HTTP API on 127.0.0.1: the routes of contract/api-routes.ts with payload format 2.0 events, the
 * API-key Lambda authorizer (REQUEST, simple responses, identity source `x-api-key`, no caching) on `clinic-key`
 * routes, the JWT authorizer (the staff user pool's ID tokens) on `staff` routes, and API Gateway's own answers —
 * 401/403 from the authorizers, 404 for an unknown route, 413 over 10 MB, 500 when a function throws, 503 after 30 s.
 */
export async function startApiGateway(options: LocalApiGatewayOptions): Promise<LocalApiGateway> {
  const invoke = options.invoke ?? invokeFunction;
  // Without a staff issuer every staff request is 401, as with a JWT authorizer whose tokens nobody can get.
  const staffToken: Authorize = options.staffIssuer ? staffTokenAuthorizer(options.staffIssuer) : async () => undefined;
  const server = createServer((request, response) => {
    void handle(request, response, invoke, staffToken, options.onError).catch((error: unknown) => {
      options.onError?.('(gateway)', error as Error);
      if (!response.headersSent) send(response, 500, { message: 'Internal Server Error' });
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}

interface MatchedRoute {
  route: ApiRoute;
  routeKey: string;
  pathParameters: Record<string, string>;
}

/** Finds the route for a method and path; `{name}` matches one non-empty path segment. */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  const segments = path.split('/');
  for (const route of API_ROUTES) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const segment = segments[i] ?? '';
      const parameter = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!parameter) return part === segment;
      if (segment === '') return false;
      pathParameters[parameter] = safeDecode(segment);
      return true;
    });
    if (matches) return { route, routeKey: `${route.method} ${route.path}`, pathParameters };
  }
  return undefined;
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  invoke: (name: FunctionName, event: unknown) => Promise<unknown>,
  staffToken: Authorize,
  onError: LocalApiGatewayOptions['onError'],
): Promise<void> {
  const requestId = randomUUID();
  response.setHeader('apigw-requestid', requestId);
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  const body = await readBody(request);
  if (body === undefined) return send(response, 413, { message: 'Request Entity Too Large' });

  const matched = matchRoute(method, url.pathname);
  if (!matched) return send(response, 404, { message: 'Not Found' });

  const event = buildEvent(request, url, body, matched, requestId);
  const lambdaEvent =
    matched.route.auth.kind === 'public' || matched.route.auth.kind === 'capability'
      ? event
      : matched.route.auth.kind === 'staff'
        ? await authorizeStaff(event, staffToken)
        : await authorize(event, matched, invoke, onError);
  if (typeof lambdaEvent === 'number') return send(response, lambdaEvent, { message: STATUS_MESSAGES[lambdaEvent] });

  let result: unknown;
  try {
    result = await withTimeout(invoke(matched.route.function, lambdaEvent));
  } catch (error) {
    if ((error as Error).name === 'IntegrationTimeout') return send(response, 503, { message: 'Service Unavailable' });
    onError?.(event.routeKey, error as Error);
    return send(response, 500, { message: 'Internal Server Error' });
  }
  writeResult(response, result);
}

const STATUS_MESSAGES = { 401: 'Unauthorized', 403: 'Forbidden', 500: 'Internal Server Error' } as const;

/**
 * Runs the API-key authorizer as API Gateway does for a protected route: the event with the authorizer's context
 * added, or the status API Gateway answers instead of calling the route's function.
 */
async function authorize(
  event: APIGatewayProxyEventV2,
  matched: MatchedRoute,
  invoke: (name: FunctionName, event: unknown) => Promise<unknown>,
  onError: LocalApiGatewayOptions['onError'],
): Promise<APIGatewayProxyEventV2WithLambdaAuthorizer<unknown> | keyof typeof STATUS_MESSAGES> {
  const apiKey = event.headers['x-api-key'];
  // API Gateway does not call the authorizer when the identity source is missing.
  if (!apiKey) return 401;

  const authorizerEvent: APIGatewayRequestAuthorizerEventV2 = {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${API_ID}/$default/${event.requestContext.http.method}${event.rawPath}`,
    identitySource: [apiKey],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    cookies: event.cookies ?? [],
    headers: event.headers as Record<string, string>,
    ...(event.queryStringParameters ? { queryStringParameters: event.queryStringParameters as Record<string, string> } : {}),
    requestContext: event.requestContext,
    pathParameters: matched.pathParameters,
    stageVariables: {},
  };
  let authorization: { isAuthorized?: unknown; context?: unknown };
  try {
    authorization = (await withTimeout(invoke(API_AUTHORIZER, authorizerEvent))) as { isAuthorized?: unknown; context?: unknown };
  } catch (error) {
    onError?.(`${event.routeKey} (authorizer)`, error as Error);
    return 500;
  }
  if (authorization?.isAuthorized !== true) return 403;
  return { ...event, requestContext: { ...event.requestContext, authorizer: { lambda: authorization.context ?? {} } } };
}

/**
 * API Gateway's JWT authorizer for a staff route: 401 without a valid token; otherwise the event with the token's claims
 * in `requestContext.authorizer.jwt`, as a Lambda integration receives them.
 */
async function authorizeStaff(event: APIGatewayProxyEventV2, staffToken: Authorize): Promise<APIGatewayProxyEventV2 | 401> {
  const claims = await staffToken(event.headers.authorization);
  if (!claims) return 401;
  return { ...event, requestContext: { ...event.requestContext, authorizer: { jwt: { claims, scopes: null } } } } as APIGatewayProxyEventV2;
}

/** The payload 2.0 event API Gateway hands a Lambda integration (before the authorizer's context is added). */
function buildEvent(request: IncomingMessage, url: URL, body: Buffer, matched: MatchedRoute, requestId: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] ?? '').toLowerCase();
    const value = request.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(';').map((c) => c.trim())];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  const contentType = headers['content-type'] ?? '';
  const textual = contentType === '' || TEXTUAL.test(contentType);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: matched.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    pathParameters: matched.pathParameters,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: API_ID,
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127').split('.')[0] ?? '127',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: matched.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

/**
 * Maps a function's result the way payload format 2.0 does: a result with `statusCode` is a response; anything else
 * is a 200 JSON body (a string is sent as it is).
 */
function writeResult(response: ServerResponse, result: unknown): void {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const r = result as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      body?: unknown;
      isBase64Encoded?: boolean;
      cookies?: string[];
    };
    if (typeof r.statusCode !== 'number') {
      send(response, 500, { message: 'Internal Server Error' });
      return;
    }
    for (const [name, value] of Object.entries(r.headers ?? {})) response.setHeader(name, String(value));
    if (r.cookies?.length) response.setHeader('set-cookie', r.cookies);
    const body = typeof r.body === 'string' ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
    response.writeHead(r.statusCode, { 'content-length': body.length });
    response.end(body);
    return;
  }
  const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Reads the body, or answers undefined once it passes API Gateway's limit (the rest is drained, not kept). */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolvePromise(size > MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('Integration timed out'), { name: 'IntegrationTimeout' })),
      INTEGRATION_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** requestContext.time: "12/Mar/2020:19:03:58 +0000". */
function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
