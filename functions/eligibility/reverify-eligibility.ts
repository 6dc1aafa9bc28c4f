import { DateTime } from 'luxon';
import type { AppointmentChangedDetail } from '#contract/appointment-events.ts';
import type { CoverageSummary, EligibilityCheckRecord } from '#model/benefits-reading.ts';
import { isSelfPay } from '#model/patient-records.ts';
import { visitDateOf } from '#model/prior-authorization.ts';
import { openedStaffTask, serviceLevelsOf, staffTaskId } from '#model/staff-task.ts';
import { auditSession } from '#shared/audit.ts';
import { log } from '#shared/observability.ts';
import { type EscalationSchedulePort, openTaskWithoutAlert } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';
import { coordinateCoverage } from './coordinate-coverage.ts';
import type { EligibilityPerson, EligibilityPort } from './eligibility-port.ts';
import type { EligibilityStore } from './eligibility-store.ts';
import { buildEligibilityRequest } from './prepare-eligibility-check.ts';
import { type ReopenLapsedAuthorizationDeps, reopenLapsedAuthorization } from './reopen-lapsed-authorization.ts';

/** Days before a visit its coverage is checked again, unless the clinic says otherwise (catalog `reverifyDaysBefore`). */
export const DEFAULT_REVERIFY_DAYS_BEFORE = 3;
/** Local hours the checks run: early enough that the desk can call the patient before they set out. */
const AHEAD_HOUR = 7;
const DAY_OF_HOUR = 6;

export type RecheckWhen = 'ahead' | 'day';

/** Where a visit's coverage re-checks are scheduled (EventBridge Scheduler: `reverify-<appointment>-<revision>-<when>`). */
export interface ReverificationTimerPort {
  schedule(check: { clinicId: string; appointmentId: string; revision: number; when: RecheckWhen; at: Date }): Promise<void>;
}

export interface PlanReverificationDeps extends Pick<SharedStores, 'appointments' | 'catalog'>, ReopenLapsedAuthorizationDeps {
  timers: ReverificationTimerPort;
  now: () => Date;
}

/**
 * On a booking or a new time (an AppointmentChanged event): schedules the visit's coverage checks, the clinic's
 * `reverifyDaysBefore` days ahead at 07:00 and on the day at 06:00, in the visit's zone; a time already past is not
 * scheduled (a visit booked for tomorrow was just verified). An event overtaken by a later change schedules nothing.
 * A visit moved past the end of its prior authorization's approval reopens the case now (reopen-lapsed-authorization.ts).
 */
export async function planReverification(deps: PlanReverificationDeps, event: AppointmentChangedDetail): Promise<RecheckWhen[]> {
  if (event.change !== 'book' && event.change !== 'reschedule') return [];
  const appointment = await deps.appointments.getById(event.clinicId, event.appointmentId);
  const later = appointment?.history?.slice(event.revision) ?? [];
  if (appointment?.status !== 'BOOKED' || later.some((h) => h.change === 'reschedule' || h.change === 'cancel')) return [];
  await reopenLapsedAuthorization(deps, appointment, PLAN_ACTOR, deps.now());
  const days = (await deps.catalog.load(event.clinicId))?.profile.reverifyDaysBefore ?? DEFAULT_REVERIFY_DAYS_BEFORE;
  const visitDay = DateTime.fromISO(appointment.start, { zone: appointment.timeZone }).startOf('day');
  const times: Array<[RecheckWhen, DateTime]> = [
    ['ahead', visitDay.minus({ days }).set({ hour: AHEAD_HOUR })],
    ['day', visitDay.set({ hour: DAY_OF_HOUR })],
  ];
  const now = deps.now().getTime();
  const due = times.filter(([, at]) => at.toMillis() > now && at.toMillis() < Date.parse(appointment.start));
  for (const [when, at] of due) {
    await deps.timers.schedule({
      clinicId: event.clinicId,
      appointmentId: event.appointmentId,
      revision: event.revision,
      when,
      at: at.toJSDate(),
    });
  }
  log.info('Coverage re-checks scheduled', { clinicId: event.clinicId, count: due.length });
  return due.map(([when]) => when);
}

export interface ReverifyEligibilityDeps
  extends Pick<SharedStores, 'appointments' | 'catalog' | 'patients' | 'audit' | 'tasks' | 'eligibilityChecks' | 'journeys'>,
    ReopenLapsedAuthorizationDeps {
  store: EligibilityStore;
  eligibility: EligibilityPort;
  escalations: EscalationSchedulePort;
  now: () => Date;
}

const ACTOR = 'function:reverifyEligibility';
const PLAN_ACTOR = 'function:planReverification';

/**
 * A visit's coverage check comes due: the payer is asked again for the visit's date, read as the first check was, and
 * compared with the last check of this visit (or its journey's). A change (inactive, another payer, other cost
 * sharing, another estimate) is recorded with the new estimate and opens a COVERAGE_CHANGED task in the eligibility
 * queue, one per visit revision and check, before the patient arrives. A visit moved, cancelled or done since is left.
 * A clearinghouse outage throws (Lambda's retries, then the timers' dead-letter queue). Its prior authorization is
 * looked at too: an approval that no longer covers the visit's day reopens the case.
 */
export async function reverifyEligibility(
  deps: ReverifyEligibilityDeps,
  timer: { clinicId: string; appointmentId: string; revision: number; when: RecheckWhen },
): Promise<'UNCHANGED' | 'CHANGED' | 'STALE' | 'NOT_INSURED'> {
  const now = deps.now();
  const appointment = await deps.appointments.getById(timer.clinicId, timer.appointmentId);
  if (appointment?.status !== 'BOOKED' || (appointment.revision ?? 0) !== timer.revision) return 'STALE';
  await reopenLapsedAuthorization(deps, appointment, ACTOR, now);
  const catalog = await deps.catalog.load(timer.clinicId);
  const type = catalog?.appointmentTypes.find((t) => t.code === appointment.appointmentType);
  if (!catalog || !type) return 'STALE';
  const subject = {
    clinicId: appointment.clinicId,
    patientId: appointment.patientId,
    ...(appointment.journeyId ? { journeyId: appointment.journeyId } : {}),
  };
  const audit = auditSession(deps.audit, { ...subject, actor: ACTOR }, now);
  await audit.before('coverage.read', 'patient.read');
  const coverage = await deps.store.getCoverage(appointment.clinicId, appointment.patientId);
  if (!coverage || isSelfPay(coverage)) return 'NOT_INSURED';
  const patient = (await deps.patients.read({ ...subject, journeyId: appointment.journeyId }, audit, [
    'firstName',
    'lastName',
    'birthDate',
  ])) as EligibilityPerson;
  const request = {
    ...buildEligibilityRequest(
      { journeyId: appointment.journeyId ?? appointment.appointmentId, appointmentTypeCode: type.code, catalog, coverage, patient },
      type,
    ),
    // The visit's day where it happens (a late visit in Denver is the next day in UTC).
    dateOfService: visitDateOf(appointment),
  };
  // Both plans again when there are two, ordered as the first check ordered them (coordinate-coverage.ts).
  const checked = await coordinateCoverage(deps.eligibility, {
    journeyId: appointment.journeyId ?? appointment.appointmentId,
    appointmentTypeCode: type.code,
    catalog,
    appointmentType: type,
    coverage,
    patient,
    request,
    locationId: appointment.location.id,
    on: request.dateOfService,
  });
  const { summary, payerId, estimate } = checked;
  const dueCents = estimate?.dueCents;
  const previous =
    (await deps.store.getRecheck(appointment.clinicId, appointment.appointmentId)) ??
    (appointment.journeyId
      ? await deps.eligibilityChecks.get({ clinicId: appointment.clinicId, journeyId: appointment.journeyId })
      : undefined);
  const record: EligibilityCheckRecord = {
    type: 'EligibilityCheck',
    clinicId: appointment.clinicId,
    journeyId: appointment.journeyId ?? '',
    appointmentTypeCode: type.code,
    serviceTypeCode: type.serviceTypeCode,
    payerId,
    controlNumber: request.controlNumber,
    summary,
    ...(dueCents !== undefined ? { dueCents } : {}),
    ...(estimate ? { estimate } : {}),
    ...(checked.coordination ? { coordination: checked.coordination } : {}),
    checkedAt: now.toISOString(),
  };
  const changes = changesBetween(previous, record);
  log.info('Coverage checked again', { clinicId: timer.clinicId, outcome: summary.outcome, count: changes.length });
  if (changes.length > 0) {
    // The journey's estimate becomes the re-check's, for a visit not yet paid for (none when the new reading cannot be
    // signed: nothing is charged automatically); one paid already keeps what was paid against, and the task says so.
    if (appointment.journeyId && previous?.dueCents !== dueCents) {
      await deps.journeys.reviseEstimate({ clinicId: appointment.clinicId, journeyId: appointment.journeyId }, dueCents, now);
    }
    const task = openedStaffTask(
      {
        clinicId: appointment.clinicId,
        taskId: staffTaskId(`coverage#${appointment.clinicId}#${appointment.appointmentId}#${timer.revision}#${timer.when}`),
        kind: 'COVERAGE_CHANGED',
        patientId: appointment.patientId,
        appointmentId: appointment.appointmentId,
        reason:
          `Coverage checked again ${timer.when === 'day' ? 'on the day of' : 'before'} the visit on ${request.dateOfService} ` +
          `reads differently: ${changes.join('; ')}. Sort it out with the patient before they arrive.`,
      },
      serviceLevelsOf(catalog.profile.serviceLevels),
      ACTOR,
      now,
    );
    await openTaskWithoutAlert(deps, task, ACTOR, now);
  }
  // Last: a retry after a failure above compares with the check before this one again, so the change is not lost.
  await deps.store.putRecheck(appointment.appointmentId, record);
  return changes.length > 0 ? 'CHANGED' : 'UNCHANGED';
}

const dollars = (cents: number | undefined) => (cents === undefined ? 'none' : `$${(cents / 100).toFixed(2)}`);

/** What a desk would call the patient about, in words (amounts and codes, nothing of the patient). */
export function changesBetween(previous: EligibilityCheckRecord | undefined, next: EligibilityCheckRecord): string[] {
  const now = next.summary;
  if (!previous) return now.outcome === 'ACTIVE' ? [] : [`it now reads ${now.outcome}: ${now.reason}`];
  const before: CoverageSummary = previous.summary;
  const changes: string[] = [];
  if (previous.payerId !== undefined && previous.payerId !== next.payerId) changes.push('another payer pays first now');
  const otherBefore = previous.coordination?.secondaryPayerId;
  const otherNow = next.coordination?.secondaryPayerId;
  if (otherBefore !== otherNow) changes.push(otherNow ? `a second plan (payer ${otherNow}) is on file now` : 'the second plan is gone');
  else if (otherNow && previous.coordination?.secondaryActive !== next.coordination?.secondaryActive)
    changes.push(`the second plan is ${next.coordination?.secondaryActive ? 'active' : 'no longer active'}`);
  if (before.outcome !== now.outcome) changes.push(`${before.outcome} before, ${now.outcome} now (${now.reason})`);
  if (before.copayCents !== now.copayCents) changes.push(`copay ${dollars(before.copayCents)} before, ${dollars(now.copayCents)} now`);
  if (before.coinsurancePercent !== now.coinsurancePercent) {
    changes.push(`coinsurance ${before.coinsurancePercent ?? 'none'}% before, ${now.coinsurancePercent ?? 'none'}% now`);
  }
  if (previous.dueCents !== next.dueCents) changes.push(`estimate ${dollars(previous.dueCents)} before, ${dollars(next.dueCents)} now`);
  return changes;
}
