import openApiDocument from '#docs/openapi.json' with { type: 'json' };
import { httpHandler } from '#shared/handler.ts';
import { json } from '#shared/http/response.ts';

/**
 * GET /openapi.json, served without an API key: the committed docs/openapi.json, bundled into the function (a test
 * keeps that file equal to what the zod schemas and routes generate). The response is built once per cold start; the
 * document never changes while the function lives.
 */
export function makeGetOpenApiDocument() {
  const response = json(200, openApiDocument);
  return httpHandler(async () => response);
}

export const handler = makeGetOpenApiDocument();
