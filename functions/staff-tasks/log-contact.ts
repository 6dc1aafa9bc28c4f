import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ContactLog, ContactLogged } from '#contract/api/contact-schema.ts';
import { DEFAULT_CONTACT_ROUTING } from '#contract/staff-queues.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { type LoggedContact, type StaffTaskDraft, staffTaskId } from '#model/staff-task.ts';
import { screenAnswers } from '#model/triage.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { log } from '#shared/observability.ts';
import { newStaffTask, openTaskAndAlert, openTaskWithoutAlert, type StaffAlertDeps } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';

export interface LogContactDeps extends StaffAlertDeps, Pick<SharedStores, 'journeys'> {
  now: () => Date;
  newId: () => string;
}

const CHANNEL_LABEL: Readonly<Record<LoggedContact['channel'], string>> = {
  call: 'Call',
  voicemail: 'Voicemail',
  'portal-message': 'Portal message',
  'walk-in': 'Walk-in question',
};

/**
 * A person logs an inbound call, voicemail, portal message or walk-in question; it becomes a task in the queue the
 * clinic's routing gives its category (its catalog's `profile.contactRouting`, else DEFAULT_CONTACT_ROUTING), due by
 * the clinic's service level for its urgency, escalated when overdue like any task. An urgent contact alerts the queue
 * at once. A clinical concern whose screening answers show a red flag becomes a triage slip instead: clinical triage,
 * urgent for an emergent answer, clinicians alerted at once, closed only with a clinical disposition. The contact's
 * patient, when named, gets an audit record in the person's name. With an Idempotency-Key, a repeat finds the same
 * task (its ID derives from the key); the alert goes out once.
 */
export async function logContact(
  deps: LogContactDeps,
  person: StaffPrincipal,
  contact: ContactLog,
  via: string,
  idempotencyKey: string | undefined,
): Promise<ContactLogged> {
  const now = deps.now();
  const actor = staffActor(person);
  const { clinicId } = person;
  const contactId = idempotencyKey ? contactIdOf(clinicId, idempotencyKey) : deps.newId();
  const logged: LoggedContact = {
    contactId,
    channel: contact.channel,
    from: contact.from,
    category: contact.category,
    urgency: contact.urgency,
    summary: contact.summary,
    loggedBy: actor,
    loggedAt: now.toISOString(),
  };
  // A named journey must be that patient's, of this clinic: the task's detail reads the patient through it.
  if (contact.journeyId) {
    const journey = await deps.journeys.get({ clinicId, journeyId: contact.journeyId });
    if (journey?.patientId !== contact.patientId) throw HttpError.withMessage(404, 'No such journey of this patient');
  }
  const about = {
    clinicId,
    taskId: staffTaskId(`contact#${clinicId}#${contactId}`),
    ...(contact.patientId ? { patientId: contact.patientId } : {}),
    ...(contact.journeyId ? { journeyId: contact.journeyId } : {}),
    contact: logged,
  };
  // A repeat under the same key must be the same contact: another would be answered with a task it did not open.
  const earlier = idempotencyKey ? await deps.tasks.get(clinicId, about.taskId) : undefined;
  if (earlier?.contact && !sameContact(earlier.contact, logged))
    throw HttpError.withMessage(409, 'This Idempotency-Key was used with another contact');
  if (contact.patientId)
    await deps.audit.record(
      {
        clinicId,
        actor,
        action: 'contact.log',
        patientId: contact.patientId,
        ...(contact.journeyId ? { journeyId: contact.journeyId } : {}),
        via,
        outcome: 'success',
      },
      now,
    );

  const triage = contact.category === 'clinical-concern' ? screenAnswers(contact.screening) : { level: 'NONE' as const, flags: [] };
  if (triage.level !== 'NONE') {
    const draft: StaffTaskDraft = {
      ...about,
      kind: 'TRIAGE',
      triageLevel: triage.level,
      reason: `${triage.level} triage review (${CHANNEL_LABEL[contact.channel].toLowerCase()}): red-flag answers to ${triage.flags.join(', ')}`,
    };
    const slip = await newStaffTask(deps, draft, actor, now);
    await openTaskAndAlert(
      deps,
      slip,
      {
        subject: `Triage ${triage.level}: clinical review needed`,
        message: { kind: 'TRIAGE', level: triage.level, clinicId, taskId: slip.taskId, contactId },
        attributes: { clinicId, level: triage.level },
      },
      actor,
      now,
    );
    log.warn('Triage slip from a contact', { clinicId, taskId: slip.taskId, outcome: triage.level });
    return { contactId, taskId: slip.taskId, queue: slip.queue, priority: slip.priority, triage: true };
  }

  const catalog = await deps.catalog.load(clinicId);
  const draft: StaffTaskDraft = {
    ...about,
    kind: 'CONTACT',
    contactQueue: { ...DEFAULT_CONTACT_ROUTING, ...catalog?.profile.contactRouting }[contact.category],
    reason: `${CHANNEL_LABEL[contact.channel]} about ${contact.category} (${contact.urgency})`,
  };
  const task = earlier ?? (await newStaffTask(deps, draft, actor, now));
  if (contact.urgency === 'urgent')
    await openTaskAndAlert(
      deps,
      task,
      {
        subject: `Urgent ${contact.category} contact in ${task.queue}`,
        message: { kind: 'CONTACT', clinicId, taskId: task.taskId, queue: task.queue },
        attributes: { clinicId, queue: task.queue, kind: 'CONTACT' },
      },
      actor,
      now,
    );
  // A repeat of a routine contact finds its task as it was opened: nothing more to write.
  else if (!earlier) await openTaskWithoutAlert(deps, task, actor, now);
  log.info('Contact logged', { clinicId, taskId: task.taskId, outcome: task.queue });
  return { contactId, taskId: task.taskId, queue: task.queue, priority: task.priority, triage: false };
}

/** A contact's ID under an Idempotency-Key: the same key of the clinic, the same contact (and task). */
function contactIdOf(clinicId: string, idempotencyKey: string): string {
  return `c-${createHash('sha256').update(`${clinicId}\n${idempotencyKey}`, 'utf8').digest('hex').slice(0, 24)}`;
}

/** The same contact, whoever logged it when: what was said, by whom, about what. */
function sameContact(a: LoggedContact, b: LoggedContact): boolean {
  const what = ({ loggedAt: _, loggedBy: __, ...rest }: LoggedContact) => rest;
  return isDeepStrictEqual(what(a), what(b));
}
