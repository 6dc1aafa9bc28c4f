import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler } from '#functions/api/get-openapi-document.handler.ts';

describe('Function: getOpenApiDocument handler', () => {
  it('answers 200 with the committed OpenAPI document as uncacheable JSON', async () => {
    // Prepare
    const committed: unknown = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));

    // Act
    const response = await handler();

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(JSON.parse(response.body)).toEqual(committed);
  });
});
