import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, RedriveExecutionCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StaffDecision } from '#contract/journey-workflow.ts';
import { makeDecideStaffTask } from '#functions/journey/decide-staff-task.handler.ts';
import { makeFinishJourney } from '#functions/journey/finish-journey.handler.ts';
import { makeRecordExecutionOutcome } from '#functions/journey/record-execution-outcome.handler.ts';
import { sfnJourneyEngine } from '#functions/journey/sfn-journey-engine-adapter.ts';
import { ensureTable } from '#local/create-table.ts';
import { functionNameFromArn } from '#local/lambda-runtime.ts';
import { loadJourneyDefinition, taskStates } from '#local/step-functions/definition.ts';
import { LocalStepFunctions, type StateOverride } from '#local/step-functions/service.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { keys } from '#shared/keys.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { dynamoStores } from '#shared/stores.ts';
import { apiEvent, lambdaContext } from '#test/support/api-event.ts';

/** One scripted call of a Task state: its result, or the error (by name) it throws. */
export type Step = { result: unknown } | { error: string };
export const ok = (result: unknown): Step => ({ result });
export const fail = (error: string): Step => ({ error });

/**
 * A scenario's task responses keyed by state name; the nth call of a state gets the nth step (the last one repeats),
 * so "fails once, then succeeds" is `[fail('ClearinghouseUnavailable'), ok({ outcome: 'ACTIVE' })]`.
 */
export type Script = Record<string, Step[]>;

export interface RecordedCall {
  state: string;
  attempt: number;
  parameters: unknown;
}

/**
 * Runs the deployable PatientJourney definition with scripted stage tasks and the REAL finishJourney handler (the
 * CompleteJourney / CancelJourney states) against a table of this test file's own on DynamoDB Local. As deployed, the
 * state machine's status changes go to the REAL recordExecutionOutcome handler (the EventBridge rule's target), and
 * `decide` is the REAL decideStaffTask handler; both reach this service through a small SFNClient stand-in, and staff
 * alerts are kept in `alerts`. One service per file (validating the definition is slow); each execution looks up its
 * own script by execution name.
 */
export async function journeyHarness() {
  const tableName = `workflow-${randomUUID()}`;
  const dynamodb = new DynamoDBClient({});
  await ensureTable(dynamodb, tableName);
  const table = { client: DynamoDBDocumentClient.from(dynamodb), tableName };
  const stores = dynamoStores(table);
  const now = () => new Date();
  const finishJourney = makeFinishJourney({ ...stores, now });
  const definition = loadJourneyDefinition();
  const scripts = new Map<string, Script>();
  const calls = new Map<string, RecordedCall[]>();

  const scripted: StateOverride = (parameters, { executionArn, stateName, attempt }) => {
    const name = executionArn.split(':').at(-1) as string;
    calls.get(name)?.push({ state: stateName, attempt, parameters });
    const steps = scripts.get(name)?.[stateName];
    if (!steps || steps.length === 0) throw Object.assign(new Error(`No scripted response for ${stateName}`), { name: 'UnscriptedState' });
    const step = steps[Math.min(attempt, steps.length) - 1] as Step;
    if ('error' in step) throw Object.assign(new Error(`${stateName} failed (scripted)`), { name: step.error });
    return step.result;
  };
  const finishing: StateOverride = (parameters) => finishJourney(parameters, lambdaContext);
  // What the handlers ask of Step Functions and SNS, answered by this service and kept in memory.
  const sfnApi = {
    send: async (command: unknown) => {
      if (command instanceof DescribeExecutionCommand) return sfn.describeExecution(command.input.executionArn ?? '');
      if (command instanceof RedriveExecutionCommand) return sfn.redriveExecution(command.input.executionArn ?? '');
      if (command instanceof SendTaskSuccessCommand) return sfn.sendTaskSuccess(command.input.taskToken ?? '', command.input.output ?? '');
      throw new Error(`The harness does not answer ${(command as object).constructor.name}`);
    },
  } as unknown as SFNClient;
  const alerts: Array<{ subject: string; message: Record<string, string> }> = [];
  const snsApi = {
    send: async (command: unknown) => {
      if (!(command instanceof PublishCommand)) throw new Error('The harness publishes only');
      alerts.push({ subject: command.input.Subject ?? '', message: JSON.parse(command.input.Message ?? '{}') });
      return { MessageId: randomUUID() };
    },
  } as unknown as SNSClient;
  const engine = sfnJourneyEngine(sfnApi);
  const recordExecutionOutcome = makeRecordExecutionOutcome({ ...stores, alerts: snsStaffAlerts(snsApi, 'arn:staff-alerts'), engine, now });
  const decideStaffTask = makeDecideStaffTask({ ...stores, engine, now });
  const sfn = new LocalStepFunctions({
    stateMachineName: 'PatientJourney',
    definition,
    retryDelayMs: 0,
    stateOverrides: Object.fromEntries(
      taskStates(definition).map((t) => [t.name, functionNameFromArn(t.resource) === 'finishJourney' ? finishing : scripted]),
    ),
    onStatusChange: async (event) => {
      await recordExecutionOutcome(event);
    },
    // A handler failure in a test is a bug, not an outage: dead-letter it at once so the test sees it.
    statusChangeRetryPolicy: { maximumRetryAttempts: 0 },
  });

  return {
    sfn,
    tableName,
    alerts,
    /**
     * Stores a journey and starts its execution named after the journey ID, as submit-intake does. `shape` changes the
     * stored journey first: scripted stage tasks write nothing, so a test that needs stages recorded says so here.
     */
    async start(script: Script, journeyId: string = randomUUID(), shape?: (journey: JourneyRecord) => void) {
      scripts.set(journeyId, script);
      calls.set(journeyId, []);
      const journey = newJourneyRecord({ clinicId: 'clinic-wf', journeyId, submissionId: 's', patientId: 'p' }, new Date());
      shape?.(journey);
      await table.client.send(new PutCommand({ TableName: tableName, Item: { ...keys.journey('clinic-wf', journeyId), ...journey } }));
      const input = JSON.stringify({ clinicId: 'clinic-wf', journeyId });
      const { executionArn } = sfn.startExecution({ name: journeyId, input });
      return { executionArn, journeyId, input, calls: () => calls.get(journeyId) ?? [] };
    },
    /** The journey item's status as finishJourney (or recordExecutionOutcome) left it. */
    async journeyStatus(journeyId: string): Promise<string | undefined> {
      return (await this.journey(journeyId))?.status;
    },
    async journey(journeyId: string): Promise<JourneyRecord | undefined> {
      const { Item } = await table.client.send(
        new GetCommand({ TableName: tableName, Key: keys.journey('clinic-wf', journeyId), ConsistentRead: true }),
      );
      return Item as JourneyRecord | undefined;
    },
    async staffTask(taskId: string) {
      const { Item } = await table.client.send(
        new GetCommand({ TableName: tableName, Key: keys.staffTask('clinic-wf', taskId), ConsistentRead: true }),
      );
      return Item;
    },
    /** POST …/staff-tasks/{taskId}/decision, as staff send it. */
    async decide(taskId: string, action: StaffDecision['action']) {
      const event = apiEvent({
        pathParameters: { clinicId: 'clinic-wf', taskId },
        body: { action },
        routeKey: 'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision',
      });
      return decideStaffTask(event, lambdaContext);
    },
    stop: () => sfn.stop(),
  };
}

/** The states every journey passes on its way to a booked, paid appointment. */
export const HAPPY_PATH = [
  'InitialiseJourney',
  'ScreenIntake',
  'VerifyEligibility',
  'IsCoverageActive',
  'BookAppointment',
  'IsAppointmentBooked',
  'CollectPayment',
  'SendConfirmation',
  'IsPaymentOutstanding',
  'CompleteJourney',
];

/** Responses that take a journey down the happy path; scenarios replace the states they are about. */
export const HAPPY_SCRIPT: Script = {
  ScreenIntake: [ok({ outcome: 'NO_RISK' })],
  VerifyEligibility: [ok({ outcome: 'ACTIVE' })],
  BookAppointment: [ok({ outcome: 'BOOKED', appointmentId: 'appt-1' })],
  CollectPayment: [ok({ outcome: 'PAID' })],
  SendConfirmation: [ok({ outcome: 'SENT' })],
  SendPaymentRequest: [ok({ outcome: 'SENT' })],
  ParkEligibilityForStaff: [ok({ taskId: 'st-eligibility' })],
  ParkSchedulingForStaff: [ok({ taskId: 'st-scheduling' })],
  ParkPaymentForStaff: [ok({ taskId: 'st-payment' })],
  ParkIntakeForStaff: [ok({ taskId: 'st-intake' })],
  ParkConfirmationForStaff: [ok({ taskId: 'st-confirmation' })],
  ParkPaymentRequestForStaff: [ok({ taskId: 'st-payment-request' })],
  DeferPayment: [ok({ outcome: 'DEFERRED' })],
};
