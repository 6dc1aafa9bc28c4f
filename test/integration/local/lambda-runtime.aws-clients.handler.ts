import { randomUUID } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { dynamo } from '#shared/aws/dynamodb-client.ts';
import { sfn } from '#shared/aws/sfn-client.ts';

/**
 * Test-only handler for test/integration/local/lambda-runtime.test.ts (never in the catalog): puts a stamp on the
 * module-level SDK clients of functions/shared/aws/ on first use and reports it. Two functions that shared
 * those module instances — one set of clients, one socket pool — would report the same stamps.
 */
const STAMP = Symbol.for('lambda-runtime-test.clientStamp');

export interface ClientsIdentity {
  threadId: number;
  dynamoStamp: string;
  sfnStamp: string;
}

const stampOf = (client: object): string => {
  const stamped = client as Record<symbol, string | undefined>;
  stamped[STAMP] ??= randomUUID();
  return stamped[STAMP];
};

export const handler = async (): Promise<ClientsIdentity> => ({ threadId, dynamoStamp: stampOf(dynamo), sfnStamp: stampOf(sfn) });
