import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Recurrence } from '#model/recurrence.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/** A series as booked: what was asked, which visits were placed (their appointments) and which dates were not. */
export interface SeriesRecord {
  type: 'AppointmentSeries';
  clinicId: string;
  seriesId: string;
  patientId: string;
  appointmentType: string;
  recurrence: Recurrence;
  startDate: string;
  appointmentIds: string[];
  unplacedDates: string[];
  createdAt: string;
  createdBy: string;
}

/** The series' port: one item per series (keys.series), written once it is booked. */
export interface SeriesStore {
  get(clinicId: string, seriesId: string): Promise<SeriesRecord | undefined>;
  put(series: SeriesRecord): Promise<void>;
}

export function dynamoSeriesStore(table: TableRef): SeriesStore {
  return {
    async get(clinicId, seriesId) {
      const { Item } = await table.client.send(
        new GetCommand({ TableName: table.tableName, Key: keys.series(clinicId, seriesId), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const { PK: _pk, SK: _sk, ...series } = Item;
      return series as SeriesRecord;
    },
    async put(series) {
      // Written whole, last: a retried booking of the series (same key) places what was missing and writes it again.
      await table.client.send(
        new PutCommand({ TableName: table.tableName, Item: { ...keys.series(series.clinicId, series.seriesId), ...series } }),
      );
    },
  };
}
