import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JourneyRef } from '#contract/journey-workflow.ts';
import { makeBookAppointment } from '#functions/scheduling/book-appointment.handler.ts';
import { dynamoWaitlistStore } from '#functions/scheduling/waitlist-store.ts';
import {
  DEMO_APPOINTMENT_TYPES,
  DEMO_CLINIC_ID,
  DEMO_DEPARTMENTS,
  DEMO_LOCATIONS,
  DEMO_RESOURCES,
  seedDemoClinic,
} from '#local/seed/demo-clinic.ts';
import type { EligibilityCheckRecord } from '#model/benefits-reading.ts';
import { newJourneyRecord } from '#model/journey.ts';
import type { SubmissionRecord, VisitRequest } from '#model/patient-records.ts';
import { dynamoAppointmentStore } from '#shared/appointment-store.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { dynamoEligibilityChecks } from '#shared/eligibility-check-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { dynamoPriorAuthorizations } from '#shared/prior-authorization-store.ts';
import { dynamoSubmissionStore } from '#shared/submission-store.ts';
import type { TableRef } from '#shared/table.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { localTable } from '#test/support/local-table.ts';

const API_KEY = 'demo-api-key-for-tests';
// Monday 4 March 2041, 07:00 in Boston (EST) and 05:00 in Denver (MST); far enough ahead that no TTL expires mid-test.
const NOW = new Date('2041-03-04T12:00:00Z');
let table: TableRef;

beforeAll(async () => {
  table = await localTable('scheduling-handler');
  await seedDemoClinic(table, { apiKey: API_KEY });
});

/** Stores a journey and its submission as intake would, and returns the journey's reference. */
async function storeJourney(visit: VisitRequest) {
  const journeyId = `j-${randomUUID()}`;
  const ref = { clinicId: DEMO_CLINIC_ID, journeyId };
  const journey = newJourneyRecord({ ...ref, submissionId: `s-${journeyId}`, patientId: `p-${journeyId}` }, NOW);
  const submission: SubmissionRecord = {
    type: 'Submission',
    clinicId: DEMO_CLINIC_ID,
    submissionId: `s-${journeyId}`,
    journeyId,
    patientId: `p-${journeyId}`,
    receivedAt: NOW.toISOString(),
    source: 'web-form',
    visit,
    consents: { treatment: true, privacyNotice: true, financialResponsibility: true },
  };
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(DEMO_CLINIC_ID, journeyId), ...journey } }));
  await table.client.send(
    new PutCommand({ TableName: table.tableName, Item: { ...keys.submission(DEMO_CLINIC_ID, submission.submissionId), ...submission } }),
  );
  return ref;
}

/** A physician's order for a knee MRI without contrast (CPT 73721), as a referring office sends it. */
const ORDER = {
  orderingPhysicianName: 'Dr. Alan Smith',
  orderingPhysicianNpi: '1234567893',
  procedureCode: '73721',
  diagnosisCodes: ['M25.561'],
  priority: 'routine' as const,
  expiresOn: '2041-05-31',
};

/** The journey's audit items of the test's day. */
async function auditOf(ref: JourneyRef) {
  const { Items } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      FilterExpression: 'journeyId = :j',
      ExpressionAttributeValues: { ':pk': `CLINIC#${DEMO_CLINIC_ID}#AUDIT#2041-03-04`, ':j': ref.journeyId },
    }),
  );
  return Items;
}

/** How many granules a resource holds on its busy day (keys.busyDay) of `utcDay`. */
async function busyGranules(departmentId: string, resourceId: string, utcDay: string): Promise<number> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.busyDay(DEMO_CLINIC_ID, departmentId, utcDay, resourceId),
      ConsistentRead: true,
    }),
  );
  return (Item?.busy as Set<string> | undefined)?.size ?? 0;
}

describe('Function: bookAppointment', () => {
  const bookAppointment = () => {
    const handler = makeBookAppointment({
      journeys: dynamoJourneyStore(table),
      submissions: dynamoSubmissionStore(table),
      catalog: dynamoCatalogStore(table),
      appointments: dynamoAppointmentStore(table),
      audit: dynamoAuditLog(table),
      patients: dynamoPatientStore(table),
      waitlist: dynamoWaitlistStore(table),
      authorizations: dynamoPriorAuthorizations(table),
      eligibilityChecks: dynamoEligibilityChecks(table),
      now: () => NOW,
    });
    return (ref: JourneyRef) => handler(ref, lambdaContext);
  };
  const journeyOf = (ref: JourneyRef) => dynamoJourneyStore(table).get(ref);

  it('books the earliest matching slot and records it on the journey in local time', async () => {
    // Prepare: a Denver patient; Dr Martinez opens at 08:00 MST, three hours after now.
    const ref = await storeJourney({
      appointmentTypeCode: DEMO_APPOINTMENT_TYPES.primaryCareNew,
      preferences: { locationId: DEMO_LOCATIONS.denver },
    });

    // Act
    const result = await bookAppointment()(ref);

    // Assess
    expect(result).toEqual({ outcome: 'BOOKED', appointmentId: `appt-${ref.journeyId}` });
    const journey = await journeyOf(ref);
    expect(journey?.stages.SCHEDULING.status).toBe('COMPLETED');
    // The journey keeps what the front desk sees; the appointment item keeps the type and the catalog IDs.
    expect(journey?.appointment).toEqual({
      appointmentId: `appt-${ref.journeyId}`,
      start: '2041-03-04T08:00:00-07:00',
      end: '2041-03-04T08:45:00-07:00',
      timeZone: 'America/Denver',
      location: { name: 'Demo Clinic Union Station', address: '1701 Wynkoop Street, Denver, CO 80202' },
      department: { name: 'Primary Care' },
      provider: { name: 'Dr. Sofia Martinez, DO' },
    });
    expect(await dynamoAppointmentStore(table).get(ref)).toMatchObject({
      appointmentId: `appt-${ref.journeyId}`,
      appointmentType: DEMO_APPOINTMENT_TYPES.primaryCareNew,
      location: { id: DEMO_LOCATIONS.denver },
      department: { id: 'primary-care' },
      provider: { id: DEMO_RESOURCES.drMartinez },
    });
    const audit = await auditOf(ref);
    // One record of the submission read and the booking, written before the read.
    expect(auditRecords(audit ?? [])).toEqual([
      expect.objectContaining({
        actor: 'function:bookAppointment',
        actions: ['submission.read', 'appointment.create'],
        outcome: 'success',
        patientId: `p-${ref.journeyId}`,
      }),
    ]);
  });

  it('books the MRI technologist and the scanner together', async () => {
    // Prepare
    const ref = await storeJourney({
      appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
      physicianOrder: ORDER,
      preferences: { timeOfDay: 'AFTERNOON' },
    });

    // Act
    await bookAppointment()(ref);

    // Assess: Monday 12:00 EST, after the technologist's lunch break.
    const journey = await journeyOf(ref);
    expect(journey?.appointment).toMatchObject({
      start: '2041-03-04T12:00:00-05:00',
      end: '2041-03-04T13:00:00-05:00',
      provider: { name: 'Pat Nowak, RT(R)(MR)' },
      resource: { name: 'MRI scanner 1 (1.5 T)' },
    });
    expect(await dynamoAppointmentStore(table).get(ref)).toMatchObject({
      provider: { id: DEMO_RESOURCES.mriTechNowak },
      resource: { id: DEMO_RESOURCES.mriScanner },
      resourceIds: [DEMO_RESOURCES.mriTechNowak, DEMO_RESOURCES.mriScanner],
    });
  });

  it('returns the stored booking for a repeated request', async () => {
    // Prepare
    const ref = await storeJourney({
      appointmentTypeCode: DEMO_APPOINTMENT_TYPES.physicalTherapyVisit,
      physicianOrder: { ...ORDER, procedureCode: '97110' },
      preferences: {},
    });
    const first = await bookAppointment()(ref);
    const granulesAfterFirst = await busyGranules(DEMO_DEPARTMENTS.physicalTherapy, DEMO_RESOURCES.ptChen, '2041-03-04');

    // Act
    const repeated = await bookAppointment()(ref);

    // Assess
    expect(repeated).toEqual(first);
    expect(granulesAfterFirst).toBe(9);
    expect(await busyGranules(DEMO_DEPARTMENTS.physicalTherapy, DEMO_RESOURCES.ptChen, '2041-03-04')).toBe(granulesAfterFirst);
  });

  it('gives the next patient the next slot', async () => {
    // Prepare
    const visit = { appointmentTypeCode: DEMO_APPOINTMENT_TYPES.primaryCareFollowUp, preferences: { locationId: DEMO_LOCATIONS.boston } };
    const [a, b] = [await storeJourney(visit), await storeJourney(visit)];

    // Act
    await bookAppointment()(a);
    await bookAppointment()(b);

    // Assess: Dr Okafor at 09:00 and 09:30 (now + 2 hours is 09:00).
    expect((await journeyOf(a))?.appointment?.start).toBe('2041-03-04T09:00:00-05:00');
    expect((await journeyOf(b))?.appointment?.start).toBe('2041-03-04T09:30:00-05:00');
  });

  it('books, and with "earliest possible" puts the patient in line for earlier time that would move this booking', async () => {
    // Prepare
    const visit = { appointmentTypeCode: DEMO_APPOINTMENT_TYPES.primaryCareFollowUp, preferences: { earliestPossible: true } };
    const plain = { appointmentTypeCode: DEMO_APPOINTMENT_TYPES.primaryCareFollowUp, preferences: {} };
    const [eager, content] = [await storeJourney(visit), await storeJourney(plain)];

    // Act
    await bookAppointment()(eager);
    await bookAppointment()(eager);
    await bookAppointment()(content);

    // Assess
    const line = await dynamoWaitlistStore(table).inLine(DEMO_CLINIC_ID, DEMO_APPOINTMENT_TYPES.primaryCareFollowUp, 'WAITING', 100);
    const booked = await journeyOf(eager);
    const stored = await dynamoAppointmentStore(table).get(eager);
    // At the visit's location: a visit moves within its location.
    expect(line.filter((e) => e.journeyId === eager.journeyId)).toEqual([
      expect.objectContaining({
        moves: { appointmentId: `appt-${eager.journeyId}`, start: booked?.appointment?.start },
        locationId: stored?.location.id,
        status: 'WAITING',
      }),
    ]);
    expect(line.filter((e) => e.journeyId === content.journeyId)).toEqual([]);
  });

  it('parks the stage for staff when no slot exists within the horizon', async () => {
    // Prepare: the sleep medicine provider has no weekly hours.
    const ref = await storeJourney({ appointmentTypeCode: DEMO_APPOINTMENT_TYPES.sleepStudy, preferences: {} });

    // Act
    const result = await bookAppointment()(ref);

    // Assess
    expect(result).toEqual({ outcome: 'NO_SLOT' });
    const journey = await journeyOf(ref);
    expect(journey?.stages.SCHEDULING).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      reason: "No Sleep medicine consultation slot within 28 days matching the patient's preferences: on the waitlist",
    });
    expect(journey?.appointment).toBeUndefined();
    // In line for the first sleep medicine time that frees, as the journey's patient.
    const [entry] = (await dynamoWaitlistStore(table).inLine(DEMO_CLINIC_ID, DEMO_APPOINTMENT_TYPES.sleepStudy, 'WAITING', 100)).filter(
      (e) => e.journeyId === ref.journeyId,
    );
    expect(entry).toMatchObject({
      patientId: `p-${ref.journeyId}`,
      status: 'WAITING',
      priority: 'normal',
      createdBy: 'function:bookAppointment',
    });
  });

  it('parks the stage for staff when the appointment type is not in the catalog', async () => {
    // Prepare
    const ref = await storeJourney({ appointmentTypeCode: 'ACUPUNCTURE', preferences: {} });

    // Act
    const result = await bookAppointment()(ref);

    // Assess
    expect(result).toEqual({ outcome: 'NO_SLOT' });
    expect((await journeyOf(ref))?.stages.SCHEDULING).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      reason: "Appointment type ACUPUNCTURE is not in the clinic's catalog",
    });
  });

  it('parks an MRI without a physician order for staff, booking nothing', async () => {
    // Prepare
    const ref = await storeJourney({ appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee, preferences: {} });

    // Act
    const result = await bookAppointment()(ref);

    // Assess
    expect(result).toEqual({ outcome: 'NO_SLOT' });
    expect((await journeyOf(ref))?.stages.SCHEDULING).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      reason: "MRI knee without contrast needs a physician's order, and none came with the request",
    });
    expect(await dynamoAppointmentStore(table).get(ref)).toBeUndefined();
  });

  it('parks an expired order, and one for a procedure the clinic does not schedule', async () => {
    // Prepare
    const expired = await storeJourney({
      appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
      physicianOrder: { ...ORDER, expiresOn: '2041-03-01' },
      preferences: {},
    });
    const unknown = await storeJourney({
      appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
      physicianOrder: { ...ORDER, procedureCode: '70551' },
      preferences: {},
    });

    // Act
    await bookAppointment()(expired);
    await bookAppointment()(unknown);

    // Assess
    expect((await journeyOf(expired))?.stages.SCHEDULING?.reason).toBe(
      "The physician's order for MRI knee without contrast expired on 2041-03-01: a new order is needed",
    );
    expect((await journeyOf(unknown))?.stages.SCHEDULING?.reason).toBe(
      'The order is for CPT 70551, which the clinic does not schedule: check the order',
    );
  });

  it('books the type the order’s procedure names (with contrast: longer, with its buffer), and keeps the order with it', async () => {
    // Prepare: asked as an MRI without contrast, ordered as CPT 73723 (with contrast).
    const ref = await storeJourney({
      appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
      physicianOrder: { ...ORDER, procedureCode: '73723' },
      preferences: { timeOfDay: 'AFTERNOON' },
    });

    // Act
    await bookAppointment()(ref);

    // Assess: 75 minutes from 12:00; the scanner and technologist are held 15 minutes more.
    const appointment = await dynamoAppointmentStore(table).get(ref);
    expect(appointment).toMatchObject({
      appointmentType: DEMO_APPOINTMENT_TYPES.mriKneeContrast,
      bufferAfterMinutes: 15,
      order: {
        procedureCode: '73723',
        orderingPhysician: { name: 'Dr. Alan Smith', npi: '1234567893' },
        diagnosisCodes: ['M25.561'],
        priority: 'routine',
      },
    });
    expect(Date.parse(appointment?.end ?? '') - Date.parse(appointment?.start ?? '')).toBe(75 * 60_000);
  });

  it('books no later than the order allows: an order that expires before the first open day parks', async () => {
    // Prepare: the MRI is open from Monday 12:00 (afternoon); the order's last day is today, a Monday, mornings wanted
    // on Tuesday only.
    const ref = await storeJourney({
      appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
      physicianOrder: { ...ORDER, expiresOn: '2041-03-04' },
      preferences: { daysOfWeek: ['TUE'] },
    });

    // Act
    const result = await bookAppointment()(ref);

    // Assess
    expect(result).toEqual({ outcome: 'NO_SLOT' });
    expect(await dynamoAppointmentStore(table).get(ref)).toBeUndefined();
  });

  describe('prior authorization', () => {
    /** The journey's eligibility check as verifyEligibility stores it: active with the payer, authorization said or not. */
    async function storeEligibility(ref: JourneyRef, payerSaysRequired: boolean, payerId = '60054') {
      const check: EligibilityCheckRecord = {
        type: 'EligibilityCheck',
        clinicId: ref.clinicId,
        journeyId: ref.journeyId,
        appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
        serviceTypeCode: '62',
        payerId,
        summary: {
          outcome: 'ACTIVE',
          serviceTypeCode: '62',
          coverageActive: true,
          priorAuthorizationRequired: payerSaysRequired,
          reason: 'Coverage is active for service type 62.',
        },
        checkedAt: NOW.toISOString(),
      };
      await table.client.send(
        new PutCommand({ TableName: table.tableName, Item: { ...keys.eligibility(ref.clinicId, ref.journeyId), ...check } }),
      );
    }
    const authorizations = () => dynamoPriorAuthorizations(table);

    it('books an MRI the payer says needs authorization, holds it unconfirmed and opens its case with what the payer needs', async () => {
      // Prepare
      const ref = await storeJourney({
        appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
        physicianOrder: { ...ORDER, clinicalNotesReference: 'DocumentReference/8812' },
        preferences: {},
      });
      await storeEligibility(ref, true);

      // Act
      const result = await bookAppointment()(ref);

      // Assess: booked (the time is held) but waiting, with the case OPEN and the appointment marking it.
      const appointment = await dynamoAppointmentStore(table).get(ref);
      expect(result).toEqual({ outcome: 'AWAITING_AUTHORIZATION', appointmentId: appointment?.appointmentId });
      expect(appointment).toMatchObject({ status: 'BOOKED', authorizationStatus: 'OPEN' });
      expect(await authorizations().get(DEMO_CLINIC_ID, appointment?.appointmentId ?? '')).toMatchObject({
        status: 'OPEN',
        requiredBy: 'payer-response',
        payerId: '60054',
        journeyId: ref.journeyId,
        request: {
          procedureCode: '73721',
          diagnosisCodes: ['M25.561'],
          orderingPhysician: { name: 'Dr. Alan Smith', npi: '1234567893' },
          clinicalNotesReference: 'DocumentReference/8812',
          appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
          // The visit's day in Boston, where it happens.
          serviceDate: DateTime.fromISO(appointment?.start ?? '', { zone: 'America/New_York' }).toISODate(),
          locationId: DEMO_LOCATIONS.boston,
        },
      });
      const journey = await journeyOf(ref);
      expect(journey?.stages.SCHEDULING).toMatchObject({
        status: 'WAITING_FOR_STAFF',
        reason: expect.stringMatching(/^Prior authorization required/),
      });
      expect(journey?.appointment?.appointmentId).toBe(appointment?.appointmentId);
      expect(auditRecords((await auditOf(ref)) ?? []).flatMap((r) => r.actions)).toContain('authorization.open');
    });

    it("opens a case for a procedure on the clinic's list for the payer though the 271 says nothing, and none for another payer", async () => {
      // Prepare: CPT 73723 (with contrast) is on the demo payer's list.
      const listed = await storeJourney({
        appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
        physicianOrder: { ...ORDER, procedureCode: '73723' },
        preferences: {},
      });
      await storeEligibility(listed, false);
      const otherPayer = await storeJourney({
        appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
        physicianOrder: { ...ORDER, procedureCode: '73723' },
        preferences: {},
      });
      await storeEligibility(otherPayer, false, '87726');

      // Act
      const onList = await bookAppointment()(listed);
      const notOnList = await bookAppointment()(otherPayer);

      // Assess
      expect(onList.outcome).toBe('AWAITING_AUTHORIZATION');
      expect(await authorizations().get(DEMO_CLINIC_ID, onList.appointmentId ?? '')).toMatchObject({ requiredBy: 'payer-rule' });
      expect(notOnList.outcome).toBe('BOOKED');
      expect(await authorizations().get(DEMO_CLINIC_ID, notOnList.appointmentId ?? '')).toBeUndefined();
      expect(await journeyOf(otherPayer)).toMatchObject({ stages: { SCHEDULING: { status: 'COMPLETED' } } });
    });

    it('confirms on a retry once an approval covers the visit’s day, and keeps waiting while the approval does not', async () => {
      // Prepare
      const ref = await storeJourney({ appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee, physicianOrder: ORDER, preferences: {} });
      await storeEligibility(ref, true);
      const first = await bookAppointment()(ref);
      const opened = await authorizations().get(DEMO_CLINIC_ID, first.appointmentId ?? '');
      if (!opened) throw new Error('no case');
      const day = opened.request.serviceDate;
      const approve = async (validTo: string, revision: number) =>
        authorizations().save({
          ...opened,
          status: 'APPROVED',
          approval: { authorizationNumber: 'A-1', validFrom: '2041-03-01', validTo, units: 1 },
          revision,
        });
      expect(await approve('2041-03-03', 1)).toBe(true);

      // Act
      const tooShort = await bookAppointment()(ref);
      await approve(day, 2);
      const covered = await bookAppointment()(ref);

      // Assess: one booking throughout; confirmed only by the approval that covers its day.
      expect(tooShort).toEqual({ outcome: 'AWAITING_AUTHORIZATION', appointmentId: first.appointmentId });
      expect(covered).toEqual({ outcome: 'BOOKED', appointmentId: first.appointmentId });
      expect(await dynamoAppointmentStore(table).get(ref)).toMatchObject({ authorizationStatus: 'APPROVED' });
      expect(await journeyOf(ref)).toMatchObject({ stages: { SCHEDULING: { status: 'COMPLETED' } } });
    });

    it('needs no authorization for a patient paying for themselves (no payer asked)', async () => {
      // Prepare: no eligibility check with a payer.
      const ref = await storeJourney({
        appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee,
        physicianOrder: { ...ORDER, procedureCode: '73723' },
        preferences: {},
      });

      // Act
      const result = await bookAppointment()(ref);

      // Assess
      expect(result.outcome).toBe('BOOKED');
      expect(await dynamoAppointmentStore(table).get(ref)).not.toHaveProperty('authorizationStatus');
    });
  });
});
