import { request as httpRequest } from 'node:http';
import type { ApiRoute } from '#contract/api-routes.ts';
import type { JourneyView } from '#functions/journey/journey-view.ts';
import type { LocalCloud } from '#local/cloud.ts';

/** One HTTP exchange with the API, as the suite records it (status 0: no HTTP answer at all). */
export interface Exchange {
  method: string;
  path: string;
  status: number;
  /** The network error, when there was no answer. */
  error?: string;
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  text: string;
}

export type StaffAction = 'RETRY' | 'PROCEED' | 'CANCEL';

/**
 * The clinic's API as a client sees it, over HTTP on 127.0.0.1 only. Every exchange is recorded, so a scenario can
 * assert on all of them at the end (no 5xx, no connection the API dropped) and not only on the ones it looked at.
 */
export class ChaosApi {
  readonly exchanges: Exchange[] = [];

  /** The front-desk demo user's bearer token, signed in once (a token lasts an hour). */
  private staffToken: Promise<string> | undefined;

  constructor(private cloud: Pick<LocalCloud, 'apiUrl' | 'apiKey' | 'clinicId' | 'staffToken'>) {
    if (!new URL(cloud.apiUrl).hostname.match(/^127\.0\.0\.1$/)) throw new Error(`Chaos tests talk to 127.0.0.1 only, not ${cloud.apiUrl}`);
  }

  /** Points the client at a restarted stack (same clinic and key); the exchanges so far stay recorded. */
  retarget(cloud: Pick<LocalCloud, 'apiUrl' | 'apiKey' | 'clinicId' | 'staffToken'>): void {
    this.cloud = cloud;
    // The restarted stack's issuer may have another port: sign in again.
    this.staffToken = undefined;
  }

  get clinicId(): string {
    return this.cloud.clinicId;
  }

  /** Exchanges answered 5xx, or not answered at all. */
  serverErrors(): Exchange[] {
    return this.exchanges.filter((e) => e.status === 0 || e.status >= 500);
  }

  /** A request with the path exactly as given (no normalisation of `..`, `%2F` or anything else), with the clinic's key. */
  async raw(method: ApiRoute['method'], path: string, body?: string, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const url = new URL(this.cloud.apiUrl);
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const result = await new Promise<{ status: number; text: string } | { error: string }>((resolvePromise) => {
      const outgoing = httpRequest(
        {
          host: '127.0.0.1',
          port: url.port,
          method,
          path,
          agent: false,
          headers: {
            'x-api-key': this.cloud.apiKey,
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            ...headers,
          },
          timeout: 60_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolvePromise({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', (error) => resolvePromise({ error: error.message }));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 60 s')));
      outgoing.on('error', (error) => resolvePromise({ error: `${error.name}: ${error.message}` }));
      outgoing.end(payload);
    });
    if ('error' in result) {
      this.exchanges.push({ method, path, status: 0, error: result.error });
      return { status: 0, body: undefined, text: result.error };
    }
    this.exchanges.push({ method, path, status: result.status });
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.text);
    } catch {
      parsed = undefined;
    }
    return { status: result.status, body: parsed, text: result.text };
  }

  submit(body: unknown, idempotencyKey?: string): Promise<ApiAnswer<{ journeyId?: string; submissionId?: string; status?: string }>> {
    const path = `/v1/clinics/${this.clinicId}/intake-submissions`;
    return this.raw('POST', path, JSON.stringify(body), idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) as Promise<
      ApiAnswer<{ journeyId?: string }>
    >;
  }

  /** Submits and returns the journey ID; throws unless the API answered 202. */
  async submitOk(body: unknown): Promise<string> {
    const answer = await this.submit(body);
    if (answer.status !== 202 || !answer.body?.journeyId) throw new Error(`Submission answered ${answer.status}: ${answer.text}`);
    return answer.body.journeyId;
  }

  journey(journeyId: string): Promise<ApiAnswer<JourneyView>> {
    return this.raw('GET', `/v1/clinics/${this.clinicId}/journeys/${journeyId}`) as Promise<ApiAnswer<JourneyView>>;
  }

  /** A decision as the demo clinic's front desk makes it: a signed-in person. */
  async decide(
    taskId: string,
    action: StaffAction,
    note?: string,
  ): Promise<ApiAnswer<{ action?: string; status?: string; message?: string }>> {
    this.staffToken ??= this.cloud.staffToken('frontdesk');
    return this.raw(
      'POST',
      `/v1/clinics/${this.clinicId}/staff-tasks/${taskId}/decision`,
      JSON.stringify({ action, ...(note ? { note } : {}) }),
      { authorization: `Bearer ${await this.staffToken}` },
    ) as Promise<ApiAnswer<{ action?: string }>>;
  }
}
