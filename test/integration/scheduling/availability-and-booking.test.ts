import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { AvailabilitySchema, SlotTakenSchema, StaffAppointmentSchema } from '#contract/api/appointment-schema.ts';
import { DEMO_LOCATIONS, DEMO_RESOURCES, DEMO_APPOINTMENT_TYPES as TYPES } from '#local/seed/demo-clinic.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPriorAuthorizations } from '#shared/prior-authorization-store.ts';
import { openDesk } from '#test/support/appointment-desk.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('appointment-desk');
/** Monday 7 December 2026, 07:00 in Boston, 05:00 in Denver. */
const NOW = new Date('2026-12-07T12:00:00.000Z');
const WEEK = { from: '2026-12-07T12:00:00Z', to: '2026-12-14T12:00:00Z' };

/** Every page of a query, following `next`. */
async function allSlots(desk: ReturnType<typeof openDesk>, query: Record<string, string>) {
  const slots: Array<{ start: string; provider: { id: string } }> = [];
  let cursor: string | undefined;
  do {
    const { status, body } = await desk.availability({ ...query, ...(cursor ? { cursor } : {}) });
    expect(status).toBe(200);
    const page = AvailabilitySchema.parse(body);
    slots.push(...page.slots);
    cursor = page.next;
  } while (cursor);
  return slots;
}

const starts = (slots: Array<{ start: string }>) => slots.map((s) => s.start);

describe('Availability: GET /v1/clinics/{clinicId}/availability', () => {
  it('answers for every demo appointment type in both locations, each slot in its own time zone', async () => {
    const desk = openDesk(table, NOW);

    const answers = Object.fromEntries(
      await Promise.all(
        Object.values(TYPES).map(async (code) => {
          const { status, body } = await desk.availability({ appointmentType: code, ...WEEK, limit: '200' });
          expect(status, code).toBe(200);
          return [code, AvailabilitySchema.parse(body)] as const;
        }),
      ),
    );

    // Primary care practises in both: Boston on Eastern time, Denver on Mountain time, each from 08:00 local.
    const primary = answers[TYPES.primaryCareNew]?.slots ?? [];
    const boston = primary.filter((s) => s.location.id === DEMO_LOCATIONS.boston);
    const denver = primary.filter((s) => s.location.id === DEMO_LOCATIONS.denver);
    expect(boston[0]).toMatchObject({ start: '2026-12-07T08:00:00-05:00', end: '2026-12-07T08:45:00-05:00', timeZone: 'America/New_York' });
    expect(denver[0]).toMatchObject({
      start: '2026-12-07T08:00:00-07:00',
      timeZone: 'America/Denver',
      provider: { id: DEMO_RESOURCES.drMartinez },
    });
    // Physical therapy is in Denver only; the MRI in Boston, with the technologist and the scanner.
    expect(new Set(answers[TYPES.physicalTherapyVisit]?.slots.map((s) => s.location.id))).toEqual(new Set([DEMO_LOCATIONS.denver]));
    const mri = answers[TYPES.mriKnee]?.slots ?? [];
    expect(mri.length).toBeGreaterThan(0);
    for (const slot of mri) {
      expect(slot).toMatchObject({ provider: { id: DEMO_RESOURCES.mriTechNowak }, resource: { id: DEMO_RESOURCES.mriScanner } });
    }
    // The sleep physician has no hours: nothing, rather than an error.
    expect(answers[TYPES.sleepStudy]?.slots).toEqual([]);
    // Okafor's lunch hour offers no 45-minute visit starting 11:30 (it would run into 12:00).
    expect(starts(boston)).not.toContain('2026-12-07T11:30:00-05:00');
    expect(starts(boston)).toContain('2026-12-07T11:15:00-05:00');
  });

  it('leaves out closed days, time off and blocks, and holds the type’s buffers', async () => {
    const desk = openDesk(table, NOW, (catalog) => ({
      ...catalog,
      appointmentTypes: catalog.appointmentTypes.map((t) => (t.code === TYPES.primaryCareFollowUp ? { ...t, bufferAfterMinutes: 15 } : t)),
      closures: [{ locationId: DEMO_LOCATIONS.boston, date: '2026-12-08', name: 'Staff training' }],
      unavailability: [
        { resourceId: DEMO_RESOURCES.drOkafor, kind: 'time-off', start: '2026-12-09T00:00:00-05:00', end: '2026-12-10T00:00:00-05:00' },
        { resourceId: DEMO_RESOURCES.drOkafor, kind: 'block', start: '2026-12-10T09:00:00-05:00', end: '2026-12-10T10:00:00-05:00' },
      ],
    }));
    const patientId = await desk.patient();
    const query = { appointmentType: TYPES.primaryCareFollowUp, providerId: DEMO_RESOURCES.drOkafor, ...WEEK, limit: '200' };

    const slots = starts(await allSlots(desk, query));

    expect(slots.filter((s) => s.startsWith('2026-12-08'))).toEqual([]);
    expect(slots.filter((s) => s.startsWith('2026-12-09'))).toEqual([]);
    // The block: no 30-minute visit (plus its 15 minutes after) may touch 09:00-10:00; 08:15 holds until 09:00 exactly.
    const thursday = slots.filter((s) => s.startsWith('2026-12-10'));
    expect(thursday.slice(0, 3)).toEqual(['2026-12-10T08:00:00-05:00', '2026-12-10T08:15:00-05:00', '2026-12-10T10:00:00-05:00']);
    // Booking 08:00 holds until 08:45 (30 minutes and the 15-minute buffer): the next start is 08:45, not 08:30.
    const booked = await desk.book({
      patientId,
      appointmentType: TYPES.primaryCareFollowUp,
      start: '2026-12-07T08:00:00-05:00',
      providerId: DEMO_RESOURCES.drOkafor,
    });
    expect(booked.status).toBe(201);
    const after = starts(await allSlots(desk, { ...query, to: '2026-12-07T17:00:00Z' }));
    expect(after.slice(0, 2)).toEqual(['2026-12-07T08:45:00-05:00', '2026-12-07T09:00:00-05:00']);
  });

  it('pages without gaps or repeats: the pages together are the whole answer', async () => {
    const desk = openDesk(table, NOW);
    const query = {
      appointmentType: TYPES.primaryCareFollowUp,
      locationId: DEMO_LOCATIONS.boston,
      from: WEEK.from,
      to: '2026-12-09T12:00:00Z',
    };

    const whole = (await desk.availability({ ...query, limit: '200' })).body;
    const paged = await allSlots(desk, { ...query, limit: '7' });

    expect(whole.next).toBeUndefined();
    expect(paged.map((s) => `${s.start} ${s.provider.id}`)).toEqual(
      whole.slots.map((s: { start: string; provider: { id: string } }) => `${s.start} ${s.provider.id}`),
    );
    expect(paged.length).toBeGreaterThan(14);
  });

  it('answers 400 naming each unknown type, location or provider, and a window over 31 days', async () => {
    const desk = openDesk(table, NOW);

    const unknown = await desk.availability({ appointmentType: 'NOPE', locationId: 'nowhere' });
    const wrongDepartment = await desk.availability({ appointmentType: TYPES.mriKnee, providerId: DEMO_RESOURCES.drOkafor });
    const tooLong = await desk.availability({ appointmentType: TYPES.mriKnee, from: '2026-12-08T00:00:00Z', to: '2027-01-09T00:00:00Z' });

    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e: { path: string }) => e.path)).toEqual(['appointmentType', 'locationId']);
    expect(wrongDepartment).toMatchObject({ status: 400, body: { errors: [{ path: 'providerId' }] } });
    expect(tooLong).toMatchObject({ status: 400, body: { errors: [{ path: 'to' }] } });
  });

  it('is for schedulers: billing and ops get 403', async () => {
    const desk = openDesk(table, NOW);
    const query = { appointmentType: TYPES.primaryCareNew };

    for (const groups of ['[billing]', '[ops]']) expect((await desk.availability(query, { groups })).status).toBe(403);
    expect((await desk.availability(query, { groups: '[radiology]' })).status).toBe(200);
  });
});

describe('Staff booking: POST /v1/clinics/{clinicId}/appointments', () => {
  const slot = { appointmentType: TYPES.primaryCareNew, start: '2026-12-08T13:00:00-05:00', providerId: DEMO_RESOURCES.drOkafor };

  it('books the chosen slot once, in the person’s name; the same request again gets the same booking', async () => {
    const desk = openDesk(table, NOW);
    const patientId = await desk.patient();
    const key = randomUUID();

    const first = await desk.book({ patientId, ...slot }, key, { sub: 'user-42', groups: '[front-desk]' });
    const again = await desk.book({ patientId, ...slot }, key);

    expect(first.status).toBe(201);
    const appointment = StaffAppointmentSchema.parse(first.body);
    expect(appointment).toMatchObject({
      status: 'BOOKED',
      patientId,
      start: '2026-12-08T13:00:00-05:00',
      end: '2026-12-08T13:45:00-05:00',
      provider: { id: DEMO_RESOURCES.drOkafor },
      bookedBy: 'user:user-42',
      revision: 0,
      history: [],
    });
    expect(again).toEqual({ status: 200, body: first.body });
    const open = await desk.availability({
      appointmentType: TYPES.primaryCareNew,
      providerId: DEMO_RESOURCES.drOkafor,
      from: '2026-12-08T17:00:00Z',
      to: '2026-12-08T20:00:00Z',
    });
    expect(starts(open.body.slots)).not.toContain('2026-12-08T13:00:00-05:00');
    expect(starts(open.body.slots)).not.toContain('2026-12-08T13:30:00-05:00');
    expect(starts(open.body.slots)).toContain('2026-12-08T13:45:00-05:00');
    const audits = await auditOfClinic(desk.clinicId, '2026-12-07');
    // The repeat shows the booking again: recorded as read by whoever sent it (both at one instant: in no set order).
    expect(audits).toHaveLength(2);
    expect(audits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'user:user-42',
          patientId,
          actions: ['appointment.create'],
          via: 'POST /v1/clinics/{clinicId}/appointments',
        }),
        expect.objectContaining({ actor: 'user:user-frontdesk', patientId, actions: ['appointment.read'] }),
      ]),
    );
  });

  it('refuses the key used again for another booking, and a request without a key', async () => {
    const desk = openDesk(table, NOW);
    const patientId = await desk.patient();
    const key = randomUUID();
    await desk.book({ patientId, ...slot }, key);

    const other = await desk.book({ patientId, ...slot, start: '2026-12-08T14:00:00-05:00' }, key);
    const keyless = await desk.book({ patientId, ...slot }, null);

    expect(other).toMatchObject({ status: 409, body: { message: expect.stringContaining('Idempotency-Key') } });
    expect(keyless).toMatchObject({ status: 400, body: { errors: [{ path: 'Idempotency-Key' }] } });
  });

  it('answers a slot taken meanwhile with 409 and the next open slots', async () => {
    const desk = openDesk(table, NOW);
    const [a, b] = [await desk.patient(), await desk.patient()];
    await desk.book({ patientId: a, ...slot });

    const taken = await desk.book({ patientId: b, ...slot });

    expect(taken.status).toBe(409);
    const { alternatives } = SlotTakenSchema.parse(taken.body);
    expect(starts(alternatives)).toEqual([
      '2026-12-08T13:45:00-05:00',
      '2026-12-08T14:00:00-05:00',
      '2026-12-08T14:15:00-05:00',
      '2026-12-08T14:30:00-05:00',
      '2026-12-08T14:45:00-05:00',
    ]);
  });

  it('answers a start outside every provider’s hours with 409 and what is open, an unknown patient 400, an ordered type 409', async () => {
    const desk = openDesk(table, NOW);
    const patientId = await desk.patient();

    const lunch = await desk.book({ patientId, ...slot, start: '2026-12-08T12:15:00-05:00' });
    const stranger = await desk.book({ ...slot, patientId: randomUUID() });
    const mri = await desk.book({ patientId, appointmentType: TYPES.mriKnee, start: '2026-12-08T08:00:00-05:00' });

    expect(lunch.status).toBe(409);
    expect(lunch.body.alternatives[0]).toMatchObject({ start: '2026-12-08T13:00:00-05:00' });
    expect(stranger).toMatchObject({ status: 400, body: { errors: [{ path: 'patientId' }] } });
    expect(mri).toMatchObject({ status: 409, body: { message: expect.stringContaining('order') } });
  });

  it('books an MRI under a valid physician order, kept with the appointment; not after the order expires', async () => {
    const desk = openDesk(table, NOW);
    const patientId = await desk.patient();
    const order = {
      orderingPhysicianName: 'Dr. Alan Smith',
      orderingPhysicianNpi: '1234567893',
      procedureCode: '73721',
      diagnosisCodes: ['M25.561'],
      expiresOn: '2026-12-09',
    };
    const mri = { patientId, appointmentType: TYPES.mriKnee, order };

    const booked = await desk.book({ ...mri, start: '2026-12-08T08:00:00-05:00' });
    const tooLate = await desk.book({ ...mri, start: '2026-12-10T08:00:00-05:00' });
    const expired = await desk.book({ ...mri, start: '2026-12-08T10:00:00-05:00', order: { ...order, expiresOn: '2026-12-01' } });

    expect(booked).toMatchObject({
      status: 201,
      body: {
        appointmentType: TYPES.mriKnee,
        resource: { id: DEMO_RESOURCES.mriScanner },
        order: { procedureCode: '73721', priority: 'routine' },
      },
    });
    expect(tooLate).toMatchObject({ status: 409, body: { message: expect.stringContaining('until 2026-12-09') } });
    expect(expired).toMatchObject({ status: 409, body: { message: expect.stringContaining('expired on 2026-12-01') } });
  });

  it("books a contrast MRI the patient's payer lists only with its approval covering the day, kept as the visit's case", async () => {
    // Prepare: an Aetna member (the demo payer lists CPT 73723 for prior authorization).
    const desk = openDesk(table, NOW);
    const patientId = await desk.patient();
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...keys.coverage(desk.clinicId, patientId),
          type: 'Coverage',
          clinicId: desk.clinicId,
          patientId,
          payerId: '60054',
          payerName: 'Aetna',
          memberId: 'W1',
          subscriber: { relationship: 'self', firstName: 'A', lastName: 'B', birthDate: '1970-01-01' },
          updatedAt: NOW.toISOString(),
        },
      }),
    );
    const order = {
      orderingPhysicianName: 'Dr. Alan Smith',
      orderingPhysicianNpi: '1234567893',
      procedureCode: '73723',
      diagnosisCodes: ['M25.561'],
    };
    const mri = { patientId, appointmentType: TYPES.mriKnee, order, start: '2026-12-08T08:00:00-05:00' };
    const approval = { authorizationNumber: 'A-9', validFrom: '2026-12-01', validTo: '2026-12-31', units: 1 };

    // Act
    const without = await desk.book(mri);
    const short = await desk.book({ ...mri, authorization: { ...approval, validTo: '2026-12-07' } });
    const booked = await desk.book({ ...mri, authorization: approval });

    // Assess: refused without it (nothing booked), 400 for one that misses the day, booked and kept APPROVED with it.
    expect(without).toMatchObject({ status: 409, body: { message: expect.stringContaining('prior authorization for CPT 73723') } });
    expect(short).toMatchObject({ status: 400, body: { errors: [{ path: 'authorization' }] } });
    expect(booked).toMatchObject({ status: 201, body: { appointmentType: TYPES.mriKneeContrast, authorizationStatus: 'APPROVED' } });
    const kept = await dynamoPriorAuthorizations(table).get(desk.clinicId, booked.body.appointmentId);
    expect(kept).toMatchObject({
      status: 'APPROVED',
      requiredBy: 'payer-rule',
      approval,
      request: { procedureCode: '73723', serviceDate: '2026-12-08' },
    });
    expect(kept?.history.map((h) => h.status)).toEqual(['OPEN', 'APPROVED']);
    // An order without its CPT is the type's procedure: the contrast type's own 73723 still needs the approval.
    const typeOnly = await desk.book({
      ...mri,
      appointmentType: TYPES.mriKneeContrast,
      order: { ...order, procedureCode: undefined },
      start: '2026-12-09T08:00:00-05:00',
    });
    expect(typeOnly).toMatchObject({ status: 409, body: { message: expect.stringContaining('CPT 73723') } });
  });

  it('books 50 concurrent requests for overlapping slots without one overlap', async () => {
    const desk = openDesk(table, NOW);
    const patients = await Promise.all(Array.from({ length: 10 }, () => desk.patient()));
    // Ten starts 15 minutes apart, five requests each: every 45-minute visit overlaps the next two starts.
    const requests = Array.from({ length: 50 }, (_, i) => {
      const start = new Date(Date.parse('2026-12-09T14:00:00Z') + (i % 10) * 15 * 60_000).toISOString();
      return { patientId: patients[i % 10] as string, appointmentType: TYPES.primaryCareNew, start, providerId: DEMO_RESOURCES.drOkafor };
    });

    const answers = await Promise.all(requests.map((body) => desk.book(body)));

    const booked = answers.filter((a) => a.status === 201).map((a) => StaffAppointmentSchema.parse(a.body));
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    expect(booked.length).toBeGreaterThanOrEqual(1);
    const intervals = booked.map((a) => [Date.parse(a.start), Date.parse(a.end)] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < intervals.length; i += 1) expect(intervals[i]?.[0]).toBeGreaterThanOrEqual(intervals[i - 1]?.[1] ?? 0);
    // What the day schedule says agrees with what the bookings answered.
    const day = await desk.schedule({ date: '2026-12-09' });
    expect(day.body.appointments.map((a: { appointmentId: string }) => a.appointmentId).sort()).toEqual(
      booked.map((a) => a.appointmentId).sort(),
    );
  });
});

/** The clinic's audit records of one UTC day. */
async function auditOfClinic(clinicId: string, day: string) {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.audit(clinicId, day, '').PK },
      ConsistentRead: true,
    }),
  );
  return auditRecords(Items);
}
