import { DescribeExecutionCommand, RedriveExecutionCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionStatus, JourneyEngine } from './journey-engine-port.ts';

/** Step Functions' answers meaning "this token can never be used again": it was answered, or its execution ended. */
const DEAD_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/**
 * Step Functions adapter of the journey engine. A dead token and an execution that cannot be redriven are answers;
 * every other error (throttling, network) is thrown as the SDK reports it, for the caller to classify.
 */
export function sfnJourneyEngine(client: SFNClient): JourneyEngine {
  return {
    async resume(taskToken, resume) {
      try {
        await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(resume) }));
        return 'RESUMED';
      } catch (error) {
        if (DEAD_TOKEN_ERRORS.has((error as Error).name)) return 'TOKEN_GONE';
        throw error;
      }
    },
    async redrive(executionArn) {
      try {
        await client.send(new RedriveExecutionCommand({ executionArn }));
        return 'REDRIVEN';
      } catch (error) {
        if ((error as Error).name === 'ExecutionNotRedrivable') return 'NOT_REDRIVABLE';
        throw error;
      }
    },
    async describe(executionArn) {
      const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
      return {
        status: execution.status as ExecutionStatus,
        input: JSON.parse(execution.input ?? '{}'),
        redriveCount: execution.redriveCount ?? 0,
      };
    },
  };
}
