import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JourneyViewSchema } from '#contract/api/journey-view-schema.ts';
import { TEST_MEMBERS } from '#local/clearinghouse-simulator/responses.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { readSentEmails, type StoredEmail } from '#local/ses-emulator.ts';
import { appointmentIdOf } from '#model/journey.ts';
import { keys } from '#shared/keys.ts';
import { CATALOG_CACHE_MS } from '#shared/stores.ts';

/**
 * The appointment's life on the local cloud over HTTP, as the desk works it with a signed-in person: a journey books
 * its appointment; the desk sees it on the day sheet, reschedules it to the next open slot (its old time shows as open
 * again), checks the patient in and completes the visit; a second visit for the same patient is booked by staff and
 * cancelled, and its time is open again. This file has a cloud of its own.
 */
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ quiet: true });
});

afterAll(async () => {
  await cloud?.stop();
});

const api = () => `${cloud.apiUrl}/v1/clinics/${cloud.clinicId}`;

async function call(username: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${api()}${path}`, {
    method,
    headers: { authorization: `Bearer ${await cloud.staffToken(username)}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: a response body as the test reads it
  return { status: response.status, body: (await response.json()) as any };
}

/** Submits the `completes` example as a journey of its own and waits for its end. */
async function completedJourney(): Promise<string> {
  const journeyId = await submitted('completes');
  const view = await settled(journeyId);
  if (view.status !== 'COMPLETED') throw new Error(`Journey ended ${view.status}`);
  return journeyId;
}

/** Submits an example as a journey of its own (another last name, a fresh Idempotency-Key). */
async function submitted(name: string): Promise<string> {
  const example = JSON.parse(readFileSync(`examples/${name}.json`, 'utf8'));
  const suffix = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
  const response = await fetch(`${api()}/intake-submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': cloud.apiKey, 'idempotency-key': randomUUID() },
    body: JSON.stringify({ ...example, patient: { ...example.patient, lastName: `${example.patient.lastName}-${suffix}` } }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { journeyId: string }).journeyId;
}

/** The journey once it no longer runs (or after a minute). */
async function settled(journeyId: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${api()}/journeys/${journeyId}`, { headers: { 'x-api-key': cloud.apiKey } });
    const view = JourneyViewSchema.parse(await response.json());
    if (view.status !== 'RUNNING' || Date.now() > deadline) return view;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const localDate = (start: string) => start.slice(0, 10);

describe('Local stack: physician orders (examples/mri-with-order.json, examples/mri-without-order.json)', () => {
  it('books an MRI with its order, kept with the appointment; parks one without an order at scheduling, booking nothing', async () => {
    const [withOrder, withoutOrder] = await Promise.all([submitted('mri-with-order'), submitted('mri-without-order')]);
    const [booked, parked] = await Promise.all([settled(withOrder), settled(withoutOrder)]);

    expect(booked.appointment?.resource).toBe('MRI scanner 1 (1.5 T)');
    const day = await call('radiology', 'GET', `/appointments?date=${localDate(booked.appointment?.start ?? '')}&departmentId=radiology`);
    const mri = day.body.appointments.find((a: { journeyId?: string }) => a.journeyId === withOrder);
    expect(mri).toMatchObject({ appointmentType: 'MRI_KNEE', order: { orderId: 'ORD-2026-118', procedureCode: '73721' } });
    expect(parked.status).toBe('WAITING_FOR_STAFF');
    expect(parked.stages.find((stage) => stage.name === 'SCHEDULING')).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      reason: "MRI knee without contrast needs a physician's order, and none came with the request",
    });
    expect(parked.appointment).toBeNull();

    // Radiology obtains the order (with contrast: CPT 73723) and attaches it; a RETRY books the type it decides.
    const taskId = parked.stages.find((stage) => stage.name === 'SCHEDULING')?.staffTaskId ?? '';
    const order = {
      orderingPhysicianName: 'Dr. Lena Park',
      orderingPhysicianNpi: '1245319599',
      procedureCode: '73723',
      diagnosisCodes: ['M25.561'],
    };
    const expired = await call('radiology', 'PATCH', `/journeys/${withoutOrder}/order`, { ...order, expiresOn: '2020-01-31' });
    const attached = await call('radiology', 'PATCH', `/journeys/${withoutOrder}/order`, order);
    const retried = await call('radiology', 'POST', `/staff-tasks/${taskId}/decision`, { action: 'RETRY' });
    const rebooked = await settled(withoutOrder);

    expect(expired.status).toBe(400);
    expect(expired.body.errors).toEqual([expect.objectContaining({ path: 'expiresOn' })]);
    expect(attached).toMatchObject({ status: 200, body: { appointmentType: 'MRI_KNEE_CONTRAST' } });
    expect(retried.status).toBe(200);
    expect(rebooked.appointment?.resource).toBe('MRI scanner 1 (1.5 T)');
    const sheet = await call(
      'radiology',
      'GET',
      `/appointments?date=${localDate(rebooked.appointment?.start ?? '')}&departmentId=radiology`,
    );
    expect(sheet.body.appointments.find((a: { journeyId?: string }) => a.journeyId === withoutOrder)).toMatchObject({
      appointmentType: 'MRI_KNEE_CONTRAST',
      order: { procedureCode: '73723' },
      authorizationStatus: 'OPEN',
    });
  });
});

describe('Local stack: prior authorization (the demo payer lists CPT 73723)', () => {
  it('books the MRI unconfirmed, opens its case for radiology; the approval confirms the visit and the journey completes', async () => {
    // A contrast MRI ordered for an Aetna member: booked, held, not confirmed, not charged.
    const example = JSON.parse(readFileSync('examples/mri-prior-authorization.json', 'utf8'));
    const journeyId = await submitted('mri-prior-authorization');
    const held = await settled(journeyId);
    const email = `${example.contact.email}`;
    const confirmations = async () =>
      (await readSentEmails(cloud.mailViewerUrl)).filter(
        (e) => e.subject.startsWith('Appointment confirmed') && e.destination.to.includes(email),
      );
    const confirmedBefore = (await confirmations()).length;
    const scheduling = held.stages.find((stage) => stage.name === 'SCHEDULING');
    expect(held.status).toBe('WAITING_FOR_STAFF');
    expect(scheduling).toMatchObject({ status: 'WAITING_FOR_STAFF', reason: expect.stringMatching(/^Prior authorization required/) });
    expect(held.amounts.paidCents).toBeUndefined();
    const appointmentId = appointmentIdOf(journeyId);
    const task = await call('radiology', 'GET', `/staff-tasks/${scheduling?.staffTaskId}`);
    expect(task.body).toMatchObject({ queue: 'radiology', kind: 'STAGE_BLOCKED' });

    // Radiology reads what the payer needs, submits it, and records the approval.
    const frontDeskRead = await call('frontdesk', 'GET', `/appointments/${appointmentId}/authorization`);
    const opened = await call('radiology', 'GET', `/appointments/${appointmentId}/authorization`);
    const pendingTooSoon = await call('radiology', 'POST', `/appointments/${appointmentId}/authorization`, { status: 'PENDING' });
    const submittedCase = await call('radiology', 'POST', `/appointments/${appointmentId}/authorization`, {
      status: 'SUBMITTED',
      payerReference: 'AET-PA-55120',
    });
    const day = opened.body.request.serviceDate as string;
    const approval = { status: 'APPROVED', authorizationNumber: 'A1234567', validFrom: day, validTo: day, units: 1 };
    // A colleague has the held journey's task claimed (calling the payer, say): the approval still carries it on.
    const claimed = await call('admin', 'POST', `/staff-tasks/${scheduling?.staffTaskId}/claim`);
    const approved = await call('radiology', 'POST', `/appointments/${appointmentId}/authorization`, approval);
    const again = await call('radiology', 'POST', `/appointments/${appointmentId}/authorization`, approval);
    const completed = await settled(journeyId);

    expect(frontDeskRead.status).toBe(403);
    expect(opened).toMatchObject({
      status: 200,
      body: {
        status: 'OPEN',
        requiredBy: 'payer-rule',
        payerId: '60054',
        request: { procedureCode: '73723', diagnosisCodes: ['M25.561', 'S83.241A'], orderingPhysician: { npi: '1234567893' } },
        hold: expect.stringMatching(/^Prior authorization required/),
      },
    });
    expect(pendingTooSoon.status).toBe(409);
    expect(submittedCase.body).toMatchObject({
      authorization: { status: 'SUBMITTED', payerReference: 'AET-PA-55120' },
      journeyResumed: false,
    });
    expect(claimed.body).toMatchObject({ owner: { name: 'admin' } });
    expect(approved).toMatchObject({ status: 200, body: { authorization: { status: 'APPROVED' }, journeyResumed: true } });
    expect(approved.body.authorization).not.toHaveProperty('hold');
    expect(again.body.journeyResumed).toBe(false);
    expect(confirmedBefore).toBe(0);
    expect(completed.status).toBe('COMPLETED');
    expect(completed.amounts.paidCents).toBe(completed.amounts.dueCents);
    expect(await confirmations()).toHaveLength(1);
    const detail = await call('radiology', 'GET', `/staff-tasks/${scheduling?.staffTaskId}`);
    expect(detail.body.authorization).toMatchObject({ status: 'APPROVED', approval: { authorizationNumber: 'A1234567' } });
    expect(detail.body).toMatchObject({ status: 'DECIDED', decision: { action: 'RETRY', note: 'Prior authorization approved' } });

    // The visit moves to a later day than the approval covers: the case reopens, and radiology is asked to act.
    const zone = completed.appointment?.timeZone ?? 'UTC';
    const dayAfter = DateTime.fromISO(day, { zone }).plus({ days: 1 }).toISO() ?? '';
    const later = await call(
      'radiology',
      'GET',
      `/availability?appointmentType=MRI_KNEE_CONTRAST&limit=1&from=${encodeURIComponent(dayAfter)}`,
    );
    const moved = await call('radiology', 'POST', `/appointments/${appointmentId}/reschedule`, {
      start: later.body.slots[0].start,
      providerId: later.body.slots[0].provider.id,
    });
    await cloud.appointmentEvents.drain(60_000);
    const lapsed = await call('radiology', 'GET', `/appointments/${appointmentId}/authorization`);
    const queue = await call('radiology', 'GET', '/staff-tasks?queue=radiology&limit=50');

    expect(moved.status).toBe(200);
    expect(lapsed.body).toMatchObject({ status: 'EXPIRED', hold: expect.stringMatching(/expired/) });
    const lapseTasks = queue.body.tasks.filter((t: { appointmentId?: string }) => t.appointmentId === appointmentId);
    expect(lapseTasks).toEqual([expect.objectContaining({ kind: 'PRIOR_AUTHORIZATION', queue: 'radiology' })]);

    // The payer extends it to the new day: the case is approved again, and the task it opened is settled.
    const newDay = DateTime.fromISO(moved.body.start, { zone }).toISODate();
    const extension = await call('radiology', 'POST', `/appointments/${appointmentId}/authorization`, {
      status: 'SUBMITTED',
      note: 'extension asked',
    });
    const extended = await call('radiology', 'POST', `/appointments/${appointmentId}/authorization`, { ...approval, validTo: newDay });
    const settledTask = await call('radiology', 'GET', `/staff-tasks/${lapseTasks[0].taskId}`);

    expect(extension.body.authorization.status).toBe('SUBMITTED');
    expect(extended.body).toMatchObject({ authorization: { status: 'APPROVED', approval: { validTo: newDay } }, journeyResumed: false });
    expect(settledTask.body).toMatchObject({ status: 'DECIDED', decision: { action: 'PROCEED', note: 'Prior authorization approved' } });
    // Each authorization write touches the visit's item, so its stream re-publishes the visit's last change: consumers
    // act once per revision, so the patient hears of the move once.
    await cloud.appointmentEvents.drain(60_000);
    const movedNotices = (await readSentEmails(cloud.mailViewerUrl)).filter(
      (e) => e.subject.startsWith('Appointment moved') && e.destination.to.includes(email),
    );
    expect(movedNotices).toHaveLength(1);
  });
});

describe('Local stack: the desk works an appointment from booking to completion', () => {
  it('reschedules, checks in, completes; books and cancels another; availability and the day sheet follow', async () => {
    const journeyId = await completedJourney();
    const appointmentId = appointmentIdOf(journeyId);
    const day = await call('frontdesk', 'GET', `/appointments?date=${localDate(await booking(appointmentId, journeyId))}`);
    const mine = day.body.appointments.find((a: { appointmentId: string }) => a.appointmentId === appointmentId);
    expect(mine).toMatchObject({ status: 'BOOKED', journeyId });
    const { start, provider, appointmentType, patientId } = mine;
    const open = async () =>
      (
        await call(
          'frontdesk',
          'GET',
          `/availability?appointmentType=${appointmentType}&providerId=${provider.id}&from=${encodeURIComponent(start)}&to=${encodeURIComponent(new Date(Date.parse(start) + 60_000).toISOString())}`,
        )
      ).body.slots.map((s: { start: string }) => s.start);
    expect(await open()).toEqual([]);

    const moved = await call('frontdesk', 'POST', `/appointments/${appointmentId}/reschedule`, {
      start: await laterSlot(appointmentType, provider.id, start),
      providerId: provider.id,
    });
    expect(moved).toMatchObject({ status: 200, body: { status: 'BOOKED', revision: 1 } });
    expect(await open()).toEqual([start]);
    const journey = JourneyViewSchema.parse(
      await (await fetch(`${api()}/journeys/${journeyId}`, { headers: { 'x-api-key': cloud.apiKey } })).json(),
    );
    expect(journey.appointment?.start).toBe(moved.body.start);

    const second = await call(
      'frontdesk',
      'POST',
      '/appointments',
      { patientId, appointmentType, start, providerId: provider.id },
      { 'idempotency-key': randomUUID() },
    );
    expect(second).toMatchObject({ status: 201, body: { start, patientId } });
    expect(await open()).toEqual([]);
    // The patient is told of the booking before the desk cancels it (a confirmation overtaken by its cancellation is not sent).
    await cloud.appointmentEvents.drain(60_000);
    const cancelled = await call('frontdesk', 'POST', `/appointments/${second.body.appointmentId}/cancel`, {
      by: 'clinic',
      reason: 'PROVIDER_UNAVAILABLE',
    });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancellation: { late: false } });
    expect(await open()).toEqual([start]);
    expect((await call('billing', 'POST', `/appointments/${second.body.appointmentId}/check-in`)).status).toBe(403);

    // The day of the visit: the patient arrives a few minutes early, is checked in, then seen.
    await cloud.clock.advance(Math.max(0, Date.parse(moved.body.start) - 5 * 60_000 - cloud.clock.now().getTime()));
    const checkedIn = await call('frontdesk', 'POST', `/appointments/${appointmentId}/check-in`);
    expect(checkedIn.body.status).toBe('CHECKED_IN');
    expect((await call('nurse', 'POST', `/appointments/${appointmentId}/complete`)).body.status).toBe('COMPLETED');
    expect(
      (await call('frontdesk', 'POST', `/appointments/${appointmentId}/cancel`, { by: 'patient', reason: 'PATIENT_REQUEST' })).status,
    ).toBe(409);

    // The patient was told each change that concerns them, through the events, with a calendar update each.
    await cloud.appointmentEvents.drain(60_000);
    const mail = (await readSentEmails(cloud.mailViewerUrl)).filter((e) => e.destination.to.includes(email));
    const about = (id: string, subject: string) =>
      mail.filter((e) => e.subject.startsWith(subject) && invite(e).includes(`UID:appointment-${id}@patient-access`));
    // Events are delivered asynchronously, so in no set order: each change that concerns the patient, once.
    expect(mail.map((e) => e.subject.split(':')[0]).sort()).toEqual([
      'Appointment cancelled',
      'Appointment confirmed',
      'Appointment confirmed',
      'Appointment moved',
    ]);
    expect(invite(about(appointmentId, 'Appointment moved')[0])).toMatch(/SEQUENCE:1\r?\n/);
    expect(about(appointmentId, 'Appointment confirmed')).toHaveLength(1);
    expect(about(second.body.appointmentId, 'Appointment confirmed')).toHaveLength(1);
    expect(invite(about(second.body.appointmentId, 'Appointment cancelled')[0])).toMatch(/METHOD:CANCEL/);
    for (const e of mail) expect(`${e.subject} ${e.body.text}`).not.toMatch(/knee|MRI|pain|PRIMARY_CARE/i);
    expect(cloud.appointmentEvents.deadLetters).toEqual([]);
  });
});

/** The address the `completes` example gives: every journey of it writes to the same one. */
const email = JSON.parse(readFileSync('examples/completes.json', 'utf8')).contact.email as string;

/** The text of an email's calendar attachment. */
function invite(mail: StoredEmail | undefined): string {
  const ics = mail?.attachments.find((a) => a.filename.endsWith('.ics'));
  if (!ics) return '';
  return ics.content.includes('BEGIN:VCALENDAR') ? ics.content : Buffer.from(ics.content, 'base64').toString('utf8');
}

/** The journey's appointment start, from the journey view. */
async function booking(appointmentId: string, journeyId: string): Promise<string> {
  const view = JourneyViewSchema.parse(
    await (await fetch(`${api()}/journeys/${journeyId}`, { headers: { 'x-api-key': cloud.apiKey } })).json(),
  );
  expect(view.appointment?.appointmentId).toBe(appointmentId);
  return view.appointment?.start ?? '';
}

/** An open start of the same type and provider a day or more after `start`. */
async function laterSlot(appointmentType: string, providerId: string, start: string): Promise<string> {
  const from = new Date(Date.parse(start) + 86_400_000).toISOString();
  const answer = await call(
    'frontdesk',
    'GET',
    `/availability?appointmentType=${appointmentType}&providerId=${providerId}&from=${encodeURIComponent(from)}&limit=1`,
  );
  expect(answer.body.slots.length).toBeGreaterThan(0);
  return answer.body.slots[0].start;
}

describe('Local stack: the waitlist fills a cancelled slot', () => {
  it('offers the freed time to the patient in line by email; their link books it', async () => {
    const [first, second] = await Promise.all([completedJourney(), completedJourney()]);
    const patientOf = async (journeyId: string) => {
      const view = await settled(journeyId);
      const day = await call('frontdesk', 'GET', `/appointments?date=${localDate(view.appointment?.start ?? '')}`);
      return day.body.appointments.find((a: { journeyId?: string }) => a.journeyId === journeyId).patientId as string;
    };
    const [holder, waiting] = [await patientOf(first), await patientOf(second)];
    const open = await call(
      'frontdesk',
      'GET',
      '/availability?appointmentType=PRIMARY_CARE_FOLLOW_UP&providerId=prov-okafor&limit=1&from=' +
        encodeURIComponent(new Date(cloud.clock.now().getTime() + 3 * 3_600_000).toISOString()),
    );
    const start = open.body.slots[0].start as string;
    const booked = await call(
      'frontdesk',
      'POST',
      '/appointments',
      { patientId: holder, appointmentType: 'PRIMARY_CARE_FOLLOW_UP', start, providerId: 'prov-okafor' },
      { 'idempotency-key': randomUUID() },
    );
    const joined = await call(
      'frontdesk',
      'POST',
      '/waitlist',
      { patientId: waiting, appointmentType: 'PRIMARY_CARE_FOLLOW_UP', providerId: 'prov-okafor', priority: 'urgent' },
      { 'idempotency-key': randomUUID() },
    );
    expect([booked.status, joined.status]).toEqual([201, 201]);
    await cloud.appointmentEvents.drain(60_000);
    const sentBefore = (await readSentEmails(cloud.mailViewerUrl)).length;

    await call('frontdesk', 'POST', `/appointments/${booked.body.appointmentId}/cancel`, { by: 'patient', reason: 'SCHEDULING_CONFLICT' });
    await cloud.appointmentEvents.drain(60_000);

    const offerMail = (await readSentEmails(cloud.mailViewerUrl))
      .slice(sentBefore)
      .find((e) => e.subject.startsWith('An earlier appointment is available'));
    const link = offerMail?.body.text?.match(/https?:\/\/\S+\/waitlist-offers\/[A-Za-z0-9_-]+/)?.[0] ?? '';
    expect(link).toContain(`${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/waitlist-offers/`);
    const page = await fetch(link);
    expect(await page.text()).toContain('<form method="post"');
    const accepted = await fetch(`${link}/accept`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ outcome: 'BOOKED', start });
    const after = await call(
      'frontdesk',
      'GET',
      `/availability?appointmentType=PRIMARY_CARE_FOLLOW_UP&providerId=prov-okafor&from=${encodeURIComponent(start)}&to=${encodeURIComponent(new Date(Date.parse(start) + 60_000).toISOString())}`,
    );
    expect(after.body.slots).toEqual([]);
    const line = await call('frontdesk', 'GET', '/waitlist?appointmentType=PRIMARY_CARE_FOLLOW_UP');
    expect(line.body.entries.map((e: { entryId: string }) => e.entryId)).not.toContain(joined.body.entryId);
  });
});

describe('Local stack: an admin opens time, and the waitlist is offered it', () => {
  it('a block takes a provider’s time out of availability; removing it offers that time to the patient in line', async () => {
    const journeyId = await completedJourney();
    const view = await settled(journeyId);
    const day = await call('frontdesk', 'GET', `/appointments?date=${localDate(view.appointment?.start ?? '')}`);
    const waiting = day.body.appointments.find((a: { journeyId?: string }) => a.journeyId === journeyId).patientId as string;
    const from = new Date(cloud.clock.now().getTime() + 3 * 3_600_000).toISOString();
    const open = await call(
      'frontdesk',
      'GET',
      `/availability?appointmentType=PRIMARY_CARE_FOLLOW_UP&providerId=prov-okafor&limit=1&from=${encodeURIComponent(from)}`,
    );
    const start = open.body.slots[0].start as string;
    const end = new Date(Date.parse(start) + 2 * 3_600_000).toISOString();
    const slotsThen = async () =>
      (
        await call(
          'frontdesk',
          'GET',
          `/availability?appointmentType=PRIMARY_CARE_FOLLOW_UP&providerId=prov-okafor&from=${encodeURIComponent(start)}&to=${encodeURIComponent(end)}`,
        )
      ).body.slots as unknown[];

    const inTheWay = await call(
      'frontdesk',
      'POST',
      '/appointments',
      { patientId: waiting, appointmentType: 'PRIMARY_CARE_FOLLOW_UP', start, providerId: 'prov-okafor' },
      { 'idempotency-key': randomUUID() },
    );
    const blocked = await call('admin', 'POST', '/unavailability', { resourceId: 'prov-okafor', kind: 'block', start, end });
    expect(blocked.status).toBe(201);
    // The visit in the way is listed, and its task reaches the scheduling queue through the table's stream.
    expect(blocked.body.collisions.map((c: { appointmentId: string }) => c.appointmentId)).toEqual([inTheWay.body.appointmentId]);
    await cloud.appointmentEvents.drain(60_000);
    const task = await call('frontdesk', 'GET', `/staff-tasks/${blocked.body.collisions[0].taskId}`);
    expect(task.body).toMatchObject({ kind: 'RESCHEDULE', appointmentId: inTheWay.body.appointmentId, queue: 'scheduling' });
    await call('frontdesk', 'POST', `/appointments/${inTheWay.body.appointmentId}/cancel`, {
      by: 'clinic',
      reason: 'PROVIDER_UNAVAILABLE',
    });
    // Searches see a calendar change once their catalog cache has turned over.
    await cloud.clock.advance(CATALOG_CACHE_MS);
    expect(await slotsThen()).toEqual([]);
    const joined = await call(
      'frontdesk',
      'POST',
      '/waitlist',
      { patientId: waiting, appointmentType: 'PRIMARY_CARE_FOLLOW_UP', providerId: 'prov-okafor', priority: 'urgent' },
      { 'idempotency-key': randomUUID() },
    );
    expect(joined.status).toBe(201);
    await cloud.appointmentEvents.drain(60_000);
    const sentBefore = (await readSentEmails(cloud.mailViewerUrl)).length;

    const removed = await call('admin', 'POST', `/unavailability/${blocked.body.unavailability.entryId}/remove`);
    await cloud.appointmentEvents.drain(60_000);

    expect(removed.body.openedTime).toBe(true);
    await cloud.clock.advance(CATALOG_CACHE_MS);
    expect((await slotsThen()).length).toBeGreaterThan(0);
    const offerMail = (await readSentEmails(cloud.mailViewerUrl))
      .slice(sentBefore)
      .find((e) => e.subject.startsWith('An earlier appointment is available'));
    expect(offerMail).toBeDefined();
    const line = await call('frontdesk', 'GET', '/waitlist?appointmentType=PRIMARY_CARE_FOLLOW_UP');
    const entry = line.body.entries.find((e: { entryId: string }) => e.entryId === joined.body.entryId);
    expect(entry.status).toBe('OFFERED');
  });
});

describe('Local stack: automatic no-show', () => {
  it('marks a visit nobody checked in a no-show 30 minutes after its start, and leaves one checked in alone', async () => {
    // Two open slots of the same type, then both booked for one patient; one of them is checked in on the day.
    const journeyId = await completedJourney();
    const { patientId } = (
      await call('frontdesk', 'GET', `/appointments?date=${localDate((await settled(journeyId)).appointment?.start ?? '')}`)
    ).body.appointments.find((a: { journeyId?: string }) => a.journeyId === journeyId);
    const open = await call('frontdesk', 'GET', `/availability?appointmentType=PRIMARY_CARE_FOLLOW_UP&providerId=prov-okafor&limit=1`);
    const slot = open.body.slots[0];
    const missed = await call(
      'frontdesk',
      'POST',
      '/appointments',
      { patientId, appointmentType: 'PRIMARY_CARE_FOLLOW_UP', start: slot.start, providerId: 'prov-okafor' },
      { 'idempotency-key': randomUUID() },
    );
    const later = await call(
      'frontdesk',
      'GET',
      `/availability?appointmentType=PRIMARY_CARE_FOLLOW_UP&providerId=prov-martinez&from=${encodeURIComponent(slot.start)}&limit=1`,
    );
    const kept = await call(
      'frontdesk',
      'POST',
      '/appointments',
      { patientId, appointmentType: 'PRIMARY_CARE_FOLLOW_UP', start: later.body.slots[0].start, providerId: 'prov-martinez' },
      { 'idempotency-key': randomUUID() },
    );
    expect([missed.status, kept.status]).toEqual([201, 201]);
    await cloud.appointmentEvents.drain(60_000);

    // The clock moves to the later visit's start: it is checked in; then on past both no-show checks.
    const now = cloud.clock.now().getTime();
    await cloud.clock.advance(Date.parse(kept.body.start) - now);
    expect((await call('frontdesk', 'POST', `/appointments/${kept.body.appointmentId}/check-in`)).body.status).toBe('CHECKED_IN');
    await cloud.clock.advance(
      Math.max(Date.parse(missed.body.start), Date.parse(kept.body.start)) + 31 * 60_000 - cloud.clock.now().getTime(),
    );

    const day = async (start: string) => (await call('frontdesk', 'GET', `/appointments?date=${localDate(start)}`)).body.appointments;
    const marked = (await day(missed.body.start)).find((a: { appointmentId: string }) => a.appointmentId === missed.body.appointmentId);
    expect(marked).toMatchObject({
      status: 'NO_SHOW',
      history: [expect.objectContaining({ change: 'no-show', by: 'function:markNoShow' })],
    });
    const checkedIn = (await day(kept.body.start)).find((a: { appointmentId: string }) => a.appointmentId === kept.body.appointmentId);
    expect(checkedIn.status).toBe('CHECKED_IN');
  });
});

describe('Local stack: coverage checked again before the visit', () => {
  it('asks the payer again three days ahead (the local clock) and puts a change in the eligibility queue before the patient comes', async () => {
    const journeyId = await completedJourney();
    const view = await settled(journeyId);
    const sheet = await call('frontdesk', 'GET', `/appointments?date=${localDate(view.appointment?.start ?? '')}`);
    const patientId = sheet.body.appointments.find((a: { journeyId?: string }) => a.journeyId === journeyId).patientId as string;
    const weekAhead = new Date(cloud.clock.now().getTime() + 7 * 86_400_000).toISOString();
    const open = await call(
      'frontdesk',
      'GET',
      `/availability?appointmentType=PRIMARY_CARE_FOLLOW_UP&providerId=prov-okafor&limit=1&from=${encodeURIComponent(weekAhead)}`,
    );
    const visit = await call(
      'frontdesk',
      'POST',
      '/appointments',
      { patientId, appointmentType: 'PRIMARY_CARE_FOLLOW_UP', start: open.body.slots[0].start, providerId: 'prov-okafor' },
      { 'idempotency-key': randomUUID() },
    );
    expect(visit.status).toBe(201);
    await cloud.appointmentEvents.drain(60_000);
    // Meanwhile the plan ends: the insurance on file now names a member the payer reports inactive.
    await cloud.table.client.send(
      new UpdateCommand({
        TableName: cloud.table.tableName,
        Key: keys.coverage(cloud.clinicId, patientId),
        UpdateExpression: 'SET memberId = :member',
        ExpressionAttributeValues: { ':member': TEST_MEMBERS.inactive },
      }),
    );

    // Three days before the visit, 07:00 where it happens, and a minute.
    const ahead = DateTime.fromISO(visit.body.start, { zone: visit.body.timeZone })
      .startOf('day')
      .minus({ days: 3 })
      .set({ hour: 7, minute: 1 });
    await cloud.clock.advance(Math.max(0, ahead.toMillis() - cloud.clock.now().getTime()));

    const queue = await call('frontdesk', 'GET', '/staff-tasks?queue=eligibility&limit=50');
    const changed = queue.body.tasks.find((t: { appointmentId?: string }) => t.appointmentId === visit.body.appointmentId);
    expect(changed).toMatchObject({ kind: 'COVERAGE_CHANGED', queue: 'eligibility' });
    const detail = await call('frontdesk', 'GET', `/staff-tasks/${changed.taskId}`);
    expect(detail.body.reason).toContain('INACTIVE');
  });
});
