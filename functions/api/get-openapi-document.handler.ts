import openApiDocument from '#docs/openapi.json' with { type: 'json' };
import { json } from '#shared/http/response.ts';

/**
 * GET /openapi.json, served without an API key: the committed docs/openapi.json, bundled into the function (a test
 * keeps that file equal to what the zod schemas and routes generate). Built once per cold start; it never changes
 * while the function lives.
 */
const response = json(200, openApiDocument);

export const handler = async () => response;
