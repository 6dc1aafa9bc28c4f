import { describe, expect, it } from 'vitest';
import { STAFF_ACTIONS_BY_STAGE, type StageName } from '#contract/journey-workflow.ts';
import { allowedActions, rolesForTask, stageAfterDecision } from '#model/staff-decision.ts';
import { POSSIBLE_DUPLICATE_REASON, routeStaffTask, type StaffTask } from '#model/staff-task.ts';

const STAGES = Object.keys(STAFF_ACTIONS_BY_STAGE) as StageName[];

describe('Function: allowedActions', () => {
  it.each(STAGES)('allows a task parked at %s exactly what the workflow routes there', (stage) => {
    // Act
    const actions = allowedActions({ kind: 'STAGE_BLOCKED', stage });

    // Assess
    expect(actions).toEqual(STAFF_ACTIONS_BY_STAGE[stage]);
  });

  it.each(STAGES)('allows a stopped execution at %s the same, except PROCEED', (stage) => {
    // Act
    const actions = allowedActions({ kind: 'EXECUTION_STOPPED', stage });

    // Assess
    expect(actions).toEqual(STAFF_ACTIONS_BY_STAGE[stage].filter((a) => a !== 'PROCEED'));
    expect(actions).toContain('RETRY');
  });

  it('allows no PROCEED past a possible duplicate: it is merged or kept apart, then retried (or cancelled)', () => {
    expect(allowedActions({ kind: 'STAGE_BLOCKED', stage: 'INTAKE', reason: POSSIBLE_DUPLICATE_REASON })).toEqual(['RETRY', 'CANCEL']);
    expect(allowedActions({ kind: 'STAGE_BLOCKED', stage: 'INTAKE', reason: 'Intake failed after automatic retries' })).toContain(
      'PROCEED',
    );
  });

  it('allows no decision on a triage slip (a clinician disposes of it instead)', () => {
    // Act
    const actions = allowedActions({ kind: 'TRIAGE', stage: 'INTAKE' });

    // Assess
    expect(actions).toEqual([]);
  });
});

describe('Function: stageAfterDecision', () => {
  it('keeps the task on the stage for RETRY and PROCEED, and leaves CANCEL to the journey’s end', () => {
    // Prepare
    const task = { stage: 'PAYMENT' as const, taskId: 'st-1' };

    // Act
    const retried = stageAfterDecision(task, 'RETRY', 'now');
    const proceeded = stageAfterDecision(task, 'PROCEED', 'now');
    const cancelled = stageAfterDecision(task, 'CANCEL', 'now');

    // Assess
    expect(retried).toEqual({ status: 'IN_PROGRESS', at: 'now', reason: 'Retried by staff.', staffTaskId: 'st-1' });
    expect(proceeded).toMatchObject({ status: 'COMPLETED', staffTaskId: 'st-1', reason: expect.stringContaining('pay later') });
    expect(cancelled).toBeUndefined();
  });
});

describe('Function: rolesForTask', () => {
  /** A task as it is opened: in the queue routeStaffTask gives it. */
  const routed = (kind: StaffTask['kind'], stage: StageName) => ({ kind, stage, queue: routeStaffTask({ kind, stage }).queue });

  it('gives a triage slip to clinicians, a parked stage to the people who work it, a stopped execution to ops too', () => {
    expect(rolesForTask(routed('TRIAGE', 'INTAKE'))).toEqual(['clinical', 'admin']);
    expect(rolesForTask(routed('STAGE_BLOCKED', 'PAYMENT'))).toEqual(['billing', 'front-desk', 'admin']);
    expect(rolesForTask(routed('STAGE_BLOCKED', 'SCHEDULING'))).not.toContain('ops');
    expect([...rolesForTask(routed('EXECUTION_STOPPED', 'SCHEDULING'))].sort()).toEqual(['admin', 'front-desk', 'ops', 'radiology']);
  });
});
