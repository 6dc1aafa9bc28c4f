/**
 * DynamoDB's billing rules, as AWS documents them (Developer Guide: "Item sizes and formats", "DynamoDB read and write
 * operations", "Capacity management for transactions"), applied to what a call touched. DynamoDB Local's
 * ReturnConsumedCapacity does not follow them (a 10-item transaction reports 4 WCU, an empty Query 0 RCU), so the
 * bench computes billed units here from item sizes and operation types. Pure: no I/O, no clock.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDbOperation, ItemWrite, MeteredCall, MeteredItem } from '#local/lambda-runtime/dynamodb-capacity.ts';

export type { DynamoDbOperation, ItemRead, ItemWrite, MeteredCall } from '#local/lambda-runtime/dynamodb-capacity.ts';
export type Item = MeteredItem;

/** A write unit covers up to 1 KB of item, a read unit up to 4 KB (KB = 1,024 bytes). */
export const WRITE_UNIT_BYTES = 1024;
export const READ_UNIT_BYTES = 4096;
/** Storage is billed on item size plus 100 bytes of per-item overhead (DynamoDB pricing: "Data storage"). */
export const STORAGE_OVERHEAD_BYTES_PER_ITEM = 100;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * A number's size: about one byte per two significant digits plus one byte. Leading and trailing zeros are not
 * significant (nor are the sign, the decimal point or an exponent).
 */
export function numberSize(text: string): number {
  const mantissa = text.trim().replace(/^[+-]/, '').split(/[eE]/)[0] ?? '';
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return 1 + Math.ceil(digits.length / 2);
}

/** The size of a value, without its attribute name. */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  // A list or map: 3 bytes, its contents, and 1 byte per element (a map's contents include its keys' names).
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + attributeValueSize(element) + 1, 0);
  if (value.M !== undefined)
    return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + utf8(name) + attributeValueSize(element) + 1, 0);
  throw new Error(`Unknown attribute value type: ${Object.keys(value).join(', ')}`);
}

/** An item's size: every attribute's UTF-8 name plus its value. An absent item is 0 bytes. */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + attributeValueSize(value), 0);
}

export type WriteMode = 'standard' | 'transactional';
export type ReadMode = 'strong' | 'eventual' | 'transactional';

/** Write units for one item: ⌈size / 1 KB⌉, at least one; a transactional write costs twice (prepare + commit). */
export function writeUnits(bytes: number, mode: WriteMode = 'standard'): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES)) * (mode === 'transactional' ? 2 : 1);
}

/** Read units for one item (or one Query/Scan page): ⌈size / 4 KB⌉, at least one; eventual ½, transactional 2×. */
export function readUnits(bytes: number, mode: ReadMode = 'strong'): number {
  const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  return mode === 'eventual' ? units / 2 : mode === 'transactional' ? units * 2 : units;
}

/** A global secondary index as DescribeTable gives it; writes propagate to it when an item carries its keys. */
export interface IndexSchema {
  name: string;
  partitionKey: string;
  sortKey?: string;
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  nonKeyAttributes?: string[];
}

export interface TableSchema {
  partitionKey: string;
  sortKey?: string;
  globalSecondaryIndexes: IndexSchema[];
}

/** A billed line: which item (or Query partition) the units paid for, and how. */
export interface BilledLine {
  kind: 'read' | 'write';
  /** The item's key (writes, gets); for a Query, the partition's key; for a Scan, none. */
  key?: Item;
  units: number;
  /** Index writes are billed apart from the base-table write of the same item. */
  index?: string;
  /** The billed item size in bytes (base table), for storage and explanations. */
  bytes: number;
  action?: ItemWrite['action'] | 'get' | 'query' | 'scan';
}

export interface BilledCall {
  rcu: number;
  wcu: number;
  lines: BilledLine[];
}

const READ_OPERATIONS = new Set<DynamoDbOperation>(['GetItem', 'BatchGetItem', 'TransactGetItems', 'Query', 'Scan']);
export const isReadOperation = (operation: DynamoDbOperation | undefined) => operation !== undefined && READ_OPERATIONS.has(operation);

/**
 * Bills one call by DynamoDB's rules:
 * - PutItem: the larger of the item replaced and the item written; UpdateItem: the larger of before and after;
 *   DeleteItem: the item deleted; at least 1 WCU each. A failed conditional write costs the same (its size is the
 *   stored item's, or the Put's).
 * - TransactWriteItems: 2× per item (Put, Update, Delete and ConditionCheck), whatever DynamoDB Local reports. A
 *   cancelled transaction is billed like a failed conditional write: every item it named, at the transactional rate.
 * - GSIs: a write whose item carries the index's keys writes the index too (standard rate, projected size): one write
 *   when the item enters, changes in or leaves the index, two (delete + put) when its index key changes.
 * - GetItem: ⌈size / 4 KB⌉ (½ eventually consistent), at least one unit even for an absent item; BatchGetItem per
 *   item; TransactGetItems 2× per item.
 * - Query/Scan: per page, the total size of the items evaluated (before the filter) rounded up to 4 KB, at least one
 *   unit (½ eventually consistent) even when nothing matched.
 */
export function billCall(call: MeteredCall, schema: TableSchema): BilledCall {
  const lines: BilledLine[] = [];
  switch (call.operation) {
    case undefined:
      break;
    case 'GetItem':
    case 'BatchGetItem':
    case 'TransactGetItems': {
      const mode: ReadMode = call.operation === 'TransactGetItems' ? 'transactional' : call.consistentRead ? 'strong' : 'eventual';
      for (const read of call.reads ?? []) {
        const bytes = itemSize(read.item);
        lines.push({ kind: 'read', key: read.key, units: readUnits(bytes, mode), bytes, action: 'get' });
      }
      break;
    }
    case 'Query':
    case 'Scan': {
      const mode: ReadMode = call.consistentRead ? 'strong' : 'eventual';
      const key = call.queryPartition === undefined ? undefined : { [schema.partitionKey]: { S: call.queryPartition } };
      for (const page of call.pages?.length ? call.pages : [[]]) {
        const bytes = page.reduce((sum, item) => sum + itemSize(item), 0);
        lines.push({
          kind: 'read',
          ...(key ? { key } : {}),
          units: readUnits(bytes, mode),
          bytes,
          action: call.operation === 'Query' ? 'query' : 'scan',
          ...(call.indexName ? { index: call.indexName } : {}),
        });
      }
      break;
    }
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
    case 'BatchWriteItem':
    case 'TransactWriteItems': {
      const mode: WriteMode = call.operation === 'TransactWriteItems' ? 'transactional' : 'standard';
      const applied = call.failed === undefined;
      for (const write of call.writes ?? []) {
        const bytes = billedWriteBytes(write);
        lines.push({ kind: 'write', key: write.key, units: writeUnits(bytes, mode), bytes, action: write.action });
        if (applied && write.action !== 'conditionCheck') lines.push(...indexWrites(write, schema));
      }
      break;
    }
  }
  const sum = (kind: BilledLine['kind']) => lines.filter((l) => l.kind === kind).reduce((s, l) => s + l.units, 0);
  return { rcu: sum('read'), wcu: sum('write'), lines };
}

/** The size a write is billed on (see billCall). */
export function billedWriteBytes(write: ItemWrite): number {
  switch (write.action) {
    case 'put':
      return Math.max(itemSize(write.before), itemSize(write.requested ?? write.after));
    case 'update':
      return Math.max(itemSize(write.before), itemSize(write.after));
    case 'delete':
    case 'conditionCheck':
      return itemSize(write.before);
  }
}

function indexWrites(write: ItemWrite, schema: TableSchema): BilledLine[] {
  const lines: BilledLine[] = [];
  const after = write.action === 'delete' ? undefined : (write.after ?? write.requested);
  for (const index of schema.globalSecondaryIndexes) {
    const keyOf = (item: Item | undefined) => {
      const pk = item?.[index.partitionKey];
      const sk = index.sortKey ? item?.[index.sortKey] : undefined;
      if (!pk || (index.sortKey && !sk)) return undefined;
      return JSON.stringify([pk, sk ?? null]);
    };
    const [keyBefore, keyAfter] = [keyOf(write.before), keyOf(after)];
    const projectedBefore = keyBefore ? projectedItem(write.before as Item, index, schema) : undefined;
    const projectedAfter = keyAfter ? projectedItem(after as Item, index, schema) : undefined;
    const line = (item: Item) => {
      const bytes = itemSize(item);
      lines.push({ kind: 'write', key: write.key, units: writeUnits(bytes), bytes, index: index.name, action: write.action });
    };
    if (projectedBefore && projectedAfter && keyBefore === keyAfter) {
      // Same index entry: rewritten only when a projected attribute changed, on the larger of the two images.
      if (JSON.stringify(sortedItem(projectedBefore)) !== JSON.stringify(sortedItem(projectedAfter)))
        line(itemSize(projectedBefore) >= itemSize(projectedAfter) ? projectedBefore : projectedAfter);
    } else {
      if (projectedBefore) line(projectedBefore);
      if (projectedAfter) line(projectedAfter);
    }
  }
  return lines;
}

function projectedItem(item: Item, index: IndexSchema, schema: TableSchema): Item {
  if (index.projection === 'ALL') return item;
  const names = new Set([schema.partitionKey, schema.sortKey, index.partitionKey, index.sortKey].filter((n) => n !== undefined));
  if (index.projection === 'INCLUDE') for (const n of index.nonKeyAttributes ?? []) names.add(n);
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
}

const sortedItem = (item: Item) => Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)));

/** Bytes an item occupies in storage (its size plus DynamoDB's 100-byte per-item overhead). */
export const storedBytes = (item: Item | undefined) => (item ? itemSize(item) + STORAGE_OVERHEAD_BYTES_PER_ITEM : 0);
