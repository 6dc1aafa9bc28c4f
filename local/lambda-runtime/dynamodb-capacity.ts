/**
 * What the handlers' DynamoDB calls touched, for measurements (npm run bench). Each execution environment has its own
 * SDK clients, so a meter must run inside every environment: preload this module there
 * (`localLambda.setPreload([DYNAMODB_CAPACITY_PRELOAD])` before the first invocation) and listen in the main thread with
 * `onDynamoDbCalls`. Inside an environment it meters every call made with the module-level client of
 * functions/shared/aws/dynamodb-client.ts and broadcasts, per call, what DynamoDB's billing rules need (bench/billing.ts):
 * the operation, DynamoDB Local's ReturnConsumedCapacity, and the stored items the call touched — read with a separate,
 * unmetered client before and after the call (writes), after it (gets), or by re-running a Query or Scan page without
 * its FilterExpression (the items DynamoDB evaluated, matched or not). Nothing the handler sees changes: the extra reads
 * go through another client, and ReturnConsumedCapacity is only set where the handler left it unset.
 *
 * `setDynamoDbMeterDetail(false)` (main thread) stops the extra reads, e.g. while measuring throughput; the figure from
 * DynamoDB Local is still reported.
 */

import { BroadcastChannel, isMainThread, workerData } from 'node:worker_threads';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** This module, as `setPreload` takes it. */
export const DYNAMODB_CAPACITY_PRELOAD = 'local/lambda-runtime/dynamodb-capacity.ts';
const CHANNEL = 'local-lambda-runtime:dynamodb-capacity';
/** Read per call, so the main thread can switch it while environments run (workers share process.env). */
const DETAIL_VARIABLE = 'LOCAL_DYNAMODB_METER_DETAIL';

export type MeteredItem = Record<string, AttributeValue>;

export type DynamoDbOperation =
  | 'GetItem'
  | 'BatchGetItem'
  | 'TransactGetItems'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'TransactWriteItems';

/** One item a write call named: the stored item before and after the call, and for a Put the item it sent. */
export interface ItemWrite {
  action: 'put' | 'update' | 'delete' | 'conditionCheck';
  key: MeteredItem;
  before?: MeteredItem;
  after?: MeteredItem;
  /** A Put's item as sent (what a failed conditional Put would have written). */
  requested?: MeteredItem;
}

/** One item a Get/BatchGet/TransactGet asked for, and what was stored (absent: no such item). */
export interface ItemRead {
  key: MeteredItem;
  item?: MeteredItem;
}

/** What one DynamoDB call touched, as the meter saw it. */
export interface MeteredCall {
  /** Undefined for calls that are not item reads or writes (DescribeTable, PartiQL, …): not billed by the bench. */
  operation?: DynamoDbOperation;
  /** The SDK command's name (GetItemCommand, TransactWriteItemsCommand, …). */
  commandName: string;
  tableName?: string;
  /** The GSI a Query or Scan read, if any. */
  indexName?: string;
  /** GetItem, Query, Scan, BatchGetItem: ConsistentRead as sent. */
  consistentRead?: boolean;
  /** The error the call ended with (ConditionalCheckFailedException, TransactionCanceledException, …). */
  failed?: string;
  reads?: ItemRead[];
  writes?: ItemWrite[];
  /** Query/Scan: the page's items as evaluated, before any FilterExpression (one page per call). */
  pages?: MeteredItem[][];
  /** A Query's partition key value, read from its key condition. */
  queryPartition?: string;
  /** DynamoDB Local's ReturnConsumedCapacity for the call (all tables and indexes; 0 when it failed). */
  localUnits: number;
  /** False when the meter was told to skip the item reads (`setDynamoDbMeterDetail(false)`). */
  detailed: boolean;
  /** The function whose client made the call. */
  functionName?: string;
}

/** Calls `listener` for every metered call in any environment; returns a function that stops listening. */
export function onDynamoDbCalls(listener: (call: MeteredCall) => void): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (message) => listener((message as { data: MeteredCall }).data);
  return () => channel.close();
}

/** Turns the meter's item reads on (default) or off, in every environment, from the next call on. */
export function setDynamoDbMeterDetail(detail: boolean): void {
  process.env[DETAIL_VARIABLE] = detail ? 'on' : 'off';
}

const OPERATIONS: Record<string, DynamoDbOperation> = {
  Get: 'GetItem',
  GetItem: 'GetItem',
  BatchGet: 'BatchGetItem',
  BatchGetItem: 'BatchGetItem',
  TransactGet: 'TransactGetItems',
  TransactGetItems: 'TransactGetItems',
  Query: 'Query',
  Scan: 'Scan',
  Put: 'PutItem',
  PutItem: 'PutItem',
  Update: 'UpdateItem',
  UpdateItem: 'UpdateItem',
  Delete: 'DeleteItem',
  DeleteItem: 'DeleteItem',
  BatchWrite: 'BatchWriteItem',
  BatchWriteItem: 'BatchWriteItem',
  TransactWrite: 'TransactWriteItems',
  TransactWriteItems: 'TransactWriteItems',
};

/** The operation a command name stands for (document-client and low-level names alike). */
export const operationOf = (commandName: string): DynamoDbOperation | undefined => OPERATIONS[commandName.replace(/Command$/, '')];

if (!isMainThread) await instrument();

async function instrument(): Promise<void> {
  const { DescribeTableCommand, DynamoDBClient, GetItemCommand, QueryCommand, ScanCommand } = await import('@aws-sdk/client-dynamodb');
  const { dynamo } = await import('#shared/aws/dynamodb-client.ts');
  const functionName = (workerData as { functionName?: string } | undefined)?.functionName;
  const channel = new BroadcastChannel(CHANNEL);
  // Not a reason to keep the environment alive.
  channel.unref();

  // Created on first use: the local cloud sets the endpoint (AWS_ENDPOINT_URL_DYNAMODB) before the first invocation.
  let unmeteredClient: InstanceType<typeof DynamoDBClient> | undefined;
  const unmetered = () => {
    unmeteredClient ??= new DynamoDBClient({});
    return unmeteredClient;
  };
  interface Keys {
    partitionKey: string;
    sortKey?: string;
    indexes: Record<string, { partitionKey: string }>;
  }
  const schemas = new Map<string, Promise<Keys>>();
  const keysOf = (tableName: string): Promise<Keys> => {
    let keys = schemas.get(tableName);
    if (!keys) {
      keys = unmetered()
        .send(new DescribeTableCommand({ TableName: tableName }))
        .then(({ Table }) => {
          const hash = (schema: Array<{ AttributeName?: string; KeyType?: string }> | undefined) =>
            schema?.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '';
          const sortKey = Table?.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
          return {
            partitionKey: hash(Table?.KeySchema),
            ...(sortKey ? { sortKey } : {}),
            indexes: Object.fromEntries(
              (Table?.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName ?? '', { partitionKey: hash(i.KeySchema) }]),
            ),
          };
        });
      schemas.set(tableName, keys);
    }
    return keys;
  };
  const read = async (tableName: string, key: MeteredItem): Promise<MeteredItem | undefined> =>
    (await unmetered().send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  type Input = Record<string, unknown>;
  interface Named {
    tableName: string;
    action: ItemWrite['action'];
    key: MeteredItem;
    requested?: MeteredItem;
  }

  /** The items a write names, with their keys (a Put's key comes from its item). */
  async function writeTargets(operation: DynamoDbOperation, input: Input): Promise<Named[]> {
    const keyFrom = async (tableName: string, item: MeteredItem) => {
      const { partitionKey, sortKey } = await keysOf(tableName);
      return Object.fromEntries(Object.entries(item).filter(([name]) => name === partitionKey || name === sortKey));
    };
    const tableName = input.TableName as string;
    switch (operation) {
      case 'PutItem': {
        const item = input.Item as MeteredItem;
        return [{ tableName, action: 'put', key: await keyFrom(tableName, item), requested: item }];
      }
      case 'UpdateItem':
        return [{ tableName, action: 'update', key: input.Key as MeteredItem }];
      case 'DeleteItem':
        return [{ tableName, action: 'delete', key: input.Key as MeteredItem }];
      case 'TransactWriteItems': {
        type Action = { TableName: string; Key?: MeteredItem; Item?: MeteredItem };
        const items = input.TransactItems as Array<{ Put?: Action; Update?: Action; Delete?: Action; ConditionCheck?: Action }>;
        return Promise.all(
          items.map(async (entry) => {
            if (entry.Put)
              return {
                tableName: entry.Put.TableName,
                action: 'put' as const,
                key: await keyFrom(entry.Put.TableName, entry.Put.Item ?? {}),
                requested: entry.Put.Item ?? {},
              };
            const [action, spec] = entry.Update
              ? (['update', entry.Update] as const)
              : entry.Delete
                ? (['delete', entry.Delete] as const)
                : (['conditionCheck', entry.ConditionCheck as Action] as const);
            return { tableName: spec.TableName, action, key: spec.Key ?? {} };
          }),
        );
      }
      case 'BatchWriteItem': {
        type Request = { PutRequest?: { Item: MeteredItem }; DeleteRequest?: { Key: MeteredItem } };
        const byTable = Object.entries(input.RequestItems as Record<string, Request[]>);
        const targets = await Promise.all(
          byTable.flatMap(([table, requests]) =>
            requests.map(async (r): Promise<Named> => {
              if (r.PutRequest)
                return { tableName: table, action: 'put', key: await keyFrom(table, r.PutRequest.Item), requested: r.PutRequest.Item };
              return { tableName: table, action: 'delete', key: r.DeleteRequest?.Key ?? {} };
            }),
          ),
        );
        return targets;
      }
      default:
        return [];
    }
  }

  /** The keys a Get, BatchGet or TransactGet asks for. */
  function readTargets(operation: DynamoDbOperation, input: Input): Array<{ tableName: string; key: MeteredItem }> {
    switch (operation) {
      case 'GetItem':
        return [{ tableName: input.TableName as string, key: input.Key as MeteredItem }];
      case 'BatchGetItem':
        return Object.entries(input.RequestItems as Record<string, { Keys: MeteredItem[] }>).flatMap(([tableName, r]) =>
          r.Keys.map((key) => ({ tableName, key })),
        );
      case 'TransactGetItems':
        return (input.TransactItems as Array<{ Get: { TableName: string; Key: MeteredItem } }>).map(({ Get }) => ({
          tableName: Get.TableName,
          key: Get.Key,
        }));
      default:
        return [];
    }
  }

  /** The page a Query or Scan evaluated, before its filter: the same request without the filter and projection. */
  async function evaluatedPage(operation: 'Query' | 'Scan', input: Input): Promise<MeteredItem[]> {
    const keyCondition = input.KeyConditionExpression as string | undefined;
    const used = (map: unknown, pattern: RegExp) => {
      const names = new Set((keyCondition ?? '').match(pattern) ?? []);
      const entries = Object.entries((map as Record<string, unknown> | undefined) ?? {}).filter(([name]) => names.has(name));
      return entries.length ? Object.fromEntries(entries) : undefined;
    };
    const common = {
      TableName: input.TableName as string,
      IndexName: input.IndexName as string | undefined,
      Limit: input.Limit as number | undefined,
      ExclusiveStartKey: input.ExclusiveStartKey as MeteredItem | undefined,
      ConsistentRead: input.ConsistentRead as boolean | undefined,
      Select: input.IndexName ? ('ALL_PROJECTED_ATTRIBUTES' as const) : ('ALL_ATTRIBUTES' as const),
    };
    if (operation === 'Scan') {
      const page = await unmetered().send(
        new ScanCommand({
          ...common,
          Segment: input.Segment as number | undefined,
          TotalSegments: input.TotalSegments as number | undefined,
        }),
      );
      return page.Items ?? [];
    }
    const page = await unmetered().send(
      new QueryCommand({
        ...common,
        KeyConditionExpression: keyCondition,
        KeyConditions: input.KeyConditions as never,
        ExpressionAttributeNames: used(input.ExpressionAttributeNames, /#[\w]+/g) as Record<string, string> | undefined,
        ExpressionAttributeValues: used(input.ExpressionAttributeValues, /:[\w]+/g) as Record<string, AttributeValue> | undefined,
        ScanIndexForward: input.ScanIndexForward as boolean | undefined,
      }),
    );
    return page.Items ?? [];
  }

  /** The partition key value a Query's key condition names (`PK = :pk`, `#pk = :v`). */
  async function queryPartition(input: Input): Promise<string | undefined> {
    const keys = await keysOf(input.TableName as string);
    const partitionKey = input.IndexName ? keys.indexes[input.IndexName as string]?.partitionKey : keys.partitionKey;
    const names = (input.ExpressionAttributeNames as Record<string, string> | undefined) ?? {};
    const values = (input.ExpressionAttributeValues as Record<string, AttributeValue> | undefined) ?? {};
    for (const [, name, value] of ((input.KeyConditionExpression as string | undefined) ?? '').matchAll(/([#\w]+)\s*=\s*(:[\w]+)/g)) {
      if ((names[name as string] ?? name) === partitionKey) return values[value as string]?.S;
    }
    return undefined;
  }

  dynamo.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Input;
      input.ReturnConsumedCapacity ??= 'TOTAL';
      return next(args);
    },
    { step: 'initialize', name: 'localCapacityMeter' },
  );

  // At the build step the document client has marshalled the input, so the items are DynamoDB's wire format.
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? '';
      const operation = operationOf(commandName);
      const input = args.input as Input;
      const detailed = operation !== undefined && process.env[DETAIL_VARIABLE] !== 'off';
      const targets = detailed ? await writeTargets(operation, input) : [];
      const before = await Promise.all(targets.map((t) => read(t.tableName, t.key)));
      let result: Awaited<ReturnType<typeof next>> | undefined;
      let error: unknown;
      try {
        result = await next(args);
      } catch (caught) {
        error = caught;
      }
      const output = result?.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> } | undefined;
      const call: MeteredCall = {
        commandName,
        ...(operation ? { operation } : {}),
        ...(typeof input.TableName === 'string' ? { tableName: input.TableName } : {}),
        ...(typeof input.IndexName === 'string' ? { indexName: input.IndexName } : {}),
        ...(typeof input.ConsistentRead === 'boolean' ? { consistentRead: input.ConsistentRead } : {}),
        ...(operation === 'BatchGetItem'
          ? {
              consistentRead: Object.values(input.RequestItems as Record<string, { ConsistentRead?: boolean }>).some(
                (r) => r.ConsistentRead,
              ),
            }
          : {}),
        ...(error ? { failed: (error as Error).name } : {}),
        localUnits: [output?.ConsumedCapacity ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0),
        detailed,
        ...(functionName ? { functionName } : {}),
      };
      try {
        if (detailed && operation) {
          if (targets.length) {
            const after = await Promise.all(targets.map((t) => (t.action === 'conditionCheck' ? undefined : read(t.tableName, t.key))));
            call.writes = targets.map((t, i) => ({
              action: t.action,
              key: t.key,
              ...(before[i] ? { before: before[i] } : {}),
              ...(after[i] ? { after: after[i] } : {}),
              ...(t.requested ? { requested: t.requested } : {}),
            }));
          }
          const reads = readTargets(operation, input);
          if (reads.length) {
            const items = await Promise.all(reads.map((r) => read(r.tableName, r.key)));
            call.reads = reads.map((r, i) => ({ key: r.key, ...(items[i] ? { item: items[i] } : {}) }));
          }
          if (operation === 'Query' || operation === 'Scan') {
            call.pages = [await evaluatedPage(operation, input)];
            if (operation === 'Query') {
              const partition = await queryPartition(input);
              if (partition !== undefined) call.queryPartition = partition;
            }
          }
        }
      } catch (meterError) {
        // The meter never changes what the handler sees; an incomplete record says so.
        call.detailed = false;
        process.emitWarning(`dynamodb meter: ${(meterError as Error).message}`);
      }
      channel.postMessage(call);
      if (error) throw error;
      return result as Awaited<ReturnType<typeof next>>;
    },
    { step: 'build', name: 'localBillingMeter' },
  );
}
