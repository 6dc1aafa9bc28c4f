import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { keys } from '#shared/keys.ts';
import { readSubmission } from '#shared/submission-store.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const table = { client, tableName: 't' };
const ref = { clinicId: 'c1', submissionId: 's1', journeyId: 'j1', patientId: 'p1' };
const now = new Date('2026-12-01T10:00:00Z');
const audits = () => ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item);

describe('Function: readSubmission', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(PutCommand).resolves({});
  });

  it('returns the whole submission without its keys and audits the read', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: { ...keys.submission('c1', 's1'), type: 'Submission', submissionId: 's1' } });

    // Act
    const submission = await readSubmission(table, ref, 'function:test', undefined, now);

    // Assess
    expect(submission).toEqual({ type: 'Submission', submissionId: 's1' });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: 't', Key: keys.submission('c1', 's1') });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).not.toHaveProperty('ProjectionExpression');
    expect(audits()).toEqual([
      expect.objectContaining({
        type: 'AuditEvent',
        clinicId: 'c1',
        actor: 'function:test',
        action: 'submission.read',
        journeyId: 'j1',
        patientId: 'p1',
        outcome: 'success',
        at: now.toISOString(),
      }),
    ]);
  });

  it('projects each path through placeholders, with the sort key', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: { SK: 'SUBMISSION', visit: { appointmentTypeCode: 'MRI_KNEE' } } });

    // Act
    const submission = await readSubmission(table, ref, 'function:test', ['visit.appointmentTypeCode', 'paymentMethodToken'], now);

    // Assess
    expect(submission).toEqual({ visit: { appointmentTypeCode: 'MRI_KNEE' } });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      ProjectionExpression: '#SK, #visit.#appointmentTypeCode, #paymentMethodToken',
      ExpressionAttributeNames: {
        '#SK': 'SK',
        '#visit': 'visit',
        '#appointmentTypeCode': 'appointmentTypeCode',
        '#paymentMethodToken': 'paymentMethodToken',
      },
    });
  });

  it('throws for a missing submission after auditing the failed read', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});

    // Act
    const reading = readSubmission(table, ref, 'function:test', ['screening'], now);

    // Assess
    await expect(reading).rejects.toThrow('Submission s1 of journey j1 not found');
    expect(audits()).toEqual([expect.objectContaining({ action: 'submission.read', outcome: 'failure' })]);
  });

  it('refuses a projection path it cannot name safely, reading nothing', async () => {
    // Act
    const reading = readSubmission(table, ref, 'function:test', ['visit[0]'], now);

    // Assess
    await expect(reading).rejects.toThrow('Unsupported projection path: visit[0]');
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });
});
