import { describe, expect, it } from 'vitest';
import { type StageName, StageNameSchema } from '#contract/journey-workflow.ts';
import { DEFAULT_SERVICE_LEVELS, QUEUE_ROLES, queuesFor, STAFF_QUEUES, TASK_PRIORITIES } from '#contract/staff-queues.ts';
import { STAFF_ROLES, type StaffRole } from '#contract/staff-roles.ts';
import { isOverdue, openedStaffTask, routeStaffTask, STAGE_QUEUE, type StaffTaskDraft, serviceLevelsOf } from '#model/staff-task.ts';

const now = new Date('2026-12-01T10:00:00.000Z');
const STAGE_NAMES: readonly StageName[] = StageNameSchema.options;

function draft(overrides: Partial<StaffTaskDraft> = {}): StaffTaskDraft {
  return {
    clinicId: 'c1',
    taskId: 'st-1',
    journeyId: 'j1',
    patientId: 'p1',
    kind: 'STAGE_BLOCKED',
    stage: 'ELIGIBILITY',
    reason: 'Coverage is inactive.',
    taskToken: 'token-1',
    checkpoint: 'EligibilityNeedsStaff',
    ...overrides,
  };
}

const minutesAfter = (start: Date, minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();

describe('Function: routeStaffTask', () => {
  it.each([
    ['INTAKE', 'front-desk'],
    ['ELIGIBILITY', 'eligibility'],
    ['SCHEDULING', 'scheduling'],
    ['PAYMENT', 'billing'],
    ['CONFIRMATION', 'front-desk'],
  ] as const)('sends a journey parked at %s to the %s queue, high', (stage, queue) => {
    // Act
    const route = routeStaffTask({ kind: 'STAGE_BLOCKED', stage });

    // Assess
    expect(route).toEqual({ queue, priority: 'high' });
  });

  it('routes every stage of the journey through STAGE_QUEUE', () => {
    // Act
    const routes = STAGE_NAMES.map((stage: StageName) => routeStaffTask({ kind: 'STAGE_BLOCKED', stage }).queue);

    // Assess
    expect(routes).toEqual(STAGE_NAMES.map((stage) => STAGE_QUEUE[stage]));
    expect(routes.every((queue) => STAFF_QUEUES.includes(queue))).toBe(true);
  });

  it.each([
    ['EMERGENT', 'urgent'],
    ['URGENT', 'high'],
    [undefined, 'high'],
  ] as const)('sends a triage slip of level %s to clinical triage, %s, whatever its stage', (triageLevel, priority) => {
    // Act
    const routes = STAGE_NAMES.map((stage) => routeStaffTask({ kind: 'TRIAGE', stage, ...(triageLevel ? { triageLevel } : {}) }));

    // Assess
    for (const route of routes) expect(route).toEqual({ queue: 'clinical-triage', priority });
  });

  it('sends a stopped execution to ops, high, whatever its stage', () => {
    // Act
    const routes = STAGE_NAMES.map((stage) => routeStaffTask({ kind: 'EXECUTION_STOPPED', stage }));

    // Assess
    for (const route of routes) expect(route).toEqual({ queue: 'ops', priority: 'high' });
  });

  it('ignores a triage level on a task that is not a triage slip', () => {
    // Act
    const route = routeStaffTask({ kind: 'STAGE_BLOCKED', stage: 'PAYMENT', triageLevel: 'EMERGENT' });

    // Assess
    expect(route).toEqual({ queue: 'billing', priority: 'high' });
  });
});

describe('Function: serviceLevelsOf', () => {
  it('gives the defaults to a clinic that set none', () => {
    // Act
    const levels = serviceLevelsOf(undefined);

    // Assess
    expect(levels).toEqual({ urgent: 15, high: 120, normal: 480, low: 4320 });
    expect(levels).toEqual(DEFAULT_SERVICE_LEVELS);
  });

  it('gives the defaults to a clinic that set an empty object', () => {
    // Act
    const levels = serviceLevelsOf({});

    // Assess
    expect(levels).toEqual(DEFAULT_SERVICE_LEVELS);
  });

  it('takes the clinic’s own levels where it set them and the defaults elsewhere', () => {
    // Act
    const levels = serviceLevelsOf({ urgent: 5, low: 1440 });

    // Assess
    expect(levels).toEqual({ urgent: 5, high: 120, normal: 480, low: 1440 });
  });

  it('takes every level from a clinic that set them all', () => {
    // Act
    const levels = serviceLevelsOf({ urgent: 1, high: 2, normal: 3, low: 4 });

    // Assess
    expect(levels).toEqual({ urgent: 1, high: 2, normal: 3, low: 4 });
  });

  it('leaves the defaults untouched', () => {
    // Act
    serviceLevelsOf({ urgent: 1 });

    // Assess
    expect(DEFAULT_SERVICE_LEVELS.urgent).toBe(15);
  });

  it('has a level for every priority, more urgent ones due sooner', () => {
    // Act
    const levels = TASK_PRIORITIES.map((priority) => DEFAULT_SERVICE_LEVELS[priority]);

    // Assess
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    expect(new Set(levels).size).toBe(TASK_PRIORITIES.length);
  });
});

describe('Function: openedStaffTask', () => {
  it('opens a parked stage’s task: routed, due by the service level of its priority, its history started', () => {
    // Act
    const task = openedStaffTask(draft(), DEFAULT_SERVICE_LEVELS, 'function:parkForStaff', now);

    // Assess
    expect(task).toEqual({
      type: 'StaffTask',
      ...draft(),
      status: 'OPEN',
      createdAt: '2026-12-01T10:00:00.000Z',
      queue: 'eligibility',
      priority: 'high',
      dueAt: '2026-12-01T12:00:00.000Z',
      history: [{ at: '2026-12-01T10:00:00.000Z', by: 'function:parkForStaff', event: 'opened' }],
    });
  });

  it('makes an emergent triage slip urgent, due within 15 minutes, and keeps no triage level on the task', () => {
    // Act
    const task = openedStaffTask(
      draft({ kind: 'TRIAGE', stage: 'INTAKE', triageLevel: 'EMERGENT', taskToken: undefined }),
      DEFAULT_SERVICE_LEVELS,
      'function:screenIntake',
      now,
    );

    // Assess
    expect(task).toMatchObject({ queue: 'clinical-triage', priority: 'urgent', dueAt: '2026-12-01T10:15:00.000Z' });
    expect(task).not.toHaveProperty('triageLevel');
  });

  // No kind of task is routed at normal or low today: urgent and high are the ones a task can get.
  it.each([
    ['urgent', draft({ kind: 'TRIAGE', triageLevel: 'EMERGENT' })],
    ['high', draft()],
  ] as const)('is due the clinic’s %s level after it opens', (priority, subject) => {
    // Prepare: levels that tell the priorities apart
    const levels = serviceLevelsOf({ urgent: 7, high: 61, normal: 1439, low: 10_081 });

    // Act
    const task = openedStaffTask(subject, levels, 'function:test', now);

    // Assess
    expect(task.priority).toBe(priority);
    expect(task.dueAt).toBe(minutesAfter(now, levels[priority]));
  });

  it('crosses days and months: an urgent slip opened just before midnight of the month’s end', () => {
    // Prepare
    const lateAtNight = new Date('2026-12-31T23:50:30.250Z');

    // Act
    const task = openedStaffTask(draft({ kind: 'TRIAGE', triageLevel: 'EMERGENT' }), DEFAULT_SERVICE_LEVELS, 'function:test', lateAtNight);

    // Assess
    expect(task.dueAt).toBe('2027-01-01T00:05:30.250Z');
    expect(task.createdAt).toBe('2026-12-31T23:50:30.250Z');
  });

  it('uses the clinic’s partial overrides: its high level, the default urgent one', () => {
    // Prepare
    const levels = serviceLevelsOf({ high: 30 });

    // Act
    const stopped = openedStaffTask(draft({ kind: 'EXECUTION_STOPPED', stage: 'PAYMENT' }), levels, 'function:test', now);
    const triage = openedStaffTask(draft({ kind: 'TRIAGE', triageLevel: 'EMERGENT' }), levels, 'function:test', now);

    // Assess
    expect(stopped).toMatchObject({ queue: 'ops', priority: 'high', dueAt: '2026-12-01T10:30:00.000Z' });
    expect(triage).toMatchObject({ queue: 'clinical-triage', priority: 'urgent', dueAt: '2026-12-01T10:15:00.000Z' });
  });

  it('is due in three days at the default low level', () => {
    // Act
    const due = minutesAfter(now, serviceLevelsOf(undefined).low);

    // Assess
    expect(due).toBe('2026-12-04T10:00:00.000Z');
  });
});

describe('Function: isOverdue', () => {
  const dueAt = '2026-12-01T10:00:00.000Z';

  it.each([
    ['OPEN', '2026-12-01T09:59:59.999Z', false],
    ['OPEN', '2026-12-01T10:00:00.000Z', false],
    ['OPEN', '2026-12-01T10:00:00.001Z', true],
    ['OPEN', '2026-12-02T00:00:00.000Z', true],
    ['DECIDED', '2026-12-01T09:00:00.000Z', false],
    ['DECIDED', '2026-12-02T00:00:00.000Z', false],
    ['EXPIRED', '2026-12-02T00:00:00.000Z', false],
  ] as const)('a %s task due at 10:00 is overdue at %s: %s', (status, at, overdue) => {
    // Act
    const answer = isOverdue({ status, dueAt }, new Date(at));

    // Assess
    expect(answer).toBe(overdue);
  });
});

describe('Function: queuesFor', () => {
  it.each([
    [['front-desk'], ['front-desk', 'eligibility', 'scheduling', 'billing']],
    [['clinical'], ['clinical-triage']],
    [['billing'], ['eligibility', 'billing']],
    [['radiology'], ['scheduling', 'radiology']],
    [['ops'], ['ops']],
    [['admin'], [...STAFF_QUEUES]],
    [
      ['billing', 'clinical'],
      ['eligibility', 'billing', 'clinical-triage'],
    ],
    [
      ['front-desk', 'billing'],
      ['front-desk', 'eligibility', 'scheduling', 'billing'],
    ],
    [[], []],
  ] as Array<[StaffRole[], string[]]>)('gives %j the queues %j', (roles, queues) => {
    // Act
    const works = queuesFor(roles);

    // Assess
    expect(works).toEqual(queues);
  });

  it('keeps the clinical triage queue to clinicians and admins', () => {
    // Act
    const readers = STAFF_ROLES.filter((role) => queuesFor([role]).includes('clinical-triage'));

    // Assess
    expect(readers).toEqual(['clinical', 'admin']);
    expect(QUEUE_ROLES['clinical-triage']).toEqual(['clinical', 'admin']);
  });

  it('gives every role at least one queue, and every queue at least one role besides admin', () => {
    // Act
    const queuesOfRoles = STAFF_ROLES.map((role) => queuesFor([role]).length);
    const nonAdminWorkers = STAFF_QUEUES.map((queue) => QUEUE_ROLES[queue].filter((role) => role !== 'admin').length);

    // Assess
    expect(queuesOfRoles.every((n) => n > 0)).toBe(true);
    expect(nonAdminWorkers.every((n) => n > 0)).toBe(true);
  });
});

describe('Function: routeStaffTask, a department of its own', () => {
  it('sends a parked scheduling stage to its department’s queue where the clinic routes one, and nothing else', () => {
    expect(routeStaffTask({ kind: 'STAGE_BLOCKED', stage: 'SCHEDULING', departmentQueue: 'radiology' })).toEqual({
      queue: 'radiology',
      priority: 'high',
    });
    expect(routeStaffTask({ kind: 'STAGE_BLOCKED', stage: 'PAYMENT', departmentQueue: 'radiology' }).queue).toBe('billing');
    expect(routeStaffTask({ kind: 'EXECUTION_STOPPED', stage: 'SCHEDULING', departmentQueue: 'radiology' }).queue).toBe('ops');
  });
});
