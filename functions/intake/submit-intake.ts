import type { IntakeSubmission, SubmissionAccepted } from '#contract/api/submission-schema.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { matchDisagreements, patientMatchHash } from '#model/patient-match.ts';
import { isSelfPay } from '#model/patient-records.ts';
import { auditSession } from '#shared/audit.ts';
import type { AuditLog } from '#shared/audit-store.ts';
import type { JourneyStore } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import type { PatientStore } from '#shared/patient-store.ts';
import {
  coverageRecord,
  newPatientRecord,
  patientContactUpdate,
  submissionBodyHash,
  submissionIdOf,
  submissionRecord,
} from './intake-records.ts';
import type { IntakeStore, IntakeWrite } from './intake-store.ts';
import type { JourneyStarter } from './journey-starter-port.ts';

export interface SubmitIntakeDeps {
  /** Idempotency entries, patient matches and the intake's one transaction. */
  intakes: IntakeStore;
  /** A matched patient's contact details and insurance, compared with the submission's (audited reads). */
  patients: Pick<PatientStore, 'read' | 'readCoverage'>;
  audit: AuditLog;
  /** Read only: the status of a repeated submission's journey. */
  journeys: JourneyStore;
  /** Starts the journey's execution. */
  workflow: JourneyStarter;
  now: () => Date;
  newId: () => string;
  /** Back-off between contended attempts. */
  sleep: (ms: number) => Promise<void>;
  /** The deployment's patient identity key: keys the patient match and the submission ID (HMAC). */
  identityKey: () => Promise<string>;
}

/** Rounds of read-then-write when concurrent requests contend for the same items. */
const MAX_ATTEMPTS = 5;

export interface SubmitIntakeRequest {
  clinicId: string;
  /** Who submitted, for the audit trail, e.g. "api-key:<keyId>". */
  actor: string;
  body: IntakeSubmission;
  /** The client's Idempotency-Key header, already validated; absent: the body's hash is the key. */
  idempotencyKey?: string;
  /** The route it came through, for the audit trail (API Gateway's routeKey). */
  via?: string;
}

export type SubmitIntakeResult =
  | { outcome: 'ACCEPTED'; created: boolean; response: SubmissionAccepted }
  /** The Idempotency-Key was used before with a different body. */
  | { outcome: 'KEY_REUSED' };

/** Thrown when contention does not settle within MAX_ATTEMPTS; the client's retry will find the winner. */
export class IntakeContentionError extends Error {
  override name = 'IntakeContentionError';
}

/**
 * Records a submission and starts its journey, exactly once per submission. The submission's ID derives from the
 * idempotency key (submissionIdOf), so the first writer wins one transaction (submission, journey, patient, coverage,
 * the audit record) on the submission's condition; every repeat reads the winner's IDs from the submission. The journey's
 * execution is started on the first call and on repeats while the journey is still RUNNING, so a crash between the
 * write and the start heals when the client retries, and a finished journey is never run again.
 */
export async function submitIntake(deps: SubmitIntakeDeps, request: SubmitIntakeRequest): Promise<SubmitIntakeResult> {
  const { clinicId, body } = request;
  const bodyHash = submissionBodyHash(body);
  // Prefixed so a client key can never collide with a body hash (the header charset has no ':').
  const idempotencyKey = request.idempotencyKey ? `key:${request.idempotencyKey}` : `body:${bodyHash}`;
  const identityKey = await deps.identityKey();
  const submissionId = submissionIdOf(clinicId, idempotencyKey, identityKey);
  const matchHash = patientMatchHash(body.patient, identityKey);

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const at = deps.now();
    const existing = await deps.intakes.findIdempotency(clinicId, submissionId);
    if (existing) {
      if (existing.bodyHash !== bodyHash) return { outcome: 'KEY_REUSED' };
      const ref = { clinicId, journeyId: existing.journeyId };
      const status = (await deps.journeys.get(ref))?.status ?? 'RUNNING';
      // Only a journey that has not got anywhere yet may lack its execution (a crash between the write and the
      // start). One that waits or has ended has one: starting again would re-run a finished journey wherever the
      // engine has forgotten the name (AWS after 90 days; a restarted local stack).
      if (status === 'RUNNING') await deps.workflow.start(ref);
      log.info('Repeated submission', { clinicId, submissionId: existing.submissionId, journeyId: existing.journeyId });
      return {
        outcome: 'ACCEPTED',
        created: false,
        response: { submissionId: existing.submissionId, journeyId: existing.journeyId, status },
      };
    }

    const matched = await deps.intakes.findPatientIdByMatch(clinicId, matchHash);
    const journeyId = deps.newId();
    // A match whose contact details or insurance disagree is not merged silently: the submitter is registered apart
    // and the journey waits at intake for staff to merge or keep them apart (screen-intake.ts).
    const comparison = matched ? await compareWithMatched(deps, request, { patientId: matched, journeyId }, at) : undefined;
    const disagreements = comparison?.disagreements ?? [];
    const matchedPatientId = comparison && disagreements.length === 0 ? matched : undefined;
    const ids = { submissionId, journeyId, patientId: matchedPatientId ?? deps.newId() };
    const write: IntakeWrite = {
      clinicId,
      bodyHash,
      patient: matchedPatientId
        ? { kind: 'existing', update: patientContactUpdate(ids.patientId, body, at), readAt: comparison?.readAt ?? { patient: '' } }
        : { kind: 'new', record: newPatientRecord(clinicId, ids.patientId, body, at), ...(matched ? {} : { matchHash }) },
      coverage: coverageRecord(clinicId, ids.patientId, body, at),
      submission: {
        ...submissionRecord(clinicId, ids, body, at),
        ...(matched && !matchedPatientId ? { possibleDuplicateOf: matched, duplicateFields: disagreements } : {}),
      },
      journey: newJourneyRecord({ clinicId, journeyId: ids.journeyId, submissionId: ids.submissionId, patientId: ids.patientId }, at),
      // One record of the three writes, committed with them.
      audit: {
        clinicId,
        actor: request.actor,
        patientId: ids.patientId,
        journeyId: ids.journeyId,
        actions: [matchedPatientId ? 'patient.match' : 'patient.create', 'coverage.write', 'submission.create'],
        outcome: 'success',
        ...(request.via ? { via: request.via } : {}),
      },
    };
    const outcome = await deps.intakes.writeIntake(write, at);
    if (outcome === 'WRITTEN') {
      await deps.workflow.start({ clinicId, journeyId: ids.journeyId });
      const outcome = matchedPatientId ? 'PATIENT_MATCHED' : matched ? 'POSSIBLE_DUPLICATE' : 'PATIENT_CREATED';
      log.info('Submission accepted', { clinicId, ...ids, outcome });
      return {
        outcome: 'ACCEPTED',
        created: true,
        response: { submissionId: ids.submissionId, journeyId: ids.journeyId, status: 'RUNNING' },
      };
    }
    log.info('Submission contended, reading again', { clinicId, outcome, count: attempt + 1 });
    // DUPLICATE needs no wait: the winner has committed. The others wait for the competing transaction to finish.
    if (outcome !== 'DUPLICATE') await deps.sleep(20 * 2 ** attempt + Math.floor(Math.random() * 20));
  }
  throw new IntakeContentionError('Intake write did not settle');
}

/**
 * Where the submission disagrees with the patient it matched (matchDisagreements), and when their records were last
 * written (the intake writes them only if still so): their contact details and insurance are read for it, audited in
 * one record before the reads, under the journey about to be written.
 */
async function compareWithMatched(
  deps: SubmitIntakeDeps,
  request: SubmitIntakeRequest,
  matched: { patientId: string; journeyId: string },
  at: Date,
): Promise<{ disagreements: string[]; readAt: { patient: string; coverage?: string } }> {
  const ref = { clinicId: request.clinicId, ...matched };
  const session = auditSession(deps.audit, { ...ref, actor: request.actor, ...(request.via ? { via: request.via } : {}) }, at);
  await session.before('patient.read', 'coverage.read');
  const [stored, coverage] = await Promise.all([
    deps.patients.read(ref, session, ['email', 'phone', 'address', 'updatedAt']),
    deps.patients.readCoverage(ref, session),
  ]);
  const { body } = request;
  const disagreements = matchDisagreements(
    {
      ...(stored.email ? { email: stored.email } : {}),
      ...(stored.phone ? { phone: stored.phone } : {}),
      ...(stored.address ? { address: stored.address } : {}),
      ...(coverage && !isSelfPay(coverage) ? { insurance: coverage } : {}),
    },
    {
      ...(body.contact.email ? { email: body.contact.email } : {}),
      ...(body.contact.phone ? { phone: body.contact.phone } : {}),
      address: body.patient.address,
      insurance: body.insurance,
    },
  );
  return { disagreements, readAt: { patient: stored.updatedAt, ...(coverage ? { coverage: coverage.updatedAt } : {}) } };
}
