import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CorrespondenceRequest } from '#contract/journey-workflow.ts';
import { makeSendCorrespondence } from '#functions/correspondence/send-correspondence.handler.ts';
import { ensureTable } from '#local/create-table.ts';
import { readSentEmails } from '#local/ses-emulator.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoCorrespondenceStore } from '#shared/mail/correspondence-store.ts';
import { dynamoMessageStore } from '#shared/mail/message-store.ts';
import { sesMailer } from '#shared/mail/ses-mail-adapter.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { clinicProfile, journeyWithAppointment, patient } from '#test/support/fixtures/records.ts';

const client = new DynamoDBClient({});
const table = { client: DynamoDBDocumentClient.from(client), tableName: `correspondence-it-${Date.now()}` };
const put = (Item: Record<string, unknown>) => table.client.send(new PutCommand({ TableName: table.tableName, Item }));
const journeys = dynamoJourneyStore(table);

describe('Function: sendCorrespondence on DynamoDB Local and the SES emulator', () => {
  const endpoint = () => process.env.AWS_ENDPOINT_URL_SESV2 ?? '';
  const task = makeSendCorrespondence({
    journeys,
    patients: dynamoPatientStore(table),
    recipients: dynamoCorrespondenceStore(table),
    messages: dynamoMessageStore(table),
    audit: dynamoAuditLog(table),
    mailer: sesMailer({ client: new SESv2Client({}), from: 'front-desk@demo-clinic.example' }),
    now: () => new Date(),
  });
  const handler = (request: CorrespondenceRequest) => task(request, lambdaContext);

  beforeAll(async () => {
    await ensureTable(client, table.tableName);
    await put({ ...keys.clinic('c-1'), type: 'ClinicProfile', ...clinicProfile });
  });

  async function givenJourney(journeyId: string, email: string) {
    const journey = { ...journeyWithAppointment(), journeyId, patientId: `p-${journeyId}` };
    await put({ ...keys.journey('c-1', journeyId), ...journey });
    await put({ ...keys.patient('c-1', `p-${journeyId}`), ...patient, patientId: `p-${journeyId}`, email });
    return journeyId;
  }

  it('sends the confirmation exactly once for a repeated task and completes the stage', async () => {
    // Prepare
    const to = `confirm-${Date.now()}@example.com`;
    const journeyId = await givenJourney('j-it-confirm', to);
    const request = { clinicId: 'c-1', journeyId, kind: 'APPOINTMENT_CONFIRMATION' as const };

    // Act
    const first = await handler(request);
    const repeated = await handler(request);

    // Assess
    expect(first).toEqual({ outcome: 'SENT' });
    expect(repeated).toEqual({ outcome: 'ALREADY_SENT' });
    const received = (await readSentEmails(endpoint())).filter((e) => e.destination.to.includes(to));
    expect(received).toHaveLength(1);
    expect(received[0]?.attachments.map((a) => a.filename)).toEqual(['appointment.ics']);
    const { Item: message } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.message('c-1', journeyId, 'APPOINTMENT_CONFIRMATION') }),
    );
    expect(message).toMatchObject({ status: 'SENT', providerMessageId: received[0]?.messageId });
    expect((await journeys.get({ clinicId: 'c-1', journeyId }, { consistent: true }))?.stages.CONFIRMATION.status).toBe('COMPLETED');
  });

  it('sends the payment request with the amount due', async () => {
    // Prepare
    const to = `pay-${Date.now()}@example.com`;
    const journeyId = await givenJourney('j-it-pay', to);

    // Act
    const result = await handler({ clinicId: 'c-1', journeyId, kind: 'PAYMENT_REQUEST' });

    // Assess
    expect(result).toEqual({ outcome: 'SENT' });
    const [received] = (await readSentEmails(endpoint())).filter((e) => e.destination.to.includes(to));
    expect(received?.body.text).toContain('Amount due: $40.00');
  });
});
