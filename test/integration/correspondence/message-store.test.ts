import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '#shared/keys.ts';
import { dynamoMessageStore, type MessageRef } from '#shared/mail/message-store.ts';
import { localTable } from '#test/support/local-table.ts';

const clinicId = 'clinic-messages';
const claimedAt = new Date('2026-12-01T10:00:00.000Z');
const sentAt = new Date('2026-12-01T10:00:02.000Z');

const table = await localTable('messages');
const messages = dynamoMessageStore(table);

const newRef = (): MessageRef => ({ clinicId, journeyId: randomUUID(), kind: 'APPOINTMENT_CONFIRMATION' });
const stored = async (ref: MessageRef) =>
  (
    await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.message(ref.clinicId, ref.journeyId, ref.kind), ConsistentRead: true }),
    )
  ).Item;

describe('Function: dynamoMessageStore on DynamoDB Local', () => {
  it('grants the first claim and answers a second one with the claim that holds', async () => {
    // Prepare
    const ref = newRef();

    // Act
    const won = await messages.claim(ref, claimedAt);
    const repeated = await messages.claim(ref, sentAt);

    // Assess
    expect(won).toBeUndefined();
    expect(repeated).toMatchObject({ ...ref, channel: 'email', status: 'SENDING', claimedAt: claimedAt.toISOString() });
  });

  it('marks a claimed message sent with the provider ID, which a later claim then sees', async () => {
    // Prepare
    const ref = newRef();
    await messages.claim(ref, claimedAt);

    // Act
    await messages.markSent(ref, 'ses-1', sentAt);

    // Assess
    expect(await messages.claim(ref, sentAt)).toMatchObject({ status: 'SENT', providerMessageId: 'ses-1', sentAt: sentAt.toISOString() });
  });

  it('releases a claim still sending, so the next claim wins', async () => {
    // Prepare
    const ref = newRef();
    await messages.claim(ref, claimedAt);

    // Act
    await messages.release(ref);

    // Assess
    expect(await stored(ref)).toBeUndefined();
    expect(await messages.claim(ref, sentAt)).toBeUndefined();
  });

  it('never releases a message that was sent', async () => {
    // Prepare
    const ref = newRef();
    await messages.claim(ref, claimedAt);
    await messages.markSent(ref, 'ses-1', sentAt);

    // Act
    const releasing = messages.release(ref);

    // Assess
    await expect(releasing).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(await stored(ref)).toMatchObject({ status: 'SENT' });
  });
});
