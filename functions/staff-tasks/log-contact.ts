import { createHash } from 'node:crypto';
import type { ContactLog, ContactLogged } from '#contract/api/contact-schema.ts';
import { DEFAULT_CONTACT_ROUTING } from '#contract/staff-queues.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { idDigest } from '#model/id-digest.ts';
import { type LoggedContact, type StaffTask, type StaffTaskDraft, staffTaskId } from '#model/staff-task.ts';
import { screenAnswers } from '#model/triage.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { log } from '#shared/observability.ts';
import { newStaffTask, openTaskAndAlert, openTaskWithoutAlert, type StaffAlert, type StaffAlertDeps } from '#shared/staff-alerts.ts';
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
 * the clinic's service level for its urgency, escalated when overdue like any task. An urgent contact is alerted on the
 * staff alerts topic at once (attributes `kind = CONTACT` and its `queue`). A clinical concern (its red-flag answers are
 * required) whose answers show a red flag becomes a triage slip instead: clinical triage, urgent for an emergent
 * answer, clinicians alerted at once, closed only with a clinical disposition. The contact's patient, when named, gets
 * an audit record in the person's name.
 *
 * With an Idempotency-Key, a repeat of the same body answers from the task it opened and writes nothing more (an alert
 * that did not go out is sent then); another body under the key is refused (409). Without one, an alert that cannot be
 * sent does not fail the request: the task is in its queue (`alerted: false`), and its escalation still comes.
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
  const taskId = staffTaskId(`contact#${clinicId}#${contactId}`);
  const bodyHash = createHash('sha256').update(JSON.stringify(contact), 'utf8').digest('hex');

  if (idempotencyKey) {
    const earlier = await deps.tasks.get(clinicId, taskId);
    if (earlier) {
      if (earlier.contact?.bodyHash !== bodyHash) throw HttpError.withMessage(409, 'This Idempotency-Key was used with another contact');
      if (earlier.kind === 'TRIAGE' || earlier.contact.urgency === 'urgent')
        await openTaskAndAlert(deps, earlier, alertOf(earlier), actor, now);
      return loggedAnswer(earlier, earlier.kind === 'TRIAGE' || earlier.contact.urgency === 'urgent');
    }
  }

  // A named journey must be that patient's, of this clinic: the task's detail reads the patient through it.
  if (contact.journeyId) {
    const journey = await deps.journeys.get({ clinicId, journeyId: contact.journeyId });
    if (journey?.patientId !== contact.patientId) throw HttpError.withMessage(404, 'No such journey of this patient');
  }
  const logged: LoggedContact = {
    contactId,
    channel: contact.channel,
    from: contact.from,
    category: contact.category,
    urgency: contact.urgency,
    summary: contact.summary,
    loggedBy: actor,
    loggedAt: now.toISOString(),
    bodyHash,
  };
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
  const about = {
    clinicId,
    taskId,
    ...(contact.patientId ? { patientId: contact.patientId } : {}),
    ...(contact.journeyId ? { journeyId: contact.journeyId } : {}),
    contact: logged,
  };

  const triage = contact.category === 'clinical-concern' ? screenAnswers(contact.screening) : { level: 'NONE' as const, flags: [] };
  let draft: StaffTaskDraft;
  if (triage.level !== 'NONE') {
    draft = {
      ...about,
      kind: 'TRIAGE',
      triageLevel: triage.level,
      reason: `${triage.level} triage review (${CHANNEL_LABEL[contact.channel].toLowerCase()}): red-flag answers to ${triage.flags.join(', ')}`,
    };
  } else {
    const catalog = await deps.catalog.load(clinicId);
    draft = {
      ...about,
      kind: 'CONTACT',
      contactQueue: { ...DEFAULT_CONTACT_ROUTING, ...catalog?.profile.contactRouting }[contact.category],
      reason: `${CHANNEL_LABEL[contact.channel]} about ${contact.category} (${contact.urgency})`,
    };
  }
  const task = await newStaffTask(deps, draft, actor, now);
  if (task.kind === 'TRIAGE' || contact.urgency === 'urgent') {
    try {
      await openTaskAndAlert(deps, task, alertOf(task), actor, now);
    } catch (error) {
      // With a key, the caller sends the request again and the alert goes then (503). Without one, a resend would open
      // another task: the task stands, unalerted, and its escalation at its due time still tells the queue's lead.
      if (idempotencyKey || (error as Error).name !== 'MessagingUnavailable') throw error;
      log.error('Contact logged; its alert was not sent', { clinicId, taskId: task.taskId, errorName: (error as Error).name });
      return loggedAnswer(task, false);
    }
  } else await openTaskWithoutAlert(deps, task, actor, now);
  log.info('Contact logged', { clinicId, taskId: task.taskId, outcome: task.queue });
  return loggedAnswer(task, task.kind === 'TRIAGE' || contact.urgency === 'urgent');
}

/** What staff are told of a contact's task: IDs and codes only (never the summary, the caller or the patient). */
function alertOf(task: StaffTask): StaffAlert {
  if (task.kind === 'TRIAGE') {
    const level = task.priority === 'urgent' ? 'EMERGENT' : 'URGENT';
    return {
      subject: `Triage ${level}: clinical review needed`,
      message: { kind: 'TRIAGE', level, clinicId: task.clinicId, taskId: task.taskId, contactId: task.contact?.contactId ?? '' },
      attributes: { clinicId: task.clinicId, level, queue: task.queue, kind: 'TRIAGE' },
    };
  }
  return {
    subject: `Urgent ${task.contact?.category ?? 'contact'} contact in ${task.queue}`,
    message: { kind: 'CONTACT', clinicId: task.clinicId, taskId: task.taskId, queue: task.queue },
    attributes: { clinicId: task.clinicId, queue: task.queue, kind: 'CONTACT' },
  };
}

function loggedAnswer(task: StaffTask, alerted: boolean): ContactLogged {
  return {
    contactId: task.contact?.contactId ?? '',
    taskId: task.taskId,
    queue: task.queue,
    priority: task.priority,
    triage: task.kind === 'TRIAGE',
    alerted,
  };
}

/** A contact's ID under an Idempotency-Key: the same key of the clinic, the same contact (and task). */
function contactIdOf(clinicId: string, idempotencyKey: string): string {
  return `c-${idDigest(24, clinicId, idempotencyKey)}`;
}
