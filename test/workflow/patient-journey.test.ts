import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '#local/step-functions/errors.ts';
import type { JourneyRecord } from '#model/journey.ts';
import { fail, HAPPY_PATH, HAPPY_SCRIPT, journeyHarness, ok } from './journey-harness.ts';

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

  it('charges with mode CHARGE, and defers payment with mode DEFER when staff PROCEED after the processor stays down', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, CollectPayment: [fail('PaymentProcessorUnavailable')] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkPaymentForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'PROCEED' }));
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
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...HAPPY_PATH.slice(0, 7),
      'ParkPaymentForStaff',
      'ResumePayment',
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
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkPaymentForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'PROCEED' }));
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
    const firstToken = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkPaymentForStaff');
    harness.sfn.sendTaskSuccess(firstToken, JSON.stringify({ action: 'PROCEED' }));

    // act
    const secondToken = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkPaymentForStaff');

    // assess
    expect(secondToken).not.toBe(firstToken);
    expect(harness.sfn.callCount(run.executionArn, 'DeferPayment')).toBe(4);
    expect(
      run
        .calls()
        .filter((c) => c.state === 'ParkPaymentForStaff')
        .at(-1)?.parameters,
    ).toMatchObject({
      Payload: { stage: 'PAYMENT', error: { Error: 'PaymentProcessorUnavailable' } },
    });
    expect(harness.sfn.callCount(run.executionArn, 'SendConfirmation')).toBe(0);
    harness.sfn.stopExecution(run.executionArn);
  });

  it('fails the execution at the park when its staff task is failed, and the status change holds the journey for staff', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })] }, undefined, atScheduling);
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkSchedulingForStaff');

    // act
    harness.sfn.sendTaskFailure(token, 'StaffTaskExpired', 'nobody decided');
    const execution = await settled(run.executionArn);

    // assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'StaffTaskExpired' });
    expect(harness.sfn.enteredStates(run.executionArn).at(-1)).toBe('ParkSchedulingForStaff');
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
      { ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })], ParkSchedulingForStaff: [fail('AwsServiceUnavailable')] },
      undefined,
      atScheduling,
    );

    // act
    const execution = await settled(run.executionArn);

    // assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'AwsServiceUnavailable' });
    expect(harness.sfn.callCount(run.executionArn, 'ParkSchedulingForStaff')).toBe(9);
    expect(harness.sfn.enteredStates(run.executionArn).slice(-2)).toEqual(['IsAppointmentBooked', 'ParkSchedulingForStaff']);
    expect(await harness.journeyStatus(run.journeyId)).toBe('WAITING_FOR_STAFF');
  });

  it('fails the execution at once at a park whose Lambda fails with an error no retry matches', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      VerifyEligibility: [ok({ outcome: 'INACTIVE' })],
      ParkEligibilityForStaff: [fail('JourneyNotFound')],
    });

    // act
    const execution = await settled(run.executionArn);

    // assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'JourneyNotFound' });
    expect(harness.sfn.callCount(run.executionArn, 'ParkEligibilityForStaff')).toBe(1);
    expect(harness.sfn.enteredStates(run.executionArn).at(-1)).toBe('ParkEligibilityForStaff');
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

  it('ends in UnknownStaffDecision on a decision the stage does not route (the API refuses it before it gets here)', async () => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, BookAppointment: [ok({ outcome: 'NO_SLOT' })] });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkSchedulingForStaff');

    // act
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'PROCEED' }));
    const execution = await settled(run.executionArn);

    // assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'UnknownStaffDecision' });
    expect(harness.sfn.enteredStates(run.executionArn).slice(-3)).toEqual([
      'ResumeScheduling',
      'SchedulingStaffDecision',
      'UnknownStaffDecision',
    ]);
    expect(await harness.journeyStatus(run.journeyId)).toBe('WAITING_FOR_STAFF');
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
    await harness.sfn.awaitTaskToken(run.executionArn, 'ParkEligibilityForStaff');

    // assess
    expect(harness.sfn.callCount(run.executionArn, 'VerifyEligibility')).toBe(9);
    expect(run.calls().find((c) => c.state === 'ParkEligibilityForStaff')?.parameters).toMatchObject({
      Payload: { stage: 'ELIGIBILITY', error: { Error: 'AwsServiceUnavailable' } },
    });
    harness.sfn.stopExecution(run.executionArn);
  });

  it.each(['States.Timeout', 'Sandbox.Timedout'])('retries a stage call that timed out (%s) twice, then parks it', async (timeout) => {
    // prepare
    const run = await harness.start({ ...HAPPY_SCRIPT, SendConfirmation: [fail(timeout)] });

    // act
    await harness.sfn.awaitTaskToken(run.executionArn, 'ParkConfirmationForStaff');

    // assess
    expect(harness.sfn.callCount(run.executionArn, 'SendConfirmation')).toBe(3);
    expect(run.calls().find((c) => c.state === 'ParkConfirmationForStaff')?.parameters).toMatchObject({
      Payload: { stage: 'CONFIRMATION', error: { Error: timeout } },
    });
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
  /** A journey whose scheduling park could not be recorded: its execution fails at ParkSchedulingForStaff. */
  async function stoppedAtSchedulingPark() {
    const run = await harness.start(
      {
        ...HAPPY_SCRIPT,
        BookAppointment: [ok({ outcome: 'NO_SLOT' })],
        // Nine failed calls spend the retries; the call after a redrive succeeds.
        ParkSchedulingForStaff: [...Array(9).fill(fail('AwsServiceUnavailable')), ok({ taskId: 'st-scheduling' })],
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
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'ParkSchedulingForStaff');
    harness.sfn.sendTaskSuccess(token, JSON.stringify({ action: 'CANCEL' }));
    const execution = await settled(run.executionArn);

    // assess
    expect(response.statusCode).toBe(200);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(harness.sfn.callCount(run.executionArn, 'BookAppointment')).toBe(1);
    expect(harness.sfn.callCount(run.executionArn, 'ParkSchedulingForStaff')).toBe(10);
    expect(harness.sfn.enteredStates(run.executionArn).at(-1)).toBe('CancelJourney');
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
    await harness.sfn.awaitTaskToken(run.executionArn, 'ParkSchedulingForStaff');

    // act
    const repeat = await harness.decide(run.taskId, 'RETRY');

    // assess
    expect(repeat.statusCode).toBe(200);
    expect(harness.sfn.describeExecution(run.executionArn)).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    expect(await harness.journeyStatus(run.journeyId)).toBe('RUNNING');
    harness.sfn.stopExecution(run.executionArn);
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
