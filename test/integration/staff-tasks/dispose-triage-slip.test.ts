import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeDisposeTriageSlip } from '#functions/staff-tasks/dispose-triage-slip.handler.ts';
import { escalateStaffTask } from '#functions/staff-tasks/escalate-staff-task.ts';
import { journeyOfTask, openedStaffTask, type StaffTask, serviceLevelsOf } from '#model/staff-task.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { noMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeStaffAlerts } from '#test/support/fakes/journey-ports.ts';
import { journeyAudits, localTable } from '#test/support/local-table.ts';

const table = await localTable('dispose-triage');
const tasks = dynamoStaffTaskStore(table);
const now = new Date('2026-12-01T10:00:00.000Z');
const clinicId = 'clinic-triage';
const ROUTE = 'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/disposition';
const NURSE: StaffClaims = { sub: 'u-nurse', username: 'nurse', groups: '[clinical]' };
const OTHER_NURSE: StaffClaims = { sub: 'u-nurse-2', username: 'nurse2', groups: '[clinical]' };

const dispose = makeDisposeTriageSlip({ tasks, now: () => now });
const post = (taskId: string, body: unknown, person: StaffClaims | null = NURSE) =>
  dispose(staffEvent({ pathParameters: { clinicId, taskId }, body, routeKey: ROUTE, person }), lambdaContext);
const bodyOf = (response: { body?: string }) => JSON.parse(response.body ?? '{}');

async function openSlip(kind: StaffTask['kind'] = 'TRIAGE'): Promise<StaffTask> {
  const task = openedStaffTask(
    {
      clinicId,
      taskId: `st-${randomUUID().slice(0, 20)}`,
      journeyId: randomUUID(),
      patientId: 'p-1',
      kind,
      stage: kind === 'TRIAGE' ? 'INTAKE' : 'ELIGIBILITY',
      ...(kind === 'TRIAGE' ? { triageLevel: 'EMERGENT' as const } : { taskToken: 'token', checkpoint: 'EligibilityNeedsStaff' as const }),
      reason: 'EMERGENT triage review: red-flag answers to chestPainNow',
    },
    serviceLevelsOf(undefined),
    'function:screenIntake',
    now,
  );
  await tasks.open(task);
  return task;
}

const ADVISED = { disposition: 'SENT_TO_ED', note: 'Told to go to the ED now; patient agreed.' };

describe('Function: disposeTriageSlip (a clinician closes a triage slip)', () => {
  it('closes the slip with the disposition and note, in the nurse’s name, with one audit record; a repeat writes nothing', async () => {
    // Prepare
    const slip = await openSlip();

    // Act
    const first = await post(slip.taskId, ADVISED);
    const repeat = await post(slip.taskId, ADVISED);

    // Assess
    expect([first.statusCode, repeat.statusCode]).toEqual([200, 200]);
    expect(bodyOf(first)).toMatchObject({ taskId: slip.taskId, status: 'DECIDED' });
    const stored = await tasks.get(clinicId, slip.taskId);
    expect(stored).toMatchObject({
      status: 'DECIDED',
      disposition: { code: 'SENT_TO_ED', note: ADVISED.note, disposedBy: 'user:u-nurse', disposedAt: now.toISOString() },
    });
    expect(stored?.history.map((h) => h.event)).toEqual(['opened', 'disposed']);
    const audits = auditRecords(await journeyAudits(table, journeyOfTask(slip), now));
    expect(audits).toEqual([
      expect.objectContaining({ actor: 'user:u-nurse', actions: ['staffTask.dispose'], patientId: 'p-1', via: ROUTE }),
    ]);
    expect(JSON.stringify(audits)).not.toContain('ED now');
  });

  it('refuses another disposition of a closed slip, and one of a slip a colleague claimed (409)', async () => {
    // Prepare
    const closed = await openSlip();
    await post(closed.taskId, ADVISED);
    const claimed = await openSlip();
    await tasks.claim(claimed, { actor: 'user:u-nurse-2', name: 'nurse2' }, now, {
      clinicId,
      actor: 'user:u-nurse-2',
      action: 'staffTask.claim',
      journeyId: claimed.journeyId,
      patientId: 'p-1',
      outcome: 'success',
    });

    // Act
    const again = await post(closed.taskId, { disposition: 'ADVISED_HOME_CARE', note: 'Changed my mind.' });
    const colleagues = await post(claimed.taskId, ADVISED);
    const byClaimant = await post(claimed.taskId, ADVISED, OTHER_NURSE);

    // Assess
    expect([again.statusCode, colleagues.statusCode, byClaimant.statusCode]).toEqual([409, 409, 200]);
    expect((await tasks.get(clinicId, closed.taskId))?.disposition?.code).toBe('SENT_TO_ED');
  });

  it.each([
    ['an admin', { groups: '[admin]' }, 403],
    ['the front desk', { groups: '[front-desk]' }, 403],
    ['no one signed in', null, 401],
  ] as const)('refuses %s (only clinicians dispose of a slip), writing nothing', async (_who, person, status) => {
    // Prepare
    const slip = await openSlip();

    // Act
    const response = await post(slip.taskId, ADVISED, person === null ? null : { sub: 'u-x', username: 'x', ...person });

    // Assess
    expect(response.statusCode).toBe(status);
    expect((await tasks.get(clinicId, slip.taskId))?.status).toBe('OPEN');
  });

  it('answers 409 for a task that is not a triage slip, 404 for none, 400 for an unknown disposition or no note', async () => {
    // Prepare: a clinician who works eligibility too
    const task = await openSlip('STAGE_BLOCKED');
    const both: StaffClaims = { sub: 'u-both', username: 'both', groups: '[clinical front-desk]' };

    // Act
    const notSlip = await post(task.taskId, ADVISED, both);
    const none = await post('st-none', ADVISED);
    const unknown = await post(task.taskId, { disposition: 'PRAYED', note: 'x' });
    const noNote = await post(task.taskId, { disposition: 'SENT_TO_ED' });

    // Assess
    expect([notSlip.statusCode, none.statusCode, unknown.statusCode, noNote.statusCode]).toEqual([409, 404, 400, 400]);
    expect(bodyOf(noNote).errors).toEqual([expect.objectContaining({ path: 'note' })]);
  });

  it('leaves a disposed slip unescalated when its due time comes; an undisposed one is escalated', async () => {
    // Prepare
    const disposed = await openSlip();
    await post(disposed.taskId, ADVISED);
    const waiting = await openSlip();
    const alerts = fakeStaffAlerts();
    const due = new Date(now.getTime() + 16 * 60_000); // urgent: 15 minutes

    // Act
    const left = await escalateStaffTask({ tasks, alerts: alerts.port, metrics: noMetrics, now: () => due }, disposed);
    const escalated = await escalateStaffTask({ tasks, alerts: alerts.port, metrics: noMetrics, now: () => due }, waiting);

    // Assess
    expect([left.outcome, escalated.outcome]).toEqual(['CLOSED', 'ESCALATED']);
    expect(alerts.sent.map((a) => a.message.taskId)).toEqual([waiting.taskId]);
    expect(alerts.sent[0]?.attributes).toMatchObject({ queue: 'clinical-triage' });
  });
});
