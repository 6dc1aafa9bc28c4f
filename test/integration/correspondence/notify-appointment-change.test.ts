import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { AppointmentChangedDetail } from '#contract/appointment-events.ts';
import { makeNotifyAppointmentChange } from '#functions/correspondence/notify-appointment-change.handler.ts';
import { type AppointmentRecord, dynamoAppointmentStore } from '#shared/appointment-store.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { keys } from '#shared/keys.ts';
import type { OutgoingEmail } from '#shared/mail/mailer-port.ts';
import { markNotSent } from '#shared/mail/mailer-port.ts';
import { dynamoAppointmentMessageStore } from '#shared/mail/message-store.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { appointmentRecord, clinicProfile, patient } from '#test/support/fixtures/records.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('notify-appointment');
const appointments = dynamoAppointmentStore(table);
const now = new Date('2041-03-01T09:00:00.000Z');

/** A mailer that records what it is asked to send, or fails as told. */
function recordingMailer(fail?: () => Error) {
  const sent: OutgoingEmail[] = [];
  return {
    sent,
    mailer: {
      send: async (email: OutgoingEmail) => {
        if (fail) throw fail();
        sent.push(email);
        return { messageId: `m-${sent.length}` };
      },
    },
  };
}

function notifier(mailer: { send: (email: OutgoingEmail) => Promise<{ messageId: string }> }) {
  const handler = makeNotifyAppointmentChange({
    appointments,
    patients: dynamoPatientStore(table),
    audit: dynamoAuditLog(table),
    recipients: { getClinicProfile: async () => clinicProfile },
    messages: dynamoAppointmentMessageStore(table),
    mailer,
    now: () => now,
  });
  return async (detail: AppointmentChangedDetail) => {
    const body = JSON.stringify({ 'detail-type': 'AppointmentChanged', source: 'patient-access.appointments', detail });
    return (await handler({ Records: [{ messageId: randomUUID(), body }] }, lambdaContext)) as { outcomes: string[] };
  };
}

/** A staff booking (no journey) of a patient with the given email consent, moved once (revision 1) when `moved`. */
async function given(options: { consent?: boolean; journeyId?: string; moved?: boolean } = {}) {
  const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
  const patientId = `p-${randomUUID().slice(0, 8)}`;
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...keys.patient(clinicId, patientId),
        ...patient,
        patientId,
        communication: { ...patient.communication, email: options.consent ?? true },
      },
    }),
  );
  const booked: AppointmentRecord = {
    ...appointmentRecord({ clinicId, patientId, start: '2041-03-04T14:30:00.000Z', end: '2041-03-04T15:15:00.000Z' }),
    appointmentId: `appt-${randomUUID().slice(0, 8)}`,
  };
  if (!options.journeyId) delete booked.journeyId;
  else booked.journeyId = options.journeyId;
  await appointments.book(booked);
  if (!options.moved) return { clinicId, patientId, appointment: booked };
  const moved = {
    ...booked,
    start: '2041-03-05T14:30:00.000Z',
    end: '2041-03-05T15:15:00.000Z',
    revision: 1,
    history: [
      {
        change: 'reschedule' as const,
        at: now.toISOString(),
        by: 'user:u1',
        from: { start: booked.start, end: booked.end, resourceIds: booked.resourceIds },
      },
    ],
  };
  expect(
    (
      await appointments.saveChange(
        booked,
        moved,
        { clinicId, actor: 'user:u1', patientId, action: 'appointment.reschedule', outcome: 'success' },
        now,
      )
    ).outcome,
  ).toBe('CHANGED');
  return { clinicId, patientId, appointment: moved };
}

const detailOf = (appointment: AppointmentRecord, change: AppointmentChangedDetail['change']): AppointmentChangedDetail => ({
  clinicId: appointment.clinicId,
  appointmentId: appointment.appointmentId,
  revision: appointment.revision ?? 0,
  change,
  status: appointment.status,
  origin: appointment.journeyId ? 'journey' : 'staff',
});

describe('Function: notifyAppointmentChange on DynamoDB Local', () => {
  it('tells the patient of a new time once, with a calendar update of the same event at a higher sequence, and audits it', async () => {
    const { clinicId, patientId, appointment } = await given({ moved: true });
    const { sent, mailer } = recordingMailer();
    const notify = notifier(mailer);

    const first = await notify(detailOf(appointment, 'reschedule'));
    const again = await notify(detailOf(appointment, 'reschedule'));

    expect([first.outcomes, again.outcomes]).toEqual([['SENT'], ['ALREADY_SENT']]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe(patient.email);
    expect(sent[0]?.subject).toMatch(/^Appointment moved: /);
    const ics = String(sent[0]?.attachments?.[0]?.content);
    expect(ics).toContain(`UID:appointment-${appointment.appointmentId}@patient-access`);
    expect(ics).toMatch(/SEQUENCE:1\r?\n/);
    expect(ics).toMatch(/METHOD:PUBLISH/);
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.audit(clinicId, '2041-03-01', '').PK },
        ConsistentRead: true,
      }),
    );
    const told = auditRecords(Items).filter((r) => r.actor === 'function:notifyAppointmentChange');
    // Each delivery reads the patient (audited) before it finds whether the message went out; the repeat's send is a failure.
    expect(told.map((r) => `${r.patientId === patientId} ${r.actions.join()} ${r.outcome ?? 'success'}`).sort()).toEqual([
      'true message.send failure',
      'true patient.read,message.send success',
      'true patient.read,message.send success',
    ]);
  });

  it('still tells a new time when the patient has since been checked in (a change that tells no one)', async () => {
    const { appointment } = await given({ moved: true });
    const checkedIn = {
      ...appointment,
      status: 'CHECKED_IN' as const,
      revision: 2,
      history: [...(appointment.history ?? []), { change: 'check-in' as const, at: now.toISOString(), by: 'user:u1' }],
    };
    await appointments.saveChange(
      appointment,
      checkedIn,
      { clinicId: appointment.clinicId, actor: 'user:u1', action: 'appointment.checkIn', outcome: 'success' },
      now,
    );
    const { sent, mailer } = recordingMailer();

    const answer = await notifier(mailer)(detailOf(appointment, 'reschedule'));

    expect(answer.outcomes).toEqual(['SENT']);
    expect(String(sent[0]?.attachments?.[0]?.content)).toMatch(/SEQUENCE:1\r?\n/);
  });

  it('removes the event from the patient’s calendar on a cancellation', async () => {
    const { appointment } = await given();
    const cancelled = {
      ...appointment,
      status: 'CANCELLED' as const,
      revision: 1,
      history: [{ change: 'cancel' as const, at: now.toISOString(), by: 'user:u1' }],
    };
    await appointments.saveChange(
      appointment,
      cancelled,
      { clinicId: appointment.clinicId, actor: 'user:u1', action: 'appointment.cancel', outcome: 'success' },
      now,
    );
    const { sent, mailer } = recordingMailer();

    const answer = await notifier(mailer)(detailOf(cancelled, 'cancel'));

    expect(answer.outcomes).toEqual(['SENT']);
    expect(sent[0]?.subject).toMatch(/^Appointment cancelled: /);
    expect(String(sent[0]?.attachments?.[0]?.content)).toMatch(/METHOD:CANCEL[\s\S]*STATUS:CANCELLED/);
  });

  it('sends nothing for a journey’s own booking, a revision already moved past, or a patient who did not consent to email', async () => {
    const journeyBooking = await given({ journeyId: 'j-1' });
    const moved = await given({ moved: true });
    const noConsent = await given({ consent: false, moved: true });
    const { sent, mailer } = recordingMailer();
    const notify = notifier(mailer);

    const answers = [
      await notify(detailOf(journeyBooking.appointment, 'book')),
      await notify({ ...detailOf(moved.appointment, 'book'), revision: 0 }),
      await notify(detailOf(noConsent.appointment, 'reschedule')),
    ];

    expect(answers.map((a) => a.outcomes[0])).toEqual(['NOT_NEEDED', 'STALE', 'NO_CONSENT']);
    expect(sent).toEqual([]);
  });

  it('gives the claim back when the provider certainly took nothing, so the redelivered event sends', async () => {
    const { appointment } = await given({ moved: true });
    const failing = recordingMailer(() => markNotSent(Object.assign(new Error('throttled'), { name: 'MessagingUnavailable' })));
    const working = recordingMailer();

    await expect(notifier(failing.mailer)(detailOf(appointment, 'reschedule'))).rejects.toThrow('throttled');
    const retried = await notifier(working.mailer)(detailOf(appointment, 'reschedule'));

    expect(retried.outcomes).toEqual(['SENT']);
    expect(working.sent).toHaveLength(1);
  });
});
