import type { Server } from 'node:http';
import sesModule from 'aws-ses-v2-local';

export interface SesEmulator {
  endpoint: string;
  stop: () => Promise<void>;
}

type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;
// The package is CommonJS with an `exports.default`; from ESM the function may sit one level down.
const startSes = ((sesModule as unknown as { default?: StartSes }).default ?? sesModule) as StartSes;

/** Starts the SES v2 emulator in this process, bound to loopback (its default is every interface). */
export async function startSesEmulator(options: { port: number }): Promise<SesEmulator> {
  const server = await startSes({ host: '127.0.0.1', port: options.port });
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: () => new Promise((resolvePromise) => server.close(() => resolvePromise())),
  };
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { content: string; contentType: string; filename: string; size: number }[];
  at: number;
}

/** Reads back what the emulator received (GET /store). */
export async function readSentEmails(endpoint: string, since = 0): Promise<StoredEmail[]> {
  const response = await fetch(`${endpoint}/store?since=${since}`);
  const body = (await response.json()) as { emails: StoredEmail[] };
  return body.emails;
}
