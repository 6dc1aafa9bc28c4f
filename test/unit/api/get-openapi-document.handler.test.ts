import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeGetOpenApiDocument } from '#functions/api/get-openapi-document.handler.ts';
import { apiEvent, lambdaContext } from '#test/support/api-event.ts';

describe('Function: getOpenApiDocument', () => {
  it('answers 200 with the committed OpenAPI document as uncacheable JSON', async () => {
    // Prepare
    const committed: unknown = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    const event = apiEvent({ routeKey: 'GET /openapi.json', pathParameters: {}, authorizer: null });

    // Act
    const response = await makeGetOpenApiDocument()(event, lambdaContext);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(JSON.parse(response.body)).toEqual(committed);
  });
});
