import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeScreenIntake } from '#functions/intake/screen-intake.handler.ts';
import { newJourneyRecord } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const snsClient = new SNSClient({});
const ddb = mockClient(client);
const snsMock = mockClient(snsClient);
const screen = makeScreenIntake({ table: { client, tableName: 't' }, sns: snsClient, staffAlertsTopicArn: 'arn:topic' });

function givenScreening(screening: Record<string, boolean>) {
  ddb.on(GetCommand, { Key: keys.journey('c1', 'j1') }).resolves({
    Item: newJourneyRecord({ clinicId: 'c1', journeyId: 'j1', submissionId: 's1', patientId: 'p1' }, new Date()),
  });
  ddb.on(GetCommand, { Key: keys.submission('c1', 's1') }).resolves({ Item: { type: 'Submission', screening } });
}

describe('Function: screenIntake', () => {
  beforeEach(() => {
    ddb.reset();
    snsMock.reset();
  });

  it('completes intake without an alert when no red flag is raised', async () => {
    givenScreening({ chestPainNow: false });
    expect(await screen({ clinicId: 'c1', journeyId: 'j1' })).toEqual({ outcome: 'NO_RISK' });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':stage': expect.objectContaining({ status: 'COMPLETED' }) }),
    });
  });

  it('opens a triage slip and alerts staff without quoting the answers', async () => {
    givenScreening({ chestPainNow: true });
    expect(await screen({ clinicId: 'c1', journeyId: 'j1' })).toEqual({ outcome: 'TRIAGE_ALERTED' });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ kind: 'TRIAGE', status: 'OPEN' }) });
    const alert = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(alert?.Message).toContain('EMERGENT');
    expect(alert?.Message).not.toContain('chestPain');
  });
});
