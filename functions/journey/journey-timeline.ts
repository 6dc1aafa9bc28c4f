import type { JourneyTimeline, TimelineEvent } from '#contract/api/journey-timeline-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { triageSlipId } from '#model/staff-task.ts';
import { auditSession } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import type { SharedStores } from '#shared/stores.ts';

export interface JourneyTimelineDeps extends Pick<SharedStores, 'journeys' | 'tasks' | 'audit'> {
  now: () => Date;
}

const ENDED = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/**
 * What happened to a journey, oldest first, for staff and ops: its start, each stage's latest state, the whole history
 * of its staff tasks (the ones its stages name, and its triage slip) with who did what, and its end. Events carry
 * names, times and actors, no reasons or notes (the task's detail has them); the reads are audited in the person's name
 * before they are made.
 */
export async function journeyTimeline(
  deps: JourneyTimelineDeps,
  person: StaffPrincipal,
  journeyId: string,
  via: string,
): Promise<JourneyTimeline> {
  const now = deps.now();
  const journey = await deps.journeys.get({ clinicId: person.clinicId, journeyId });
  if (!journey) throw HttpError.withMessage(404, 'Journey not found');
  const subject = { clinicId: journey.clinicId, actor: staffActor(person), journeyId, patientId: journey.patientId, via };
  await auditSession(deps.audit, subject, now).before('journey.read', 'staffTask.read');

  const stages = Object.entries(journey.stages);
  const taskIds = [
    ...new Set([
      ...stages.flatMap(([, state]) => (state.staffTaskId ? [state.staffTaskId] : [])),
      triageSlipId(journey.clinicId, journeyId),
    ]),
  ];
  const tasks = (await Promise.all(taskIds.map((taskId) => deps.tasks.get(journey.clinicId, taskId)))).flatMap((task) =>
    task ? [task] : [],
  );

  const events: TimelineEvent[] = [
    { at: journey.createdAt, kind: 'journey', event: 'STARTED' },
    ...stages
      .filter(([, state]) => state.status !== 'PENDING')
      .map(([stage, state]): TimelineEvent => ({ at: state.at, kind: 'stage', event: state.status, stage })),
    ...tasks.flatMap((task) =>
      task.history.map(
        (entry): TimelineEvent => ({
          at: entry.at,
          kind: 'task',
          event: entry.event,
          taskId: task.taskId,
          queue: task.queue,
          ...(task.stage ? { stage: task.stage } : {}),
          by: entry.by,
        }),
      ),
    ),
    ...(ENDED.has(journey.status) ? [{ at: journey.updatedAt, kind: 'journey' as const, event: journey.status }] : []),
  ];
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { journeyId, status: journey.status, events };
}
