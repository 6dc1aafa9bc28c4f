import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { PatientRecord } from '#model/patient-records.ts';
import { journeyAuditSession } from '#shared/audit.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { auditLines, auditRecords } from '#test/support/audit-trail.ts';
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
/** One invocation's audit session for the patient's journey. */
const session = (ref: { clinicId: string; patientId: string; journeyId: string }) =>
  journeyAuditSession(dynamoAuditLog(table), 'function:test', ref, now);

describe('Store: dynamoPatientStore on DynamoDB Local', () => {
  it('returns the stored patient without the table keys, and records one audit event', async () => {
    // Prepare
    const { stored, ref } = await storePatient();

    // Act
    const read = await patients.read(ref, session(ref));

    // Assess
    expect(read).toEqual(stored);
    expect(auditRecords(await patientAudits(ref.journeyId))).toEqual([
      expect.objectContaining({
        clinicId,
        actions: ['patient.read'],
        actor: 'function:test',
        journeyId: ref.journeyId,
        patientId: ref.patientId,
        outcome: 'success',
      }),
    ]);
  });

  it('writes no record of its own when the session has recorded the read already', async () => {
    // Prepare
    const { ref } = await storePatient();
    const audit = session(ref);
    await audit.before('patient.read', 'message.send');

    // Act
    await patients.read(ref, audit, ['firstName']);
    await patients.read(ref, audit, ['email']);

    // Assess
    expect(auditLines(await patientAudits(ref.journeyId))).toEqual(['patient.read+message.send:success']);
  });

  it('has recorded the read before making it: a read that fails on the way has left its record', async () => {
    // Prepare: DynamoDB answers the audit write, then the read fails (the invocation dies with it).
    const { ref } = await storePatient();
    const failingReads = {
      ...table,
      client: {
        send: (command: unknown) =>
          command instanceof GetCommand ? Promise.reject(new Error('socket hang up')) : table.client.send(command as PutCommand),
      } as unknown as DynamoDBDocumentClient,
    };

    // Act
    const reading = dynamoPatientStore(failingReads).read(
      ref,
      journeyAuditSession(dynamoAuditLog(failingReads), 'function:test', ref, now),
    );

    // Assess
    await expect(reading).rejects.toThrow('socket hang up');
    expect(auditLines(await patientAudits(ref.journeyId))).toEqual(['patient.read:success']);
  });

  it('refuses a session of another patient, reading and recording nothing', async () => {
    // Prepare
    const { ref } = await storePatient();
    const other = { ...ref, patientId: 'p-other' };

    // Act
    const reading = patients.read(ref, session(other));

    // Assess
    await expect(reading).rejects.toThrow('Audit session');
    expect(await patientAudits(ref.journeyId)).toEqual([]);
  });

  it('returns only the projected attributes (minimum necessary), auditing the read', async () => {
    // Prepare
    const { stored, ref } = await storePatient();

    // Act
    const read = await patients.read(ref, session(ref), ['firstName', 'lastName', 'birthDate']);

    // Assess
    expect(read).toEqual({ firstName: stored.firstName, lastName: stored.lastName, birthDate: stored.birthDate });
    expect(auditLines(await patientAudits(ref.journeyId))).toEqual(['patient.read:success']);
  });

  it('tells a patient without the projected attribute from a missing one', async () => {
    // Prepare
    const { ref } = await storePatient();

    // Act
    const read = await patients.read(ref, session(ref), ['preferredLanguage']);

    // Assess
    expect(read).toEqual({});
  });

  it('records a failed read and throws when the patient does not exist', async () => {
    // Prepare
    const ref = { clinicId, patientId: 'p-missing', journeyId: randomUUID() };

    // Act
    const reading = patients.read(ref, session(ref), ['firstName']);

    // Assess
    await expect(reading).rejects.toThrow(`Patient p-missing of journey ${ref.journeyId} not found`);
    // The record written before the read, and the failure; one instant, so their sort-key order is arbitrary.
    const records = auditRecords(await patientAudits(ref.journeyId));
    expect(records.map((r) => r.outcome).sort()).toEqual(['failure', 'success']);
    expect(records.every((r) => r.patientId === 'p-missing' && r.actor === 'function:test' && r.actions.join() === 'patient.read')).toBe(
      true,
    );
  });
});
