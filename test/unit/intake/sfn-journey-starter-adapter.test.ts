import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { sfnJourneyStarter } from '#functions/intake/sfn-journey-starter-adapter.ts';

const client = new SFNClient({});
const sfn = mockClient(client);
const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:PatientJourney';
const starter = sfnJourneyStarter(client, stateMachineArn);
const ref = { clinicId: 'clinic-1', journeyId: '22222222-2222-4222-8222-222222222222' };

describe('Adapter: sfnJourneyStarter', () => {
  beforeEach(() => {
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });
  });

  it('starts the execution named after the journey with IDs only as input, at the first stage', async () => {
    // Act
    await starter.start(ref);

    // Assess
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, {
      stateMachineArn,
      name: ref.journeyId,
      input: JSON.stringify({ clinicId: 'clinic-1', journeyId: ref.journeyId, resume: { action: 'START' } }),
    });
  });

  it('treats an execution that already exists as started', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    // Act
    const starting = starter.start(ref);

    // Assess
    await expect(starting).resolves.toBeUndefined();
  });

  it('passes any other failure on', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    // Act
    const starting = starter.start(ref);

    // Assess
    await expect(starting).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
