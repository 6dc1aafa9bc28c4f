import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { JourneyRef } from '#contract/journey-workflow.ts';

/** The intake's port to the workflow engine. */
export interface JourneyStarter {
  /** Starts the journey's execution; starting one that already exists is not an error. */
  start(ref: JourneyRef): Promise<void>;
}

/**
 * Step Functions adapter. The execution name is the journeyId, so a journey has at most one execution: calling this
 * again (a client retry after a crash between the write and the start) either starts the missing execution or finds
 * it. The input carries IDs only (PHI stays out of the execution history).
 */
export function sfnJourneyStarter(client: SFNClient, stateMachineArn: string): JourneyStarter {
  return {
    async start({ clinicId, journeyId }) {
      try {
        await client.send(new StartExecutionCommand({ stateMachineArn, name: journeyId, input: JSON.stringify({ clinicId, journeyId }) }));
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') return;
        throw error;
      }
    },
  };
}
