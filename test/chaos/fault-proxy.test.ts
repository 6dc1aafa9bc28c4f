import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '#local/fault-proxy.ts';

/** The proxy itself, in front of a tiny upstream that counts what reaches it (what "the upstream acted" means). */
let upstream: Server;
let upstreamUrl: string;
let acted: string[] = [];
let proxy: FaultProxy;

beforeAll(async () => {
  upstream = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      acted.push(`${request.method} ${request.url} ${Buffer.concat(chunks).toString('utf8')}`);
      response
        .writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' })
        .end(JSON.stringify({ ok: true, url: request.url }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  proxy = await startFaultProxy({ upstream: upstreamUrl });
});

afterAll(async () => {
  await proxy?.stop();
  await new Promise<void>((resolve) => {
    upstream.closeAllConnections();
    upstream.close(() => resolve());
  });
});

const call = async (method: string, path: string, body?: string) => {
  try {
    const response = await fetch(`${proxy.url}${path}`, {
      method,
      ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}),
      signal: AbortSignal.timeout(5_000),
    });
    return { status: response.status, text: await response.text(), header: response.headers.get('x-upstream') };
  } catch (error) {
    return { status: 0, text: String((error as Error).cause ?? error), header: null };
  }
};

describe('Fault proxy', () => {
  it('passes requests through by default, body, status and headers included', async () => {
    // prepare
    acted = [];
    await proxy.pass();

    // act
    const answer = await call('POST', '/v1/things?x=1', '{"a":1}');

    // assess
    expect(answer).toMatchObject({ status: 201, header: 'yes' });
    expect(JSON.parse(answer.text)).toEqual({ ok: true, url: '/v1/things?x=1' });
    expect(acted).toEqual(['POST /v1/things?x=1 {"a":1}']);
  });

  it('answers 503 itself for the matching method and path only, and counts every request', async () => {
    // prepare
    acted = [];
    await proxy.set({ method: 'POST', path: '/v1/payment_intents', mode: 'unavailable' });
    const before = proxy.count();

    // act
    const refused = await call('POST', '/v1/payment_intents', 'amount=1');
    const other = await call('GET', '/v1/payment_intents');

    // assess
    expect(refused.status).toBe(503);
    expect(other.status).toBe(201);
    expect(acted).toEqual(['GET /v1/payment_intents ']);
    expect(proxy.count() - before).toBe(2);
    expect(proxy.count({ method: 'POST', path: '/v1/payment_intents', mode: 'unavailable' })).toBe(1);
  });

  it('forwards and then drops the answer: the upstream acted, the caller sees a reset or a 502', async () => {
    // prepare
    acted = [];
    await proxy.set([
      { method: 'POST', path: '/reset', mode: 'drop-response' },
      { method: 'POST', path: /^\/bad-gateway/, mode: 'drop-response', dropAs: '502' },
    ]);

    // act
    const reset = await call('POST', '/reset', 'charge');
    const badGateway = await call('POST', '/bad-gateway/1', 'charge');

    // assess
    expect(reset.status).toBe(0);
    expect(badGateway.status).toBe(502);
    expect(acted).toEqual(['POST /reset charge', 'POST /bad-gateway/1 charge']);
    expect(
      proxy
        .requests()
        .filter((r) => r.mode === 'drop-response')
        .map((r) => r.upstreamStatus),
    ).toEqual([201, 201]);
  });

  it('refuses: resets a matching request without forwarding it, and closes the port for a catch-all rule', async () => {
    // prepare
    acted = [];
    await proxy.set({ path: '/only-this', mode: 'refuse' });

    // act
    const reset = await call('GET', '/only-this');
    await proxy.set('refuse');
    const refused = await call('GET', '/anything');
    await proxy.pass();
    const back = await call('GET', '/anything');

    // assess
    expect(reset.status).toBe(0);
    expect(refused.status).toBe(0);
    expect(refused.text).toMatch(/ECONNREFUSED|ECONNRESET|other side closed/);
    expect(back.status).toBe(201);
    expect(acted).toEqual(['GET /anything ']);
  });

  it('holds a request while hanging and hands it to the new rules when they change', async () => {
    // prepare
    acted = [];
    await proxy.set('hang');
    const pending = call('GET', '/slow');
    for (let i = 0; i < 100 && proxy.hanging() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const heldBefore = proxy.hanging();

    // act
    await proxy.pass();
    const answer = await pending;

    // assess
    expect(heldBefore).toBe(1);
    expect(answer.status).toBe(201);
    expect(proxy.hanging()).toBe(0);
    expect(acted).toEqual(['GET /slow ']);
  });

  it('gives up on a hung request after its bound, and spends a rule after `times` requests', async () => {
    // prepare
    acted = [];
    await proxy.set([
      { path: '/bounded', mode: 'hang', hangMs: 50 },
      { path: '/twice', mode: 'unavailable', times: 2 },
    ]);

    // act
    const bounded = await call('GET', '/bounded');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('GET', '/twice')).status);

    // assess
    expect(bounded.status).toBe(0);
    expect(statuses).toEqual([503, 503, 201]);
  });

  it('forwards to loopback only', async () => {
    // act
    const attempt = startFaultProxy({ upstream: 'http://example.org' });

    // assess
    await expect(attempt).rejects.toThrow(/loopback only/);
  });
});
