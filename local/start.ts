/**
 * `npm start`: the whole product on this machine, no AWS account. PORT (default 3000) sets the API port; `--fresh`
 * deletes the local data first; DEMO_API_KEY sets the demo clinic's key (otherwise one is generated once and kept in
 * .local/demo-api-key). Data persists in .local/state: the table, the workflow executions in flight (they resume on the
 * next start, journeys waiting for staff included) and the payment sandbox's ledger. The demo staff (one per role) sign
 * in with DEMO_STAFF_PASSWORD, or a password generated once and kept in .local/demo-staff-password.
 */
import { DEMO_STAFF } from '#contract/staff-roles.ts';
import { type LocalCloud, startLocalCloud } from './cloud.ts';
import { demoApiKey, LOCAL_DATA_DIR } from './demo-key.ts';
import { DEMO_STAFF_PASSWORD_FILE, demoStaffPassword } from './staff-identity.ts';

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
  cloud = await startLocalCloud({ port, dataDir: LOCAL_DATA_DIR, fresh, apiKey: demoApiKey(), staffPassword: demoStaffPassword() });
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
  Demo API key     ${cloud.apiKey}   (machines: intake submissions, journey status)
  Demo staff       ${DEMO_STAFF.map((user) => user.username).join(', ')}   (password: DEMO_STAFF_PASSWORD or ${DEMO_STAFF_PASSWORD_FILE})
  Staff sign-in    ${cloud.staffIdentity.endpoint} (Cognito API, pool ${cloud.staffIdentity.userPoolId}, client ${cloud.staffIdentity.clientId})
  Data             ${LOCAL_DATA_DIR}

Try it:
  curl -s -X POST ${submissions} \\
    -H 'content-type: application/json' -H 'x-api-key: ${cloud.apiKey}' \\
    --data @examples/completes.json
  curl -s ${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/journeys/<journeyId> -H 'x-api-key: ${cloud.apiKey}'

A staff decision, as a signed-in person (a token lasts an hour):
  curl -s -X POST ${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/staff-tasks/<taskId>/decision \\
    -H "authorization: Bearer $(npm run -s token -- frontdesk)" -H 'content-type: application/json' \\
    --data '{"action":"RETRY"}'

Or run every example: npm run demo        Stop: Ctrl-C
`);
