import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { JourneyRef } from '#contract/journey-workflow.ts';
import type { JourneyRecord } from '#model/journey.ts';
import type { CoverageRecord } from '#model/patient-records.ts';
import { recordAudit } from '#shared/audit-store.ts';
import { loadCatalog } from '#shared/catalog-store.ts';
import { keys } from '#shared/keys.ts';
import { readSubmission } from '#shared/submission-store.ts';
import type { TableRef } from '#shared/table.ts';
import type { EligibilityPerson } from './eligibility-port.ts';
import type { CoverageSummary } from './interpret-eligibility.ts';
import type { EligibilityContext } from './prepare-eligibility-check.ts';

const ACTOR = 'function:verifyEligibility';

/** The eligibility item (keys.eligibility): the last check's result for staff and the journey view. No member ID, no names. */
export interface EligibilityCheckRecord extends JourneyRef {
  type: 'EligibilityCheck';
  appointmentTypeCode: string;
  serviceTypeCode: string;
  /** Absent when no inquiry could be sent (e.g. no insurance on file). */
  payerId?: string;
  controlNumber?: string;
  summary: CoverageSummary;
  /** The estimate recorded on the journey as amounts.dueCents, when the plan is active. */
  dueCents?: number;
  checkedAt: string;
}

/**
 * Loads what one eligibility check needs, reading no more than that (minimum necessary): the appointment type from
 * the submission (projected, no answers), the catalog, the coverage, and the patient's name and birth date only when
 * the patient is a dependent. Each read of patient data is audited. The coverage is read only once the submission is
 * known to exist, so a missing submission leaves no unaudited read behind.
 */
export async function loadEligibilityContext(table: TableRef, journey: JourneyRecord, now: Date): Promise<EligibilityContext> {
  const { clinicId, journeyId, patientId } = journey;
  const audit = (action: 'patient.read' | 'coverage.read', found: boolean) =>
    recordAudit(table, { clinicId, actor: ACTOR, action, journeyId, patientId, outcome: found ? 'success' : 'failure' }, now);

  const submission = await readSubmission(table, journey, ACTOR, ['visit.appointmentTypeCode'], now);
  const appointmentTypeCode = submission.visit?.appointmentTypeCode;
  if (!appointmentTypeCode) throw new Error(`Submission ${journey.submissionId} of journey ${journeyId} has no appointment type`);
  const readCoverage = async () => {
    const found = await get<CoverageRecord>(table, keys.coverage(clinicId, patientId));
    await audit('coverage.read', found !== undefined);
    return found;
  };
  const [catalog, coverage] = await Promise.all([loadCatalog(table, clinicId), readCoverage()]);

  let patient: EligibilityPerson | undefined;
  if (coverage && coverage.subscriber.relationship !== 'self') {
    patient = await get<EligibilityPerson>(table, keys.patient(clinicId, patientId), {
      ProjectionExpression: 'firstName, lastName, birthDate',
    });
    await audit('patient.read', patient !== undefined);
    if (!patient) throw new Error(`Patient ${patientId} of journey ${journeyId} not found`);
  }

  return {
    journeyId,
    appointmentTypeCode,
    ...(catalog ? { catalog } : {}),
    ...(coverage ? { coverage } : {}),
    ...(patient ? { patient } : {}),
  };
}

/** Writes the check's result. A plain put: repeating the same check leaves one item with the same result. */
export async function putEligibilityCheck(table: TableRef, record: EligibilityCheckRecord): Promise<void> {
  await table.client.send(
    new PutCommand({ TableName: table.tableName, Item: { ...keys.eligibility(record.clinicId, record.journeyId), ...record } }),
  );
}

/** Reads the last check's result, for the journey view. */
export async function getEligibilityCheck(table: TableRef, ref: JourneyRef): Promise<EligibilityCheckRecord | undefined> {
  const item = await get<EligibilityCheckRecord & { PK: string; SK: string }>(table, keys.eligibility(ref.clinicId, ref.journeyId));
  if (!item) return undefined;
  const { PK: _pk, SK: _sk, ...record } = item;
  return record;
}

async function get<T>(
  table: TableRef,
  key: { PK: string; SK: string },
  extra: { ProjectionExpression?: string } = {},
): Promise<T | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: key, ...extra }));
  return Item as T | undefined;
}
