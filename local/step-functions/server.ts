import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalEventBus } from '#local/event-bus.ts';
import { ServiceError } from './errors.ts';
import type { ExecutionStatus, LocalStepFunctions } from './service.ts';
import type { LocalSns } from './sns-topics.ts';
import { redriveStatus } from './status-events.ts';

export interface AwsEndpointServer {
  /** Base URL for AWS_ENDPOINT_URL_SFN and AWS_ENDPOINT_URL_SNS. */
  url: string;
  stop: () => Promise<void>;
}

/** Request bodies above this are refused (Step Functions' own payload limit is 256 KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * One loopback HTTP endpoint that speaks three AWS protocols, so the handlers' unmodified SDK clients reach the local
 * services through AWS_ENDPOINT_URL_SFN / _SNS / _EVENTBRIDGE: Step Functions' JSON 1.0 protocol
 * (`X-Amz-Target: AWSStepFunctions.<Operation>`), EventBridge's JSON 1.1 (`X-Amz-Target: AWSEvents.PutEvents`) and
 * SNS's query protocol (`Action=Publish`, XML answer).
 */
export async function startAwsEndpointServer(options: {
  port: number;
  sfn: LocalStepFunctions;
  sns: LocalSns;
  events?: LocalEventBus;
}): Promise<AwsEndpointServer> {
  const server = createServer((request, response) => {
    void handle(request, response, options).catch((error: unknown) => {
      sendJson(response, 500, { __type: 'InternalFailure', message: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: { sfn: LocalStepFunctions; sns: LocalSns; events?: LocalEventBus },
) {
  const body = await readBody(request);
  if (body === undefined) return sendJson(response, 413, { __type: 'RequestEntityTooLarge', message: 'Request body too large' });
  const target = request.headers['x-amz-target'];
  if (target === 'AWSEvents.PutEvents' && options.events) {
    try {
      return sendJson(response, 200, options.events.putEvents(JSON.parse(body || '{}') as Record<string, unknown>));
    } catch (error) {
      if (error instanceof ServiceError) return sendJson(response, error.statusCode, { __type: error.type, message: error.message });
      if (error instanceof SyntaxError)
        return sendJson(response, 400, { __type: 'SerializationException', message: 'Malformed JSON body' });
      throw error;
    }
  }
  if (typeof target === 'string' && target.startsWith('AWSStepFunctions.')) {
    const operation = target.slice('AWSStepFunctions.'.length);
    try {
      const input = body.length > 0 ? (JSON.parse(body) as Record<string, unknown>) : {};
      return sendJson(response, 200, toWire(stepFunctions(operation, input, options.sfn)));
    } catch (error) {
      if (error instanceof ServiceError) return sendJson(response, error.statusCode, { __type: error.type, message: error.message });
      if (error instanceof SyntaxError)
        return sendJson(response, 400, { __type: 'SerializationException', message: 'Malformed JSON body' });
      throw error;
    }
  }
  if (request.method === 'POST' && String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    try {
      const { action, result } = options.sns.handleQuery(new URLSearchParams(body));
      const fields = Object.entries(result)
        .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
        .join('');
      return sendXml(
        response,
        200,
        `<${action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><${action}Result>${fields}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      return sendXml(
        response,
        error.statusCode,
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${error.type}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    }
  }
  if (request.method === 'GET' && request.url === '/') {
    return sendJson(response, 200, {
      service: 'local Step Functions + SNS',
      executions: options.sfn.listExecutions().map((e) => ({ name: e.name, status: e.status })),
      published: options.sns.published.length,
    });
  }
  return sendJson(response, 400, {
    __type: 'UnknownOperationException',
    message: 'Expected an X-Amz-Target AWSStepFunctions.* or an SNS query request',
  });
}

function stepFunctions(operation: string, input: Record<string, unknown>, sfn: LocalStepFunctions): unknown {
  const str = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : undefined);
  const required = (key: string) => {
    const value = str(key);
    if (value === undefined)
      throw new ServiceError(
        'ValidationException',
        `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
      );
    return value;
  };
  switch (operation) {
    case 'StartExecution':
      return sfn.startExecution({
        stateMachineArn: required('stateMachineArn'),
        ...optional('name', str('name')),
        ...optional('input', str('input')),
      });
    case 'DescribeExecution': {
      const d = sfn.describeExecution(required('executionArn'));
      const { redriveStatus: status, redriveStatusReason } = redriveStatus(d.status);
      return {
        ...d,
        inputDetails: { included: true },
        ...(d.output !== undefined ? { outputDetails: { included: true } } : {}),
        redriveStatus: status,
        ...optional('redriveStatusReason', redriveStatusReason ?? undefined),
      };
    }
    case 'ListExecutions': {
      const all = sfn.listExecutions({
        stateMachineArn: required('stateMachineArn'),
        ...optional('statusFilter', str('statusFilter') as ExecutionStatus | undefined),
      });
      const page = paginate(
        all.map(({ executionArn, stateMachineArn, name, status, startDate, stopDate, redriveCount }) => ({
          executionArn,
          stateMachineArn,
          name,
          status,
          startDate,
          redriveCount,
          ...(stopDate ? { stopDate } : {}),
        })),
        input,
      );
      return { executions: page.items, ...optional('nextToken', page.nextToken) };
    }
    case 'GetExecutionHistory': {
      const events = sfn.getExecutionHistory(required('executionArn'));
      const ordered = input.reverseOrder === true ? [...events].reverse() : events;
      const page = paginate(ordered, input);
      return { events: page.items, ...optional('nextToken', page.nextToken) };
    }
    case 'SendTaskSuccess':
      sfn.sendTaskSuccess(required('taskToken'), required('output'));
      return {};
    case 'SendTaskFailure':
      sfn.sendTaskFailure(required('taskToken'), str('error'), str('cause'));
      return {};
    case 'SendTaskHeartbeat':
      sfn.sendTaskHeartbeat(required('taskToken'));
      return {};
    case 'StopExecution':
      return sfn.stopExecution(required('executionArn'), str('error'), str('cause'));
    case 'RedriveExecution':
      return sfn.redriveExecution(required('executionArn'));
    case 'DescribeStateMachine': {
      const arn = required('stateMachineArn');
      if (arn !== sfn.stateMachineArn) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      return sfn.describeStateMachine();
    }
    default:
      throw new ServiceError('UnknownOperationException', `The local Step Functions service does not implement ${operation}`);
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function paginate<T>(items: readonly T[], input: Record<string, unknown>): { items: T[]; nextToken?: string } {
  const start = typeof input.nextToken === 'string' ? Number(Buffer.from(input.nextToken, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new ServiceError('InvalidToken', 'Invalid Token: nextToken');
  const size = typeof input.maxResults === 'number' && input.maxResults > 0 ? Math.min(input.maxResults, 1000) : 100;
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}) };
}

/** JSON 1.0 sends timestamps as epoch seconds. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  return value;
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

function sendXml(response: ServerResponse, status: number, body: string) {
  response.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': randomUUID() });
  response.end(body);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
