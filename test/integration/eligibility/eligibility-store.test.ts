import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoEligibilityStore } from '#functions/eligibility/eligibility-store.ts';
import type { EligibilityCheckRecord } from '#model/benefits-reading.ts';
import type { CoverageRecord } from '#model/patient-records.ts';
import { keys } from '#shared/keys.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('eligibility-store');
const store = dynamoEligibilityStore(table);

/** A clinic of its own per test: nothing another test wrote can answer. */
const newClinic = () => `clinic-${randomUUID().slice(0, 8)}`;

async function put(item: Record<string, unknown>) {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));
}

function check(clinicId: string, overrides: Partial<EligibilityCheckRecord> = {}): EligibilityCheckRecord {
  return {
    type: 'EligibilityCheck',
    clinicId,
    journeyId: 'j-1',
    appointmentTypeCode: 'OFFICE_VISIT',
    serviceTypeCode: '98',
    payerId: 'SIMPAYER',
    controlNumber: '123456789',
    summary: {
      outcome: 'ACTIVE',
      serviceTypeCode: '98',
      coverageActive: true,
      copayCents: 2500,
      priorAuthorizationRequired: false,
      reason: 'Coverage is active for service type 98.',
    },
    dueCents: 2500,
    checkedAt: '2026-12-01T10:00:00.000Z',
    ...overrides,
  };
}

describe('Eligibility store: dynamoEligibilityStore on DynamoDB Local', () => {
  it('reads the coverage on file without its keys, and none when there is none', async () => {
    // Prepare
    const clinicId = newClinic();
    const coverage: CoverageRecord = {
      type: 'Coverage',
      clinicId,
      patientId: 'p-1',
      payerId: 'SIMPAYER',
      payerName: 'Simulated Payer',
      memberId: 'SIM-COPAY',
      subscriber: { relationship: 'self', firstName: 'Maria', lastName: 'Garcia', birthDate: '1985-04-12' },
      updatedAt: '2026-12-01T10:00:00.000Z',
    };
    await put({ ...keys.coverage(clinicId, 'p-1'), ...coverage });

    // Act
    const [found, none] = await Promise.all([store.getCoverage(clinicId, 'p-1'), store.getCoverage(clinicId, 'p-2')]);

    // Assess
    expect(found).toEqual(coverage);
    expect(none).toBeUndefined();
  });

  it('keeps one check per journey, the latest, and reads it back without its keys', async () => {
    // Prepare
    const clinicId = newClinic();
    const latest = check(clinicId, { checkedAt: '2026-12-01T11:00:00.000Z', dueCents: 0 });
    await store.putCheck(check(clinicId));

    // Act
    await store.putCheck(latest);

    // Assess
    expect(await store.getCheck({ clinicId, journeyId: 'j-1' })).toEqual(latest);
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.eligibility(clinicId, 'j-1').PK },
      }),
    );
    expect(Items.map((item) => item.SK)).toEqual([keys.eligibility(clinicId, 'j-1').SK]);
  });

  it('reads no check for a journey that has none', async () => {
    // Act
    const found = await store.getCheck({ clinicId: newClinic(), journeyId: 'j-1' });

    // Assess
    expect(found).toBeUndefined();
  });
});
