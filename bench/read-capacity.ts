/**
 * Read capacity as DynamoDB bills it, for the benches (DynamoDB Local reports ConsumedCapacity, but not by the billing
 * rules: e.g. it reports 0 for an empty Query). On-demand read request units (docs: "Read consumption"):
 * - GetItem: the item's size rounded up to 4 KB; a missing item still costs the minimum.
 * - BatchGetItem: each item (or missing key) on its own, as GetItem.
 * - Query: the total size of the items the key condition evaluates (before any filter or projection), rounded up to
 *   4 KB per page, with a minimum of one unit per page even when empty.
 * One unit is 0.5 RCU eventually consistent, 1 RCU strongly consistent (2 in a transaction).
 */
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { itemSize, readUnits } from './billing.ts';

/** A document-client item's billed size: marshalled to DynamoDB's wire format and sized by bench/billing.ts's rules. */
const sizeOf = (item: Record<string, unknown> | undefined) => (item ? itemSize(marshall(item)) : 0);
const billedRead = (bytes: number, consistent: boolean | undefined) => readUnits(bytes, consistent ? 'strong' : 'eventual');

export interface ReadMeter {
  /** Billed RCU so far. */
  rcu: number;
  /** What DynamoDB Local reported as ConsumedCapacity for the same calls. */
  localReportedRcu: number;
  requests: Record<string, number>;
  reset(): void;
}

/**
 * Wraps `client.send` so every read is also billed by DynamoDB's rules. To price a Query it re-reads the same page with
 * `unmetered` without projection or filter (the items DynamoDB evaluates and bills); Get and BatchGet are priced from
 * the full items, re-read the same way. Writes pass through unbilled (this meter is about reads).
 */
export function meterReads(client: DynamoDBDocumentClient, unmetered: DynamoDBDocumentClient): ReadMeter {
  const meter: ReadMeter = {
    rcu: 0,
    localReportedRcu: 0,
    requests: {},
    reset() {
      meter.rcu = 0;
      meter.localReportedRcu = 0;
      meter.requests = {};
    },
  };
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const reported = (output: unknown) =>
    [(output as { ConsumedCapacity?: unknown }).ConsumedCapacity ?? []]
      .flat()
      .reduce((sum: number, c) => sum + ((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
  (client as { send: (command: unknown) => Promise<unknown> }).send = async (command: unknown) => {
    const name = (command as object).constructor.name;
    const isRead = command instanceof QueryCommand || command instanceof GetCommand || command instanceof BatchGetCommand;
    if (!isRead) return send(command);
    meter.requests[name] = (meter.requests[name] ?? 0) + 1;
    const input = (command as { input: Record<string, unknown> }).input;
    input.ReturnConsumedCapacity ??= 'TOTAL';
    const output = await send(command);
    meter.localReportedRcu += reported(output);
    // Awaited first: `meter.rcu += await …` would read meter.rcu before the await and lose concurrent reads' units.
    const billed = await billedRcu(command as QueryCommand | GetCommand | BatchGetCommand, unmetered);
    meter.rcu += billed;
    return output;
  };
  return meter;
}

async function billedRcu(command: QueryCommand | GetCommand | BatchGetCommand, unmetered: DynamoDBDocumentClient): Promise<number> {
  if (command instanceof QueryCommand) {
    const { KeyConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues, ConsistentRead } = command.input;
    const used = (map: Record<string, unknown> | undefined) =>
      map && Object.fromEntries(Object.entries(map).filter(([token]) => KeyConditionExpression?.includes(token)));
    const names = used(ExpressionAttributeNames);
    const page = await unmetered.send(
      new QueryCommand({
        TableName: command.input.TableName,
        IndexName: command.input.IndexName,
        KeyConditionExpression,
        ...(names && Object.keys(names).length > 0 ? { ExpressionAttributeNames: names as Record<string, string> } : {}),
        ExpressionAttributeValues: used(ExpressionAttributeValues),
        ExclusiveStartKey: command.input.ExclusiveStartKey,
        ScanIndexForward: command.input.ScanIndexForward,
        Limit: command.input.Limit,
        ConsistentRead,
      }),
    );
    const bytes = (page.Items ?? []).reduce((sum, item) => sum + sizeOf(item), 0);
    return billedRead(bytes, ConsistentRead);
  }
  if (command instanceof GetCommand) {
    const { Item } = await unmetered.send(new GetCommand({ TableName: command.input.TableName, Key: command.input.Key }));
    return billedRead(sizeOf(Item), command.input.ConsistentRead);
  }
  let rcu = 0;
  for (const [tableName, request] of Object.entries(command.input.RequestItems ?? {})) {
    for (const key of request.Keys ?? []) {
      const { Item } = await unmetered.send(new GetCommand({ TableName: tableName, Key: key }));
      rcu += billedRead(sizeOf(Item), request.ConsistentRead);
    }
  }
  return rcu;
}
