import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CHECKPOINTS } from '#contract/journey-workflow.ts';
import type { JourneyView } from '#functions/journey/journey-view.ts';
import type { LocalCloud } from '#local/cloud.ts';
import type { PaymentSandbox } from '#local/payment-sandbox/server.ts';
import type { StoredEmail } from '#local/ses-emulator.ts';
import { GRANULE_MINUTES } from '#model/busy-time.ts';
import { allowedActions } from '#model/staff-decision.ts';
import type { StaffTask } from '#model/staff-task.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import type { TableRef } from '#shared/table.ts';
import { waitingStage } from './journeys.ts';

type Item = Record<string, unknown>;
const GRANULE_MS = GRANULE_MINUTES * 60_000;

/** Every item of the table (tests may Scan; the product never does). */
export async function scanTable(table: TableRef): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  for (let page = 0; page < 10_000; page++) {
    const result = await table.client.send(new ScanCommand({ TableName: table.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...((result.Items ?? []) as Item[]));
    start = result.LastEvaluatedKey;
    if (!start) return items;
  }
  throw new Error('Table scan did not end');
}

export interface BookingReport {
  /** Appointment items, by journey. */
  appointmentsByJourney: Map<string, AppointmentRecord[]>;
  /** Human-readable breaches of: no two BOOKED appointments overlap on a resource; at most one appointment per journey. */
  violations: string[];
}

const overlaps = (a: AppointmentRecord, b: AppointmentRecord) =>
  new Date(a.start).getTime() < new Date(b.end).getTime() && new Date(b.start).getTime() < new Date(a.end).getTime();

/**
 * Bookings as the table holds them: no two BOOKED appointments overlap on any resource they hold (provider, room,
 * device), at most one appointment per journey, and the busy days hold exactly the BOOKED appointments' granules.
 */
export function checkBookings(items: readonly Item[]): BookingReport {
  const violations: string[] = [];
  const appointments = items.filter((i) => i.type === 'Appointment') as unknown as AppointmentRecord[];
  const appointmentsByJourney = new Map<string, AppointmentRecord[]>();
  for (const a of appointments) {
    const journeyId = a.journeyId ?? `(none: ${a.appointmentId})`;
    appointmentsByJourney.set(journeyId, [...(appointmentsByJourney.get(journeyId) ?? []), a]);
  }
  for (const [journeyId, list] of appointmentsByJourney) {
    if (list.length > 1)
      violations.push(`journey ${journeyId} has ${list.length} appointments: ${list.map((a) => a.appointmentId).join(', ')}`);
  }
  const booked = appointments.filter((a) => a.status === 'BOOKED');
  const byResource = new Map<string, AppointmentRecord[]>();
  for (const a of booked) for (const r of a.resourceIds ?? [a.provider.id]) byResource.set(r, [...(byResource.get(r) ?? []), a]);
  for (const [resourceId, list] of byResource) {
    const sorted = [...list].sort((a, b) => a.start.localeCompare(b.start));
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length && new Date(sorted[j]?.start ?? 0) < new Date(sorted[i]?.end ?? 0); j++) {
        const [a, b] = [sorted[i], sorted[j]] as [AppointmentRecord, AppointmentRecord];
        if (overlaps(a, b)) {
          violations.push(
            `${resourceId} double-booked: ${a.appointmentId} (journey ${a.journeyId}) ${a.start}–${a.end} and ${b.appointmentId} (journey ${b.journeyId}) ${b.start}–${b.end}`,
          );
        }
      }
    }
  }
  // The busy days (keys.busyDay) hold exactly the granules of the BOOKED appointments: a granule no booking covers is
  // time held by a lost or released booking, a booking's granule missing is time another booking could take.
  const held = new Map<string, Set<number>>();
  for (const day of items.filter((i) => String(i.PK).endsWith('#BUSY') && String(i.SK).startsWith('DAY#'))) {
    const [, date = '', , resourceId = ''] = String(day.SK).split('#');
    for (const g of (day.busy as Set<string> | undefined) ?? []) {
      const at = Date.parse(`${date}T${g.slice(0, 2)}:${g.slice(2, 4)}:00.000Z`);
      held.set(resourceId, (held.get(resourceId) ?? new Set()).add(at));
    }
  }
  for (const [resourceId, list] of byResource) {
    const granules = held.get(resourceId) ?? new Set<number>();
    for (const a of list) {
      for (let at = Math.floor(Date.parse(a.start) / GRANULE_MS) * GRANULE_MS; at < Date.parse(a.end); at += GRANULE_MS) {
        if (!granules.delete(at))
          violations.push(`${resourceId}: ${a.appointmentId} (journey ${a.journeyId}) does not hold ${new Date(at).toISOString()}`);
      }
    }
  }
  for (const [resourceId, granules] of held) {
    const stray = [...granules].filter(
      (at) => !(byResource.get(resourceId) ?? []).some((a) => Date.parse(a.start) <= at && at < Date.parse(a.end)),
    );
    if (stray.length > 0) {
      violations.push(
        `${resourceId} holds ${stray.length} busy granule(s) no booking covers, from ${new Date(Math.min(...stray)).toISOString()}`,
      );
    }
  }
  return { appointmentsByJourney, violations };
}

export interface ChargeReport {
  /** Succeeded charges in the processor's ledger, by the journey their PaymentIntent names. */
  chargesByJourney: Map<string, Array<{ id: string; amount: number }>>;
  /** Journeys charged more than once. */
  violations: string[];
}

/** The processor's own ledger (`payments.charges()`), joined to journeys through each PaymentIntent's `metadata.journey`. */
export function checkCharges(payments: PaymentSandbox): ChargeReport {
  const journeyOf = new Map(payments.paymentIntents().map((i) => [i.id, i.metadata.journey ?? '(none)']));
  const chargesByJourney = new Map<string, Array<{ id: string; amount: number }>>();
  for (const c of payments.charges()) {
    const journeyId = journeyOf.get(c.id) ?? '(unknown intent)';
    chargesByJourney.set(journeyId, [...(chargesByJourney.get(journeyId) ?? []), { id: c.id, amount: c.amount }]);
  }
  const violations = [...chargesByJourney]
    .filter(([, list]) => list.length > 1)
    .map(([journeyId, list]) => `journey ${journeyId} charged ${list.length} times: ${list.map((c) => `${c.id} ${c.amount}`).join(', ')}`);
  return { chargesByJourney, violations };
}

/** Paid amounts the journeys show against what the ledger holds for them. */
export function paidMismatches(views: ReadonlyMap<string, JourneyView>, charges: ChargeReport): string[] {
  const problems: string[] = [];
  for (const [journeyId, view] of views) {
    const ledger = (charges.chargesByJourney.get(journeyId) ?? []).reduce((sum, c) => sum + c.amount, 0);
    const shown = view.amounts.paidCents ?? 0;
    if (view.status === 'COMPLETED' && shown !== ledger)
      problems.push(`journey ${journeyId} shows paid ${shown}, the ledger holds ${ledger}`);
  }
  return problems;
}

export function executionArnOf(cloud: Pick<LocalCloud, 'stateMachineArn'>, journeyId: string): string {
  return `${cloud.stateMachineArn.replace(':stateMachine:', ':execution:')}:${journeyId}`;
}

/** Journeys the API shows RUNNING whose execution is not running: nothing will ever move them. */
export function runningWithoutExecution(
  cloud: Pick<LocalCloud, 'sfn' | 'stateMachineArn'>,
  views: ReadonlyMap<string, JourneyView>,
): string[] {
  const problems: string[] = [];
  for (const [journeyId, view] of views) {
    if (view.status !== 'RUNNING') continue;
    let status: string;
    try {
      status = cloud.sfn.describeExecution(executionArnOf(cloud, journeyId)).status;
    } catch {
      status = 'NO EXECUTION';
    }
    if (status !== 'RUNNING') problems.push(`journey ${journeyId} is RUNNING but its execution is ${status}`);
  }
  return problems;
}

export interface DecidableTask {
  task?: StaffTask;
  /** Why a person could not act on it; undefined when they can. */
  problem?: string;
  /** The decisions the task takes. */
  actions: readonly string[];
}

/**
 * Whether a journey that waits for staff has a task a person can decide and that would move it: open, with a reason,
 * at least one allowed action, and — for a held stage — an execution still waiting on its token and the checkpoint of
 * that stage where the decision resumes the journey's stages; for a stopped execution — an execution that can be
 * redriven.
 */
export async function decidableTask(
  cloud: Pick<LocalCloud, 'sfn' | 'stateMachineArn' | 'table' | 'clinicId'>,
  journeyId: string,
  view: JourneyView,
): Promise<DecidableTask> {
  const stage = waitingStage(view);
  if (view.status !== 'WAITING_FOR_STAFF') return { problem: `journey is ${view.status}`, actions: [] };
  if (!stage?.staffTaskId) return { problem: 'WAITING_FOR_STAFF with no waiting stage or no task', actions: [] };
  const task = await dynamoStaffTaskStore(cloud.table).get(cloud.clinicId, stage.staffTaskId);
  if (!task) return { problem: `task ${stage.staffTaskId} does not exist`, actions: [] };
  const actions = allowedActions(task);
  const problem = (() => {
    if (task.status !== 'OPEN') return `task ${task.taskId} is ${task.status}`;
    if (!task.reason || !stage.reason) return `task ${task.taskId} has no reason`;
    if (actions.length === 0) return `task ${task.taskId} allows no decision`;
    let execution: string;
    try {
      execution = cloud.sfn.describeExecution(task.executionArn ?? executionArnOf(cloud, journeyId)).status;
    } catch {
      return `task ${task.taskId}: no execution`;
    }
    if (task.kind === 'STAGE_BLOCKED' && (!task.taskToken || execution !== 'RUNNING')) {
      return `task ${task.taskId} (parked ${task.stage}) has ${task.taskToken ? 'a token' : 'no token'} and its execution is ${execution}`;
    }
    if (task.kind === 'STAGE_BLOCKED' && (!task.checkpoint || CHECKPOINTS[task.checkpoint] !== task.stage)) {
      return `task ${task.taskId} (parked ${task.stage}) resumes at checkpoint ${task.checkpoint ?? '(none)'}, not one of its stage`;
    }
    if (task.kind === 'EXECUTION_STOPPED' && (execution === 'RUNNING' || execution === 'SUCCEEDED')) {
      return `task ${task.taskId} (stopped execution) but the execution is ${execution}`;
    }
    return undefined;
  })();
  return { task, actions, ...(problem ? { problem } : {}) };
}

/** Emails the SES emulator holds (GET /store): what left for patients. */
export async function sentEmails(cloud: Pick<LocalCloud, 'mailViewerUrl'>): Promise<StoredEmail[]> {
  const response = await fetch(`${cloud.mailViewerUrl}/store`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}
