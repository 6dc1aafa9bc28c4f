import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, RedriveExecutionCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Checkpoint,
  type JourneyExecutionInput,
  type JourneyResume,
  STAGES_STOPPED_FOR_STAFF,
  type StaffDecision,
  type StageStop,
} from '#contract/journey-workflow.ts';
import { makeDecideStaffTask } from '#functions/journey/decide-staff-task.handler.ts';
import { makeFinishJourney } from '#functions/journey/finish-journey.handler.ts';
import { makeParkForStaff } from '#functions/journey/park-for-staff.handler.ts';
import { makeRecordExecutionOutcome } from '#functions/journey/record-execution-outcome.handler.ts';
import { sfnJourneyEngine } from '#functions/journey/sfn-journey-engine-adapter.ts';
import { ensureTable } from '#local/create-table.ts';
import { functionNameFromArn } from '#local/lambda-runtime.ts';
import { JOURNEY_STAGES_NAME, journeyStateMachines, journeyTaskStates } from '#local/step-functions/definition.ts';
import { LocalStepFunctions, type StateOverride } from '#local/step-functions/service.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { keys } from '#shared/keys.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { dynamoStores } from '#shared/stores.ts';
import { lambdaContext, staffEvent } from '#test/support/api-event.ts';
import { noMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeEscalations } from '#test/support/fakes/journey-ports.ts';

/**
 * One scripted call of a Task state: its result, the error (by name) it throws, its result only after a delay (a call
 * that outlasts a time limit), or the state's REAL handler (HoldForStaff only: parkForStaff against the test's table).
 */
export type Step = { result: unknown; delayMs?: number } | { error: string } | { real: true };
export const ok = (result: unknown): Step => ({ result });
export const fail = (error: string): Step => ({ error });
export const slow = (delayMs: number, result: unknown): Step => ({ result, delayMs });
/** HoldForStaff runs the real parkForStaff: it works out the stop, opens a STAGE_BLOCKED task and alerts staff. */
export const realPark: Step = { real: true };

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

/** What HoldForStaff was told about how RunStages ended ($.stopped in its Payload), decoded. */
export interface HeldStop {
  /** RunStages' caught error: States.TaskFailed for any run of JourneyStages that did not succeed. */
  error: string | undefined;
  /** The JourneyStages run, as the description .sync:2 puts in the cause: its status, error and cause. */
  run: { Status?: string; Error?: string; Cause?: string };
  /** Where the run stopped for staff (StopForStaff's cause); undefined when it failed anywhere else. */
  stop?: StageStop;
}

/** Decodes a HoldForStaff call's Payload.stopped: the .sync:2 description in the cause, the StageStop in its cause. */
export function heldStop(call: RecordedCall | undefined): HeldStop {
  if (call?.state !== 'HoldForStaff') throw new Error(`Not a HoldForStaff call: ${JSON.stringify(call)}`);
  const stopped = (call.parameters as { Payload: { stopped: { Error?: string; Cause?: string } } }).Payload.stopped;
  const run = JSON.parse(stopped.Cause ?? '{}') as HeldStop['run'];
  return {
    error: stopped.Error,
    run,
    ...(run.Error === STAGES_STOPPED_FOR_STAFF ? { stop: JSON.parse(run.Cause ?? 'null') as StageStop } : {}),
  };
}

/** A person's answer to HoldForStaff's token, as decideStaffTask sends it: the decision at the run's checkpoint. */
export const decision = (action: StaffDecision['action'], checkpoint: Checkpoint): string =>
  JSON.stringify({ action, checkpoint } satisfies JourneyResume);

/** The states of one run of JourneyStages as RunStages starts it (locally its states follow RunStages in the history). */
export const RUN = ['RunStages', 'InitialiseJourney', 'Resume'];
/** A run stops at a checkpoint, PatientJourney holds the journey for staff, and the next run starts at the decision. */
export const HELD = (checkpoint: Checkpoint) => [checkpoint, 'DescribeStop', 'StopForStaff', 'HoldForStaff', ...RUN];

export interface JourneyHarnessOptions {
  /** Replaces JourneyStages' TimeoutSeconds (300 as deployed), so a test can see a run time out. */
  stagesTimeoutSeconds?: number;
}

/**
 * Runs the deployable PatientJourney definition, with JourneyStages nested under RunStages, with scripted Lambda tasks
 * (every Task state of both machines but RunStages, which the service runs) and the REAL finishJourney handler (the
 * CompleteJourney / CancelJourney states) against a table of this test file's own on DynamoDB Local. As deployed, the
 * state machine's status changes go to the REAL recordExecutionOutcome handler (the EventBridge rule's target), and
 * `decide` is the REAL decideStaffTask handler; both reach this service through a small SFNClient stand-in, and staff
 * alerts are kept in `alerts`. HoldForStaff is scripted unless a script says `realPark`. One service per file
 * (validating the definitions is slow); each execution looks up its own script by execution name.
 */
export async function journeyHarness(options: JourneyHarnessOptions = {}) {
  const tableName = `workflow-${randomUUID()}`;
  const dynamodb = new DynamoDBClient({});
  await ensureTable(dynamodb, tableName);
  const table = { client: DynamoDBDocumentClient.from(dynamodb), tableName };
  const stores = dynamoStores(table);
  const now = () => new Date();
  const finishJourney = makeFinishJourney({ ...stores, metrics: noMetrics, now });
  const machines = journeyStateMachines();
  const stages = machines.nested[JOURNEY_STAGES_NAME];
  if (stages && options.stagesTimeoutSeconds !== undefined) stages.TimeoutSeconds = options.stagesTimeoutSeconds;
  const scripts = new Map<string, Script>();
  const calls = new Map<string, RecordedCall[]>();

  const scripted: StateOverride = (parameters, { executionArn, stateName, attempt }) => {
    const name = executionArn.split(':').at(-1) as string;
    calls.get(name)?.push({ state: stateName, attempt, parameters });
    const steps = scripts.get(name)?.[stateName];
    if (!steps || steps.length === 0) throw Object.assign(new Error(`No scripted response for ${stateName}`), { name: 'UnscriptedState' });
    const step = steps[Math.min(attempt, steps.length) - 1] as Step;
    if ('error' in step) throw Object.assign(new Error(`${stateName} failed (scripted)`), { name: step.error });
    if ('real' in step) {
      if (stateName !== 'HoldForStaff') throw new Error(`No real handler for ${stateName} in the harness`);
      return parkForStaff((parameters as { Payload: unknown }).Payload, lambdaContext);
    }
    if (step.delayMs) return new Promise((resolve) => setTimeout(() => resolve(step.result), step.delayMs));
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
  const staffAlerts = snsStaffAlerts(snsApi, 'arn:staff-alerts');
  // Escalation schedules (EventBridge Scheduler deployed) are kept in memory: no scenario here runs past a due time.
  const escalations = fakeEscalations().port;
  const recordExecutionOutcome = makeRecordExecutionOutcome({
    ...stores,
    alerts: staffAlerts,
    escalations,
    engine,
    metrics: noMetrics,
    now,
  });
  const parkForStaff = makeParkForStaff({ ...stores, alerts: staffAlerts, escalations, engine, metrics: noMetrics, now });
  const decideStaffTask = makeDecideStaffTask({ ...stores, engine, escalations, metrics: noMetrics, now });
  // RunStages (states:startExecution.sync:2) is the service's own: it runs JourneyStages, whose tasks are scripted.
  const lambdaTasks = journeyTaskStates().filter((t) => !t.resource.startsWith('arn:aws:states:::states:'));
  const sfn = new LocalStepFunctions({
    stateMachineName: 'PatientJourney',
    ...machines,
    retryDelayMs: 0,
    stateOverrides: Object.fromEntries(
      lambdaTasks.map((t) => [t.name, functionNameFromArn(t.resource) === 'finishJourney' ? finishing : scripted]),
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
      const input = JSON.stringify({ clinicId: 'clinic-wf', journeyId, resume: { action: 'START' } } satisfies JourneyExecutionInput);
      const { executionArn } = sfn.startExecution({ name: journeyId, input });
      const runCalls = () => calls.get(journeyId) ?? [];
      return {
        executionArn,
        journeyId,
        input,
        calls: runCalls,
        /** Every HoldForStaff call so far, decoded (heldStop). */
        holds: () =>
          runCalls()
            .filter((c) => c.state === 'HoldForStaff')
            .map(heldStop),
      };
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
      const event = staffEvent({
        pathParameters: { clinicId: 'clinic-wf', taskId },
        body: { action },
        routeKey: 'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision',
      });
      return decideStaffTask(event, lambdaContext);
    },
    stop: () => sfn.stop(),
  };
}

/** The states every journey passes on its way to a booked, paid appointment: one run of JourneyStages. */
export const HAPPY_PATH = [
  ...RUN,
  'ScreenIntake',
  'IsIntakeSettled',
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
  HoldForStaff: [ok({ taskId: 'st-held' })],
  DeferPayment: [ok({ outcome: 'DEFERRED' })],
};
