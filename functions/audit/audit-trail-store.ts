import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { auditRecordOfItem, type StoredAuditRecord } from '#shared/audit.ts';
import { keys } from '#shared/keys.ts';
import { batchGetItems, type TableRef } from '#shared/table.ts';

/** Which records: one clinic's, of one patient or of every patient, in a window of time, after a position. */
export interface AuditTrailQuery {
  clinicId: string;
  patientId?: string;
  /** ISO times (milliseconds, Z): records at or after `from` and before `to`. */
  from: string;
  to: string;
  /** The sort key of the last record of the previous page. */
  after?: string;
  limit: number;
}

export interface AuditTrailPage {
  records: StoredAuditRecord[];
  /** The last record's sort key, when more records follow. */
  next?: string;
}

/** The audit trail read back, oldest first (the writing side is the AuditLog port, functions/shared/audit.ts). */
export interface AuditTrail {
  list(query: AuditTrailQuery): Promise<AuditTrailPage>;
}

/**
 * The DynamoDB adapter. By patient: GSI2 (keys only) gives the page's keys, one BatchGet the records. By day: the
 * clinic's day partitions (keys.audit) one after the other from the cursor's day. Either reads `limit + 1` positions,
 * so a page says there is more only when there is. Reads are eventually consistent: a record written a moment ago may
 * show on the next query.
 */
export function dynamoAuditTrail(table: TableRef): AuditTrail {
  // `\u0000` makes the lower bound exclusive of the cursor; records at `to` sort after `to` itself (`<to>#…`).
  const lowerBound = (query: AuditTrailQuery) => (query.after && query.after >= query.from ? `${query.after}\u0000` : query.from);

  async function byPatient(query: AuditTrailQuery & { patientId: string }) {
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :patient AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':patient': keys.auditByPatient(query.clinicId, query.patientId).GSI2PK,
          ':from': lowerBound(query),
          ':to': query.to,
        },
        Limit: query.limit + 1,
      }),
    );
    const page = Items.slice(0, query.limit).map((item) => ({ PK: String(item.PK), SK: String(item.SK) }));
    return { items: await batchGetItems(table, page), next: Items.length > query.limit ? page.at(-1)?.SK : undefined };
  }

  async function byDay(query: AuditTrailQuery) {
    const items: Record<string, unknown>[] = [];
    const from = lowerBound(query);
    for (let day = from.slice(0, 10); day <= query.to.slice(0, 10) && items.length <= query.limit; day = nextDay(day)) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await table.client.send(
          new QueryCommand({
            TableName: table.tableName,
            KeyConditionExpression: 'PK = :day AND SK BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':day': keys.audit(query.clinicId, day, '').PK, ':from': from, ':to': query.to },
            Limit: query.limit + 1 - items.length,
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey && items.length <= query.limit);
    }
    return { items: items.slice(0, query.limit), next: items.length > query.limit ? String(items[query.limit - 1]?.SK) : undefined };
  }

  return {
    async list(query) {
      // A cursor at or past the window's end (a page of another window's): nothing left, and DynamoDB refuses the range.
      if (lowerBound(query) > query.to) return { records: [] };
      const { items, next } = query.patientId ? await byPatient({ ...query, patientId: query.patientId }) : await byDay(query);
      return { records: items.map(auditRecordOfItem), ...(next ? { next } : {}) };
    },
  };
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
