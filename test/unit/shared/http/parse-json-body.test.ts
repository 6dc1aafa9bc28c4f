import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpError } from '#shared/http/http-error.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';

const Schema = z.strictObject({
  name: z.string().max(10),
  items: z.array(z.strictObject({ qty: z.int().min(1) })),
});

function rejection(event: Parameters<typeof parseJsonBody>[0], maxBytes = 1024): HttpError {
  try {
    parseJsonBody(event, Schema, { maxBytes });
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected the body to be rejected');
}

const jsonHeaders = { 'content-type': 'application/json' };

describe('Function: parseJsonBody', () => {
  it('returns the parsed body', () => {
    const event = { headers: jsonHeaders, body: JSON.stringify({ name: 'a', items: [{ qty: 2 }] }) };

    const body = parseJsonBody(event, Schema, { maxBytes: 1024 });

    expect(body).toEqual({ name: 'a', items: [{ qty: 2 }] });
  });

  it.each(['application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"', 'application/json;charset=utf8'])(
    'accepts content type %s',
    (type) => {
      const body = parseJsonBody({ headers: { 'Content-Type': type }, body: '{"name":"a","items":[]}' }, Schema, { maxBytes: 1024 });

      expect(body.name).toBe('a');
    },
  );

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a non-UTF-8 charset', { 'content-type': 'application/json; charset=iso-8859-1' }],
    ['no content type', {}],
  ])('answers 415 for %s', (_label, headers) => {
    const error = rejection({ headers, body: '{"name":"a","items":[]}' });

    expect(error.statusCode).toBe(415);
    expect(error.body).toEqual({ message: 'Content-Type must be application/json' });
  });

  it('answers 413 when the body has more bytes than allowed, counting multi-byte characters', () => {
    // 6 characters, 12 bytes in UTF-8
    const event = { headers: jsonHeaders, body: JSON.stringify({ name: 'éééééé', items: [] }) };
    const bytes = Buffer.byteLength(event.body, 'utf8');

    expect(rejection(event, bytes - 1).statusCode).toBe(413);
    expect(parseJsonBody(event, Schema, { maxBytes: bytes }).name).toBe('éééééé');
  });

  it('decodes a base64-encoded body and measures its decoded size', () => {
    const json = JSON.stringify({ name: 'b64', items: [{ qty: 1 }] });
    const event = { headers: jsonHeaders, body: Buffer.from(json).toString('base64'), isBase64Encoded: true };

    expect(parseJsonBody(event, Schema, { maxBytes: json.length }).name).toBe('b64');
    expect(rejection(event, json.length - 1).statusCode).toBe(413);
  });

  it('answers 413 for a huge base64 body without decoding it', () => {
    const event = { headers: jsonHeaders, body: 'A'.repeat(10_000), isBase64Encoded: true };

    expect(rejection(event, 1024).statusCode).toBe(413);
  });

  it.each([
    ['malformed JSON', '{"name": "a",'],
    ['an empty body', ''],
  ])('answers 400 for %s', (_label, body) => {
    const error = rejection({ headers: jsonHeaders, body });

    expect(error.statusCode).toBe(400);
    expect(error.body).toEqual({ errors: [{ path: '', message: 'The body is not valid JSON' }] });
  });

  it('answers 400 for a base64 body that is not UTF-8', () => {
    const event = { headers: jsonHeaders, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), isBase64Encoded: true };

    expect(rejection(event).body).toEqual({ errors: [{ path: '', message: 'The body is not valid UTF-8' }] });
  });

  it('answers 400 with every schema problem, array indexes in the path', () => {
    const body = JSON.stringify({ name: 'far too long a name', items: [{ qty: 1 }, { qty: 0 }, { qty: 1, colour: 'red' }], extra: true });

    const error = rejection({ headers: jsonHeaders, body });

    expect(error.statusCode).toBe(400);
    expect(error.body).toEqual({
      errors: [
        { path: 'name', message: expect.any(String) },
        { path: 'items.1.qty', message: expect.any(String) },
        { path: 'items.2.colour', message: 'Unknown field' },
        { path: 'extra', message: 'Unknown field' },
      ],
    });
  });

  it('answers 400 for a JSON value that is not an object', () => {
    const error = rejection({ headers: jsonHeaders, body: '[1,2]' });

    expect(error.body).toEqual({ errors: [{ path: '', message: expect.any(String) }] });
  });

  it('reports a missing field as required', () => {
    const error = rejection({ headers: jsonHeaders, body: '{"items":[]}' });

    expect(error.body).toEqual({ errors: [{ path: 'name', message: 'is required' }] });
  });
});
