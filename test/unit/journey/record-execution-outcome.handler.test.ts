import { describe, expect, it } from 'vitest';
import { fromQueue } from '#functions/journey/record-execution-outcome.handler.ts';
import { lambdaContext } from '#test/support/api-event.ts';

const statusChange = { detail: { executionArn: 'arn:aws:states:us-east-1:000000000000:execution:PatientJourney:j1', status: 'FAILED' } };
const queueEvent = (...bodies: unknown[]) => ({
  Records: bodies.map((body, n) => ({ messageId: `m-${n}`, eventSource: 'aws:sqs', body: JSON.stringify(body) })),
});

describe('Function: recordExecutionOutcome, fed by the status-change queue', () => {
  it("hands each record's status-change event to the recorder, as EventBridge sent it", async () => {
    // Prepare
    const seen: unknown[] = [];
    const handler = fromQueue(async (event) => {
      seen.push(event);
      return { outcome: 'HELD_FOR_STAFF' };
    });

    // Act
    await handler(queueEvent(statusChange), lambdaContext);

    // Assess
    expect(seen).toEqual([statusChange]);
  });

  it('fails the invocation when recording fails, so the queue offers the event again', async () => {
    // Prepare
    const handler = fromQueue(async () => {
      throw Object.assign(new Error('DynamoDB unreachable'), { name: 'AwsServiceUnavailable' });
    });

    // Act
    const result = handler(queueEvent(statusChange), lambdaContext);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'AwsServiceUnavailable' });
  });

  it('refuses an event that is not a queue event (e.g. the bare EventBridge event)', async () => {
    // Prepare
    const handler = fromQueue(async () => ({ outcome: 'IGNORED' }));

    // Act
    const result = handler(statusChange, lambdaContext);

    // Assess
    await expect(result).rejects.toThrow();
  });
});
