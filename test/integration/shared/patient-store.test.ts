import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { PatientRecord } from '#model/patient-records.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { patient } from '#test/support/fixtures/records.ts';
import { journeyAudits, localTable } from '#test/support/local-table.ts';

const clinicId = 'clinic-patients';
const now = new Date('2026-12-01T10:00:00.000Z');

const table = await localTable('patients');
const patients = dynamoPatientStore(table);

/** A patient of their own journey, as intake stored them: no test sees another's audit records. */
async function storePatient() {
  const journeyId = randomUUID();
  const stored: PatientRecord = { ...patient, clinicId, patientId: `p-${journeyId}` };
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.patient(clinicId, stored.patientId), ...stored } }));
  return { stored, ref: { clinicId, patientId: stored.patientId, journeyId } };
}

const patientAudits = (journeyId: string) => journeyAudits(table, { clinicId, journeyId }, now);

describe('Store: dynamoPatientStore on DynamoDB Local', () => {
  it('returns the stored patient without the table keys, and records one audit event', async () => {
    // Prepare
    const { stored, ref } = await storePatient();

    // Act
    const read = await patients.read(ref, 'function:test', undefined, now);

    // Assess
    expect(read).toEqual(stored);
    expect(await patientAudits(ref.journeyId)).toEqual([
      expect.objectContaining({
        clinicId,
        action: 'patient.read',
        actor: 'function:test',
        journeyId: ref.journeyId,
        patientId: ref.patientId,
        outcome: 'success',
      }),
    ]);
  });

  it('returns only the projected attributes (minimum necessary), auditing the read', async () => {
    // Prepare
    const { stored, ref } = await storePatient();

    // Act
    const read = await patients.read(ref, 'function:test', ['firstName', 'lastName', 'birthDate'], now);

    // Assess
    expect(read).toEqual({ firstName: stored.firstName, lastName: stored.lastName, birthDate: stored.birthDate });
    expect((await patientAudits(ref.journeyId)).map((a) => `${a.action}:${a.outcome}`)).toEqual(['patient.read:success']);
  });

  it('tells a patient without the projected attribute from a missing one', async () => {
    // Prepare
    const { ref } = await storePatient();

    // Act
    const read = await patients.read(ref, 'function:test', ['preferredLanguage'], now);

    // Assess
    expect(read).toEqual({});
  });

  it('records a failed read and throws when the patient does not exist', async () => {
    // Prepare
    const ref = { clinicId, patientId: 'p-missing', journeyId: randomUUID() };

    // Act
    const reading = patients.read(ref, 'function:test', ['firstName'], now);

    // Assess
    await expect(reading).rejects.toThrow(`Patient p-missing of journey ${ref.journeyId} not found`);
    expect(await patientAudits(ref.journeyId)).toEqual([
      expect.objectContaining({ action: 'patient.read', actor: 'function:test', patientId: 'p-missing', outcome: 'failure' }),
    ]);
  });
});
