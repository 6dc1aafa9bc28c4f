import { DescribeExecutionCommand, RedriveExecutionCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { sfnJourneyEngine } from '#functions/journey/sfn-journey-engine-adapter.ts';

const client = new SFNClient({});
const sfnMock = mockClient(client);
const engine = sfnJourneyEngine(client);
const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:PatientJourney:j1';
const awsError = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });

describe('Adapter: sfnJourneyEngine', () => {
  beforeEach(() => {
    sfnMock.reset();
  });

  it('resumes a parked execution with the decision as the task output', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).resolves({});

    // Act
    const answer = await engine.resume('token-1', { action: 'PROCEED', checkpoint: 'EligibilityNeedsStaff' });

    // Assess
    expect(answer).toBe('RESUMED');
    expect(sfnMock).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, {
      taskToken: 'token-1',
      output: JSON.stringify({ action: 'PROCEED', checkpoint: 'EligibilityNeedsStaff' }),
    });
  });

  it.each(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'])('answers TOKEN_GONE when Step Functions says %s', async (name) => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).rejects(awsError(name));

    // Act
    const answer = await engine.resume('token-1', { action: 'RETRY', checkpoint: 'EligibilityNeedsStaff' });

    // Assess
    expect(answer).toBe('TOKEN_GONE');
  });

  it('answers TOKEN_GONE for a token the SDK’s own retry finds answered (its first try got through)', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).rejects(awsError('TaskTimedOut', { $metadata: { attempts: 2 } }));

    // Act
    const answer = await engine.resume('token-1', { action: 'RETRY', checkpoint: 'EligibilityNeedsStaff' });

    // Assess
    expect(answer).toBe('TOKEN_GONE');
  });

  it('throws what Step Functions throws when resuming fails for a reason that may pass', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).rejects(awsError('ThrottlingException'));

    // Act
    const resuming = engine.resume('token-1', { action: 'RETRY', checkpoint: 'EligibilityNeedsStaff' });

    // Assess
    await expect(resuming).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('redrives a stopped execution', async () => {
    // Prepare
    sfnMock.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });

    // Act
    const answer = await engine.redrive(executionArn);

    // Assess
    expect(answer).toBe('REDRIVEN');
    expect(sfnMock).toHaveReceivedCommandExactlyOnceWith(RedriveExecutionCommand, { executionArn });
  });

  it('answers NOT_REDRIVABLE for an execution Step Functions will not redrive, and throws any other refusal', async () => {
    // Prepare
    sfnMock.on(RedriveExecutionCommand).rejectsOnce(awsError('ExecutionNotRedrivable')).rejectsOnce(awsError('ExecutionDoesNotExist'));

    // Act
    const notRedrivable = await engine.redrive(executionArn);
    const missing = engine.redrive(executionArn);

    // Assess
    expect(notRedrivable).toBe('NOT_REDRIVABLE');
    await expect(missing).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('describes an execution with its input parsed and a first run counted as 0', async () => {
    // Prepare
    sfnMock.on(DescribeExecutionCommand, { executionArn }).resolves({
      executionArn,
      status: 'TIMED_OUT',
      input: JSON.stringify({ clinicId: 'c1', journeyId: 'j1' }),
    });

    // Act
    const execution = await engine.describe(executionArn);

    // Assess
    expect(execution).toEqual({ status: 'TIMED_OUT', input: { clinicId: 'c1', journeyId: 'j1' }, redriveCount: 0 });
  });
});
