import { describe, expect, it } from 'vitest';
import {
  attributeValueSize,
  billCall,
  type Item,
  itemSize,
  type MeteredCall,
  numberSize,
  readUnits,
  storedBytes,
  type TableSchema,
  writeUnits,
} from '#bench/billing.ts';

const KB = 1024;
/** An item of exactly `bytes` bytes: the key attribute name "PK" (2 bytes) plus a string value. */
const sized = (bytes: number, pk = 'x'): Item => ({ PK: { S: pk.padEnd(bytes - 2, '.') } });
const schema: TableSchema = {
  partitionKey: 'PK',
  globalSecondaryIndexes: [{ name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' }],
};
const call = (fields: Omit<MeteredCall, 'commandName' | 'localUnits' | 'detailed'>): MeteredCall => ({
  commandName: `${fields.operation}Command`,
  localUnits: 0,
  detailed: true,
  ...fields,
});

describe('Function: itemSize (DynamoDB "Item sizes and formats")', () => {
  it('counts attribute names and string values as UTF-8 bytes', () => {
    // act / assess
    expect(itemSize({ name: { S: 'Avery' } })).toBe(4 + 5);
    expect(itemSize({ café: { S: 'é' } })).toBe(5 + 2);
  });

  it('sizes numbers at one byte per two significant digits plus one, trimming leading and trailing zeros', () => {
    // act / assess
    expect(numberSize('123')).toBe(3);
    expect(numberSize('0.0012300')).toBe(3);
    expect(numberSize('-1000')).toBe(2);
    expect(numberSize('1.5e10')).toBe(2);
    expect(numberSize('12345678901234567890123456789012345678')).toBe(20);
  });

  it('sizes binary by its bytes, booleans and nulls at one byte, sets as the sum of their members', () => {
    // act / assess
    expect(attributeValueSize({ B: new Uint8Array(10) })).toBe(10);
    expect(attributeValueSize({ BOOL: false })).toBe(1);
    expect(attributeValueSize({ NULL: true })).toBe(1);
    expect(attributeValueSize({ SS: ['ab', 'c'] })).toBe(3);
    expect(attributeValueSize({ NS: ['12', '3'] })).toBe(2 + 2);
  });

  it('sizes a list or map at 3 bytes plus its contents plus 1 byte per element', () => {
    // act / assess
    expect(attributeValueSize({ L: [{ S: 'a' }, { N: '1' }] })).toBe(3 + (1 + 1) + (2 + 1));
    expect(attributeValueSize({ M: { a: { S: 'xy' } } })).toBe(3 + (1 + 2 + 1));
    expect(attributeValueSize({ L: [] })).toBe(3);
  });

  it('adds 100 bytes of per-item overhead to what storage bills', () => {
    // act / assess
    expect(storedBytes(sized(300))).toBe(400);
    expect(storedBytes(undefined)).toBe(0);
  });
});

describe('Function: readUnits and writeUnits (DynamoDB "read and write operations")', () => {
  it('bills a 3,500-byte read as a 4 KB one: 1 strong, 0.5 eventual, 2 transactional', () => {
    // act / assess
    expect([readUnits(3500, 'strong'), readUnits(3500, 'eventual'), readUnits(3500, 'transactional')]).toEqual([1, 0.5, 2]);
  });

  it('bills an 8 KB read 2 strong, 1 eventual, 4 transactional; a 10 KB read as 12 KB', () => {
    // act / assess
    expect([readUnits(8 * KB, 'strong'), readUnits(8 * KB, 'eventual'), readUnits(8 * KB, 'transactional')]).toEqual([2, 1, 4]);
    expect(readUnits(10 * KB, 'strong')).toBe(3);
  });

  it('bills writes per started KB: 500 bytes 1 WCU, 1,025 bytes 2, 3.5 KB 4; transactional twice', () => {
    // act / assess
    expect([writeUnits(500), writeUnits(1025), writeUnits(3.5 * KB)]).toEqual([1, 2, 4]);
    expect([writeUnits(1 * KB, 'transactional'), writeUnits(1.5 * KB, 'transactional')]).toEqual([2, 4]);
  });
});

describe('Function: billCall', () => {
  it('bills BatchGetItem per item: 1.5 KB and 6.5 KB read as 4 KB + 8 KB = 3 RCU strongly consistent', () => {
    // prepare
    const reads = [sized(1.5 * KB), sized(6.5 * KB)].map((item) => ({ key: { PK: item.PK as { S: string } }, item }));

    // act
    const strong = billCall(call({ operation: 'BatchGetItem', tableName: 't', consistentRead: true, reads }), schema);
    const eventual = billCall(call({ operation: 'BatchGetItem', tableName: 't', consistentRead: false, reads }), schema);

    // assess
    expect([strong.rcu, eventual.rcu]).toEqual([3, 1.5]);
  });

  it('bills a Query on the total size evaluated: 10 items of 40.8 KB in all as 44 KB, 1,500 items of 64 bytes as 96 KB', () => {
    // prepare
    const tenItems = Array.from({ length: 10 }, () => sized(Math.round((40.8 * KB) / 10)));
    const smallItems = Array.from({ length: 1500 }, () => sized(64));

    // act
    const ten = billCall(call({ operation: 'Query', tableName: 't', consistentRead: true, pages: [tenItems] }), schema);
    const small = billCall(call({ operation: 'Query', tableName: 't', consistentRead: false, pages: [smallItems] }), schema);

    // assess
    expect(ten.rcu).toBe(11);
    expect(small.rcu).toBe(12);
  });

  it('bills an empty Query one unit strongly consistent, half eventually consistent', () => {
    // act
    const strong = billCall(call({ operation: 'Query', tableName: 't', consistentRead: true, pages: [[]] }), schema);
    const eventual = billCall(call({ operation: 'Query', tableName: 't', pages: [[]] }), schema);

    // assess
    expect([strong.rcu, eventual.rcu]).toEqual([1, 0.5]);
  });

  it('bills a GetItem of an absent item the minimum read', () => {
    // act
    const billed = billCall(call({ operation: 'GetItem', tableName: 't', reads: [{ key: { PK: { S: 'none' } } }] }), schema);

    // assess
    expect(billed.rcu).toBe(0.5);
  });

  it('bills TransactGetItems twice a strong read per item', () => {
    // prepare
    const reads = [sized(5 * KB), sized(100)].map((item) => ({ key: { PK: item.PK as { S: string } }, item }));

    // act
    const billed = billCall(call({ operation: 'TransactGetItems', tableName: 't', reads }), schema);

    // assess
    expect(billed.rcu).toBe(2 * 2 + 2 * 1);
  });

  it('bills an UpdateItem on the larger of the item before and after', () => {
    // prepare
    const writes = [{ action: 'update' as const, key: { PK: { S: 'x' } }, before: sized(2.5 * KB), after: sized(500) }];

    // act
    const billed = billCall(call({ operation: 'UpdateItem', tableName: 't', writes }), schema);

    // assess
    expect(billed.wcu).toBe(3);
  });

  it('bills a PutItem that replaces a larger item on the replaced item', () => {
    // prepare
    const writes = [{ action: 'put' as const, key: { PK: { S: 'x' } }, before: sized(1.2 * KB), requested: sized(300), after: sized(300) }];

    // act
    const billed = billCall(call({ operation: 'PutItem', tableName: 't', writes }), schema);

    // assess
    expect(billed.wcu).toBe(2);
  });

  it('still bills a failed conditional write: 1 WCU for a 1 KB item, 2 WCU for one twice that size', () => {
    // prepare
    const failedOn = (bytes: number) =>
      call({
        operation: 'PutItem',
        tableName: 't',
        failed: 'ConditionalCheckFailedException',
        writes: [{ action: 'put', key: { PK: { S: 'x' } }, before: sized(bytes), after: sized(bytes), requested: sized(200) }],
      });

    // act / assess
    expect(billCall(failedOn(1 * KB), schema).wcu).toBe(1);
    expect(billCall(failedOn(2 * KB), schema).wcu).toBe(2);
  });

  it('bills a DeleteItem on the deleted item, and the minimum when there was none', () => {
    // prepare
    const deleting = (before?: Item) =>
      call({
        operation: 'DeleteItem',
        tableName: 't',
        writes: [{ action: 'delete', key: { PK: { S: 'x' } }, ...(before ? { before } : {}) }],
      });

    // act / assess
    expect(billCall(deleting(sized(1.5 * KB)), schema).wcu).toBe(2);
    expect(billCall(deleting(), schema).wcu).toBe(1);
  });

  it('bills a transaction 2 WCU per item per started KB, however many items (DynamoDB Local reports 4 for 10 items)', () => {
    // prepare
    const writes = Array.from({ length: 10 }, (_, i) => ({
      action: 'put' as const,
      key: { PK: { S: `k${i}` } },
      after: sized(200),
      requested: sized(200),
    }));
    writes.push({ action: 'put', key: { PK: { S: 'big' } }, after: sized(1.5 * KB), requested: sized(1.5 * KB) });

    // act
    const billed = billCall(call({ operation: 'TransactWriteItems', tableName: 't', writes }), schema);

    // assess
    expect(billed.wcu).toBe(10 * 2 + 4);
  });

  it('bills a condition check inside a transaction like a transactional write of the checked item', () => {
    // prepare
    const writes = [{ action: 'conditionCheck' as const, key: { PK: { S: 'x' } }, before: sized(300) }];

    // act
    const billed = billCall(call({ operation: 'TransactWriteItems', tableName: 't', writes }), schema);

    // assess
    expect(billed.wcu).toBe(2);
  });

  it('writes a GSI when the item carries its keys: once on entering or leaving, twice when its index key changes', () => {
    // prepare
    const inIndex = (sk: string): Item => ({ ...sized(300), GSI1PK: { S: 'OPEN' }, GSI1SK: { S: sk } });
    const key = { PK: { S: 'x' } };
    const billed = (write: MeteredCall['writes']) => billCall(call({ operation: 'UpdateItem', tableName: 't', writes: write }), schema).wcu;

    // act / assess
    expect(billed([{ action: 'update', key, after: inIndex('a') }])).toBe(1 + 1);
    expect(billed([{ action: 'update', key, before: inIndex('a'), after: inIndex('b') }])).toBe(1 + 2);
    expect(billed([{ action: 'update', key, before: inIndex('a'), after: sized(300) }])).toBe(1 + 1);
    expect(billed([{ action: 'update', key, before: sized(250), after: sized(300) }])).toBe(1);
  });

  it('writes no index when a conditional write fails', () => {
    // prepare
    const item = { ...sized(300), GSI1PK: { S: 'OPEN' }, GSI1SK: { S: 'a' } };

    // act
    const billed = billCall(
      call({
        operation: 'PutItem',
        tableName: 't',
        failed: 'ConditionalCheckFailedException',
        writes: [{ action: 'put', key: { PK: { S: 'x' } }, requested: item }],
      }),
      schema,
    );

    // assess
    expect(billed.wcu).toBe(1);
  });
});
