/**
 * `npm start`: the whole product on this machine, no AWS account. PORT (default 3000) sets the API port; `--fresh`
 * deletes the local data first; DEMO_API_KEY sets the demo clinic's key (otherwise one is generated once and kept in
 * .local/demo-api-key). Data persists in .local/state: the table, the workflow executions in flight (they resume on the
 * next start, journeys waiting for staff included) and the payment sandbox's ledger.
 */
import { type LocalCloud, startLocalCloud } from './cloud.ts';
import { demoApiKey, LOCAL_DATA_DIR } from './demo-key.ts';

const port = Number(process.env.PORT ?? 3000);
const fresh = process.argv.includes('--fresh');

let cloud: LocalCloud | undefined;
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    // A second Ctrl-C: leave now (child processes get SIGTERM from stopChild already under way).
    process.exit(1);
  }
  stopping = true;
  console.log(`\n${signal}: stopping the local cloud…`);
  await cloud?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  cloud = await startLocalCloud({ port, dataDir: LOCAL_DATA_DIR, fresh, apiKey: demoApiKey() });
} catch (error) {
  console.error(`Could not start the local cloud: ${(error as Error).message}`);
  process.exit(1);
}

const submissions = `${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/intake-submissions`;
console.log(`
Patient Access is running locally${fresh ? ' (fresh data)' : ''}.

  API              ${cloud.apiUrl}   (OpenAPI: ${cloud.apiUrl}/openapi.json)
  Mail viewer      ${cloud.mailViewerUrl}
  Demo clinic      ${cloud.clinicId}
  Demo API key     ${cloud.apiKey}
  Data             ${LOCAL_DATA_DIR}

Try it:
  curl -s -X POST ${submissions} \\
    -H 'content-type: application/json' -H 'x-api-key: ${cloud.apiKey}' \\
    --data @examples/completes.json
  curl -s ${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/journeys/<journeyId> -H 'x-api-key: ${cloud.apiKey}'

Or run every example: npm run demo        Stop: Ctrl-C
`);
