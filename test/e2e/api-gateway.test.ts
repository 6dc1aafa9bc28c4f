import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FunctionName } from '#contract/function-catalog.ts';
import { type LocalApiGateway, startApiGateway } from '#local/api-gateway.ts';

/** The local API Gateway with stand-in functions: what events it builds and how it maps answers. */
type Invocation = { name: FunctionName; event: unknown };
let invocations: Invocation[];
let answers: Partial<Record<FunctionName, (event: unknown) => unknown>>;
let gateway: LocalApiGateway;

beforeAll(async () => {
  gateway = await startApiGateway({
    port: 0,
    invoke: async (name, event) => {
      invocations.push({ name, event });
      const answer = answers[name];
      if (!answer) throw new Error(`no stand-in for ${name}`);
      return answer(event);
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
});

beforeEach(() => {
  invocations = [];
  answers = {
    authorizeApiKey: () => ({ isAuthorized: true, context: { clinicId: 'clinic-a', keyId: 'key-1' } }),
    submitIntake: () => ({ statusCode: 202, headers: { 'content-type': 'application/json', 'x-extra': 'yes' }, body: '{"accepted":true}' }),
    getJourney: () => ({ journeyId: 'j-1' }),
  };
});

const eventOf = (name: FunctionName) => invocations.find((i) => i.name === name)?.event;

describe('Local API Gateway: events', () => {
  it('hands the route function a payload 2.0 event with the authorizer context', async () => {
    // act
    const response = await fetch(`${gateway.url}/v1/clinics/clinic-a/intake-submissions?x=1&x=2`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'k', 'User-Agent': 'test-agent' },
      body: '{"hello":"world"}',
    });

    // assess
    expect(response.status).toBe(202);
    expect(response.headers.get('x-extra')).toBe('yes');
    expect(await response.json()).toEqual({ accepted: true });
    const event = eventOf('submitIntake') as APIGatewayProxyEventV2 & { requestContext: { authorizer: { lambda: unknown } } };
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/clinics/{clinicId}/intake-submissions',
      rawPath: '/v1/clinics/clinic-a/intake-submissions',
      rawQueryString: 'x=1&x=2',
      queryStringParameters: { x: '1,2' },
      pathParameters: { clinicId: 'clinic-a' },
      body: '{"hello":"world"}',
      isBase64Encoded: false,
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'user-agent': 'test-agent' },
      requestContext: {
        http: { method: 'POST', path: '/v1/clinics/clinic-a/intake-submissions', sourceIp: '127.0.0.1', userAgent: 'test-agent' },
        routeKey: 'POST /v1/clinics/{clinicId}/intake-submissions',
        stage: '$default',
        accountId: expect.any(String),
        apiId: expect.any(String),
        requestId: expect.any(String),
        timeEpoch: expect.any(Number),
        authorizer: { lambda: { clinicId: 'clinic-a', keyId: 'key-1' } },
      },
    });
  });

  it('asks the authorizer with the API key as identity source and the path parameters', async () => {
    // act
    await fetch(`${gateway.url}/v1/clinics/clinic-a/journeys/j-1`, { headers: { 'x-api-key': 'k' } });

    // assess
    const event = eventOf('authorizeApiKey') as APIGatewayRequestAuthorizerEventV2;
    expect(event).toMatchObject({ type: 'REQUEST', identitySource: ['k'], pathParameters: { clinicId: 'clinic-a', journeyId: 'j-1' } });
  });

  it('answers a plain object result as 200 JSON', async () => {
    // act
    const response = await fetch(`${gateway.url}/v1/clinics/clinic-a/journeys/j-1`, { headers: { 'x-api-key': 'k' } });

    // assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ journeyId: 'j-1' });
  });
});

describe("Local API Gateway: the gateway's own answers", () => {
  it('answers 401 without calling the authorizer when x-api-key is missing', async () => {
    // act
    const response = await fetch(`${gateway.url}/v1/clinics/clinic-a/journeys/j-1`);

    // assess
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(invocations).toEqual([]);
  });

  it('answers 403 when the authorizer denies, without calling the route function', async () => {
    // prepare
    answers.authorizeApiKey = () => ({ isAuthorized: false, context: {} });

    // act
    const response = await fetch(`${gateway.url}/v1/clinics/clinic-a/journeys/j-1`, { headers: { 'x-api-key': 'k' } });

    // assess
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
    expect(invocations.map((i) => i.name)).toEqual(['authorizeApiKey']);
  });

  it('answers 404 for an unknown path or method', async () => {
    // act
    const unknownPath = await fetch(`${gateway.url}/v1/clinics/clinic-a/nothing`, { headers: { 'x-api-key': 'k' } });
    const wrongMethod = await fetch(`${gateway.url}/v1/clinics/clinic-a/intake-submissions`, { headers: { 'x-api-key': 'k' } });

    // assess
    expect(unknownPath.status).toBe(404);
    expect(await unknownPath.json()).toEqual({ message: 'Not Found' });
    expect(wrongMethod.status).toBe(404);
  });

  it('answers 500 when the function throws', async () => {
    // prepare
    answers.getJourney = () => {
      throw new Error('boom');
    };

    // act
    const response = await fetch(`${gateway.url}/v1/clinics/clinic-a/journeys/j-1`, { headers: { 'x-api-key': 'k' } });

    // assess
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 413 above 10 MB without invoking anything', async () => {
    // act
    const response = await fetch(`${gateway.url}/v1/clinics/clinic-a/intake-submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });

    // assess
    expect(response.status).toBe(413);
    expect(invocations).toEqual([]);
  });
});
