import { httpHandler } from '#shared/handler.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { header } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { type HttpResponse, json } from '#shared/http/response.ts';
import { escapeHtml } from '#shared/mail/compose-format.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type AcceptOfferDeps, acceptOffer, offerIdOf } from './waitlist.ts';
import { dynamoWaitlistStore } from './waitlist-store.ts';

/**
 * GET /v1/clinics/{clinicId}/waitlist-offers/{token}: the page an offer's email links to, with a button that accepts
 * (a GET never books: mail scanners open links). POST …/{token}/accept: accepts (waitlist.ts, acceptOffer). The token
 * is the credential, as the link is the patient's: 128+ bits, single offer, found by its hash. HTML for a browser, JSON
 * when asked for (`accept: application/json`).
 */
export function makeWaitlistOffer(deps: AcceptOfferDeps) {
  return httpHandler(async (event) => {
    const { clinicId, token } = pathIds(event, ['clinicId', 'token']);
    const wantsJson = (header(event, 'accept') ?? '').includes('application/json');
    if (!event.routeKey.endsWith('/accept')) {
      const offer = await deps.waitlist.getOffer(clinicId, offerIdOf(token));
      if (!offer) throw HttpError.withMessage(404, 'This offer does not exist');
      if (wantsJson) return json(200, { status: offer.status, start: offer.slot.start, end: offer.slot.end, expiresAt: offer.expiresAt });
      return page(
        200,
        'An appointment for you',
        `<p>${escapeHtml(`Starts ${offer.slot.start.replace('T', ' at ').slice(0, 22)}.`)}</p>` +
          `<form method="post" action="${escapeHtml(`${token}/accept`)}"><button type="submit">Accept this appointment</button></form>`,
      );
    }
    const result = await acceptOffer(deps, clinicId, token, event.routeKey);
    if (wantsJson) {
      if (result.outcome === 'BOOKED')
        return json(200, { outcome: 'BOOKED', appointmentId: result.appointment.appointmentId, start: result.appointment.start });
      return json(409, result.outcome === 'TAKEN' ? { outcome: 'TAKEN', alternatives: result.alternatives } : { outcome: result.outcome });
    }
    if (result.outcome === 'BOOKED')
      return page(
        200,
        'You are booked',
        `<p>${escapeHtml(`See you on ${result.appointment.start.slice(0, 10)}. A confirmation is on its way.`)}</p>`,
      );
    return page(409, 'Sorry, this time was taken', '<p>Someone accepted it first. Please call us and we will find you another time.</p>');
  });
}

function page(statusCode: number, title: string, body: string): HttpResponse {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; form-action 'self'",
      'referrer-policy': 'no-referrer',
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

const table = tableFromEnv();
export const handler = makeWaitlistOffer({ ...dynamoStores(table), waitlist: dynamoWaitlistStore(table), now: systemClock });
