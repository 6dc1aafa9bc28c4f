import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { JourneyStarter } from './journey-starter-port.ts';

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
