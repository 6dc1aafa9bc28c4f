import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { ExecutionState, ExecutionStatus, JourneyEngine, JourneyExecutions } from './journey-engine-port.ts';

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
    describe: (executionArn) => describeExecution(client, executionArn),
  };
}

/** Step Functions adapter of the ops view of the journey's executions (one state machine: PatientJourney). */
export function sfnJourneyExecutions(client: SFNClient, stateMachineArn: string): JourneyExecutions {
  return {
    async list({ status, limit, cursor }) {
      const page = await client.send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter: status, maxResults: limit, ...(cursor ? { nextToken: cursor } : {}) }),
      );
      return {
        executions: (page.executions ?? []).map((execution) => ({
          executionArn: execution.executionArn ?? '',
          name: execution.name ?? '',
          status: execution.status as ExecutionStatus,
          startedAt: new Date(execution.startDate ?? 0).toISOString(),
          ...(execution.stopDate ? { stoppedAt: new Date(execution.stopDate).toISOString() } : {}),
        })),
        ...(page.nextToken ? { next: page.nextToken } : {}),
      };
    },
    describe: (executionArn) => describeExecution(client, executionArn),
    // arn:aws:states:<region>:<account>:stateMachine:<machine> → …:execution:<machine>:<name>
    executionArnOf: (name) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
  };
}

async function describeExecution(client: SFNClient, executionArn: string): Promise<ExecutionState> {
  const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
  return {
    status: execution.status as ExecutionStatus,
    input: JSON.parse(execution.input ?? '{}'),
    redriveCount: execution.redriveCount ?? 0,
    ...(execution.error ? { error: execution.error } : {}),
  };
}
