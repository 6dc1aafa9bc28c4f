import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const DYNAMODB_LOCAL_DIR = resolve(import.meta.dirname, '..', '.local', 'dynamodb-local');
/** Binds DynamoDB Local to loopback (it has no option for that) and ends it with its parent; see the file. */
const LOOPBACK_LAUNCHER = resolve(import.meta.dirname, 'dynamodb-loopback', 'LoopbackDynamoDBLocal.java');

/** Fails with one clear line when Java or the jar is missing (the jar comes from `npm install`'s postinstall). */
export function assertDynamoDbLocalPrerequisites(): void {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    throw new Error(
      'Java 17+ is required for DynamoDB Local: install it with `sudo apt-get install -y openjdk-17-jre-headless` (or brew install openjdk@17).',
    );
  }
  if (!existsSync(join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar'))) {
    throw new Error('DynamoDB Local is not installed: run `npm install` (its postinstall fetches the jar).');
  }
}

export interface DynamoDbLocal {
  endpoint: string;
  stop: () => Promise<void>;
  /**
   * Ends the JVM at once (SIGKILL), as a crash would: requests in flight are cut and new connections are refused until
   * `restart()`. Resolves once the process has exited. Without `dbPath` the data goes with it.
   */
  kill: () => Promise<void>;
  /** Starts DynamoDB Local again on the same port with the same data directory; resolves once the port accepts connections. */
  restart: () => Promise<void>;
  /** False between `kill()` (or `stop()`) and `restart()`. */
  readonly running: boolean;
}

/**
 * Starts the official DynamoDB Local on 127.0.0.1 only. With `dbPath`, data survives restarts; without, it is in
 * memory. Resolves once the port accepts connections. The JVM exits by itself if this process dies.
 */
export async function startDynamoDbLocal(options: { port: number; dbPath?: string; maxHeapMb?: number }): Promise<DynamoDbLocal> {
  assertDynamoDbLocalPrerequisites();
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  // In memory, DynamoDB Local still writes a metadata file into its working directory: keep it out of the repo.
  const cwd = options.dbPath ?? mkdtempSync(join(tmpdir(), 'dynamodb-local-'));
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(
      'java',
      [
        `-Xmx${options.maxHeapMb ?? 512}m`,
        `-Djava.library.path=${join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal_lib')}`,
        '-cp',
        `${join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar')}:${join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal_lib', '*')}`,
        LOOPBACK_LAUNCHER,
        ...storage,
        '-port',
        String(options.port),
        '-disableTelemetry',
        '-sharedDb',
      ],
      // stdin stays open as the launcher's lifeline: when this process goes, the pipe closes and the JVM exits.
      { stdio: ['pipe', 'ignore', 'pipe'], cwd },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    await waitForPort(options.port, child, () => stderr);
    return child;
  };
  let child: ChildProcess | undefined = await launch();
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: async () => {
      const current = child;
      child = undefined;
      if (current) await stopChild(current);
    },
    kill: async () => {
      const current = child;
      child = undefined;
      if (current) await stopChild(current, 'SIGKILL');
    },
    restart: async () => {
      if (child) throw new Error('DynamoDB Local is running: kill or stop it first');
      child = await launch();
    },
    get running() {
      return child !== undefined;
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr()}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`DynamoDB Local did not open port ${port}: ${stderr()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.end();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    child.kill(signal);
  });
}
