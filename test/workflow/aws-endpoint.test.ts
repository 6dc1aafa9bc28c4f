import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '#local/ports.ts';
import { type AwsEndpointServer, startAwsEndpointServer } from '#local/step-functions/server.ts';
import { LocalSns } from '#local/step-functions/sns-topics.ts';
import { decision, fail, HAPPY_SCRIPT, journeyHarness, ok } from './journey-harness.ts';

let harness: Awaited<ReturnType<typeof journeyHarness>>;
let server: AwsEndpointServer;
let sfn: SFNClient;
let snsClient: SNSClient;
const sns = new LocalSns();

beforeAll(async () => {
  harness = await journeyHarness();
  server = await startAwsEndpointServer({ port: await freePort(), sfn: harness.sfn, sns });
  const config = { endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  sfn = new SFNClient(config);
  snsClient = new SNSClient(config);
});

afterAll(async () => {
  await server?.stop();
  await harness?.stop();
});

const stateMachineArn = () => harness.sfn.stateMachineArn;

async function settled(executionArn: string) {
  await harness.sfn.awaitExecution(executionArn);
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

describe('Local Step Functions endpoint (driven with the real SFNClient)', () => {
  it('starts an execution and describes it once it succeeds', async () => {
    // prepare
    const run = await harness.start(HAPPY_SCRIPT, 'sdk-happy');
    await harness.sfn.awaitExecution(run.executionArn);

    // act
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: run.executionArn }));

    // assess
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'sdk-happy', stateMachineArn: stateMachineArn(), input: run.input });
    expect(described.startDate).toBeInstanceOf(Date);
    expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() ?? Number.NaN);
    // RunStages keeps nothing of the run (ResultPath null): the output is the input, IDs only.
    expect(JSON.parse(described.output ?? 'null')).toEqual(JSON.parse(run.input));
  });

  it('returns the running execution for a repeated StartExecution and ExecutionAlreadyExists for other input', async () => {
    // prepare
    await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [ok({ outcome: 'INACTIVE' })] }, 'sdk-duplicate');
    const input = JSON.stringify({ clinicId: 'clinic-wf', journeyId: 'sdk-duplicate', resume: { action: 'START' } });
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name: 'sdk-duplicate', input }));

    // act
    const second = await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name: 'sdk-duplicate', input }));
    const conflict = sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name: 'sdk-duplicate', input: '{"other":1}' }),
    );

    // assess
    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate?.getTime()).toBe(first.startDate?.getTime());
    await expect(conflict).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
  });

  it('resumes a waiting task with SendTaskSuccess', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })] }, 'sdk-resume');
    const taskToken = await harness.sfn.awaitTaskToken(run.executionArn);

    // act
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: decision('CANCEL', 'SchedulingNeedsStaff') }));

    // assess
    expect((await settled(run.executionArn)).status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn).at(-1)).toBe('CancelJourney');
  });

  it('answers InvalidToken for a malformed token and TaskDoesNotExist for an unknown one', async () => {
    // act
    const malformed = sfn.send(new SendTaskFailureCommand({ taskToken: 'not-a-token', error: 'X' }));
    const unknown = sfn.send(new SendTaskSuccessCommand({ taskToken: `AQ${'a'.repeat(64)}`, output: '{}' }));

    // assess
    await expect(malformed).rejects.toBeInstanceOf(InvalidToken);
    await expect(unknown).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  it('fails a waiting task with SendTaskFailure, which fails the execution there (HoldForStaff has no Catch)', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [ok({ outcome: 'MEMBER_NOT_FOUND' })] }, 'sdk-task-failure');
    const taskToken = await harness.sfn.awaitTaskToken(run.executionArn);

    // act
    await sfn.send(new SendTaskFailureCommand({ taskToken, error: 'StaffGaveUp', cause: 'no answer' }));

    // assess
    expect(await settled(run.executionArn)).toMatchObject({ status: 'FAILED', error: 'StaffGaveUp', cause: 'no answer' });
    expect(harness.sfn.enteredStates(run.executionArn).at(-1)).toBe('HoldForStaff');
  });

  it('reports retries in the history as repeated task attempts within one state entry, paginated', async () => {
    // prepare
    const run = await harness.start(
      { ...HAPPY_SCRIPT, CollectPayment: [fail('PaymentProcessorUnavailable'), ok({ outcome: 'PAID' })] },
      'sdk-history',
    );
    await harness.sfn.awaitExecution(run.executionArn);

    // act
    const firstPage = await sfn.send(new GetExecutionHistoryCommand({ executionArn: run.executionArn, maxResults: 10 }));
    const rest = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: run.executionArn, maxResults: 1000, nextToken: firstPage.nextToken }),
    );

    // assess
    const events = [...(firstPage.events ?? []), ...(rest.events ?? [])];
    expect(firstPage.events).toHaveLength(10);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('ExecutionStarted');
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    const collect = events.filter((e) => e.stateEnteredEventDetails?.name === 'CollectPayment');
    expect(collect).toHaveLength(1);
    expect(events.filter((e) => e.type === 'LambdaFunctionFailed').map((e) => e.lambdaFunctionFailedEventDetails?.error)).toEqual([
      'PaymentProcessorUnavailable',
    ]);
    // ScreenIntake, VerifyEligibility, BookAppointment, CollectPayment (second attempt), SendConfirmation, CompleteJourney.
    expect(events.filter((e) => e.type === 'LambdaFunctionSucceeded')).toHaveLength(6);
    // RunStages is the one Task of PatientJourney: the run of JourneyStages (states:startExecution.sync:2), whose states
    // come before its end.
    expect(events.filter((e) => e.type === 'TaskScheduled').map((e) => e.taskScheduledEventDetails)).toEqual([
      expect.objectContaining({ resourceType: 'states', resource: 'startExecution.sync:2' }),
    ]);
    const runStagesExit = events.findIndex((e) => e.stateExitedEventDetails?.name === 'RunStages');
    expect(runStagesExit).toBeGreaterThan(events.findIndex((e) => e.stateEnteredEventDetails?.name === 'CompleteJourney'));
    expect(events.filter((e) => e.type === 'TaskSucceeded')).toHaveLength(1);
  });

  it('lists executions by status', async () => {
    // prepare
    const run = await harness.start(HAPPY_SCRIPT, 'sdk-list');
    await harness.sfn.awaitExecution(run.executionArn);

    // act
    const succeeded = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stateMachineArn(), statusFilter: 'SUCCEEDED' }));
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stateMachineArn(), statusFilter: 'RUNNING' }));

    // assess
    expect(succeeded.executions?.map((e) => e.name)).toContain('sdk-list');
    expect(running.executions?.map((e) => e.name)).not.toContain('sdk-list');
  });

  it('redrives an aborted execution from the state it was waiting in', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [ok({ outcome: 'INACTIVE' })] }, 'sdk-redrive');
    await harness.sfn.awaitTaskToken(run.executionArn);
    await sfn.send(new StopExecutionCommand({ executionArn: run.executionArn }));
    const stopped = await settled(run.executionArn);

    // act
    await sfn.send(new RedriveExecutionCommand({ executionArn: run.executionArn }));
    const taskToken = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: decision('CANCEL', 'EligibilityNeedsStaff') }));

    // assess
    expect(stopped).toMatchObject({ status: 'ABORTED', redriveStatus: 'REDRIVABLE' });
    expect(await settled(run.executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(harness.sfn.callCount(run.executionArn, 'ScreenIntake')).toBe(1);
    expect(harness.sfn.callCount(run.executionArn, 'RunStages')).toBe(2);
    expect(harness.sfn.enteredStates(run.executionArn).slice(-2)).toEqual(['EligibilityStaffDecision', 'CancelJourney']);
  });
});

describe('Local SNS endpoint (driven with the real SNSClient)', () => {
  it('accepts Publish and keeps the message for inspection', async () => {
    // act
    const published = await snsClient.send(
      new PublishCommand({
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:staff-alerts',
        Subject: 'Journey needs staff: ELIGIBILITY',
        Message: JSON.stringify({ journeyId: 'j-1' }),
        MessageAttributes: { clinicId: { DataType: 'String', StringValue: 'clinic-wf' } },
      }),
    );

    // assess
    expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sns.published.at(-1)).toMatchObject({
      messageId: published.MessageId,
      topicArn: 'arn:aws:sns:us-east-1:000000000000:staff-alerts',
      subject: 'Journey needs staff: ELIGIBILITY',
      message: '{"journeyId":"j-1"}',
      messageAttributes: { clinicId: { dataType: 'String', stringValue: 'clinic-wf' } },
    });
  });

  it('rejects a Publish without a message', async () => {
    // act
    const publish = snsClient.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:staff-alerts', Message: '' }));

    // assess
    await expect(publish).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
