import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '#local/step-functions/errors.ts';
import { fail, HAPPY_PATH, HAPPY_SCRIPT, journeyHarness, ok } from './journey-harness.ts';

let harness: Awaited<ReturnType<typeof journeyHarness>>;

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

  it('parks inactive coverage for staff and ends CANCELLED when staff cancel', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, VerifyEligibility: [ok({ outcome: 'INACTIVE' })] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkEligibilityForStaff');
    const waiting = harness.sfn.describeExecution(run.executionArn);

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'CANCEL' }));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(waiting.status).toBe('RUNNING');
    expect(run.calls().find((c) => c.state === 'ParkEligibilityForStaff')?.parameters).toMatchObject({
      Payload: { clinicId: 'clinic-wf', journeyId: run.journeyId, stage: 'ELIGIBILITY', taskToken: token, error: {} },
    });
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      'InitialiseJourney',
      'ScreenIntake',
      'VerifyEligibility',
      'IsCoverageActive',
      'ParkEligibilityForStaff',
      'ResumeEligibility',
      'EligibilityStaffDecision',
      'CancelJourney',
    ]);
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
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkEligibilityForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'RETRY' }));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(run.calls().find((c) => c.state === 'ParkEligibilityForStaff')?.parameters).toMatchObject({
      Payload: { stage: 'ELIGIBILITY', error: { Error: 'ClearinghouseUnavailable' } },
    });
    expect(harness.sfn.callCount(run.executionArn, 'VerifyEligibility')).toBe(6);
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      'InitialiseJourney',
      'ScreenIntake',
      'VerifyEligibility',
      'ParkEligibilityForStaff',
      'ResumeEligibility',
      'EligibilityStaffDecision',
      ...HAPPY_PATH.slice(2),
    ]);
  });

  it('parks scheduling for staff when no slot is free', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkSchedulingForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'CANCEL' }));
    await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...HAPPY_PATH.slice(0, 6),
      'ParkSchedulingForStaff',
      'ResumeScheduling',
      'SchedulingStaffDecision',
      'CancelJourney',
    ]);
    expect(harness.sfn.callCount(run.executionArn, 'CollectPayment')).toBe(0);
  });

  it('keeps the appointment and sends a payment request when the card is declined', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, CollectPayment: [ok({ outcome: 'DECLINED' })] });

    // act
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([...HAPPY_PATH.slice(0, 9), 'SendPaymentRequest', 'CompleteJourney']);
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

  it('goes on without payment when staff PROCEED after the payment processor stays down', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, CollectPayment: [fail('PaymentProcessorUnavailable')] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkPaymentForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'PROCEED' }));
    await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(harness.sfn.callCount(run.executionArn, 'CollectPayment')).toBe(4);
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...HAPPY_PATH.slice(0, 7),
      'ParkPaymentForStaff',
      'ResumePayment',
      'PaymentStaffDecision',
      'MarkPaymentDeferred',
      'SendConfirmation',
      'IsPaymentOutstanding',
      'SendPaymentRequest',
      'CompleteJourney',
    ]);
  });

  it('marks the journey FAILED when a staff task is failed', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkSchedulingForStaff');

    // act
    harness.sfn.sendTaskFailure(token, 'StaffTaskExpired', 'nobody decided');
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'JourneyFailed' });
    expect(harness.sfn.enteredStates(run.executionArn).slice(-3)).toEqual(['ParkSchedulingForStaff', 'FailJourney', 'JourneyFailed']);
    expect(await harness.journeyStatus(run.journeyId)).toBe('FAILED');
  });

  it('gives every waiting task a token of its own', async () => {
    // prepare
    const first = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' }), ok({ outcome: 'NO_SLOT' })] });
    const firstToken = await harness.sfn.awaitTaskToken(first.executionArn);

    // act
    harness.sfn.sendTaskSuccess(firstToken, JSON.stringify({ action: 'RETRY' }));
    const secondToken = await harness.sfn.awaitTaskToken(first.executionArn);

    // assess
    expect(secondToken).not.toBe(firstToken);
    expect(() => harness.sfn.sendTaskSuccess(firstToken, '{"action":"CANCEL"}')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    harness.sfn.sendTaskSuccess(secondToken, JSON.stringify({ action: 'CANCEL' }));
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
    const eligibilityToken = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkEligibilityForStaff');

    // act
    harness.sfn.sendTaskSuccess(eligibilityToken, JSON.stringify({ action: 'PROCEED' }));
    const schedulingToken = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkSchedulingForStaff');
    harness.sfn.sendTaskSuccess(schedulingToken, JSON.stringify({ action: 'CANCEL' }));
    await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(run.calls().find((c) => c.state === 'ParkSchedulingForStaff')?.parameters).toMatchObject({
      Payload: { stage: 'SCHEDULING', error: {} },
    });
    expect(await harness.journeyStatus(run.journeyId)).toBe('CANCELLED');
  });

  it('parks a failed confirmation for staff instead of failing a booked, paid journey', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, SendConfirmation: [fail('MessagingUnavailable')] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkConfirmationForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'PROCEED' }));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.callCount(run.executionArn, 'SendConfirmation')).toBe(5);
    expect(harness.sfn.enteredStates(run.executionArn).slice(-5)).toEqual([
      'ParkConfirmationForStaff',
      'ResumeConfirmation',
      'ConfirmationStaffDecision',
      'IsPaymentOutstanding',
      'CompleteJourney',
    ]);
    expect(await harness.journeyStatus(run.journeyId)).toBe('COMPLETED');
  });

  it('still asks a declined patient to pay when staff proceed past a failed confirmation', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      CollectPayment: [ok({ outcome: 'DECLINED' })],
      SendConfirmation: [fail('MessagingUnavailable')],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkConfirmationForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'PROCEED' }));
    await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(harness.sfn.callCount(run.executionArn, 'SendPaymentRequest')).toBe(1);
  });

  it('parks a failed payment request on its own, and completes when staff proceed', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      CollectPayment: [ok({ outcome: 'NO_PAYMENT_METHOD' })],
      SendPaymentRequest: [fail('MessagingUnavailable')],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkPaymentRequestForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'PROCEED' }));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn).slice(-4)).toEqual([
      'ParkPaymentRequestForStaff',
      'ResumePaymentRequest',
      'PaymentRequestStaffDecision',
      'CompleteJourney',
    ]);
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
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkIntakeForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'RETRY' }));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.enteredStates(run.executionArn).slice(0, 6)).toEqual([
      'InitialiseJourney',
      'ScreenIntake',
      'ParkIntakeForStaff',
      'ResumeIntake',
      'IntakeStaffDecision',
      'ScreenIntake',
    ]);
  });

  it('fails the journey on a decision the stage does not allow (the API refuses it before it gets here)', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkSchedulingForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'PROCEED' }));
    const execution = await harness.sfn.awaitExecution(run.executionArn);

    // assess
    expect(execution.status).toBe('FAILED');
    expect(harness.sfn.enteredStates(run.executionArn).slice(-3)).toEqual(['SchedulingStaffDecision', 'FailJourney', 'JourneyFailed']);
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
      harness.sfn.startExecution({ name: run.journeyId, input: JSON.stringify({ clinicId: 'other', journeyId: run.journeyId }) });

    // assess
    expect(again.executionArn).toBe(run.executionArn);
    expect(harness.sfn.listExecutions().filter((e) => e.name === run.journeyId)).toHaveLength(1);
    expect(conflicting).toThrow(ServiceError);
    expect(conflicting).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'CANCEL' }));
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
