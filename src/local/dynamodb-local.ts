/**
 * Runs Amazon's DynamoDB Local (shipped inside `amplify-dynamodb-simulator`) as a child process,
 * so local mode and the integration tests use the real DynamoDB API without an AWS account.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocalOptions {
  /** Folder to persist into (the database lives in `<dataDir>/dynamodb`); omitted runs in memory. */
  readonly dataDir?: string;
  /** 0 or omitted picks a free port. */
  readonly port?: number;
  /** How long to wait for the first answer before giving up. Defaults to 60 seconds. */
  readonly startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string;
  /** Stops the process and waits for it to exit; safe to call twice. */
  stop(): Promise<void>;
}

/** DynamoDB Local accepts any credentials; the SDK only needs some to sign with. */
export const DYNAMODB_LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

const JAVA_MISSING_EXIT_CODE = 127;
const OUTPUT_TAIL_BYTES = 64 * 1024;
const POLL_INTERVAL_MS = 100;
const STOP_GRACE_MS = 10_000;
const PORT_ATTEMPTS = 3;
const BIND_FAILURE = /Failed to bind|BindException|Address already in use/;

/**
 * A watchdog between us and the JVM: when our process dies for any reason (even SIGKILL), the
 * pipe on the shell's stdin closes, `read` returns and the JVM is terminated. Node cannot ask the
 * kernel to do this for a child, and an `exit` handler does not run on signals.
 */
const WATCHDOG_SCRIPT = [
  `command -v java >/dev/null 2>&1 || exit ${JAVA_MISSING_EXIT_CODE}`,
  'exec 3<&0',
  'java "$@" </dev/null 3<&- &',
  'pid=$!',
  '{ read -r _ || :; kill "$pid" 2>/dev/null; } <&3 &',
  'exec 3<&-',
  'wait "$pid"',
].join('\n');

/** Starts DynamoDB Local (`-sharedDb`, so every region and credential sees the same tables). */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const storageArgs = options.dataDir === undefined ? ['-inMemory'] : ['-dbPath', await prepareDataDir(options.dataDir)];
  const fixedPort = options.port !== undefined && options.port !== 0 ? options.port : undefined;
  const timeoutMs = options.startTimeoutMs ?? 60_000;

  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await findFreePort());
    try {
      return await launch(port, storageArgs, timeoutMs);
    } catch (error) {
      // Another process can grab a port between our probe and the JVM binding it.
      const retry = fixedPort === undefined && attempt < PORT_ATTEMPTS && error instanceof PortInUseError;
      if (!retry) throw error;
    }
  }
}

/** Folder of DynamoDBLocal.jar and its native libraries. */
export function dynamoDbLocalHome(): string {
  const manifest = createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json');
  return join(dirname(manifest), 'emulator');
}

class PortInUseError extends Error {}

async function prepareDataDir(dataDir: string): Promise<string> {
  const dbPath = join(dataDir, 'dynamodb');
  // The table holds sealed secrets and wrapped keys: readable by the owner only.
  await mkdir(dbPath, { recursive: true, mode: 0o700 });
  return dbPath;
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not determine a free TCP port.'));
      });
    });
  });
}

async function launch(port: number, storageArgs: readonly string[], timeoutMs: number): Promise<DynamoDbLocal> {
  const home = dynamoDbLocalHome();
  const javaArgs = [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(home, 'DynamoDBLocal.jar'),
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
    ...storageArgs,
  ];
  // detached: own process group, so a forced stop can take the shell, the JVM and the watchdog at once.
  const child = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'dynamodb-local', ...javaArgs], {
    cwd: home,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = captureOutput(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (code) => resolve(code));
  });
  const endpoint = `http://127.0.0.1:${port}`;

  try {
    await waitUntilAnswering(endpoint, exited, output, timeoutMs);
  } catch (error) {
    await forceStop(child, exited);
    throw startFailure(error, output(), port);
  }

  let stopping: Promise<void> | undefined;
  void exited.then((code) => {
    if (stopping === undefined) {
      process.stderr.write(`DynamoDB Local on port ${port} exited unexpectedly (code ${code}):\n${output()}\n`);
    }
  });
  // Neither the child nor its pipes should keep our process alive; the watchdog cleans up.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) unrefStream(stream);

  return {
    endpoint,
    stop: () => (stopping ??= gracefulStop(child, exited)),
  };
}

function captureOutput(child: ChildProcess): () => string {
  let tail = '';
  const append = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => tail;
}

async function waitUntilAnswering(
  endpoint: string,
  exited: Promise<number | null>,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: DYNAMODB_LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
  });
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exitCode !== undefined) throw new ChildExited(exitCode);
      // Jetty's main thread dies on a bind failure but the JVM lingers, so the output is the only sign.
      if (BIND_FAILURE.test(output())) throw new Error('DynamoDB Local could not bind its port.');
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
    }
  } finally {
    client.destroy();
  }
}

class ChildExited extends Error {
  constructor(readonly exitCode: number | null) {
    super(`DynamoDB Local exited during startup (code ${exitCode}).`);
  }
}

function startFailure(error: unknown, output: string, port: number): Error {
  if (error instanceof ChildExited && error.exitCode === JAVA_MISSING_EXIT_CODE) {
    return new Error(
      'DynamoDB Local needs a Java runtime (17 or later) but `java` was not found on PATH. ' +
        'Install one, e.g. `apt-get install default-jre-headless` on Debian/Ubuntu.',
    );
  }
  if (BIND_FAILURE.test(output)) {
    return new PortInUseError(`DynamoDB Local could not listen on port ${port}: it is already in use.`);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`${reason}\n--- DynamoDB Local output ---\n${output}`);
}

async function gracefulStop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  // Keep our process alive until the JVM is gone; closing stdin cues the watchdog to SIGTERM it.
  child.ref();
  child.stdin?.end();
  const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, STOP_GRACE_MS, 'timeout').unref());
  if ((await Promise.race([exited, timer])) === 'timeout') await forceStop(child, exited);
}

async function forceStop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  child.stdin?.destroy();
  await exited;
  // The watchdog may outlive the shell; killing the group catches it too.
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function unrefStream(stream: Readable | Writable | null): void {
  (stream as unknown as { unref?: () => void } | null)?.unref?.();
}
