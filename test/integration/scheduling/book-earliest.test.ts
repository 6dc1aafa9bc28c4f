import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { bookEarliestSlot } from '#functions/scheduling/book-earliest.ts';
import { DEMO_APPOINTMENT_TYPES, DEMO_CLINIC_ID, DEMO_DEPARTMENTS, DEMO_RESOURCES, demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import { appointmentIdOf } from '#model/journey.ts';
import { type AppointmentRecord, dynamoAppointmentStore } from '#shared/appointment-store.ts';
import { keys } from '#shared/keys.ts';
import { localTable } from '#test/support/local-table.ts';

const CLINIC = DEMO_CLINIC_ID;

const table = await localTable('book-earliest');

/** The starts (epoch ms) of the granules a resource holds on the radiology department's busy days (keys.busyDay). */
async function granulesOf(resourceId: string): Promise<number[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.departmentBusy(CLINIC, DEMO_DEPARTMENTS.radiology) },
      ConsistentRead: true,
    }),
  );
  return Items.filter((item) => String(item.SK).endsWith(`#RESOURCE#${resourceId}`)).flatMap((item) => {
    const day = String(item.SK).split('#')[1];
    return [...((item.busy as Set<string> | undefined) ?? [])].map((g) => Date.parse(`${day}T${g.slice(0, 2)}:${g.slice(2)}:00Z`));
  });
}

async function storedAppointment(journeyId: string): Promise<AppointmentRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.appointment(CLINIC, appointmentIdOf(journeyId)), ConsistentRead: true }),
  );
  return Item as AppointmentRecord | undefined;
}

describe('Function: bookEarliestSlot on DynamoDB Local', () => {
  it('gives 20 concurrent journeys non-overlapping MRI slots, or fails them cleanly', async () => {
    // Prepare: the demo MRI (technologist + scanner); all 20 start from the same empty calendar.
    const run = randomUUID().slice(0, 6);
    const catalog = structuredClone(demoClinicCatalog);
    const mri = catalog.appointmentTypes.find((t) => t.code === DEMO_APPOINTMENT_TYPES.mriKnee);
    if (!mri) throw new Error('demo catalog has no MRI');
    const now = new Date('2041-03-04T12:00:00Z'); // Monday 07:00 in Boston
    const journeys = Array.from({ length: 20 }, (_, i) => `mri-${run}-${i}`);

    // Act
    const results = await Promise.allSettled(
      journeys.map((journeyId) =>
        bookEarliestSlot(dynamoAppointmentStore(table), {
          bookedBy: 'function:test',
          clinicId: CLINIC,
          journeyId,
          patientId: `p-${journeyId}`,
          catalog,
          appointmentType: mri,
          preferences: {},
          now,
        }),
      ),
    );

    // Assess: every journey either booked or gave up with the contention error.
    for (const result of results) {
      if (result.status === 'fulfilled') expect(result.value.outcome).toBe('BOOKED');
      else expect((result.reason as Error).name).toBe('SchedulingContention');
    }
    const booked = (await Promise.all(journeys.map(storedAppointment))).filter((a): a is AppointmentRecord => a !== undefined);
    expect(booked.length).toBe(results.filter((r) => r.status === 'fulfilled').length);
    expect(booked.length).toBeGreaterThan(0);

    // Assess: no two appointments overlap on a resource…
    const byStart = [...booked].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    for (const [i, a] of byStart.entries()) {
      for (const b of byStart.slice(i + 1)) {
        const shareResource = a.resourceIds.some((r) => b.resourceIds.includes(r));
        expect(shareResource && Date.parse(b.start) < Date.parse(a.end)).toBe(false);
      }
    }
    // …and the granules read back are exactly those of the stored appointments, each covered by one of them.
    for (const resourceId of [DEMO_RESOURCES.mriTechNowak, DEMO_RESOURCES.mriScanner]) {
      const granules = await granulesOf(resourceId);
      for (const at of granules) {
        expect(booked.filter((a) => Date.parse(a.start) <= at && at < Date.parse(a.end))).toHaveLength(1);
      }
      expect(granules).toHaveLength(booked.length * 12);
    }
  });
});
