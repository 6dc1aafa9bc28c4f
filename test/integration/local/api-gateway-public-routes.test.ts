import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionName } from '#contract/function-catalog.ts';
import { type LocalApiGateway, startApiGateway } from '#local/api-gateway.ts';
import { invokeFunction } from '#local/lambda-runtime.ts';

/** The local API Gateway in front of the real handlers, recording which functions each request invoked. */
const invoked: FunctionName[] = [];
let gateway: LocalApiGateway;

beforeAll(async () => {
  gateway = await startApiGateway({
    port: 0,
    invoke: (name, event) => {
      invoked.push(name);
      return invokeFunction(name, event);
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
});

describe('Local API Gateway: public routes', () => {
  it('serves GET /openapi.json through its catalog function, without an API key or the authorizer', async () => {
    // Prepare
    invoked.length = 0;

    // Act
    const response = await fetch(`${gateway.url}/openapi.json`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(((await response.json()) as { openapi: string }).openapi).toBe('3.1.0');
    expect(invoked).toEqual(['getOpenApiDocument']);
  });
});
