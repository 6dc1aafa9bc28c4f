import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;
type Key = { PK: string; SK: string };

const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

/**
 * Just enough of a table behind the mock for staff alerts to be retried against state: items are stored; a Put with
 * `attribute_not_exists(PK)` fails on an existing item; the `alertedAt` update keeps its condition. Other updates are
 * only recorded. Every command still reaches the mock's call history.
 */
export function inMemoryTable(ddb: AwsClientStub<DynamoDBDocumentClient>) {
  const items = new Map<string, Item>();
  const id = (key: Key) => `${key.PK}|${key.SK}`;

  ddb.on(GetCommand).callsFake((input: { Key: Key }) => {
    const item = items.get(id(input.Key));
    return { Item: item ? structuredClone(item) : undefined };
  });
  ddb.on(PutCommand).callsFake((input: { Item: Item & Key; ConditionExpression?: string }) => {
    if (input.ConditionExpression === 'attribute_not_exists(PK)' && items.has(id(input.Item))) throw conditionFailed();
    items.set(id(input.Item), structuredClone(input.Item));
    return {};
  });
  ddb.on(UpdateCommand).callsFake((input: { Key: Key; UpdateExpression: string; ExpressionAttributeValues: Item }) => {
    if (input.UpdateExpression !== 'SET alertedAt = :at') return {};
    const item = items.get(id(input.Key));
    if (!item || item.alertedAt !== undefined) throw conditionFailed();
    item.alertedAt = input.ExpressionAttributeValues[':at'];
    return {};
  });

  return {
    seed: (key: Key, item: object) => items.set(id(key), { ...key, ...item }),
    get: (key: Key) => items.get(id(key)),
    /** Audit records in the order they were written. */
    audits: () =>
      ddb.commandCalls(PutCommand).flatMap((call) => {
        const item = call.args[0].input.Item;
        return item?.type === 'AuditEvent' ? [item] : [];
      }),
  };
}
