import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadJourneyDefinition } from '#local/step-functions/definition.ts';
import { ServiceError } from '#local/step-functions/errors.ts';
import type { JourneyRecord } from '#model/journey.ts';
import { decision, fail, HAPPY_PATH, HAPPY_SCRIPT, HELD, journeyHarness, ok, RUN, realPark } from './journey-harness.ts';

let harness: Awaited<ReturnType<typeof journeyHarness>>;

/** Scripted stages write nothing: a journey that reached scheduling, as the real stage tasks would have left it. */
function atScheduling(journey: JourneyRecord) {
  const at = new Date().toISOString();
  journey.stages.INTAKE = { status: 'COMPLETED', at };
  journey.stages.ELIGIBILITY = { status: 'COMPLETED', at };
  journey.stages.SCHEDULING = { status: 'IN_PROGRESS', at };
}

/** The execution once it has closed and its status-change events have reached recordExecutionOutcome. */
async function settled(executionArn: string) {
  const execution = await harness.sfn.awaitExecution(executionArn);
  await harness.sfn.awaitEventsDelivered();
  expect(harness.sfn.deadLetters()).toEqual([]);
  return execution;
}

beforeAll(async () => {
  harness = await journeyHarness();
});

afterAll(async () => {
  await harness?.stop();
});

describe('Workflow: PatientJourney (deployable definition, scripted tasks)', () => {
  it('books, charges, confirms and marks the journey COMPLETED on the happy path', async () => {
    // prepare
    const run = await harness.start(HAPPY_SCRIPT);

    // act
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual(HAPPY_PATH);
    expect(await harness.journeyStatus(run.journeyId)).toBe('COMPLETED');
    expect(run.calls().find((c) => c.state === 'SendConfirmation')?.parameters).toEqual({
      clinicId: 'clinic-wf',
      journeyId: run.journeyId,
      kind: 'APPOINTMENT_CONFIRMATION',
    });
  });

  it('enters exactly one PatientJourney state on the happy path (one billed Standard transition): RunStages', async () => {
    // prepare
    const topLevel = new Set(Object.keys(loadJourneyDefinition().States));
    const run = await harness.start(HAPPY_SCRIPT);

    // act
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn).filter((s) => topLevel.has(s))).toEqual(['RunStages']);
    expect(harness.sfn.callCount(run.executionArn, 'RunStages')).toBe(1);
    expect(harness.sfn.callCount(run.executionArn, 'HoldForStaff')).toBe(0);
    // RunStages starts JourneyStages with the IDs, the resume point and the parent's ID: no outcome, no PHI.
    const runInput = harness.sfn.rawEvents(run.executionArn).find((e) => e.type === 'StateEntered' && e.state.name === 'InitialiseJourney');
    expect(runInput && 'state' in runInput ? runInput.state.input : undefined).toEqual({
      clinicId: 'clinic-wf',
      journeyId: run.journeyId,
      resume: { action: 'START' },
      AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: run.executionArn,
    });
  });

  it('ends a run replayed after the journey ended quietly: no hold, no failed execution', async () => {
    // prepare: the journey ended meanwhile, so the stage's claim is refused with JourneyEnded
    const run = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [fail('JourneyEnded')] });

    // act
    const execution = await settled(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn).slice(-2)).toEqual(['BookAppointment', 'JourneyAlreadyEnded']);
    expect(harness.sfn.enteredStates(run.executionArn)).not.toContain('HoldForStaff');
    expect(harness.sfn.callCount(run.executionArn, 'BookAppointment')).toBe(1);
  });

  it('parks inactive coverage for staff and ends CANCELLED when staff cancel', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [ok({ outcome: 'INACTIVE' })] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');
    const waiting = harness.sfn.describeExecution(run.executionArn);

    // act
    harness.sfn.sendTaskSuccess(token, decision('CANCEL', 'EligibilityNeedsStaff'));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(waiting.status).toBe('RUNNING');
    expect(run.calls().find((c) => c.state === 'HoldForStaff')?.parameters).toEqual({
      FunctionName: expect.stringMatching(/:function:parkForStaff$/),
      Payload: {
        clinicId: 'clinic-wf',
        journeyId: run.journeyId,
        taskToken: token,
        stopped: { Error: 'States.TaskFailed', Cause: expect.any(String) },
      },
    });
    expect(run.holds()).toEqual([
      {
        error: 'States.TaskFailed',
        run: expect.objectContaining({ Status: 'FAILED', Error: 'JourneyNeedsStaff' }),
        stop: { stage: 'ELIGIBILITY', checkpoint: 'EligibilityNeedsStaff', error: { Error: '' } },
      },
    ]);
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...RUN,
      'ScreenIntake',
      'IsIntakeSettled',
      'VerifyEligibility',
      'IsCoverageActive',
      ...HELD('EligibilityNeedsStaff'),
      'EligibilityStaffDecision',
      'CancelJourney',
    ]);
    // The decision run starts at the checkpoint: nothing before it runs again.
    expect(harness.sfn.callCount(run.executionArn, 'ScreenIntake')).toBe(1);
    expect(harness.sfn.callCount(run.executionArn, 'VerifyEligibility')).toBe(1);
    expect(await harness.journeyStatus(run.journeyId)).toBe('CANCELLED');
  });

  it('retries a transient clearinghouse failure within VerifyEligibility and goes on to complete', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [fail('ClearinghouseUnavailable'), ok({ outcome: 'ACTIVE' })] });

    // act
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual(HAPPY_PATH);
    expect(harness.sfn.callCount(run.executionArn, 'VerifyEligibility')).toBe(2);
    const failures = harness.sfn.getExecutionHistory(run.executionArn).filter((e) => e.type === 'LambdaFunctionFailed');
    expect(failures).toHaveLength(1);
    expect(failures[0]?.lambdaFunctionFailedEventDetails).toMatchObject({ error: 'ClearinghouseUnavailable' });
  });

  it('parks eligibility with the error once clearinghouse retries run out, and verifies again when staff retry', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      VerifyEligibility: [...Array(5).fill(fail('ClearinghouseUnavailable')), ok({ outcome: 'ACTIVE' })],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('RETRY', 'EligibilityNeedsStaff'));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(run.holds().map((h) => h.stop)).toEqual([
      {
        stage: 'ELIGIBILITY',
        checkpoint: 'EligibilityNeedsStaff',
        error: { Error: 'ClearinghouseUnavailable' },
      },
    ]);
    expect(harness.sfn.callCount(run.executionArn, 'VerifyEligibility')).toBe(6);
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...RUN,
      'ScreenIntake',
      'IsIntakeSettled',
      'VerifyEligibility',
      ...HELD('EligibilityNeedsStaff'),
      'EligibilityStaffDecision',
      ...HAPPY_PATH.slice(HAPPY_PATH.indexOf('VerifyEligibility')),
    ]);
  });

  it('holds a possible duplicate at intake, and RETRY screens again and goes on once staff resolved it', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      ScreenIntake: [ok({ outcome: 'POSSIBLE_DUPLICATE' }), ok({ outcome: 'NO_RISK' })],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('RETRY', 'IntakeNeedsStaff'));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...RUN,
      'ScreenIntake',
      'IsIntakeSettled',
      ...HELD('IntakeNeedsStaff'),
      'IntakeStaffDecision',
      ...HAPPY_PATH.slice(RUN.length),
    ]);
  });

  it('parks scheduling for staff when no slot is free', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('CANCEL', 'SchedulingNeedsStaff'));
    await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...HAPPY_PATH.slice(0, HAPPY_PATH.indexOf('IsAppointmentBooked') + 1),
      ...HELD('SchedulingNeedsStaff'),
      'SchedulingStaffDecision',
      'CancelJourney',
    ]);
    expect(run.holds().map((h) => h.stop)).toEqual([{ stage: 'SCHEDULING', checkpoint: 'SchedulingNeedsStaff', error: { Error: '' } }]);
    expect(harness.sfn.callCount(run.executionArn, 'CollectPayment')).toBe(0);
  });

  it('keeps the appointment and sends a payment request when the card is declined', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, CollectPayment: [ok({ outcome: 'DECLINED' })] });

    // act
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...HAPPY_PATH.slice(0, HAPPY_PATH.indexOf('IsPaymentOutstanding') + 1),
      'SendPaymentRequest',
      'CompleteJourney',
    ]);
    expect(run.calls().find((c) => c.state === 'SendPaymentRequest')?.parameters).toMatchObject({ kind: 'PAYMENT_REQUEST' });
    expect(await harness.journeyStatus(run.journeyId)).toBe('COMPLETED');
  });

  it('retries a transient payment processor failure and completes PAID without a payment request', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, CollectPayment: [fail('PaymentProcessorUnavailable'), ok({ outcome: 'PAID' })] });

    // act
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual(HAPPY_PATH);
    expect(harness.sfn.callCount(run.executionArn, 'CollectPayment')).toBe(2);
    expect(harness.sfn.callCount(run.executionArn, 'SendPaymentRequest')).toBe(0);
  });

  it('charges with mode CHARGE, and defers payment with mode DEFER when staff PROCEED after the processor stays down', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, CollectPayment: [fail('PaymentProcessorUnavailable')] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('PROCEED', 'PaymentNeedsStaff'));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.callCount(run.executionArn, 'CollectPayment')).toBe(4);
    expect(run.calls().find((c) => c.state === 'CollectPayment')?.parameters).toEqual({
      clinicId: 'clinic-wf',
      journeyId: run.journeyId,
      mode: 'CHARGE',
    });
    expect(
      run
        .calls()
        .filter((c) => c.state === 'DeferPayment')
        .map((c) => c.parameters),
    ).toEqual([{ clinicId: 'clinic-wf', journeyId: run.journeyId, mode: 'DEFER' }]);
    expect(run.holds().map((h) => h.stop)).toEqual([
      { stage: 'PAYMENT', checkpoint: 'PaymentNeedsStaff', error: { Error: 'PaymentProcessorUnavailable' } },
    ]);
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...HAPPY_PATH.slice(0, HAPPY_PATH.indexOf('CollectPayment') + 1),
      ...HELD('PaymentNeedsStaff'),
      'PaymentStaffDecision',
      'DeferPayment',
      'SendConfirmation',
      'IsPaymentOutstanding',
      'SendPaymentRequest',
      'CompleteJourney',
    ]);
    expect(await harness.journeyStatus(run.journeyId)).toBe('COMPLETED');
  });

  it('sends no payment request when DEFER finds the charge went through after all', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      CollectPayment: [fail('PaymentProcessorUnavailable')],
      DeferPayment: [ok({ outcome: 'PAID' })],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('PROCEED', 'PaymentNeedsStaff'));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn).slice(-5)).toEqual([
      'PaymentStaffDecision',
      'DeferPayment',
      'SendConfirmation',
      'IsPaymentOutstanding',
      'CompleteJourney',
    ]);
    expect(harness.sfn.callCount(run.executionArn, 'SendPaymentRequest')).toBe(0);
  });

  it('parks payment again when DEFER cannot reach the processor after its retries', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      CollectPayment: [fail('PaymentProcessorUnavailable')],
      DeferPayment: [fail('PaymentProcessorUnavailable')],
    });
    const firstToken = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');
    harness.sfn.sendTaskSuccess(firstToken, decision('PROCEED', 'PaymentNeedsStaff'));

    // act
    const secondToken = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // assess
    expect(secondToken).not.toBe(firstToken);
    expect(harness.sfn.callCount(run.executionArn, 'DeferPayment')).toBe(4);
    expect(run.holds().at(-1)?.stop).toEqual({
      stage: 'PAYMENT',
      checkpoint: 'PaymentNeedsStaff',
      error: { Error: 'PaymentProcessorUnavailable' },
    });
    expect(harness.sfn.callCount(run.executionArn, 'CollectPayment')).toBe(4);
    expect(harness.sfn.callCount(run.executionArn, 'SendConfirmation')).toBe(0);
    harness.sfn.stopExecution(run.executionArn);
  });

  it('fails the execution at the park when its staff task is failed, and the status change holds the journey for staff', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })] }, undefined, atScheduling);
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskFailure(token, 'StaffTaskExpired', 'nobody decided');
    const execution = await settled(run.executionArn);

    // assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'StaffTaskExpired' });
    expect(harness.sfn.enteredStates(run.executionArn).at(-1)).toBe('HoldForStaff');
    expect(harness.sfn.enteredStates(run.executionArn)).not.toContain('CancelJourney');
    const journey = await harness.journey(run.journeyId);
    expect(journey?.status).toBe('WAITING_FOR_STAFF');
    expect(await harness.staffTask(journey?.stages.SCHEDULING.staffTaskId ?? '')).toMatchObject({
      kind: 'EXECUTION_STOPPED',
      stage: 'SCHEDULING',
      status: 'OPEN',
      executionArn: run.executionArn,
    });
  });

  it('fails the execution at a park whose Lambda keeps failing, after its AwsServiceUnavailable retries', async () => {
    // prepare
    const run = await harness.start(
      { ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })], HoldForStaff: [fail('AwsServiceUnavailable')] },
      undefined,
      atScheduling,
    );

    // act
    const execution = await settled(run.executionArn);

    // assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'AwsServiceUnavailable' });
    expect(harness.sfn.callCount(run.executionArn, 'HoldForStaff')).toBe(9);
    expect(harness.sfn.enteredStates(run.executionArn).slice(-5)).toEqual([
      'IsAppointmentBooked',
      'SchedulingNeedsStaff',
      'DescribeStop',
      'StopForStaff',
      'HoldForStaff',
    ]);
    expect(await harness.journeyStatus(run.journeyId)).toBe('WAITING_FOR_STAFF');
  });

  it('fails the execution at once at a park whose Lambda fails with an error no retry matches', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      VerifyEligibility: [ok({ outcome: 'INACTIVE' })],
      HoldForStaff: [fail('JourneyNotFound')],
    });

    // act
    const execution = await settled(run.executionArn);

    // assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'JourneyNotFound' });
    expect(harness.sfn.callCount(run.executionArn, 'HoldForStaff')).toBe(1);
    expect(harness.sfn.enteredStates(run.executionArn).slice(-2)).toEqual(['StopForStaff', 'HoldForStaff']);
  });

  it('gives every waiting task a token of its own', async () => {
    // prepare
    const first = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' }), ok({ outcome: 'NO_SLOT' })] });
    const firstToken = await harness.sfn.awaitTaskToken(first.executionArn);

    // act
    harness.sfn.sendTaskSuccess(firstToken, decision('RETRY', 'SchedulingNeedsStaff'));
    const secondToken = await harness.sfn.awaitTaskToken(first.executionArn);

    // assess
    expect(secondToken).not.toBe(firstToken);
    expect(() => harness.sfn.sendTaskSuccess(firstToken, decision('CANCEL', 'SchedulingNeedsStaff'))).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }),
    );
    expect(harness.sfn.callCount(first.executionArn, 'BookAppointment')).toBe(2);
    harness.sfn.sendTaskSuccess(secondToken, decision('CANCEL', 'SchedulingNeedsStaff'));
    expect((await harness.sfn.awaitExecution(first.executionArn)).status).toBe('SUCCEEDED');
  });
});

describe('Workflow: staff decisions', () => {
  it('reports its own reason when a later stage parks after staff moved past an earlier error', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      VerifyEligibility: [fail('ClearinghouseDown')],
      BookAppointment: [ok({ outcome: 'NO_SLOT' })],
    });
    const eligibilityToken = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(eligibilityToken, decision('PROCEED', 'EligibilityNeedsStaff'));
    const schedulingToken = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');
    harness.sfn.sendTaskSuccess(schedulingToken, decision('CANCEL', 'SchedulingNeedsStaff'));
    await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(run.holds().map((h) => h.stop)).toEqual([
      { stage: 'ELIGIBILITY', checkpoint: 'EligibilityNeedsStaff', error: { Error: 'ClearinghouseDown' } },
      { stage: 'SCHEDULING', checkpoint: 'SchedulingNeedsStaff', error: { Error: '' } },
    ]);
    expect(await harness.journeyStatus(run.journeyId)).toBe('CANCELLED');
  });

  it('parks a failed confirmation for staff instead of failing a booked, paid journey', async () => {
    // prepare
    // The decision's run has no $.payment to choose by: SendPaymentRequest decides, and finds nothing due.
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      SendConfirmation: [fail('MessagingUnavailable')],
      SendPaymentRequest: [ok({ outcome: 'NOT_NEEDED' })],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('PROCEED', 'ConfirmationNeedsStaff'));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.callCount(run.executionArn, 'SendConfirmation')).toBe(5);
    expect(run.holds().map((h) => h.stop)).toEqual([
      { stage: 'CONFIRMATION', checkpoint: 'ConfirmationNeedsStaff', error: { Error: 'MessagingUnavailable' } },
    ]);
    expect(harness.sfn.enteredStates(run.executionArn).slice(-11)).toEqual([
      'SendConfirmation',
      ...HELD('ConfirmationNeedsStaff'),
      'ConfirmationStaffDecision',
      'SendPaymentRequest',
      'CompleteJourney',
    ]);
    expect(harness.sfn.callCount(run.executionArn, 'CollectPayment')).toBe(1);
    expect(await harness.journeyStatus(run.journeyId)).toBe('COMPLETED');
  });

  // A run resumed at ConfirmationNeedsStaff has no $.payment: IsPaymentOutstanding leaves the decision to
  // SendPaymentRequest, which sends only when something is due (a Choice reading the missing path would fail the run).
  it('sends the confirmation again when staff RETRY a failed confirmation, and completes', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      SendConfirmation: [...Array(5).fill(fail('MessagingUnavailable')), ok({ outcome: 'SENT' })],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('RETRY', 'ConfirmationNeedsStaff'));
    const outcome = await Promise.race([
      harness.sfn.awaitExecution(run.executionArn).then((e) => e.status),
      harness.sfn
        .awaitTaskToken(run.executionArn, 'HoldForStaff')
        .then(() => `held again: ${JSON.stringify(run.holds().at(-1)?.run.Error)}`)
        .catch(() => 'closed'),
    ]);

    // assess
    expect(outcome).toBe('SUCCEEDED');
    expect(harness.sfn.callCount(run.executionArn, 'SendConfirmation')).toBe(6);
    expect(harness.sfn.enteredStates(run.executionArn).slice(-5)).toEqual([
      'ConfirmationStaffDecision',
      'SendConfirmation',
      'IsPaymentOutstanding',
      'SendPaymentRequest',
      'CompleteJourney',
    ]);
  });

  it('still asks a declined patient to pay when staff proceed past a failed confirmation', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      CollectPayment: [ok({ outcome: 'DECLINED' })],
      SendConfirmation: [fail('MessagingUnavailable')],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('PROCEED', 'ConfirmationNeedsStaff'));
    await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(
      run
        .calls()
        .filter((c) => c.state === 'SendPaymentRequest')
        .map((c) => c.parameters),
    ).toEqual([{ clinicId: 'clinic-wf', journeyId: run.journeyId, kind: 'PAYMENT_REQUEST' }]);
    expect(await harness.journeyStatus(run.journeyId)).toBe('COMPLETED');
  });

  it('parks a failed payment request on its own, and completes when staff proceed', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      CollectPayment: [ok({ outcome: 'NO_PAYMENT_METHOD' })],
      SendPaymentRequest: [fail('MessagingUnavailable')],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('PROCEED', 'PaymentRequestNeedsStaff'));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(run.holds().map((h) => h.stop)).toEqual([
      {
        stage: 'CONFIRMATION',
        checkpoint: 'PaymentRequestNeedsStaff',
        error: { Error: 'MessagingUnavailable' },
      },
    ]);
    expect(harness.sfn.enteredStates(run.executionArn).slice(-10)).toEqual([
      'SendPaymentRequest',
      ...HELD('PaymentRequestNeedsStaff'),
      'PaymentRequestStaffDecision',
      'CompleteJourney',
    ]);
    expect(harness.sfn.callCount(run.executionArn, 'SendPaymentRequest')).toBe(5);
    expect(await harness.journeyStatus(run.journeyId)).toBe('COMPLETED');
  });

  it('parks intake when screening cannot run, and screens again when staff retry', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      ScreenIntake: [
        fail('MessagingUnavailable'),
        fail('MessagingUnavailable'),
        fail('MessagingUnavailable'),
        fail('MessagingUnavailable'),
        fail('MessagingUnavailable'),
        ok({ outcome: 'TRIAGE_ALERTED' }),
      ],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('RETRY', 'IntakeNeedsStaff'));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(run.holds().map((h) => h.stop)).toEqual([
      { stage: 'INTAKE', checkpoint: 'IntakeNeedsStaff', error: { Error: 'MessagingUnavailable' } },
    ]);
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...RUN,
      'ScreenIntake',
      ...HELD('IntakeNeedsStaff'),
      'IntakeStaffDecision',
      ...HAPPY_PATH.slice(RUN.length),
    ]);
    expect(harness.sfn.callCount(run.executionArn, 'ScreenIntake')).toBe(6);
  });

  it('ends the run in UnknownStaffDecision on a decision the stage does not route, and holds the journey again (the API refuses it before it gets here)', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, decision('PROCEED', 'SchedulingNeedsStaff'));
    const again = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');
    const waiting = harness.sfn.describeExecution(run.executionArn);
    harness.sfn.stopExecution(run.executionArn);
    await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(again).not.toBe(token);
    expect(waiting.status).toBe('RUNNING');
    expect(harness.sfn.enteredStates(run.executionArn).slice(-7)).toEqual([
      'HoldForStaff',
      ...RUN,
      'SchedulingStaffDecision',
      'UnknownStaffDecision',
      'HoldForStaff',
    ]);
    expect(run.holds().at(-1)).toEqual({
      error: 'States.TaskFailed',
      run: expect.objectContaining({ Status: 'FAILED', Error: 'UnknownStaffDecision' }),
    });
    expect(harness.sfn.callCount(run.executionArn, 'BookAppointment')).toBe(1);
    expect(harness.sfn.enteredStates(run.executionArn)).not.toContain('CancelJourney');
  });

  it('holds the journey again when the decision names a checkpoint the stages do not have (UnknownResume)', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [ok({ outcome: 'INACTIVE' })] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act: e.g. a checkpoint renamed by a deployment while the journey waited
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'PROCEED', checkpoint: 'ParkEligibilityForStaff' }));
    await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');
    harness.sfn.stopExecution(run.executionArn);
    await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(harness.sfn.enteredStates(run.executionArn).slice(-6)).toEqual(['HoldForStaff', ...RUN, 'UnknownResume', 'HoldForStaff']);
    expect(run.holds().at(-1)).toEqual({
      error: 'States.TaskFailed',
      run: expect.objectContaining({ Status: 'FAILED', Error: 'UnknownResume' }),
    });
    expect(harness.sfn.callCount(run.executionArn, 'BookAppointment')).toBe(0);
  });
});

describe('Workflow: retries of AWS outages and timeouts', () => {
  it('retries AwsServiceUnavailable within a stage and goes on to complete', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      BookAppointment: [
        fail('AwsServiceUnavailable'),
        fail('AwsServiceUnavailable'),
        fail('AwsServiceUnavailable'),
        ok({ outcome: 'BOOKED', appointmentId: 'appt-1' }),
      ],
    });

    // act
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual(HAPPY_PATH);
    expect(harness.sfn.callCount(run.executionArn, 'BookAppointment')).toBe(4);
  });

  it('parks the stage with the error once AwsServiceUnavailable has been retried 8 times', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [fail('AwsServiceUnavailable')] });

    // act
    await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // assess
    expect(harness.sfn.callCount(run.executionArn, 'VerifyEligibility')).toBe(9);
    expect(run.holds().map((h) => h.stop)).toEqual([
      { stage: 'ELIGIBILITY', checkpoint: 'EligibilityNeedsStaff', error: { Error: 'AwsServiceUnavailable' } },
    ]);
    harness.sfn.stopExecution(run.executionArn);
  });

  it.each(['States.Timeout', 'Sandbox.Timedout'])('retries a stage call that timed out (%s) twice, then parks it', async (timeout) => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, SendConfirmation: [fail(timeout)] });

    // act
    await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // assess
    expect(harness.sfn.callCount(run.executionArn, 'SendConfirmation')).toBe(3);
    expect(run.holds().map((h) => h.stop)).toEqual([
      { stage: 'CONFIRMATION', checkpoint: 'ConfirmationNeedsStaff', error: { Error: timeout } },
    ]);
    harness.sfn.stopExecution(run.executionArn);
  });

  it('goes on after one timed-out stage call when the retry answers', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, ScreenIntake: [fail('States.Timeout'), ok({ outcome: 'NO_RISK' })] });

    // act
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual(HAPPY_PATH);
    expect(harness.sfn.callCount(run.executionArn, 'ScreenIntake')).toBe(2);
  });
});

describe('Workflow: a stopped execution held for staff (status-change rule and staff decision, real handlers)', () => {
  /** A journey whose scheduling hold could not be recorded: its execution fails at HoldForStaff. */
  async function stoppedAtSchedulingPark() {
    const run = await harness.start(
      {
        ...HAPPY_SCRIPT,
        BookAppointment: [ok({ outcome: 'NO_SLOT' })],
        // Nine failed calls spend the retries; the call after a redrive succeeds.
        HoldForStaff: [...Array(9).fill(fail('AwsServiceUnavailable')), ok({ taskId: 'st-scheduling' })],
      },
      undefined,
      atScheduling,
    );
    await settled(run.executionArn);
    const taskId = (await harness.journey(run.journeyId))?.stages.SCHEDULING.staffTaskId ?? '';
    return { ...run, taskId };
  }

  it('holds the journey WAITING_FOR_STAFF with an EXECUTION_STOPPED task and alerts staff', async () => {
    // act
    const run = await stoppedAtSchedulingPark();

    // assess
    expect(await harness.journey(run.journeyId)).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      stages: { SCHEDULING: { status: 'WAITING_FOR_STAFF', reason: expect.stringContaining('AwsServiceUnavailable') } },
    });
    expect(await harness.staffTask(run.taskId)).toMatchObject({
      kind: 'EXECUTION_STOPPED',
      status: 'OPEN',
      executionArn: run.executionArn,
    });
    expect(harness.alerts.filter((a) => a.message.journeyId === run.journeyId)).toEqual([
      {
        subject: 'Journey stopped: SCHEDULING',
        message: {
          kind: 'EXECUTION_STOPPED',
          clinicId: 'clinic-wf',
          journeyId: run.journeyId,
          taskId: run.taskId,
          stage: 'SCHEDULING',
          status: 'FAILED',
        },
      },
    ]);
  });

  it('redrives the execution from the state it stopped in when staff RETRY, and the journey goes on to its end', async () => {
    // prepare
    const run = await stoppedAtSchedulingPark();

    // act
    const response = await harness.decide(run.taskId, 'RETRY');
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');
    harness.sfn.sendTaskSuccess(token, decision('CANCEL', 'SchedulingNeedsStaff'));
    const execution = await settled(run.executionArn);

    // assess
    expect(response.statusCode).toBe(200);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(harness.sfn.callCount(run.executionArn, 'BookAppointment')).toBe(1);
    expect(harness.sfn.callCount(run.executionArn, 'HoldForStaff')).toBe(10);
    // The redriven hold is told the same stop as the first.
    expect(new Set(run.holds().map((h) => JSON.stringify(h.stop)))).toEqual(
      new Set([JSON.stringify({ stage: 'SCHEDULING', checkpoint: 'SchedulingNeedsStaff', error: { Error: '' } })]),
    );
    expect(harness.sfn.enteredStates(run.executionArn).slice(-6)).toEqual([
      'HoldForStaff',
      ...RUN,
      'SchedulingStaffDecision',
      'CancelJourney',
    ]);
    expect(await harness.journeyStatus(run.journeyId)).toBe('CANCELLED');
    expect(await harness.staffTask(run.taskId)).toMatchObject({ status: 'DECIDED', decision: { action: 'RETRY' } });
  });

  it('ends the journey CANCELLED in process when staff CANCEL, leaving the stopped execution as it is', async () => {
    // prepare
    const run = await stoppedAtSchedulingPark();

    // act
    const response = await harness.decide(run.taskId, 'CANCEL');
    await harness.sfn.awaitEventsDelivered();

    // assess
    expect(response.statusCode).toBe(200);
    expect(harness.sfn.describeExecution(run.executionArn)).toMatchObject({ status: 'FAILED', redriveCount: 0 });
    expect(await harness.journey(run.journeyId)).toMatchObject({ status: 'CANCELLED', stages: { SCHEDULING: { status: 'SKIPPED' } } });
  });

  it('answers a repeated RETRY with 200 without redriving the running execution again', async () => {
    // prepare
    const run = await stoppedAtSchedulingPark();
    await harness.decide(run.taskId, 'RETRY');
    await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');

    // act
    const repeat = await harness.decide(run.taskId, 'RETRY');

    // assess
    expect(repeat.statusCode).toBe(200);
    expect(harness.sfn.describeExecution(run.executionArn)).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    expect(await harness.journeyStatus(run.journeyId)).toBe('RUNNING');
    harness.sfn.stopExecution(run.executionArn);
  });
});

describe('Workflow: holds opened by the real parkForStaff, decided through the real decideStaffTask', () => {
  /** The journey and the staff task it waits on at the stage, once the hold has opened it (the token comes first). */
  async function heldTask(journeyId: string, stage: keyof JourneyRecord['stages']) {
    return vi.waitFor(
      async () => {
        const journey = await harness.journey(journeyId);
        const task = await harness.staffTask(journey?.stages[stage]?.staffTaskId ?? '');
        expect(journey?.status).toBe('WAITING_FOR_STAFF');
        expect(task).toBeDefined();
        return { journey, task };
      },
      { timeout: 10_000, interval: 20 },
    );
  }

  it('opens the task at the checkpoint the run stopped at, and PROCEED resumes the stages there', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [ok({ outcome: 'INACTIVE' })], HoldForStaff: [realPark] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');
    const { journey, task } = await heldTask(run.journeyId, 'ELIGIBILITY');

    // act
    const response = await harness.decide(task?.taskId, 'PROCEED');
    const execution = await settled(run.executionArn);

    // assess
    expect(journey).toMatchObject({ status: 'WAITING_FOR_STAFF', stages: { ELIGIBILITY: { status: 'WAITING_FOR_STAFF' } } });
    expect(task).toMatchObject({
      kind: 'STAGE_BLOCKED',
      status: 'OPEN',
      stage: 'ELIGIBILITY',
      checkpoint: 'EligibilityNeedsStaff',
      taskToken: token,
    });
    expect(harness.alerts.filter((a) => a.message.journeyId === run.journeyId)).toHaveLength(1);
    expect(response.statusCode).toBe(200);
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...RUN,
      'ScreenIntake',
      'IsIntakeSettled',
      'VerifyEligibility',
      'IsCoverageActive',
      ...HELD('EligibilityNeedsStaff'),
      'EligibilityStaffDecision',
      ...HAPPY_PATH.slice(HAPPY_PATH.indexOf('BookAppointment')),
    ]);
    expect(harness.sfn.callCount(run.executionArn, 'VerifyEligibility')).toBe(1);
    expect(await harness.journeyStatus(run.journeyId)).toBe('COMPLETED');
  });

  it("names the failed stage's error in the task's reason, and CANCEL ends the journey", async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [fail('ClearinghouseUnavailable')], HoldForStaff: [realPark] });
    await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff');
    const { task } = await heldTask(run.journeyId, 'ELIGIBILITY');

    // act
    const response = await harness.decide(task?.taskId, 'CANCEL');
    const execution = await settled(run.executionArn);

    // assess
    expect(task).toMatchObject({
      kind: 'STAGE_BLOCKED',
      checkpoint: 'EligibilityNeedsStaff',
      reason: expect.stringContaining('ClearinghouseUnavailable'),
    });
    expect(response.statusCode).toBe(200);
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn).slice(-2)).toEqual(['EligibilityStaffDecision', 'CancelJourney']);
    expect(harness.sfn.callCount(run.executionArn, 'BookAppointment')).toBe(0);
    expect(await harness.journeyStatus(run.journeyId)).toBe('CANCELLED');
  });

  it('carries out a RETRY of a stopped execution in the redriven hold: the stage runs again from its checkpoint', async () => {
    // prepare: the hold cannot be recorded (nine failed calls spend its retries), so the execution fails there
    const run = await harness.start(
      {
        ...HAPPY_SCRIPT,
        BookAppointment: [ok({ outcome: 'NO_SLOT' }), ok({ outcome: 'BOOKED', appointmentId: 'appt-2' })],
        HoldForStaff: [...Array(9).fill(fail('AwsServiceUnavailable')), realPark],
      },
      undefined,
      atScheduling,
    );
    await settled(run.executionArn);
    const { task } = await heldTask(run.journeyId, 'SCHEDULING');

    // act
    const response = await harness.decide(task?.taskId, 'RETRY');
    const execution = await settled(run.executionArn);

    // assess
    expect(task).toMatchObject({ kind: 'EXECUTION_STOPPED', stage: 'SCHEDULING' });
    expect(response.statusCode).toBe(200);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(harness.sfn.callCount(run.executionArn, 'HoldForStaff')).toBe(10);
    expect(harness.sfn.callCount(run.executionArn, 'BookAppointment')).toBe(2);
    expect(harness.sfn.enteredStates(run.executionArn).slice(-11)).toEqual([
      'HoldForStaff',
      ...RUN,
      'SchedulingStaffDecision',
      ...HAPPY_PATH.slice(HAPPY_PATH.indexOf('BookAppointment')),
    ]);
    expect(await harness.journeyStatus(run.journeyId)).toBe('COMPLETED');
  });
});

describe('Workflow: duplicate submissions', () => {
  it('starts one execution for the same name and input while it runs, and refuses other input under that name', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [ok({ outcome: 'INACTIVE' })] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn);

    // act
    const again = harness.sfn.startExecution({ name: run.journeyId, input: run.input });
    const conflicting = () =>
      harness.sfn.startExecution({
        name: run.journeyId,
        input: JSON.stringify({ clinicId: 'other', journeyId: run.journeyId, resume: { action: 'START' } }),
      });

    // assess
    expect(again.executionArn).toBe(run.executionArn);
    expect(harness.sfn.listExecutions().filter((e) => e.name === run.journeyId)).toHaveLength(1);
    expect(conflicting).toThrow(ServiceError);
    expect(conflicting).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
    harness.sfn.sendTaskSuccess(token, decision('CANCEL', 'EligibilityNeedsStaff'));
    await harness.sfn.awaitExecution(run.executionArn);
    expect(run.calls().filter((c) => c.state === 'ScreenIntake')).toHaveLength(1);
  });

  it('refuses to start a closed execution again under the same name, as AWS does', async () => {
    // prepare
    const run = await harness.start(HAPPY_SCRIPT);
    await harness.sfn.awaitExecution(run.executionArn);

    // act
    const restart = () => harness.sfn.startExecution({ name: run.journeyId, input: run.input });

    // assess
    expect(restart).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
  });
});
