/**
 * DynamoDB capacity of the handlers' calls, for measurements (npm run bench). Each execution environment has its own
 * SDK clients, so a meter must run inside every environment: preload this module there
 * (`localLambda.setPreload([DYNAMODB_CAPACITY_PRELOAD])` before the first invocation) and listen in the main thread with
 * `onDynamoDbCapacity`. Inside an environment it asks DynamoDB for the consumed capacity of every call made with the
 * module-level client of functions/shared/aws-clients.ts, and broadcasts it with the command's name.
 */
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

/** This module, as `setPreload` takes it. */
export const DYNAMODB_CAPACITY_PRELOAD = 'local/lambda-runtime/dynamodb-capacity.ts';
const CHANNEL = 'local-lambda-runtime:dynamodb-capacity';

export interface CapacityReport {
  /** The SDK command, e.g. GetCommand, TransactWriteCommand. */
  commandName: string;
  /** Capacity units DynamoDB reported for the call (all tables and indexes). */
  units: number;
}

/** Calls `listener` for every metered call in any environment; returns a function that stops listening. */
export function onDynamoDbCapacity(listener: (report: CapacityReport) => void): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (message) => listener((message as { data: CapacityReport }).data);
  return () => channel.close();
}

if (!isMainThread) {
  const { dynamo } = await import('#shared/aws-clients.ts');
  const channel = new BroadcastChannel(CHANNEL);
  // Not a reason to keep the environment alive.
  channel.unref();
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> };
      const units = [output.ConsumedCapacity ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      channel.postMessage({ commandName: context.commandName ?? '', units } satisfies CapacityReport);
      return result;
    },
    { step: 'initialize', name: 'localCapacityMeter' },
  );
}
