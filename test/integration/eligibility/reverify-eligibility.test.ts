import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StageStatus } from '#contract/journey-workflow.ts';
import type { EligibilityRequest, EligibilityResponse } from '#functions/eligibility/eligibility-port.ts';
import { dynamoEligibilityStore } from '#functions/eligibility/eligibility-store.ts';
import { planReverification, reverifyEligibility } from '#functions/eligibility/reverify-eligibility.ts';
import { DEMO_RESOURCES, DEMO_APPOINTMENT_TYPES as TYPES } from '#local/seed/demo-clinic.ts';
import type { EligibilityCheckRecord } from '#model/benefits-reading.ts';
import { type Amounts, newJourneyRecord } from '#model/journey.ts';
import type { CoverageRecord } from '#model/patient-records.ts';
import type { PriorAuthorizationCase } from '#model/prior-authorization.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStores } from '#shared/stores.ts';
import { type Desk, openDesk } from '#test/support/appointment-desk.ts';
import { patient as patientFixture } from '#test/support/fixtures/records.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('reverify');
const stores = dynamoStores(table);
/** Tuesday 1 December 2026, 07:00 in Boston. */
const NOW = new Date('2026-12-01T12:00:00.000Z');
const VISIT = '2026-12-10T09:00:00-05:00';

async function put(item: Record<string, unknown>) {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));
}

/** A patient with insurance on file (or self-pay), booked for a follow-up with Dr Okafor at `start`. */
async function bookedVisit(desk: Desk, start = VISIT, coverage: 'insured' | 'self-pay' = 'insured') {
  const patientId = await desk.patient();
  await put({ ...keys.patient(desk.clinicId, patientId), ...patientFixture, clinicId: desk.clinicId, patientId });
  const insurance: CoverageRecord =
    coverage === 'insured'
      ? {
          type: 'Coverage',
          clinicId: desk.clinicId,
          patientId,
          payerId: '60054',
          payerName: 'Aetna',
          memberId: 'W123456789',
          subscriber: { relationship: 'self', firstName: 'Jordan', lastName: 'Quintero', birthDate: '1984-07-09' },
          updatedAt: NOW.toISOString(),
        }
      : { type: 'Coverage', clinicId: desk.clinicId, patientId, selfPay: true, updatedAt: NOW.toISOString() };
  await put({ ...keys.coverage(desk.clinicId, patientId), ...insurance });
  const booked = await desk.book({ patientId, appointmentType: TYPES.primaryCareFollowUp, providerId: DEMO_RESOURCES.drOkafor, start });
  expect(booked.status).toBe(201);
  return booked.body as { appointmentId: string; revision: number };
}

/**
 * Makes a desk booking a journey's: the journey (its amounts; its payment stage as given) and its first eligibility
 * check, active with the $25 copay the estimate was.
 */
async function journeyOfVisit(desk: Desk, appointmentId: string, amounts: Amounts, payment: StageStatus = 'PENDING') {
  const booked = await desk.appointments.getById(desk.clinicId, appointmentId);
  if (!booked) throw new Error('not booked');
  const ref = { clinicId: desk.clinicId, journeyId: `j-${appointmentId}` };
  const journey = newJourneyRecord({ ...ref, submissionId: 's-1', patientId: booked.patientId }, NOW);
  journey.stages.PAYMENT = { status: payment, at: NOW.toISOString() };
  await put({ ...keys.journey(ref.clinicId, ref.journeyId), ...journey, amounts });
  await put({ ...keys.appointment(ref.clinicId, appointmentId), ...booked, journeyId: ref.journeyId });
  const first: EligibilityCheckRecord = {
    type: 'EligibilityCheck',
    ...ref,
    appointmentTypeCode: TYPES.primaryCareFollowUp,
    serviceTypeCode: '30',
    payerId: '60054',
    summary: {
      outcome: 'ACTIVE',
      serviceTypeCode: '30',
      coverageActive: true,
      priorAuthorizationRequired: false,
      copayCents: 2500,
      reason: 'Coverage is active.',
    },
    dueCents: 2500,
    checkedAt: NOW.toISOString(),
  };
  await put({ ...keys.eligibility(ref.clinicId, ref.journeyId), ...first });
  return ref;
}

/** A payer that answers each inquiry with the next response given, remembering what it was asked. */
function payer(...answers: EligibilityResponse[]) {
  const asked: EligibilityRequest[] = [];
  return {
    asked,
    port: {
      check: async (request: EligibilityRequest) => {
        asked.push(request);
        const answer = answers.shift();
        if (!answer) throw new Error('no more answers');
        return answer;
      },
    },
  };
}

const active = (copay: number): EligibilityResponse => ({
  planStatus: [],
  errors: [],
  benefitsInformation: [
    { code: '1', serviceTypeCodes: ['30'] },
    { code: 'B', serviceTypeCodes: ['30'], amountCents: copay, inPlanNetworkIndicatorCode: 'Y' },
  ],
});
const inactive: EligibilityResponse = { planStatus: [], errors: [], benefitsInformation: [{ code: '6', serviceTypeCodes: ['30'] }] };

function deps(desk: Desk, port: ReturnType<typeof payer>['port'], now = NOW) {
  return {
    ...stores,
    appointments: desk.appointments,
    catalog: desk.catalogStore,
    audit: dynamoAuditLog(table),
    store: dynamoEligibilityStore(table),
    eligibility: port,
    escalations: { schedule: async () => {} },
    now: () => now,
  };
}

describe('Coverage checked again before the visit', () => {
  it('plans a check three days ahead at 07:00 and one on the day at 06:00, in the visit’s zone; only what is still ahead', async () => {
    const desk = openDesk(table, NOW);
    const far = await bookedVisit(desk);
    const soon = await bookedVisit(desk, '2026-12-02T10:00:00-05:00');
    const scheduled: Array<{ appointmentId: string; when: string; at: Date }> = [];
    const plan = (appointmentId: string) =>
      planReverification(
        {
          ...stores,
          appointments: desk.appointments,
          catalog: desk.catalogStore,
          timers: { schedule: async (c) => void scheduled.push(c) },
          escalations: { schedule: async () => {} },
          now: () => NOW,
        },
        { clinicId: desk.clinicId, appointmentId, revision: 0, change: 'book', status: 'BOOKED', origin: 'staff' },
      );

    await plan(far.appointmentId);
    await plan(soon.appointmentId);

    expect(scheduled.map(({ appointmentId, when, at }) => ({ appointmentId, when, at: at.toISOString() }))).toEqual([
      { appointmentId: far.appointmentId, when: 'ahead', at: '2026-12-07T12:00:00.000Z' },
      { appointmentId: far.appointmentId, when: 'day', at: '2026-12-10T11:00:00.000Z' },
      { appointmentId: soon.appointmentId, when: 'day', at: '2026-12-02T11:00:00.000Z' },
    ]);
  });

  it('asks the payer for the visit’s date; the same answer opens nothing, a change opens one task before the visit', async () => {
    const desk = openDesk(table, NOW);
    const visit = await bookedVisit(desk);
    const { asked, port } = payer(active(2500), active(2500), inactive);
    const timer = (when: 'ahead' | 'day') => ({ clinicId: desk.clinicId, appointmentId: visit.appointmentId, revision: 0, when });

    const first = await reverifyEligibility(deps(desk, port), timer('ahead'));
    const again = await reverifyEligibility(deps(desk, port), timer('ahead'));
    const onTheDay = await reverifyEligibility(deps(desk, port, new Date('2026-12-10T11:00:00.000Z')), timer('day'));

    expect([first, again, onTheDay]).toEqual(['UNCHANGED', 'UNCHANGED', 'CHANGED']);
    expect(asked.map((r) => r.dateOfService)).toEqual(['2026-12-10', '2026-12-10', '2026-12-10']);
    const open = await stores.tasks.list({ clinicId: desk.clinicId, queues: ['eligibility'], status: 'OPEN', limit: 10 });
    expect(open.tasks).toEqual([
      expect.objectContaining({
        kind: 'COVERAGE_CHANGED',
        appointmentId: visit.appointmentId,
        reason: expect.stringContaining('ACTIVE before, INACTIVE now'),
      }),
    ]);
    expect(open.tasks[0]?.reason).not.toMatch(/Jordan|Quintero|W123456789/);
    expect((await dynamoEligibilityStore(table).getRecheck(desk.clinicId, visit.appointmentId))?.summary.outcome).toBe('INACTIVE');
  });

  it('says so when the copay is not what it was, and leaves a visit moved since, or a self-pay patient, alone', async () => {
    const desk = openDesk(table, NOW);
    const visit = await bookedVisit(desk);
    const selfPay = await bookedVisit(desk, '2026-12-11T09:00:00-05:00', 'self-pay');
    const { asked, port } = payer(active(2500), active(4000));
    const timer = (appointmentId: string, revision = 0) => ({ clinicId: desk.clinicId, appointmentId, revision, when: 'ahead' as const });

    await reverifyEligibility(deps(desk, port), timer(visit.appointmentId));
    const changed = await reverifyEligibility(deps(desk, port), timer(visit.appointmentId));
    const stale = await reverifyEligibility(deps(desk, port), timer(visit.appointmentId, 3));
    const notInsured = await reverifyEligibility(deps(desk, port), timer(selfPay.appointmentId));

    expect([changed, stale, notInsured]).toEqual(['CHANGED', 'STALE', 'NOT_INSURED']);
    expect(asked).toHaveLength(2);
    const open = await stores.tasks.list({ clinicId: desk.clinicId, queues: ['eligibility'], status: 'OPEN', limit: 10 });
    expect(open.tasks.map((t) => t.reason)).toEqual([expect.stringContaining('copay $25.00 before, $40.00 now')]);
  });

  it("updates the journey's estimate with the re-check's: a new copay is what the visit is charged", async () => {
    // Prepare: a visit a journey booked, estimated at the $25 copay when it was first checked.
    const desk = openDesk(table, NOW);
    const visit = await bookedVisit(desk);
    const ref = await journeyOfVisit(desk, visit.appointmentId, { currency: 'USD', dueCents: 2500 });
    const { port } = payer(active(4000));

    // Act
    const outcome = await reverifyEligibility(deps(desk, port), {
      clinicId: desk.clinicId,
      appointmentId: visit.appointmentId,
      revision: 0,
      when: 'ahead',
    });

    // Assess
    expect(outcome).toBe('CHANGED');
    expect((await stores.journeys.get(ref))?.amounts).toEqual({ currency: 'USD', dueCents: 4000 });
  });

  it('keeps the estimate a visit was paid against: the task tells the desk the new one', async () => {
    // Prepare: as above, but the journey collected the $25 already.
    const desk = openDesk(table, NOW);
    const visit = await bookedVisit(desk);
    const ref = await journeyOfVisit(desk, visit.appointmentId, { currency: 'USD', dueCents: 2500, paidCents: 2500 }, 'COMPLETED');
    const { port } = payer(active(4000));

    // Act
    const outcome = await reverifyEligibility(deps(desk, port), {
      clinicId: desk.clinicId,
      appointmentId: visit.appointmentId,
      revision: 0,
      when: 'ahead',
    });

    // Assess
    expect(outcome).toBe('CHANGED');
    expect((await stores.journeys.get(ref))?.amounts).toEqual({ currency: 'USD', dueCents: 2500, paidCents: 2500 });
    const open = await stores.tasks.list({ clinicId: desk.clinicId, queues: ['eligibility'], status: 'OPEN', limit: 10 });
    expect(open.tasks.map((t) => t.reason)).toContainEqual(expect.stringContaining('estimate $25.00 before, $40.00 now'));
  });

  it('checks a second plan too: it pays after the patient’s own, nothing is estimated ahead, and its going away is a change', async () => {
    // Prepare: the patient's own plan, and their spouse's as the second.
    const desk = openDesk(table, NOW);
    const visit = await bookedVisit(desk);
    const booked = await desk.appointments.getById(desk.clinicId, visit.appointmentId);
    if (!booked) throw new Error('not booked');
    const coverage = await stores.patients.readCoverage(
      { clinicId: desk.clinicId, patientId: booked.patientId },
      { subject: { clinicId: desk.clinicId, actor: 'test', patientId: booked.patientId }, before: async () => {}, failed: async () => {} },
    );
    const spousePlan = {
      payerId: '87726',
      payerName: 'UnitedHealthcare',
      memberId: 'U555',
      subscriber: { relationship: 'spouse' as const, firstName: 'Ana', lastName: 'Quintero', birthDate: '1983-02-02' },
      planType: 'commercial' as const,
    };
    await put({ ...keys.coverage(desk.clinicId, booked.patientId), ...coverage, planType: 'commercial', secondary: spousePlan });
    const { asked, port } = payer(active(2500), active(1000), active(2500));
    const timer = { clinicId: desk.clinicId, appointmentId: visit.appointmentId, revision: 0, when: 'ahead' as const };

    // Act
    const withBoth = await reverifyEligibility(deps(desk, port), timer);
    const stored = await dynamoEligibilityStore(table).getRecheck(desk.clinicId, visit.appointmentId);
    await put({ ...keys.coverage(desk.clinicId, booked.patientId), ...coverage });
    const withOne = await reverifyEligibility(deps(desk, port), timer);

    // Assess
    expect(asked.map((r) => r.payer.id)).toEqual(['60054', '87726', '60054']);
    expect(asked[1]?.dependent).toMatchObject({ relationship: 'spouse' });
    expect(stored).toMatchObject({
      payerId: '60054',
      coordination: { primaryPayerId: '60054', secondaryPayerId: '87726', secondaryActive: true },
    });
    expect(stored).not.toHaveProperty('dueCents');
    expect(withBoth).toBe('UNCHANGED'); // the first check of a desk booking: nothing to compare with
    expect(withOne).toBe('CHANGED');
    const open = await stores.tasks.list({ clinicId: desk.clinicId, queues: ['eligibility'], status: 'OPEN', limit: 10 });
    expect(open.tasks.map((t) => t.reason)).toContainEqual(expect.stringContaining('the second plan is gone'));
  });

  it('reopens an approval that ends before the visit (the visit moved later): EXPIRED, and one task for radiology', async () => {
    // Prepare: a visit on 10 December whose authorization was approved to 9 December.
    const desk = openDesk(table, NOW);
    const visit = await bookedVisit(desk);
    const booked = await desk.appointments.getById(desk.clinicId, visit.appointmentId);
    if (!booked) throw new Error('not booked');
    const opened: PriorAuthorizationCase = {
      type: 'PriorAuthorization',
      clinicId: desk.clinicId,
      appointmentId: visit.appointmentId,
      patientId: booked.patientId,
      payerId: '60054',
      requiredBy: 'payer-rule',
      request: {
        procedureCode: '73723',
        diagnosisCodes: ['M25.561'],
        appointmentTypeCode: TYPES.mriKneeContrast,
        serviceDate: '2026-12-03',
        locationId: 'boston-back-bay',
      },
      status: 'OPEN',
      history: [],
      revision: 0,
      openedAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    };
    expect(await stores.authorizations.open(opened)).toBe(true);
    const approval = { authorizationNumber: 'A-77', validFrom: '2026-12-01', validTo: '2026-12-09', units: 1 };
    expect(await stores.authorizations.save({ ...opened, status: 'APPROVED', approval, revision: 1 })).toBe(true);
    const event = {
      clinicId: desk.clinicId,
      appointmentId: visit.appointmentId,
      revision: 0,
      change: 'reschedule' as const,
      status: 'BOOKED' as const,
      origin: 'staff' as const,
    };
    const planDeps = {
      ...stores,
      appointments: desk.appointments,
      catalog: desk.catalogStore,
      timers: { schedule: async () => {} },
      escalations: { schedule: async () => {} },
      now: () => NOW,
    };

    // Act: the move's event, delivered twice.
    await planReverification(planDeps, event);
    await planReverification(planDeps, event);

    // Assess
    expect(await stores.authorizations.get(desk.clinicId, visit.appointmentId)).toMatchObject({ status: 'EXPIRED', approval, revision: 2 });
    expect(await desk.appointments.getById(desk.clinicId, visit.appointmentId)).toMatchObject({ authorizationStatus: 'EXPIRED' });
    const open = await stores.tasks.list({ clinicId: desk.clinicId, queues: ['radiology'], status: 'OPEN', limit: 10 });
    expect(open.tasks).toEqual([
      expect.objectContaining({
        kind: 'PRIOR_AUTHORIZATION',
        appointmentId: visit.appointmentId,
        reason: expect.stringContaining('valid 2026-12-01 to 2026-12-09'),
      }),
    ]);
  });

  it('leaves an approval that covers the visit alone', async () => {
    // Prepare
    const desk = openDesk(table, NOW);
    const visit = await bookedVisit(desk);
    const booked = await desk.appointments.getById(desk.clinicId, visit.appointmentId);
    if (!booked) throw new Error('not booked');
    const approved: PriorAuthorizationCase = {
      type: 'PriorAuthorization',
      clinicId: desk.clinicId,
      appointmentId: visit.appointmentId,
      patientId: booked.patientId,
      payerId: '60054',
      requiredBy: 'payer-response',
      request: {
        diagnosisCodes: [],
        appointmentTypeCode: TYPES.primaryCareFollowUp,
        serviceDate: '2026-12-10',
        locationId: 'boston-back-bay',
      },
      status: 'APPROVED',
      approval: { authorizationNumber: 'A-78', validFrom: '2026-12-01', validTo: '2026-12-10', units: 1 },
      history: [],
      revision: 0,
      openedAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    };
    await stores.authorizations.open(approved);
    const { port } = payer(active(2500));

    // Act
    await reverifyEligibility(deps(desk, port), {
      clinicId: desk.clinicId,
      appointmentId: visit.appointmentId,
      revision: 0,
      when: 'ahead',
    });

    // Assess
    expect(await stores.authorizations.get(desk.clinicId, visit.appointmentId)).toMatchObject({ status: 'APPROVED', revision: 0 });
  });
});
