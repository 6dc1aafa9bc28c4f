import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderOpenApiDocument } from '#contract/api/openapi.ts';

/** npm run openapi: regenerates docs/openapi.json from the zod schemas and contract/api-routes.ts. */
const target = resolve(import.meta.dirname, '..', 'docs', 'openapi.json');
writeFileSync(target, renderOpenApiDocument());
console.log(`Wrote ${target}`);
