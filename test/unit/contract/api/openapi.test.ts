import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, renderOpenApiDocument } from '#contract/api/openapi.ts';
import { API_ROUTES } from '#contract/api-routes.ts';
import { synthStack } from '#test/infra/synth-stack.ts';

type Operation = {
  security?: Record<string, string[]>[];
  description?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, unknown>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

const document = buildOpenApiDocument() as unknown as Document;

/** "METHOD path" of every operation the document describes. */
const documentedRoutes = () =>
  Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));

let synthesized: Map<string, { AuthorizationType?: string }> | undefined;
/**
 * The routes the CDK stack creates (AWS::ApiGatewayV2::Route of the synthesized template, by route key): what is
 * deployed, built independently of the document. Synthesized once, on first use (about two seconds).
 */
function deployedRoutes(): Map<string, { AuthorizationType?: string }> {
  if (!synthesized) {
    const routes = Object.values(synthStack().template.findResources('AWS::ApiGatewayV2::Route')) as Array<{
      Properties: { RouteKey: string; AuthorizationType?: string };
    }>;
    synthesized = new Map(routes.map((route) => [route.Properties.RouteKey, route.Properties]));
  }
  return synthesized;
}

describe('OpenAPI document', () => {
  it('is committed exactly as generated (run `npm run openapi` after changing a schema or route)', () => {
    const committed = readFileSync('docs/openapi.json', 'utf8');

    expect(committed).toBe(renderOpenApiDocument());
  });

  it('documents every route the API deploys behind the API key or a staff token, with the authorizer answers', () => {
    const protectedRoutes = API_ROUTES.filter((route) => route.auth.kind === 'clinic-key' || route.auth.kind === 'staff');
    for (const route of protectedRoutes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation?.security).toEqual([route.auth.kind === 'staff' ? { StaffBearer: [] } : { ApiKey: [] }]);
      expect(operation?.responses).toHaveProperty('401');
      expect(operation?.responses).toHaveProperty('403');
      if (route.auth.kind === 'staff') expect(operation?.description).toContain(`Roles: ${route.auth.roles.join(', ')}`);
    }
  });

  it('documents the capability routes (a token in the path, checked by the function) as needing no API key or token', () => {
    const capabilityRoutes = API_ROUTES.filter((route) => route.auth.kind === 'capability');
    expect(capabilityRoutes.map((route) => `${route.method} ${route.path}`)).toEqual([
      'GET /v1/clinics/{clinicId}/waitlist-offers/{token}',
      'POST /v1/clinics/{clinicId}/waitlist-offers/{token}/accept',
    ]);
    for (const route of capabilityRoutes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.security).toEqual([]);
      expect(operation?.responses).toHaveProperty('404');
      expect(operation?.description).toContain('token');
    }
  });

  it('documents the public routes as needing no API key', () => {
    const publicRoutes = API_ROUTES.filter((route) => route.auth.kind === 'public');
    expect(publicRoutes.map((route) => `${route.method} ${route.path}`)).toEqual(['GET /openapi.json']);
    for (const route of publicRoutes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.security).toEqual([]);
      expect(operation?.responses).not.toHaveProperty('401');
      expect(operation?.responses).not.toHaveProperty('403');
    }
  });

  it('says on each route whether a request that failed with 500 may be retried', () => {
    for (const route of API_ROUTES) {
      const serverError = document.paths[route.path]?.[route.method.toLowerCase()]?.responses['500'] as { description?: string };
      expect(serverError?.description, `${route.method} ${route.path}`).toMatch(/Safe to retry/);
    }
  });

  it('documents no route the API does not deploy, and misses none (the routes of the synthesized stack)', { timeout: 60_000 }, () => {
    // act
    const deployed = deployedRoutes();

    // assess
    expect(documentedRoutes().sort()).toEqual([...deployed.keys()].sort());
  });

  it('documents as needing no API key exactly the routes the stack deploys without an authorizer', { timeout: 60_000 }, () => {
    // act
    const deployed = deployedRoutes();

    // assess
    for (const key of documentedRoutes()) {
      const [method, path] = key.split(' ') as [string, string];
      const documentedPublic = (document.paths[path]?.[method.toLowerCase()]?.security ?? []).length === 0;
      expect(documentedPublic, key).toBe(deployed.get(key)?.AuthorizationType === 'NONE');
    }
  });

  it('refuses to build when a route has no documentation', () => {
    const routes = [
      ...API_ROUTES,
      {
        method: 'GET' as const,
        path: '/v1/clinics/{clinicId}/undocumented',
        function: 'getJourney' as const,
        auth: { kind: 'clinic-key' as const },
      },
    ];

    expect(() => buildOpenApiDocument(routes)).toThrow('No OpenAPI documentation for GET /v1/clinics/{clinicId}/undocumented');
  });

  it('declares OpenAPI 3.1, the x-api-key scheme and the staff bearer scheme', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.ApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(document.components.securitySchemes.StaffBearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('documents the intake route: Idempotency-Key and every response', () => {
    const intake = document.paths['/v1/clinics/{clinicId}/intake-submissions']?.post;

    expect(intake?.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }));
    expect(Object.keys(intake?.responses ?? {}).sort()).toEqual(['202', '400', '401', '403', '409', '413', '415', '500', '503']);
  });

  it('documents a 503 with Retry-After, and a 400 for a bad path ID, on every protected route', () => {
    const protectedRoutes = API_ROUTES.filter((route) => route.auth.kind !== 'public');

    for (const route of protectedRoutes) {
      const responses = document.paths[route.path]?.[route.method.toLowerCase()]?.responses as Record<string, { description: string }>;
      expect(responses['503']?.description, route.path).toContain('Retry-After');
      expect(responses['400']?.description, route.path).toMatch(/path|ID/);
    }
  });
});
