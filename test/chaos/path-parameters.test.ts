import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '#contract/api-routes.ts';
import { type ChaosStack, startChaosStack } from '#test/chaos/support/cloud.ts';

/**
 * (c) Whatever a client puts in a path parameter — 2,100 characters, an encoded slash, unicode, `..`, control
 * characters, percent signs that decode to nothing — every route answers 4xx, never 5xx and never a dropped connection.
 * Requests are sent byte for byte as written (node:http, no URL normalisation).
 */
const HOSTILE: Record<string, string> = {
  'long ASCII (2,100 chars)': 'a'.repeat(2_100),
  'long UUID-like (2,100 chars)': `${'0123456789abcdef-'.repeat(124)}0123456789abcdef`.slice(0, 2_100),
  'long unicode (2,100 chars)': encodeURIComponent('é'.repeat(2_100)),
  'long emoji (2,100 code points)': encodeURIComponent('😀'.repeat(2_100)),
  'encoded slash': 'abc%2Fdef',
  'encoded slash only': '%2F',
  'encoded backslash': 'abc%5Cdef',
  'dot-dot': '..',
  dot: '.',
  'encoded dot-dot': '%2E%2E',
  'encoded ../': '..%2F..%2Fopenapi.json',
  unicode: encodeURIComponent('日本語-ID'),
  'unicode letters (valid chars elsewhere)': encodeURIComponent('Ärztin'),
  'encoded NUL': 'abc%00def',
  'encoded newline': 'abc%0Adef',
  'invalid percent escape': '%E0%A4%A',
  'lone percent': '%',
  'invalid UTF-8': '%FF%FE',
  'encoded percent': '%25',
  space: 'a%20b',
  'quote and angle brackets': `%22%3Cscript%3E%27`,
  'hash-like key separator': 'CLINIC%23demo-clinic',
  'DynamoDB key separator': 'x%23JOURNEY%23y',
  semicolon: 'a;b',
  plus: 'a+b',
  'leading hyphen': '-abc',
  'underscore only': '_',
  '101 chars': 'a'.repeat(101),
};

const VALID = { clinicId: 'demo-clinic', journeyId: '00000000-0000-4000-8000-000000000000', taskId: 'st-00000000000000000000' };
const completes = readFileSync('examples/completes.json', 'utf8');

let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack();
});

afterAll(async () => {
  await stack?.dispose();
});

describe('Chaos (c): hostile path parameters', () => {
  const routes = API_ROUTES.filter((r) => r.path.includes('{'));

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s answers 4xx for every hostile value of every parameter',
    async (_, route) => {
      // prepare
      const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as keyof typeof VALID);
      const body =
        route.method === 'POST'
          ? route.function === 'submitIntake'
            ? completes
            : JSON.stringify({ action: 'PROCEED', text: 'a note' })
          : route.method === 'PATCH'
            ? JSON.stringify({ memberId: 'M-1' })
            : undefined;
      const requests = parameters.flatMap((parameter) =>
        Object.entries(HOSTILE).map(([label, value]) => ({
          label: `${parameter} = ${label}`,
          path: route.path.replace(/\{(\w+)\}/g, (_m, name: keyof typeof VALID) => (name === parameter ? value : VALID[name])),
        })),
      );

      // A staff route gets a signed-in person, so the request reaches the function rather than stopping at 401.
      const headers: Record<string, string> =
        route.auth.kind === 'staff' ? { authorization: `Bearer ${await stack.cloud.staffToken('frontdesk')}` } : {};

      // act
      const answers = [];
      for (const r of requests) answers.push({ ...r, answer: await stack.api.raw(route.method, r.path, body, headers) });

      // assess
      const wrong = answers.filter((a) => a.answer.status < 400 || a.answer.status >= 500 || a.answer.status === 401);
      expect(wrong.map((a) => `${a.label}: ${a.answer.status} ${a.answer.text.slice(0, 120)}`)).toEqual([]);
    },
  );

  it('answered nothing with 5xx or a dropped connection', () => {
    // assess
    expect(stack.api.serverErrors()).toEqual([]);
  });
});
