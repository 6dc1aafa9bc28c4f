import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;
type Key = { PK: string; SK: string };
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;
export type TableCommand = 'Get' | 'Put' | 'Update' | 'Delete' | 'TransactWrite';

const awsError = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name, ...extra });
const conditionFailed = () => awsError('ConditionalCheckFailedException', 'The conditional request failed');
const invalid = (message: string) => awsError('ValidationException', message);

/**
 * A TransactWrite that DynamoDB cancelled, with one reason per item as the SDK reports them: the old image of an item
 * whose condition failed, when asked for (ReturnValuesOnConditionCheckFailure ALL_OLD), in DynamoDB's wire format,
 * which the document client leaves untouched in an error.
 */
export const transactionCancelled = (codes: string[], oldItems: Array<Item | undefined> = []) =>
  awsError('TransactionCanceledException', `Transaction cancelled [${codes.join(', ')}]`, {
    CancellationReasons: codes.map((Code, i) => {
      const old = oldItems[i];
      return old ? { Code, Item: wireItem(old) } : { Code };
    }),
  });

/** An item in DynamoDB's wire format (what `marshall` would give): enough for the stores' items. */
function wireItem(item: Item): Record<string, unknown> {
  const wire = (value: unknown): unknown => {
    if (typeof value === 'string') return { S: value };
    if (typeof value === 'number') return { N: String(value) };
    if (typeof value === 'boolean') return { BOOL: value };
    if (value === null) return { NULL: true };
    if (value instanceof Set) {
      const elements = [...value];
      return elements.every((e) => typeof e === 'number') ? { NS: elements.map(String) } : { SS: elements.map(String) };
    }
    if (Array.isArray(value)) return { L: value.map(wire) };
    if (typeof value === 'object') return { M: wireItem(value as Item) };
    throw invalid(`Unsupported attribute value ${String(value)}`);
  };
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, wire(value)]));
}

/**
 * A single table behind the mock that keeps items and evaluates what the stores send, as DynamoDB would: Get (with a
 * projection), Put, Delete and Update with their ConditionExpression (comparisons, IN, AND/OR/NOT, parentheses,
 * attribute_exists, attribute_not_exists, begins_with, contains on strings, sets and lists), Update's SET (values, paths, if_not_exists and list_append), REMOVE, ADD (numbers: so `ADD attempt :one` claims a
 * journey and `#attempt = :attempt` fences it; sets) and DELETE (sets), ReturnValues ALL_NEW/ALL_OLD, and TransactWrite, all-or-nothing with
 * DynamoDB's CancellationReasons (with the old image, in wire format, where ReturnValuesOnConditionCheckFailure asks). Each command applies atomically when sent. Every command still reaches the mock's
 * call history. `beforeNext` lets a test act as a concurrent writer, or make DynamoDB fail, just before a command.
 */
export function inMemoryTable(ddb: AwsClientStub<DynamoDBDocumentClient>) {
  const items = new Map<string, Item>();
  const id = (key: Key) => `${key.PK}|${key.SK}`;
  const hooks: Array<{ command: TableCommand; run: () => void }> = [];
  const before = (command: TableCommand) => {
    const index = hooks.findIndex((h) => h.command === command);
    if (index >= 0) hooks.splice(index, 1)[0]?.run();
  };

  ddb.on(GetCommand).callsFake((input: { Key: Key; ProjectionExpression?: string; ExpressionAttributeNames?: Names }) => {
    before('Get');
    const item = items.get(id(input.Key));
    if (!item) return { Item: undefined };
    return { Item: input.ProjectionExpression ? project(item, input.ProjectionExpression, input.ExpressionAttributeNames) : clone(item) };
  });
  ddb
    .on(PutCommand)
    .callsFake(
      (input: { Item: Item & Key; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values }) => {
        before('Put');
        const current = items.get(id(input.Item));
        if (!holds(input.ConditionExpression, current, input.ExpressionAttributeNames, input.ExpressionAttributeValues))
          throw conditionFailed();
        items.set(id(input.Item), clone(input.Item));
        return {};
      },
    );
  ddb
    .on(DeleteCommand)
    .callsFake(
      (input: { Key: Key; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values }) => {
        before('Delete');
        const current = items.get(id(input.Key));
        if (!holds(input.ConditionExpression, current, input.ExpressionAttributeNames, input.ExpressionAttributeValues))
          throw conditionFailed();
        items.delete(id(input.Key));
        return {};
      },
    );
  ddb.on(UpdateCommand).callsFake((input: UpdateInput) => {
    before('Update');
    const current = items.get(id(input.Key));
    if (!holds(input.ConditionExpression, current, input.ExpressionAttributeNames, input.ExpressionAttributeValues))
      throw Object.assign(
        conditionFailed(),
        input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && current ? { Item: clone(current) } : {},
      );
    const updated = applyUpdate(current ?? { ...input.Key }, input);
    items.set(id(input.Key), updated);
    if (input.ReturnValues === 'ALL_NEW') return { Attributes: clone(updated) };
    if (input.ReturnValues === 'ALL_OLD') return { Attributes: current ? clone(current) : undefined };
    return {};
  });
  ddb.on(TransactWriteCommand).callsFake((input: { TransactItems: TransactItem[] }) => {
    before('TransactWrite');
    const oldItems: Array<Item | undefined> = [];
    const codes = input.TransactItems.map((entry, i) => {
      const op = entry.Put ?? entry.Update ?? entry.Delete ?? entry.ConditionCheck;
      if (!op) throw invalid('Empty transaction item');
      const current = items.get(id(entry.Put ? (entry.Put.Item as Key) : (op as { Key: Key }).Key));
      if (holds(op.ConditionExpression, current, op.ExpressionAttributeNames, op.ExpressionAttributeValues)) return 'None';
      if (op.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && current) oldItems[i] = current;
      return 'ConditionalCheckFailed';
    });
    if (codes.some((code) => code !== 'None')) throw transactionCancelled(codes, oldItems);
    for (const entry of input.TransactItems) {
      if (entry.Put) items.set(id(entry.Put.Item as Key), clone(entry.Put.Item));
      else if (entry.Delete) items.delete(id(entry.Delete.Key));
      else if (entry.Update)
        items.set(id(entry.Update.Key), applyUpdate(items.get(id(entry.Update.Key)) ?? { ...entry.Update.Key }, entry.Update));
    }
    return {};
  });

  return {
    seed: (key: Key, item: object) => items.set(id(key), clone({ ...item, ...key })),
    get: (key: Key) => items.get(id(key)),
    /** Runs `run` just before the next command of this kind is applied; a throw fails that command instead. */
    beforeNext: (command: TableCommand, run: () => void) => hooks.push({ command, run }),
    /** Changes a stored item in place, as another writer would. */
    change: (key: Key, change: (item: Item) => void) => {
      const item = items.get(id(key));
      if (!item) throw new Error(`No item ${id(key)}`);
      change(item);
    },
    /** Audit records the table holds (plain puts and transactions alike), in the order they were written. */
    audits: () => [...items.values()].filter((item) => item.type === 'AuditEvent'),
    /** Every item the table holds, in the order it was first written. */
    items: () => [...items.values()],
  };
}

interface UpdateInput {
  Key: Key;
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Names;
  ExpressionAttributeValues?: Values;
  ReturnValues?: string;
  ReturnValuesOnConditionCheckFailure?: string;
}
type Conditional = {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Names;
  ExpressionAttributeValues?: Values;
  ReturnValuesOnConditionCheckFailure?: string;
};
type TransactItem = {
  Put?: Conditional & { Item: Item };
  Update?: UpdateInput;
  Delete?: Conditional & { Key: Key };
  ConditionCheck?: Conditional & { Key: Key };
};

const clone = <T>(value: T): T => structuredClone(value);

/** A document path (`stages.#stage.staffTaskId`) as attribute names. */
function pathOf(text: string, names: Names): string[] {
  return text.split('.').map((part) => {
    const name = part.startsWith('#') ? names?.[part] : part;
    if (name === undefined) throw invalid(`An expression attribute name used in the document path is not defined: ${part}`);
    return name;
  });
}

function attributeValue(token: string, values: Values): unknown {
  if (!values || !(token in values)) throw invalid(`An expression attribute value used in expression is not defined: ${token}`);
  return values[token];
}

function read(item: Item | undefined, path: string[]): unknown {
  let current: unknown = item;
  for (const name of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Item)[name];
  }
  return current;
}

function project(item: Item, projection: string, names: Names): Item {
  const projected: Item = {};
  for (const text of projection.split(',').map((p) => p.trim())) {
    const path = pathOf(text, names);
    const value = read(item, path);
    if (value === undefined) continue;
    let target = projected;
    for (const name of path.slice(0, -1)) {
      target[name] ??= {};
      target = target[name] as Item;
    }
    target[path.at(-1) as string] = clone(value);
  }
  return projected;
}

function applyUpdate(existing: Item, input: UpdateInput): Item {
  const item = clone(existing);
  const names = input.ExpressionAttributeNames;
  const values = input.ExpressionAttributeValues;
  const clauses = input.UpdateExpression.split(/\b(SET|REMOVE|ADD|DELETE)\b/).map((part) => part.trim());
  for (let i = 1; i < clauses.length; i += 2) {
    const keyword = clauses[i];
    // Commas inside a function call (if_not_exists(path, :value), list_append(a, b)) do not separate actions.
    const actions = (clauses[i + 1] ?? '').split(/,(?![^(]*\))/).map((a) => a.trim());
    for (const action of actions) {
      if (keyword === 'SET') {
        const [target, operand] = action.split('=').map((s) => s.trim()) as [string, string];
        write(item, pathOf(target, names), clone(setOperand(existing, operand, names, values)));
      } else if (keyword === 'REMOVE') {
        const path = pathOf(action, names);
        const parent = read(item, path.slice(0, -1));
        if (parent && typeof parent === 'object') delete (parent as Item)[path.at(-1) as string];
      } else if (keyword === 'ADD') {
        const [target, operand] = action.split(/\s+/) as [string, string];
        const path = pathOf(target, names);
        const increment = attributeValue(operand, values);
        if (increment instanceof Set) {
          // A set grows by the elements given (created if absent), as DynamoDB's ADD on a set does.
          const current = read(item, path) ?? new Set();
          if (!(current instanceof Set)) throw invalid('An operand in the update expression has an incorrect data type');
          write(item, path, new Set([...current, ...increment]));
          continue;
        }
        const current = read(item, path) ?? 0;
        if (typeof current !== 'number' || typeof increment !== 'number') throw invalid('ADD supports numbers and sets only here');
        write(item, path, current + increment);
      } else if (keyword === 'DELETE') {
        // Takes the elements given out of a set; an emptied set is removed, as DynamoDB stores no empty set.
        const [target, operand] = action.split(/\s+/) as [string, string];
        const path = pathOf(target, names);
        const removed = attributeValue(operand, values);
        const current = read(item, path);
        if (!(removed instanceof Set) || (current !== undefined && !(current instanceof Set))) throw invalid('DELETE supports sets only');
        if (!current) continue;
        const left = new Set([...current].filter((element) => !removed.has(element)));
        const parent = (path.length > 1 ? read(item, path.slice(0, -1)) : item) as Item;
        if (left.size > 0) parent[path.at(-1) as string] = left;
        else delete parent[path.at(-1) as string];
      } else {
        throw invalid(`Unsupported update action ${keyword}`);
      }
    }
  }
  return item;
}

/**
 * The value of a SET action's operand, read from the item as it was before the update: a value (`:v`), a document path
 * (`GSI1SK`), `if_not_exists(path, operand)` or `list_append(operand, operand)`, nested as DynamoDB allows. A path the
 * item lacks is DynamoDB's ValidationException (so `list_append(history, :event)` fails on an item without history).
 */
function setOperand(item: Item, operand: string, names: Names, values: Values): unknown {
  const text = operand.trim();
  const call = /^(if_not_exists|list_append)\((.*)\)$/.exec(text);
  if (call) {
    const args = splitArguments(call[2] as string);
    if (args.length !== 2) throw invalid(`Invalid UpdateExpression: ${call[1]} takes two operands: ${text}`);
    const [first, second] = args as [string, string];
    if (call[1] === 'if_not_exists') return read(item, pathOf(first, names)) ?? setOperand(item, second, names, values);
    const [head, tail] = [setOperand(item, first, names, values), setOperand(item, second, names, values)];
    if (!Array.isArray(head) || !Array.isArray(tail)) throw invalid('An operand in the update expression has an incorrect data type');
    return [...head, ...tail];
  }
  if (text.startsWith(':')) return attributeValue(text, values);
  const value = read(item, pathOf(text, names));
  if (value === undefined) throw invalid('The provided expression refers to an attribute that does not exist in the item');
  return value;
}

/** A function call's arguments, split at its own commas (not those of a call nested in it). */
function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

function write(item: Item, path: string[], value: unknown): void {
  const parent = read(item, path.slice(0, -1));
  if (path.length > 1 && (parent === null || typeof parent !== 'object')) {
    throw invalid('The document path provided in the update expression is invalid for update');
  }
  ((path.length > 1 ? parent : item) as Item)[path.at(-1) as string] = value;
}

// Conditions: a small recursive-descent evaluator over DynamoDB's condition grammar.

function holds(expression: string | undefined, item: Item | undefined, names: Names, values: Values): boolean {
  if (!expression) return true;
  const tokens = expression.match(/\(|\)|,|<>|<=|>=|=|<|>|[#:\w.]+/g) ?? [];
  let position = 0;
  const peek = () => tokens[position];
  const next = () => tokens[position++] as string;
  const expect = (token: string) => {
    if (next() !== token) throw invalid(`Invalid ConditionExpression: expected ${token} in ${expression}`);
  };
  const operand = (): unknown => {
    const token = next();
    return token.startsWith(':') ? attributeValue(token, values) : read(item, pathOf(token, names));
  };
  const compare = (left: unknown, operator: string, right: unknown): boolean => {
    if (operator === '=') return left !== undefined && JSON.stringify(left) === JSON.stringify(right);
    if (operator === '<>') return left === undefined || JSON.stringify(left) !== JSON.stringify(right);
    if (typeof left !== typeof right || (typeof left !== 'string' && typeof left !== 'number')) return false;
    const [a, b] = [left as string | number, right as string | number];
    return operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
  };
  const primary = (): boolean => {
    const token = peek();
    if (token === '(') {
      next();
      const result = or();
      expect(')');
      return result;
    }
    if (token === 'NOT') {
      next();
      return !primary();
    }
    if (token === 'attribute_exists' || token === 'attribute_not_exists' || token === 'begins_with' || token === 'contains') {
      next();
      expect('(');
      const path = pathOf(next(), names);
      let argument: unknown;
      if (token === 'begins_with' || token === 'contains') {
        expect(',');
        argument = operand();
      }
      expect(')');
      const value = read(item, path);
      if (token === 'attribute_exists') return value !== undefined;
      if (token === 'attribute_not_exists') return value === undefined;
      if (token === 'contains') {
        // A set or list holding the element, or a string holding the substring; anything else (absent) contains nothing.
        if (value instanceof Set || Array.isArray(value)) return [...value].some((e) => JSON.stringify(e) === JSON.stringify(argument));
        return typeof value === 'string' && typeof argument === 'string' && value.includes(argument);
      }
      return typeof value === 'string' && typeof argument === 'string' && value.startsWith(argument);
    }
    const left = operand();
    const operator = next();
    if (operator === 'IN') {
      expect('(');
      const candidates = [operand()];
      while (peek() === ',') {
        next();
        candidates.push(operand());
      }
      expect(')');
      return candidates.some((candidate) => compare(left, '=', candidate));
    }
    return compare(left, operator, operand());
  };
  const and = (): boolean => {
    let result = primary();
    while (peek() === 'AND') {
      next();
      result = primary() && result;
    }
    return result;
  };
  const or = (): boolean => {
    let result = and();
    while (peek() === 'OR') {
      next();
      result = and() || result;
    }
    return result;
  };
  const result = or();
  if (position !== tokens.length) throw invalid(`Invalid ConditionExpression: unexpected ${peek()} in ${expression}`);
  return result;
}
