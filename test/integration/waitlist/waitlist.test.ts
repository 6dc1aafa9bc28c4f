import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { AppointmentChangedDetail } from '#contract/appointment-events.ts';
import { makeManageWaitlist } from '#functions/scheduling/manage-waitlist.handler.ts';
import { acceptOffer, expireOffer, joinWaitlist, type OfferDeps, offerFreedTime, offerOpenedTime } from '#functions/scheduling/waitlist.ts';
import { makeWaitlistOffer } from '#functions/scheduling/waitlist-offer.handler.ts';
import { dynamoWaitlistStore } from '#functions/scheduling/waitlist-store.ts';
import { DEMO_LOCATIONS, DEMO_RESOURCES, DEMO_APPOINTMENT_TYPES as TYPES } from '#local/seed/demo-clinic.ts';
import type { Resource } from '#model/clinic-catalog.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { keys } from '#shared/keys.ts';
import type { OutgoingEmail } from '#shared/mail/mailer-port.ts';
import { dynamoOfferMessageStore } from '#shared/mail/message-store.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { lambdaContext, staffEvent } from '#test/support/api-event.ts';
import { type Desk, openDesk } from '#test/support/appointment-desk.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('waitlist');
const waitlist = dynamoWaitlistStore(table);
/** Monday 7 December 2026, 07:00 in Boston. */
const NOW = new Date('2026-12-07T12:00:00.000Z');
const FOLLOW_UP = { appointmentType: TYPES.primaryCareFollowUp, providerId: DEMO_RESOURCES.drOkafor };

/** The offer functions over the desk's clinic: emails, timers and tokens recorded. */
function offers(desk: Desk, clock: { now: Date }) {
  const sent: OutgoingEmail[] = [];
  const timers: Array<{ offerId: string; at: Date }> = [];
  const tokens: string[] = [];
  const deps: OfferDeps = {
    appointments: desk.appointments,
    catalog: { load: async () => desk.catalog, put: async () => ({ calendarKept: false, hoursKept: [] }) },
    patients: dynamoPatientStore(table),
    audit: dynamoAuditLog(table),
    waitlist,
    timers: {
      schedule: async (t) => {
        timers.push(t);
      },
    },
    recipients: { getClinicProfile: async () => desk.catalog.profile },
    messages: dynamoOfferMessageStore(table),
    mailer: {
      send: async (email) => {
        sent.push(email);
        return { messageId: `m-${sent.length}` };
      },
    },
    offerLinkBase: 'https://api.clinic.example',
    now: () => clock.now,
    newToken: () => {
      const token = `tok${randomUUID().replaceAll('-', '')}`;
      tokens.push(token);
      return token;
    },
  };
  return { deps, sent, timers, tokens };
}

/** A patient with an email address (and consent to email) in the desk's clinic. */
async function patientWithEmail(desk: Desk) {
  const patientId = await desk.patient();
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...keys.patient(desk.clinicId, patientId),
        type: 'Patient',
        patientId,
        firstName: 'Robin',
        email: `${patientId}@example.com`,
        communication: { email: true, sms: false },
      },
    }),
  );
  return patientId;
}

const join = (desk: Desk, patientId: string, extra: Record<string, unknown> = {}, at = NOW) =>
  joinWaitlist(
    { patients: dynamoPatientStore(table), audit: dynamoAuditLog(table), waitlist, now: () => at },
    { clinicId: desk.clinicId, actor: 'user:desk' },
    { patientId, appointmentType: TYPES.primaryCareFollowUp, requestKey: randomUUID(), ...extra },
  );

/** A booking of Dr Okafor's Tuesday 09:00, cancelled: the event that frees it. */
async function freedTuesdayNine(desk: Desk): Promise<AppointmentChangedDetail> {
  const booked = await desk.book({ patientId: await desk.patient(), ...FOLLOW_UP, start: '2026-12-08T09:00:00-05:00' });
  const cancelled = await desk.change(booked.body.appointmentId, 'cancel', { by: 'patient', reason: 'PATIENT_ILL' });
  expect(cancelled.body.status).toBe('CANCELLED');
  return {
    clinicId: desk.clinicId,
    appointmentId: booked.body.appointmentId,
    revision: 1,
    change: 'cancel',
    status: 'CANCELLED',
    origin: 'staff',
  };
}

describe('Waitlist: freed time offered in line order, an expiry, then the next in line', () => {
  it('offers a cancelled slot to the first in line it fits (priority, then time waiting), by email with a link', async () => {
    const desk = openDesk(table, NOW);
    const { deps, sent, timers } = offers(desk, { now: NOW });
    const [early, urgent, elsewhere] = [await patientWithEmail(desk), await patientWithEmail(desk), await patientWithEmail(desk)];
    await join(desk, elsewhere, { priority: 'urgent', locationId: DEMO_LOCATIONS.denver }, new Date('2026-12-01T00:00:00Z'));
    await join(desk, early, {}, new Date('2026-12-02T00:00:00Z'));
    const { entry: offered } = await join(desk, urgent, { priority: 'urgent' }, new Date('2026-12-05T00:00:00Z'));

    const outcome = await offerFreedTime(deps, await freedTuesdayNine(desk));

    expect(outcome).toBe('OFFERED');
    expect(await waitlist.get(desk.clinicId, offered.entryId)).toMatchObject({ status: 'OFFERED' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      to: `${urgent}@example.com`,
      subject: expect.stringMatching(/^An earlier appointment is available: /),
    });
    expect(sent[0]?.text).toMatch(new RegExp(`https://api\\.clinic\\.example/v1/clinics/${desk.clinicId}/waitlist-offers/tok[0-9a-f]{32}`));
    // Two hours to accept (the default).
    expect(timers).toEqual([expect.objectContaining({ at: new Date('2026-12-07T14:00:00.000Z') })]);
  });

  it('hands the slot to the next in line when the offer expires, keeping the first one’s place', async () => {
    const desk = openDesk(table, NOW);
    const clock = { now: NOW };
    const { deps, sent } = offers(desk, clock);
    const [first, second] = [await patientWithEmail(desk), await patientWithEmail(desk)];
    const { entry: firstEntry } = await join(desk, first, {}, new Date('2026-12-01T00:00:00Z'));
    await join(desk, second, {}, new Date('2026-12-02T00:00:00Z'));
    await offerFreedTime(deps, await freedTuesdayNine(desk));
    const offerId = (await waitlist.get(desk.clinicId, firstEntry.entryId))?.offerId ?? '';
    const offer = await waitlist.getOffer(desk.clinicId, offerId);

    const early = await expireOffer(deps, { clinicId: desk.clinicId, offerId });
    clock.now = new Date(offer?.expiresAt ?? '');
    const due = await expireOffer(deps, { clinicId: desk.clinicId, offerId });

    expect([early, due]).toEqual(['NOT_DUE', 'EXPIRED']);
    expect(sent.map((e) => e.to)).toEqual([`${first}@example.com`, `${second}@example.com`]);
    expect(await waitlist.get(desk.clinicId, firstEntry.entryId)).toMatchObject({ status: 'WAITING', passedSlots: [expect.any(String)] });
  });

  it('books the slot for the patient who accepts, once; their entry shows the booking', async () => {
    const desk = openDesk(table, NOW);
    const { deps, tokens } = offers(desk, { now: NOW });
    const patientId = await patientWithEmail(desk);
    const { entry } = await join(desk, patientId);
    await offerFreedTime(deps, await freedTuesdayNine(desk));

    const accepted = await acceptOffer(deps, desk.clinicId, tokens[0] ?? '');
    const again = await acceptOffer(deps, desk.clinicId, tokens[0] ?? '');

    expect(accepted).toMatchObject({
      outcome: 'BOOKED',
      appointment: { patientId, start: '2026-12-08T09:00:00-05:00', provider: { id: DEMO_RESOURCES.drOkafor } },
    });
    expect(again).toEqual(accepted);
    const appointmentId = accepted.outcome === 'BOOKED' ? accepted.appointment.appointmentId : '';
    expect(await waitlist.get(desk.clinicId, entry.entryId)).toMatchObject({ status: 'BOOKED', appointmentId });
  });

  it('gives one slot accepted twice at once (a late first and the next in line) one booking, and the other “sorry, taken” with alternatives', async () => {
    const desk = openDesk(table, NOW);
    const clock = { now: NOW };
    const { deps, tokens } = offers(desk, clock);
    const [first, second] = [await patientWithEmail(desk), await patientWithEmail(desk)];
    const { entry: firstEntry } = await join(desk, first, {}, new Date('2026-12-01T00:00:00Z'));
    await join(desk, second, {}, new Date('2026-12-02T00:00:00Z'));
    await offerFreedTime(deps, await freedTuesdayNine(desk));
    const offerId = (await waitlist.get(desk.clinicId, firstEntry.entryId))?.offerId ?? '';
    clock.now = new Date((await waitlist.getOffer(desk.clinicId, offerId))?.expiresAt ?? '');
    await expireOffer(deps, { clinicId: desk.clinicId, offerId });
    expect(tokens).toHaveLength(2);

    const answers = await Promise.all([
      acceptOffer(deps, desk.clinicId, tokens[0] ?? ''),
      acceptOffer(deps, desk.clinicId, tokens[1] ?? ''),
    ]);

    expect(answers.map((a) => a.outcome).sort()).toEqual(['BOOKED', 'TAKEN']);
    const taken = answers.find((a) => a.outcome === 'TAKEN');
    expect(taken?.outcome === 'TAKEN' ? taken.alternatives.length : 0).toBeGreaterThan(0);
    const day = await desk.schedule({ date: '2026-12-08' });
    const nine = day.body.appointments.filter(
      (a: { status: string; start: string }) => a.status === 'BOOKED' && a.start === '2026-12-08T09:00:00-05:00',
    );
    expect(nine).toHaveLength(1);
  });

  it('offers nothing for time too soon to reach, or that someone booked meanwhile', async () => {
    const desk = openDesk(table, NOW);
    const clock = { now: new Date('2026-12-08T13:30:00.000Z') }; // 08:30 in Boston: half an hour before the freed 09:00
    const { deps, sent } = offers(desk, clock);
    await join(desk, await patientWithEmail(desk));
    const freed = await freedTuesdayNine(desk);

    const tooSoon = await offerFreedTime(deps, freed);
    clock.now = NOW;
    await desk.book({ patientId: await desk.patient(), ...FOLLOW_UP, start: '2026-12-08T09:00:00-05:00' });
    const rebooked = await offerFreedTime(deps, freed);

    expect([tooSoon, rebooked]).toEqual(['NONE', 'NONE']);
    expect(sent).toEqual([]);
  });
});

describe('Waitlist routes', () => {
  it('puts a patient in line once per key, lists the line in order and takes them off', async () => {
    const desk = openDesk(table, NOW);
    const manage = makeManageWaitlist({
      appointments: desk.appointments,
      patients: dynamoPatientStore(table),
      audit: dynamoAuditLog(table),
      waitlist,
      now: () => NOW,
    });
    const call = async (
      routeKey: string,
      options: { body?: unknown; query?: Record<string, string>; params?: Record<string, string>; key?: string },
    ) => {
      const response = await manage(
        staffEvent({
          routeKey,
          pathParameters: { clinicId: desk.clinicId, ...options.params },
          ...(options.body ? { body: options.body } : {}),
          ...(options.query ? { queryStringParameters: options.query } : {}),
          ...(options.key ? { headers: { 'Idempotency-Key': options.key } } : {}),
        }),
        lambdaContext,
      );
      return { status: response.statusCode, body: JSON.parse(response.body ?? '{}') };
    };
    const [a, b] = [await desk.patient(), await desk.patient()];
    const key = randomUUID();
    const type = TYPES.primaryCareFollowUp;

    const joined = await call('POST /v1/clinics/{clinicId}/waitlist', { body: { patientId: a, appointmentType: type }, key });
    const again = await call('POST /v1/clinics/{clinicId}/waitlist', { body: { patientId: a, appointmentType: type }, key });
    await call('POST /v1/clinics/{clinicId}/waitlist', {
      body: { patientId: b, appointmentType: type, priority: 'urgent' },
      key: randomUUID(),
    });
    const stranger = await call('POST /v1/clinics/{clinicId}/waitlist', {
      body: { patientId: randomUUID(), appointmentType: type },
      key: randomUUID(),
    });
    const line = await call('GET /v1/clinics/{clinicId}/waitlist', { query: { appointmentType: type } });
    const removed = await call('POST /v1/clinics/{clinicId}/waitlist/{entryId}/remove', { params: { entryId: joined.body.entryId } });
    const after = await call('GET /v1/clinics/{clinicId}/waitlist', { query: { appointmentType: type } });

    expect([joined.status, again.status, again.body.entryId]).toEqual([201, 200, joined.body.entryId]);
    expect(stranger).toMatchObject({ status: 400, body: { errors: [{ path: 'patientId' }] } });
    expect(line.body.entries.map((e: { patientId: string }) => e.patientId)).toEqual([b, a]);
    expect(removed.body.status).toBe('REMOVED');
    expect(after.body.entries.map((e: { patientId: string }) => e.patientId)).toEqual([b]);
  });

  it('serves the offer’s page without booking, and accepts from its form; a token that matches nothing is 404', async () => {
    const desk = openDesk(table, NOW);
    const { deps, tokens } = offers(desk, { now: NOW });
    await join(desk, await patientWithEmail(desk));
    await offerFreedTime(deps, await freedTuesdayNine(desk));
    const route = makeWaitlistOffer(deps);
    const hit = async (routeKey: string, token: string) => {
      const response = await route(
        staffEvent({ routeKey, pathParameters: { clinicId: desk.clinicId, token }, person: null }),
        lambdaContext,
      );
      return { status: response.statusCode, body: response.body ?? '', type: response.headers?.['content-type'] };
    };

    const page = await hit('GET /v1/clinics/{clinicId}/waitlist-offers/{token}', tokens[0] ?? '');
    const beforeAccept = await desk.schedule({ date: '2026-12-08' });
    const accepted = await hit('POST /v1/clinics/{clinicId}/waitlist-offers/{token}/accept', tokens[0] ?? '');
    const unknown = await hit('GET /v1/clinics/{clinicId}/waitlist-offers/{token}', 'tok0000000000000000000000000000000');

    expect(page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', body: expect.stringContaining('<form method="post"') });
    expect(beforeAccept.body.appointments.filter((a: { status: string }) => a.status === 'BOOKED')).toEqual([]);
    expect(accepted).toMatchObject({ status: 200, body: expect.stringContaining('You are booked') });
    expect(unknown.status).toBe(404);
  });
});

describe('Waitlist: time an admin opens (CalendarOpened)', () => {
  it('offers open slots within the opened windows, of the opened resource, one per entry in line', async () => {
    const desk = openDesk(table, NOW);
    const { deps, sent } = offers(desk, { now: NOW });
    const [first, second] = [await patientWithEmail(desk), await patientWithEmail(desk)];
    const { entry: firstEntry } = await join(desk, first, {}, new Date('2026-12-01T00:00:00Z'));
    const { entry: secondEntry } = await join(desk, second, {}, new Date('2026-12-02T00:00:00Z'));
    // Tuesday 8 December, 14:00–15:00 in Boston.
    const window = { start: '2026-12-08T19:00:00.000Z', end: '2026-12-08T20:00:00.000Z' };

    const outcome = await offerOpenedTime(deps, {
      clinicId: desk.clinicId,
      openingId: 'calendar-1',
      resourceIds: [DEMO_RESOURCES.drOkafor],
      windows: [window],
    });

    expect(outcome).toBe('OFFERED');
    expect(sent.map((e) => e.to).sort()).toEqual([`${first}@example.com`, `${second}@example.com`].sort());
    const offered = [await waitlist.get(desk.clinicId, firstEntry.entryId), await waitlist.get(desk.clinicId, secondEntry.entryId)];
    expect(offered.map((e) => e?.status)).toEqual(['OFFERED', 'OFFERED']);
    const slots = await Promise.all(offered.map((e) => waitlist.getOffer(desk.clinicId, e?.offerId ?? '')));
    for (const offer of slots) {
      expect(offer?.slot.resourceIds).toContain(DEMO_RESOURCES.drOkafor);
      expect(Date.parse(offer?.slot.start ?? '')).toBeGreaterThanOrEqual(Date.parse(window.start));
      expect(Date.parse(offer?.slot.end ?? '')).toBeLessThanOrEqual(Date.parse(window.end));
    }
    // Two offers of one provider's time never overlap: both patients could accept.
    const [one, two] = slots.map((o) => [Date.parse(o?.slot.start ?? ''), Date.parse(o?.slot.end ?? '')] as const);
    expect(one && two && (one[1] <= two[0] || two[1] <= one[0])).toBe(true);
  });

  it('offers each slot of an opening once, however often its event is delivered', async () => {
    const desk = openDesk(table, NOW);
    const { deps, sent } = offers(desk, { now: NOW });
    for (const day of ['01', '02', '03']) await join(desk, await patientWithEmail(desk), {}, new Date(`2026-12-${day}T00:00:00Z`));
    // Tuesday 8 December, 14:00–14:30 in Boston: one follow-up's time.
    const opening = {
      clinicId: desk.clinicId,
      openingId: 'opening-calendar-7',
      resourceIds: [DEMO_RESOURCES.drOkafor],
      windows: [{ start: '2026-12-08T19:00:00.000Z', end: '2026-12-08T19:30:00.000Z' }],
    };

    const first = await offerOpenedTime(deps, opening);
    const redelivered = await offerOpenedTime(deps, opening);

    expect([first, redelivered]).toEqual(['OFFERED', 'NONE']);
    expect(sent).toHaveLength(1);
  });

  it('offers nothing for time nobody waits for, or too soon to reach', async () => {
    const desk = openDesk(table, NOW);
    const { deps, sent } = offers(desk, { now: NOW });
    await join(desk, await patientWithEmail(desk));

    const unserved = await offerOpenedTime(deps, {
      clinicId: desk.clinicId,
      openingId: 'calendar-1',
      resourceIds: [DEMO_RESOURCES.ptChen],
      windows: [{ start: '2026-12-08T15:00:00.000Z', end: '2026-12-08T20:00:00.000Z' }],
    });
    // 07:00–07:45 in Boston, within the hour it takes to get there.
    const tooSoon = await offerOpenedTime(deps, {
      clinicId: desk.clinicId,
      openingId: 'calendar-2',
      resourceIds: [DEMO_RESOURCES.drOkafor],
      windows: [{ start: '2026-12-07T12:00:00.000Z', end: '2026-12-07T12:45:00.000Z' }],
    });

    expect([unserved, tooSoon]).toEqual(['NONE', 'NONE']);
    expect(sent).toEqual([]);
  });
});

describe('Waitlist: earliest possible (a booked visit moved earlier)', () => {
  it('offers only time before the booked visit, and accepting moves that visit: one appointment, its old time free again', async () => {
    const desk = openDesk(table, NOW);
    const { deps, tokens, sent } = offers(desk, { now: NOW });
    const patientId = await patientWithEmail(desk);
    const booked = await desk.book({ patientId, ...FOLLOW_UP, start: '2026-12-10T09:00:00-05:00' });
    const manage = makeManageWaitlist({ ...deps, now: () => NOW });
    const joined = await manage(
      staffEvent({
        routeKey: 'POST /v1/clinics/{clinicId}/waitlist',
        pathParameters: { clinicId: desk.clinicId },
        body: { patientId, appointmentType: TYPES.primaryCareFollowUp, moveAppointmentId: booked.body.appointmentId },
        headers: { 'Idempotency-Key': randomUUID() },
      }),
      lambdaContext,
    );
    expect(JSON.parse(joined.body ?? '{}')).toMatchObject({
      moves: { appointmentId: booked.body.appointmentId, start: booked.body.start },
    });
    const later = await desk.book({ patientId: await desk.patient(), ...FOLLOW_UP, start: '2026-12-11T09:00:00-05:00' });
    await desk.change(later.body.appointmentId, 'cancel', { by: 'clinic', reason: 'PROVIDER_UNAVAILABLE' });
    const laterFreed = {
      clinicId: desk.clinicId,
      appointmentId: later.body.appointmentId,
      revision: 1,
      change: 'cancel',
      status: 'CANCELLED',
      origin: 'staff',
    } as const;

    const notEarlier = await offerFreedTime(deps, laterFreed);
    const earlier = await offerFreedTime(deps, await freedTuesdayNine(desk));
    const accepted = await acceptOffer(deps, desk.clinicId, tokens[0] ?? '');
    const again = await acceptOffer(deps, desk.clinicId, tokens[0] ?? '');

    expect([notEarlier, earlier]).toEqual(['NONE', 'OFFERED']);
    expect(sent).toHaveLength(1);
    expect(accepted).toMatchObject({
      outcome: 'BOOKED',
      appointment: { appointmentId: booked.body.appointmentId, start: '2026-12-08T09:00:00-05:00' },
    });
    expect(again).toMatchObject({ outcome: 'BOOKED', appointment: { appointmentId: booked.body.appointmentId, revision: 1 } });
    const moved = await desk.appointments.getById(desk.clinicId, booked.body.appointmentId);
    expect(moved?.history?.at(-1)).toMatchObject({ change: 'reschedule', by: `patient:${patientId}` });
    const thursday = await desk.availability({
      appointmentType: TYPES.primaryCareFollowUp,
      providerId: DEMO_RESOURCES.drOkafor,
      from: '2026-12-10T14:00:00Z',
      to: '2026-12-10T14:01:00Z',
    });
    expect(thursday.body.slots).toHaveLength(1);
  });

  it('drops an entry whose visit was cancelled meanwhile: no offer for it, and an offer made before answers that nothing moves', async () => {
    const desk = openDesk(table, NOW);
    const { deps, tokens, sent } = offers(desk, { now: NOW });
    const [patientId, other] = [await patientWithEmail(desk), await patientWithEmail(desk)];
    const booked = await desk.book({ patientId, ...FOLLOW_UP, start: '2026-12-10T09:00:00-05:00' });
    const { entry } = await join(desk, patientId, { moves: { appointmentId: booked.body.appointmentId, start: booked.body.start } });
    await offerFreedTime(deps, await freedTuesdayNine(desk));
    await desk.change(booked.body.appointmentId, 'cancel', { by: 'patient', reason: 'PATIENT_ILL' });

    const accepted = await acceptOffer(deps, desk.clinicId, tokens[0] ?? '');
    await join(desk, other, {}, new Date('2026-12-06T00:00:00Z'));
    const later = await desk.book({ patientId: await desk.patient(), ...FOLLOW_UP, start: '2026-12-09T09:00:00-05:00' });
    await desk.change(later.body.appointmentId, 'cancel', { by: 'clinic', reason: 'PROVIDER_UNAVAILABLE' });
    const next = await offerFreedTime(deps, {
      clinicId: desk.clinicId,
      appointmentId: later.body.appointmentId,
      revision: 1,
      change: 'cancel',
      status: 'CANCELLED',
      origin: 'staff',
    });

    expect(accepted).toEqual({ outcome: 'ALREADY_BOOKED_ANOTHER' });
    expect((await waitlist.get(desk.clinicId, entry.entryId))?.status).toBe('REMOVED');
    expect(next).toBe('OFFERED');
    expect(sent.map((e) => e.to)).toEqual([`${patientId}@example.com`, `${other}@example.com`]);
  });

  it('refuses to move a visit that is not this patient’s booked visit of this type (400, nothing joined)', async () => {
    const desk = openDesk(table, NOW);
    const { deps } = offers(desk, { now: NOW });
    const [patientId, other] = [await desk.patient(), await desk.patient()];
    const booked = await desk.book({ patientId: other, ...FOLLOW_UP, start: '2026-12-10T09:00:00-05:00' });
    const manage = makeManageWaitlist({ ...deps, now: () => NOW });

    const refused = await manage(
      staffEvent({
        routeKey: 'POST /v1/clinics/{clinicId}/waitlist',
        pathParameters: { clinicId: desk.clinicId },
        body: { patientId, appointmentType: TYPES.primaryCareFollowUp, moveAppointmentId: booked.body.appointmentId },
        headers: { 'Idempotency-Key': randomUUID() },
      }),
      lambdaContext,
    );

    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body ?? '{}').errors).toEqual([expect.objectContaining({ path: 'moveAppointmentId' })]);
    expect(await waitlist.inLine(desk.clinicId, TYPES.primaryCareFollowUp, 'WAITING', 10)).toEqual([]);
  });
});

describe('Waitlist: opened time offered safely', () => {
  it('never offers two patients the same scanner time, whichever technologist each offer names', async () => {
    const secondTech = 'mri-tech-second';
    const desk = openDesk(table, NOW, (catalog) => ({
      ...catalog,
      resources: [
        ...catalog.resources,
        {
          ...(catalog.resources.find((r) => r.resourceId === DEMO_RESOURCES.mriTechNowak) as Resource),
          resourceId: secondTech,
          name: 'Second technologist',
        },
      ],
    }));
    const { deps } = offers(desk, { now: NOW });
    for (const day of ['01', '02', '03', '04']) {
      await join(desk, await patientWithEmail(desk), { appointmentType: TYPES.mriKnee }, new Date(`2026-12-${day}T00:00:00Z`));
    }

    // Tuesday 8 December, 13:00–16:00 in Boston, for both technologists and the scanner (a closure removed).
    await offerOpenedTime(deps, {
      clinicId: desk.clinicId,
      openingId: 'opening-calendar-2',
      resourceIds: [DEMO_RESOURCES.mriTechNowak, secondTech, DEMO_RESOURCES.mriScanner],
      windows: [{ start: '2026-12-08T18:00:00.000Z', end: '2026-12-08T21:00:00.000Z' }],
    });

    const line = await waitlist.inLine(desk.clinicId, TYPES.mriKnee, 'OFFERED', 10);
    const slots = (await Promise.all(line.map((e) => waitlist.getOffer(desk.clinicId, e.offerId ?? '')))).map((o) => o?.slot);
    expect(slots.length).toBeGreaterThanOrEqual(2);
    const scannerTimes = slots.map((s) => [Date.parse(s?.start ?? ''), Date.parse(s?.end ?? '')] as const).sort((a, b) => a[0] - b[0]);
    for (const [i, [start]] of scannerTimes.entries()) if (i > 0) expect(start).toBeGreaterThanOrEqual(scannerTimes[i - 1]?.[1] ?? 0);
  });

  it('offers again on the redelivery a slot whose email failed, to the same first in line', async () => {
    const desk = openDesk(table, NOW);
    const { deps, sent } = offers(desk, { now: NOW });
    const first = await patientWithEmail(desk);
    const { entry } = await join(desk, first);
    let failures = 1;
    const flaky = {
      ...deps,
      mailer: {
        send: async (email: OutgoingEmail) => {
          if (failures-- > 0) throw Object.assign(new Error('SES throttled'), { name: 'MessagingUnavailable' });
          return deps.mailer.send(email);
        },
      },
    };
    const opening = {
      clinicId: desk.clinicId,
      openingId: 'opening-calendar-9',
      resourceIds: [DEMO_RESOURCES.drOkafor],
      windows: [{ start: '2026-12-08T19:00:00.000Z', end: '2026-12-08T19:30:00.000Z' }],
    };

    await expect(offerOpenedTime(flaky, opening)).rejects.toThrow('SES throttled');
    const redelivered = await offerOpenedTime(flaky, opening);

    expect(redelivered).toBe('OFFERED');
    expect(sent.map((e) => e.to)).toEqual([`${first}@example.com`]);
    expect((await waitlist.get(desk.clinicId, entry.entryId))?.status).toBe('OFFERED');
  });
});
