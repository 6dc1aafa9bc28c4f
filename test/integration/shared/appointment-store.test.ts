import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { appointmentIdFor, bookEarliestSlot } from '#functions/scheduling/book-earliest.ts';
import { ensureTable } from '#local/create-table.ts';
import { DEMO_APPOINTMENT_TYPES, DEMO_CLINIC_ID, DEMO_RESOURCES, demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import { type AppointmentRecord, bookSlot } from '#shared/appointment-store.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

const CLINIC = DEMO_CLINIC_ID;
let table: TableRef;

beforeAll(async () => {
  const client = new DynamoDBClient({});
  const tableName = `scheduling-store-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  table = { client: DynamoDBDocumentClient.from(client), tableName };
});

function appointment(journeyId: string, start: string, end: string, resourceIds: string[]): AppointmentRecord {
  return {
    type: 'Appointment',
    clinicId: CLINIC,
    journeyId,
    patientId: `patient-${journeyId}`,
    status: 'BOOKED',
    appointmentId: appointmentIdFor(journeyId),
    appointmentType: 'TEST',
    start,
    end,
    timeZone: 'America/New_York',
    location: { id: 'loc', name: 'Location', address: 'Address' },
    department: { id: 'dep', name: 'Department' },
    provider: { id: resourceIds[0] ?? '', name: 'Provider' },
    resourceIds,
    createdAt: '2041-03-01T00:00:00.000Z',
  };
}

interface GranuleItem {
  SK: string;
  resourceId: string;
  appointmentId: string;
  granuleStart: string;
}

async function granulesOf(resourceId: string, utcDays: string[]): Promise<GranuleItem[]> {
  const pages = await Promise.all(
    utcDays.map((day) =>
      table.client.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.resourceDay(CLINIC, resourceId, day) },
          ConsistentRead: true,
        }),
      ),
    ),
  );
  return pages.flatMap((page) => (page.Items ?? []) as GranuleItem[]);
}

async function storedAppointment(journeyId: string): Promise<AppointmentRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.appointment(CLINIC, journeyId), ConsistentRead: true }),
  );
  return Item as AppointmentRecord | undefined;
}

describe('Function: bookSlot', () => {
  it('lets exactly one of 20 concurrent bookings of the same slot succeed', async () => {
    // Prepare: 20 journeys want Monday 10:00-10:30 on one provider and one device.
    const run = randomUUID().slice(0, 6);
    const journeys = Array.from({ length: 20 }, (_, i) => `race-${run}-${i}`);
    const resources = [`prov-${run}`, `device-${run}`];

    // Act
    const results = await Promise.all(
      journeys.map((j) => bookSlot(table, appointment(j, '2041-03-04T10:00:00-05:00', '2041-03-04T10:30:00-05:00', resources))),
    );

    // Assess: one winner; every loser failed cleanly and left no appointment behind.
    const winners = journeys.filter((_, i) => results[i]?.outcome === 'BOOKED');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.outcome !== 'BOOKED').every((r) => r.outcome === 'TAKEN' || r.outcome === 'CONTENDED')).toBe(true);
    const stored = await Promise.all(journeys.map(storedAppointment));
    expect(stored.filter(Boolean).map((a) => a?.journeyId)).toEqual(winners);
    for (const resourceId of resources) {
      const granules = await granulesOf(resourceId, ['2041-03-04']);
      expect(granules.map((g) => g.SK).sort()).toEqual(['BUSY#1500', 'BUSY#1505', 'BUSY#1510', 'BUSY#1515', 'BUSY#1520', 'BUSY#1525']);
      expect(new Set(granules.map((g) => g.appointmentId))).toEqual(new Set([appointmentIdFor(winners[0] as string)]));
    }
  });

  it('returns the stored booking for a repeated request of the same journey', async () => {
    // Prepare
    const run = randomUUID().slice(0, 6);
    const journeyId = `repeat-${run}`;
    const resources = [`prov-${run}`];
    const first = await bookSlot(table, appointment(journeyId, '2041-03-05T09:00:00-05:00', '2041-03-05T09:30:00-05:00', resources));

    // Act: the retry computed a different slot (the first is busy now), but the journey is already booked.
    const repeated = await bookSlot(table, appointment(journeyId, '2041-03-05T11:00:00-05:00', '2041-03-05T11:30:00-05:00', resources));

    // Assess: same appointment, and the transaction wrote none of the second slot's granules.
    expect(first.outcome).toBe('BOOKED');
    expect(repeated).toEqual({
      outcome: 'ALREADY_BOOKED',
      appointment: expect.objectContaining({ appointmentId: `appt-${journeyId}`, start: '2041-03-05T09:00:00-05:00' }),
    });
    const granules = await granulesOf(`prov-${run}`, ['2041-03-05']);
    expect(granules.map((g) => g.SK).sort()).toEqual(['BUSY#1400', 'BUSY#1405', 'BUSY#1410', 'BUSY#1415', 'BUSY#1420', 'BUSY#1425']);
  });
});

describe('Function: bookEarliestSlot', () => {
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
        bookEarliestSlot(table, {
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
    // …and the granules read back are exactly those of the stored appointments, each owned by the one covering it.
    const days = [...new Set(booked.map((a) => new Date(a.start).toISOString().slice(0, 10)))];
    for (const resourceId of [DEMO_RESOURCES.mriTechNowak, DEMO_RESOURCES.mriScanner]) {
      const granules = (await granulesOf(resourceId, days)).filter((g) => journeys.some((j) => g.appointmentId === appointmentIdFor(j)));
      for (const granule of granules) {
        const owner = booked.find((a) => a.appointmentId === granule.appointmentId);
        const at = Date.parse(granule.granuleStart);
        expect(owner && Date.parse(owner.start) <= at && at < Date.parse(owner.end)).toBe(true);
      }
      expect(granules).toHaveLength(booked.length * 12);
    }
  });
});
