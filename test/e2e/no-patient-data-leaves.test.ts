import { readdirSync, readFileSync } from 'node:fs';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENING_QUESTIONS } from '#contract/api/submission-schema.ts';
import { type JourneyStatus, STAFF_ACTIONS_BY_STAGE, type StaffDecision, type StageName } from '#contract/journey-workflow.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { readSentEmails, type StoredEmail } from '#local/ses-emulator.ts';
import { statusChangeEvent } from '#local/step-functions/status-events.ts';
import { LogLines, logMatchers } from '#test/support/log-lines.ts';

/**
 * Every example in examples/ through the real handlers on the local cloud (`npm start`'s stack: worker-thread Lambda
 * environments, the local Step Functions service running workflows/patient-journey.asl.json, DynamoDB Local, the SES
 * emulator, the simulators), each journey taken to its end over HTTP — staff decide where it parks. One run serves
 * both halves of this file:
 * - the example matrix: per example, how the journey ends, where it parks, what staff decide, the states it enters;
 * - the PHI rule (docs/decisions.md, functions/shared/observability.ts): no patient datum of any submission appears
 *   in any function's log line, any execution's history, input or output, the execution status-change events, the
 *   staff alerts (SNS), or an email subject.
 */

// The e2e project has no setup file: the matchers are registered here (test/support/setup.ts does it elsewhere).
expect.extend(logMatchers);

type Action = StaffDecision['action'];

interface ExpectedJourney {
  status: JourneyStatus;
  /** In order, each park: the stage the journey waits at and what staff decide (an action the stage allows), and who (the front desk unless said). */
  decisions: Array<{ stage: StageName; action: Action; by?: string }>;
  /** The workflow states entered, in order (a Retry is not a new entry). */
  states: string[];
  /** Task states called more than once without a new entry (their Retry), with the number of calls. */
  calls?: Record<string, number>;
}

const PAID_TO_BOOKED = ['BookAppointment', 'IsAppointmentBooked', 'CollectPayment', 'SendConfirmation', 'IsPaymentOutstanding'];
/** PatientJourney's RunStages starts a run of JourneyStages, whose states follow (locally, in the parent's history). */
const RUN = ['RunStages', 'InitialiseJourney', 'Resume'];
const SCREENED = [...RUN, 'ScreenIntake', 'IsIntakeSettled', 'VerifyEligibility', 'IsCoverageActive'];
/** A run stops at a checkpoint, PatientJourney holds it for staff, and the next run starts at the decision. */
const HELD = (checkpoint: string) => [checkpoint, 'DescribeStop', 'StopForStaff', 'HoldForStaff', ...RUN];
const ELIGIBILITY_PARK = [...HELD('EligibilityNeedsStaff'), 'EligibilityStaffDecision'];
const SCHEDULING_PARK = ['BookAppointment', 'IsAppointmentBooked', ...HELD('SchedulingNeedsStaff'), 'SchedulingStaffDecision'];

/** One row per file of examples/ (a test holds the two together). */
const MATRIX: Record<string, ExpectedJourney> = {
  completes: { status: 'COMPLETED', decisions: [], states: [...SCREENED, ...PAID_TO_BOOKED, 'CompleteJourney'] },
  // The clearinghouse answers SIM-BUSY-ONCE with 503 once: VerifyEligibility's Retry, inside one state entry.
  'clearinghouse-retry': {
    status: 'COMPLETED',
    decisions: [],
    states: [...SCREENED, ...PAID_TO_BOOKED, 'CompleteJourney'],
    calls: { VerifyEligibility: 2 },
  },
  // The sandbox fails pm_card_sandbox_transient's first charge as unavailable: CollectPayment's Retry.
  'payment-retry': {
    status: 'COMPLETED',
    decisions: [],
    states: [...SCREENED, ...PAID_TO_BOOKED, 'CompleteJourney'],
    calls: { CollectPayment: 2 },
  },
  // A declined card or no card keeps the appointment: the patient gets a payment request, no one is asked.
  'payment-declined': {
    status: 'COMPLETED',
    decisions: [],
    states: [...SCREENED, ...PAID_TO_BOOKED, 'SendPaymentRequest', 'CompleteJourney'],
  },
  'no-payment-method': {
    status: 'COMPLETED',
    decisions: [],
    states: [...SCREENED, ...PAID_TO_BOOKED, 'SendPaymentRequest', 'CompleteJourney'],
  },
  'inactive-coverage': {
    status: 'CANCELLED',
    decisions: [{ stage: 'ELIGIBILITY', action: 'CANCEL' }],
    states: [...SCREENED, ...ELIGIBILITY_PARK, 'CancelJourney'],
  },
  // Staff vouch for the coverage: the journey goes on past eligibility to the end.
  'member-not-found': {
    status: 'COMPLETED',
    decisions: [{ stage: 'ELIGIBILITY', action: 'PROCEED' }],
    states: [...SCREENED, ...ELIGIBILITY_PARK, ...PAID_TO_BOOKED, 'CompleteJourney'],
  },
  // An MRI under its physician's order is booked as any visit.
  'mri-with-order': { status: 'COMPLETED', decisions: [], states: [...SCREENED, ...PAID_TO_BOOKED, 'CompleteJourney'] },
  // Without an order nothing is booked: scheduling waits for staff, who cancel (and book at the desk once they have it).
  'mri-without-order': {
    status: 'CANCELLED',
    // Imaging's scheduling problems are radiology's queue.
    decisions: [{ stage: 'SCHEDULING', action: 'CANCEL', by: 'radiology' }],
    states: [...SCREENED, ...SCHEDULING_PARK, 'CancelJourney'],
  },
  // A contrast MRI the payer's list says needs authorization: booked and held at scheduling for radiology (the approval
  // path is test/e2e/appointments.test.ts); here the payer denies it and radiology cancels, which frees the scanner.
  'mri-prior-authorization': {
    status: 'CANCELLED',
    decisions: [{ stage: 'SCHEDULING', action: 'CANCEL', by: 'radiology' }],
    states: [...SCREENED, ...SCHEDULING_PARK, 'CancelJourney'],
  },
  // Sleep medicine is on leave: a RETRY books again, finds no slot again and parks again; then staff cancel.
  'no-slot': {
    status: 'CANCELLED',
    decisions: [
      { stage: 'SCHEDULING', action: 'RETRY' },
      { stage: 'SCHEDULING', action: 'CANCEL' },
    ],
    states: [...SCREENED, ...SCHEDULING_PARK, ...SCHEDULING_PARK, 'CancelJourney'],
  },
};

const EXAMPLES = readdirSync('examples')
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.replace(/\.json$/, ''))
  .sort();

// ---------------------------------------------------------------------------------------------------------------
// The patient data of a submission, derived from the body.

/**
 * Leaf values that are not patient data, by path (`*` for an array index), and why leaving them out is safe. Every
 * other leaf string is checked, so a field added to the schema is checked until someone argues it out here.
 */
const NOT_PATIENT_DATA: Record<string, string> = {
  'patient.sex': "one of four enum codes: ordinary words ('male' is inside 'female') that single out no one",
  'patient.preferredLanguage': 'a BCP 47 tag (en): two or three letters occur inside any word',
  'patient.address.state':
    'a USPS code (MA): two capitals occur in any code or ID; a state is not an identifier (HIPAA Safe Harbor keeps it)',
  'insurance.payerId': "the clearinghouse's ID of the insurer (60054): the same for all its members, says nothing about this one",
  'insurance.payerName': 'the insurer (Aetna): the same for all its members, says nothing about this one',
  'insurance.subscriber.relationship': "an enum code ('self')",
  'visit.appointmentTypeCode': 'a code of the clinic catalog (PRIMARY_CARE_NEW): the workflow and the emails name visit types by design',
  'visit.preferences.locationId': "the clinic's location ID (boston-back-bay), not the patient's",
  'visit.preferences.timeOfDay': 'an enum code (ANY)',
  'visit.preferences.daysOfWeek.*': 'enum codes (MON…SUN)',
  'visit.preferences.earliestDate':
    'a scheduling preference, not a fact about the patient; the journey and the emails show the booked date',
  paymentMethodToken:
    "the processor's token, never a card number; the sandbox's test tokens (pm_card_visa) are constants every patient shares",
  source: "an enum code ('web-form')",
};
/**
 * Shorter strings are not searched: a one- or two-character value (an initial, a code) occurs inside any word or ID,
 * so a hit would say nothing. Booleans and numbers are not searched either: `true`/`false` are in every JSON document.
 * The boolean screening answers are searched through their question keys instead (SCREENING_QUESTIONS): an answer
 * cannot leave without its question.
 */
const MIN_LENGTH = 3;

/** Parts of the body that are clinical (the rest of what is checked identifies the patient). */
const CLINICAL = /^(medicalHistory\.|screening\.|visit\.reasonForVisit$|visit\.physicianOrder\.)/;

interface PatientValue {
  path: string;
  value: string | RegExp;
  /** Also forbidden in an email subject: clinical data, the last name, the birth date, the insurance identifiers. */
  inSubject: boolean;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A number matches only standing alone, not inside a longer number, a timestamp or a hex ID. */
const standalone = (digits: string) => new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(digits)}(?![A-Za-z0-9])`);
const asSearched = (text: string): string | RegExp => (/^\d+$/.test(text) ? standalone(text) : text);

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A birth date as it may be written: ISO, X12's CCYYMMDD, US numeric with and without zeros, in words. */
function dateForms(iso: string): string[] {
  const [y, m, d] = iso.split('-') as [string, string, string];
  return [iso, `${y}${m}${d}`, `${m}/${d}/${y}`, `${Number(m)}/${Number(d)}/${y}`, `${MONTHS[Number(m) - 1]} ${Number(d)}, ${y}`];
}

/** A phone number as it may be written: as given, E.164, national, international, RFC 3966, digits, dashes, dots. */
function phoneForms(raw: string): string[] {
  const phone = parsePhoneNumberFromString(raw, 'US');
  if (!phone) return [raw];
  const n = phone.nationalNumber;
  const nanp =
    n.length === 10 ? [`${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`, `${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`] : [];
  return [raw, phone.number, phone.formatNational(), phone.formatInternational(), phone.format('RFC3966'), n, ...nanp];
}

function leaves(value: unknown, path: string[] = []): Array<{ path: string; value: unknown }> {
  if (Array.isArray(value)) return value.flatMap((item) => leaves(item, [...path, '*']));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]));
  return [{ path: path.join('.'), value }];
}

/** Every patient datum of a submission, in the forms it may be written; and the leaves left out. */
function patientValues(submission: Record<string, unknown>): { values: PatientValue[]; skipped: string[] } {
  const values: PatientValue[] = [];
  const skipped: string[] = [];
  const add = (path: string, forms: string[], inSubject: boolean) => {
    for (const form of new Set(forms)) values.push({ path, value: asSearched(form), inSubject });
  };
  for (const leaf of leaves(submission)) {
    if (typeof leaf.value !== 'string' || leaf.path in NOT_PATIENT_DATA || leaf.value.trim().length < MIN_LENGTH) {
      skipped.push(leaf.path);
      continue;
    }
    const text = leaf.value.trim();
    if (/(^|\.)birthDate$/.test(leaf.path)) add(leaf.path, dateForms(text), true);
    else if (leaf.path === 'contact.phone') add(leaf.path, phoneForms(text), false);
    // The local part alone (masked or cut logs) is the name again.
    else if (leaf.path === 'contact.email') add(leaf.path, [text, text.split('@')[0] ?? text], false);
    else add(leaf.path, [text], CLINICAL.test(leaf.path) || /(^|\.)lastName$|^insurance\.(memberId|groupNumber)$/.test(leaf.path));
  }
  // The name as a whole, both ways round, for the patient and for a subscriber who is someone else.
  for (const person of ['patient', 'insurance.subscriber']) {
    const first = leaves(submission).find((l) => l.path === `${person}.firstName`)?.value;
    const last = leaves(submission).find((l) => l.path === `${person}.lastName`)?.value;
    if (typeof first === 'string' && typeof last === 'string') add(`${person} name`, [`${first} ${last}`, `${last}, ${first}`], true);
  }
  const screening = submission.screening;
  if (screening && typeof screening === 'object') {
    for (const question of SCREENING_QUESTIONS) if (question in screening) add(`screening.${question} (the question)`, [question], true);
  }
  return { values, skipped };
}

type Labelled = Record<string, string | RegExp>;

/** Labelled values (`lastName [completes]`) of every example, each value once. */
function labelled(byExample: Map<string, PatientValue[]>, filter: (value: PatientValue) => boolean = () => true): Labelled {
  const out: Labelled = {};
  const seen = new Set<string>();
  for (const [example, values] of byExample) {
    for (const value of values.filter(filter)) {
      const key = String(value.value).toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out[`${value.path} = ${String(value.value)} [${example}]`] = value.value;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The run.

interface JourneyRun {
  journeyId: string;
  executionArn: string;
  view: { status: JourneyStatus; stages: Array<{ name: StageName; status: string; staffTaskId?: string }> };
  /** What staff decided at each park, and the API's answer; 'none planned' (status 0) where the matrix had no decision. */
  decisions: Array<{ stage: StageName; action: Action | 'none planned'; httpStatus: number }>;
}

let cloud: LocalCloud;
const logs = new LogLines();
const submissions = new Map(
  EXAMPLES.map((name) => [name, JSON.parse(readFileSync(`examples/${name}.json`, 'utf8')) as Record<string, unknown>]),
);
const runs = new Map<string, JourneyRun>();
let emails: StoredEmail[] = [];

/** The clinic's machines call with its API key; staff decisions are made by the signed-in front desk. */
const api = async (path: string, init: RequestInit = {}, staff = 'frontdesk') =>
  fetch(`${cloud.apiUrl}/v1/clinics/${cloud.clinicId}${path}`, {
    ...init,
    headers: path.startsWith('/staff-tasks/')
      ? { 'content-type': 'application/json', authorization: `Bearer ${await cloud.staffToken(staff)}` }
      : { 'content-type': 'application/json', 'x-api-key': cloud.apiKey },
  });

/** The journey once it no longer runs and, after a decision, no longer waits on the task decided. */
async function settled(journeyId: string, decidedTaskId?: string): Promise<JourneyRun['view']> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const response = await api(`/journeys/${journeyId}`);
    const view = (await response.json()) as JourneyRun['view'];
    const waitsOnDecided = view.stages?.some((s) => s.staffTaskId === decidedTaskId && s.status === 'WAITING_FOR_STAFF');
    if ((view.status !== 'RUNNING' && !waitsOnDecided) || Date.now() > deadline) return view;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Submits the example and takes its journey to its end, deciding each park as the matrix says. */
async function runExample(name: string): Promise<JourneyRun> {
  const response = await api('/intake-submissions', { method: 'POST', body: JSON.stringify(submissions.get(name)) });
  const { journeyId } = (await response.json()) as { journeyId: string };
  if (response.status !== 202 || !journeyId) throw new Error(`examples/${name}.json: submission answered ${response.status}`);
  const executionArn = `${cloud.stateMachineArn.replace(':stateMachine:', ':execution:')}:${journeyId}`;
  const decisions: JourneyRun['decisions'] = [];
  let view = await settled(journeyId);
  const planned = [...(MATRIX[name]?.decisions ?? [])];
  while (view.status === 'WAITING_FOR_STAFF') {
    const parked = view.stages.find((s) => s.status === 'WAITING_FOR_STAFF' && s.staffTaskId);
    const next = planned.shift();
    // Record the park as it is; the matrix test compares. No plan, or an action the stage does not allow: stop here.
    if (!parked || !next || !STAFF_ACTIONS_BY_STAGE[parked.name].includes(next.action)) {
      if (parked) decisions.push({ stage: parked.name, action: next?.action ?? 'none planned', httpStatus: 0 });
      break;
    }
    const decided = await api(
      `/staff-tasks/${parked.staffTaskId}/decision`,
      { method: 'POST', body: JSON.stringify({ action: next.action, note: 'e2e: decided as the example matrix says' }) },
      next.by,
    );
    decisions.push({ stage: parked.name, action: next.action, httpStatus: decided.status });
    if (decided.status !== 200) break;
    view = await settled(journeyId, parked.staffTaskId);
  }
  await cloud.sfn.awaitExecution(executionArn, 30_000).catch(() => undefined);
  return { journeyId, executionArn, view, decisions };
}

/** Resolves once no new log line arrived for a while: worker output comes in after the invocation's result. */
async function logsSettled(): Promise<void> {
  let count = -1;
  while (count !== logs.length) {
    count = logs.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

beforeAll(async () => {
  // Two execution environments per function, as chaos-fast runs: half the cold starts of the default four, which on
  // 2 cores is about half this file's time (the eight journeys run at once).
  process.env.LOCAL_LAMBDA_MAX_ENVIRONMENTS ??= '2';
  // Handlers log at DEBUG into `logs` (not the console); Retry back-offs take no time.
  cloud = await startLocalCloud({ quiet: true, retryDelayMs: 0, onLogLine: logs.add });
  const results = await Promise.all(EXAMPLES.map(async (name) => [name, await runExample(name)] as const));
  for (const [name, run] of results) runs.set(name, run);
  await cloud.sfn.awaitEventsDelivered();
  await logsSettled();
  emails = await readSentEmails(cloud.mailViewerUrl);
});

afterAll(async () => {
  await cloud?.stop();
});

const runOf = (name: string) => {
  const run = runs.get(name);
  if (!run) throw new Error(`examples/${name}.json did not run`);
  return run;
};

// ---------------------------------------------------------------------------------------------------------------

describe('Every example through the real handlers', () => {
  it('has a row of the matrix for every file of examples/, and no other', () => {
    expect(EXAMPLES.length).toBeGreaterThan(0);
    expect(Object.keys(MATRIX).sort()).toEqual(EXAMPLES);
  });

  it('plans only decisions the parked stage allows', () => {
    for (const [name, row] of Object.entries(MATRIX)) {
      for (const { stage, action } of row.decisions) expect(STAFF_ACTIONS_BY_STAGE[stage], `${name}: ${stage}`).toContain(action);
    }
  });

  it.each(EXAMPLES)('examples/%s.json ends, parks and is decided as the matrix says', (name) => {
    // prepare
    const expected = MATRIX[name] as ExpectedJourney;

    // act
    const run = runOf(name);

    // assess
    expect(run.decisions).toEqual(expected.decisions.map(({ by: _by, ...d }) => ({ ...d, httpStatus: 200 })));
    expect(run.view.status).toBe(expected.status);
    expect(cloud.sfn.describeExecution(run.executionArn).status).toBe('SUCCEEDED');
  });

  it.each(EXAMPLES)('examples/%s.json enters the workflow states the matrix lists, in order', (name) => {
    // prepare
    const expected = MATRIX[name] as ExpectedJourney;

    // act
    const { executionArn } = runOf(name);

    // assess
    expect(cloud.sfn.enteredStates(executionArn)).toEqual(expected.states);
    for (const [state, calls] of Object.entries(expected.calls ?? {})) expect(cloud.sfn.callCount(executionArn, state), state).toBe(calls);
  });
});

describe('No patient datum leaves the handlers', () => {
  const byExample = new Map(EXAMPLES.map((name) => [name, patientValues(submissions.get(name) ?? {}).values]));
  const everything = labelled(byExample);
  const forSubjects = labelled(byExample, (v) => v.inSubject);

  it('derives every identifying and clinical datum of a submission, and leaves out only what it argues out', () => {
    // act
    const { values, skipped } = patientValues(submissions.get('completes') ?? {});

    // assess
    const searched = values.map((v) => String(v.value));
    expect(searched).toEqual(
      expect.arrayContaining([
        'Avery',
        'Quinlan',
        'Avery Quinlan',
        'Quinlan, Avery',
        '1986-03-14',
        String(standalone('19860314')),
        '03/14/1986',
        '3/14/1986',
        'March 14, 1986',
        '12 Newbury St',
        'Boston',
        String(standalone('02116')),
        'avery.quinlan@example.com',
        'avery.quinlan',
        '(617) 555-0142',
        '+16175550142',
        String(standalone('6175550142')),
        '617-555-0142',
        '+1 617 555 0142',
        'SIM-COPAY-25',
        'GRP-1001',
        'seasonal allergies',
        'penicillin',
        'Annual check-up',
        ...SCREENING_QUESTIONS,
      ]),
    );
    expect(new Set(skipped.filter((path) => !(path in NOT_PATIENT_DATA)))).toEqual(
      // Not strings: the channel consents, the screening answers (searched by question) and the consents.
      new Set([
        'contact.communication.email',
        'contact.communication.sms',
        ...SCREENING_QUESTIONS.map((q) => `screening.${q}`),
        'consents.treatment',
        'consents.privacyNotice',
        'consents.financialResponsibility',
      ]),
    );
    expect(forSubjects).not.toHaveProperty(['patient.firstName = Avery [completes]']);
    expect(Object.keys(forSubjects)).toContain('patient.lastName = Quinlan [completes]');
  });

  it("captures the functions' log lines: the lines the handlers write for a known journey are there", () => {
    const completes = runOf('completes').journeyId;
    const parked = runOf('inactive-coverage').journeyId;

    expect(logs).toHaveLogged({ level: 'INFO', message: 'Submission accepted', function_name: 'submitIntake', journeyId: completes });
    expect(logs).toHaveLogged({ message: 'Journey finished', journeyId: completes, outcome: 'COMPLETED' });
    expect(logs).toHaveLogged({
      message: 'Journey parked for staff',
      function_name: 'parkForStaff',
      journeyId: parked,
      stage: 'ELIGIBILITY',
    });
    expect(logs).not.toHaveLogged({ message: 'Journey finished', journeyId: completes, outcome: 'CANCELLED' });
  });

  it('captures the product metrics the same handlers write (EMF), with stage, status and queue names only', () => {
    const emf = logs.records().filter((record) => '_aws' in record);

    expect(logs.from('parkForStaff')).toHaveLogged({ service: 'patient-access', stage: 'ELIGIBILITY', JourneysParked: 1 });
    expect(logs.from('finishJourney')).toHaveLogged({ status: 'COMPLETED', JourneysEnded: 1 });
    expect(logs.from('finishJourney')).toHaveLogged({ stage: 'SCHEDULING', TimeInStage: expect.any(Number) });
    const dimensions = emf.flatMap((record) =>
      (record._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics.flatMap((m) => m.Dimensions.flat()),
    );
    expect(new Set(dimensions)).toEqual(new Set(['service', 'stage', 'status']));
  });

  it('finds no patient datum in any log line of any function', () => {
    // Something to search in, and a value the search does find there (a journey ID is allowed in logs).
    expect(new Set(logs.lines.map((l) => l.source)).size).toBeGreaterThanOrEqual(5);
    expect(logs).not.toContainNoneOf([runOf('completes').journeyId]);

    expect(logs).toContainNoneOf(everything, { ignoreCase: true });
  });

  it("finds none in any execution's history, input, output, error or cause", () => {
    // prepare
    const executions = cloud.sfn.listExecutions();
    const texts: Record<string, string> = {};
    for (const e of executions) {
      texts[`${e.name} description`] = JSON.stringify(e);
      for (const event of cloud.sfn.getExecutionHistory(e.executionArn))
        texts[`${e.name} history #${event.id} ${event.type}`] = JSON.stringify(event);
      cloud.sfn.rawEvents(e.executionArn).forEach((event, i) => {
        texts[`${e.name} raw event #${i}`] = JSON.stringify(event);
      });
    }

    // assess
    expect(executions.map((e) => e.name).sort()).toEqual([...runs.values()].map((r) => r.journeyId).sort());
    expect(texts).not.toContainNoneOf([runOf('completes').journeyId, 'VerifyEligibility']);
    expect(texts).toContainNoneOf(everything, { ignoreCase: true });
  });

  it('finds none in the status-change events of any execution', () => {
    // The events the service sends (status-events.ts), built as it builds them: when the execution started, and now
    // that it has closed. Their detail is DescribeExecution's: input, output, error and cause.
    const texts: Record<string, string> = {};
    for (const e of cloud.sfn.listExecutions()) {
      const { stopDate: _stopDate, output: _output, error: _error, cause: _cause, ...started } = e;
      texts[`${e.name} RUNNING`] = JSON.stringify(statusChangeEvent({ ...started, status: 'RUNNING' }));
      texts[`${e.name} ${e.status}`] = JSON.stringify(statusChangeEvent(e));
    }

    expect(texts).not.toContainNoneOf([runOf('completes').journeyId]);
    expect(texts).toContainNoneOf(everything, { ignoreCase: true });
  });

  it('finds none in the staff alerts', () => {
    const texts: Record<string, string> = {};
    cloud.sns.published.forEach((alert, i) => {
      texts[`alert #${i} subject`] = alert.subject ?? '';
      texts[`alert #${i} message`] = alert.message;
      texts[`alert #${i} attributes`] = JSON.stringify(alert.messageAttributes);
    });

    // Every park raised one (inactive-coverage, member-not-found, no-slot twice).
    expect(cloud.sns.published.length).toBeGreaterThanOrEqual(4);
    expect(texts).not.toContainNoneOf([runOf('inactive-coverage').journeyId]);
    expect(texts).toContainNoneOf(everything, { ignoreCase: true });
  });

  it('finds no clinical datum, last name, birth date or insurance ID in an email subject', () => {
    // Bodies may greet the patient by name and give the clinic's address; subjects show on lock screens and in lists.
    const subjects = Object.fromEntries(emails.map((email, i) => [`email #${i} to ${email.destination.to.join(', ')}`, email.subject]));

    expect(emails.length).toBeGreaterThanOrEqual(EXAMPLES.length - 2);
    expect(subjects).not.toContainNoneOf(['Appointment confirmed']);
    expect(subjects).toContainNoneOf(forSubjects, { ignoreCase: true });
  });

  it('does find patient data where the handlers write it on purpose: the email bodies greet the patient by name', () => {
    // The control of the checks above: the same values and matcher, on output of the same run that must hold them.
    const bodies = Object.fromEntries(emails.map((email, i) => [`email #${i} body`, email.body.text ?? email.body.html ?? '']));

    expect(bodies).not.toContainNoneOf(
      labelled(byExample, (v) => v.path === 'patient.firstName'),
      { ignoreCase: true },
    );
  });
});
