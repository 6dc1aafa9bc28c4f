import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { PriorAuthorizationCase } from '#model/prior-authorization.ts';
import { keys } from './keys.ts';
import { type TableRef, transactionHeld } from './table.ts';

/**
 * Visits' prior-authorization cases (keys.appointmentAuthorization, next to the visit). Every write of a case also
 * sets its status on the appointment (`authorizationStatus`, for the day schedule and views), in one transaction, so
 * the two never disagree; the appointment's own changes are conditional on that status not having moved
 * (appointment-store.ts).
 */
export interface PriorAuthorizations {
  get(clinicId: string, appointmentId: string): Promise<PriorAuthorizationCase | undefined>;
  /** Opens the visit's case, once: false when it has one already (or the appointment is gone). */
  open(opened: PriorAuthorizationCase): Promise<boolean>;
  /** Writes the case as changed if it is still at the revision before `next`'s: false when someone changed it meanwhile. */
  save(next: PriorAuthorizationCase): Promise<boolean>;
}

export function dynamoPriorAuthorizations(table: TableRef): PriorAuthorizations {
  const write = (record: PriorAuthorizationCase, condition: { ConditionExpression: string; values?: Record<string, unknown> }) =>
    transactionHeld(
      table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table.tableName,
                Item: { ...keys.appointmentAuthorization(record.clinicId, record.appointmentId), ...record },
                ConditionExpression: condition.ConditionExpression,
                ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
              },
            },
            {
              Update: {
                TableName: table.tableName,
                Key: keys.appointment(record.clinicId, record.appointmentId),
                UpdateExpression: 'SET authorizationStatus = :status',
                ConditionExpression: 'attribute_exists(PK)',
                ExpressionAttributeValues: { ':status': record.status },
              },
            },
          ],
        }),
      ),
    );
  return {
    async get(clinicId, appointmentId) {
      const { Item } = await table.client.send(
        new GetCommand({ TableName: table.tableName, Key: keys.appointmentAuthorization(clinicId, appointmentId), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const { PK: _pk, SK: _sk, ...record } = Item;
      return record as PriorAuthorizationCase;
    },
    open: (opened) => write(opened, { ConditionExpression: 'attribute_not_exists(PK)' }),
    save: (next) => write(next, { ConditionExpression: 'revision = :read', values: { ':read': next.revision - 1 } }),
  };
}
