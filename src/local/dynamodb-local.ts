/**
 * Runs Amazon's DynamoDB Local (shipped inside `amplify-dynamodb-simulator`) as a child process,
 * so local mode and the integration tests use the real DynamoDB API without an AWS account.
 *
 * DynamoDB Local has no bind-address option: it listens on every interface and accepts any
 * credentials. So the JVM runs in a network namespace of its own (`unshare --user --net`), whose
 * only interface is loopback, and is reached through a Unix socket (mode 0600) that a small bridge
 * inside the same JVM (`java/PrivateDynamoDbLocal.java`) forwards to it. Nothing on the network,
 * and no other user of this machine, can reach the database; a machine that does not allow the
 * namespace gets a refusal to start, never an open database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { mkdir, mkdtemp, rm, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { ensureBridgeClass } from './java-bridge-build.js';

export interface DynamoDbLocalOptions {
  /** Folder to persist into (the database lives in `<dataDir>/dynamodb`); omitted runs in memory. */
  readonly dataDir?: string;
  /** How long to wait for the first answer before giving up. Defaults to 60 seconds. */
  readonly startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** The Unix socket (owner-only) through which the database is reached. */
  readonly socketPath: string;
  /** PID of the JVM. */
  readonly pid: number;
  /** A new SDK client that talks to this database through its socket; destroy it when done. */
  client(overrides?: Partial<DynamoDBClientConfig>): DynamoDBClient;
  /** Stops the process and waits for it to exit; safe to call twice. */
  stop(): Promise<void>;
}

/** DynamoDB Local accepts any credentials; the SDK only needs some to sign with. */
export const DYNAMODB_LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The port DynamoDB Local listens on inside its namespace; no other process shares that namespace. */
const NAMESPACE_PORT = 8000;
const SOCKET_NAME = 'dynamodb.sock';
/** sun_path holds 108 bytes, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 107;
const OUTPUT_TAIL_BYTES = 64 * 1024;
const POLL_INTERVAL_MS = 50;
const STOP_GRACE_MS = 10_000;

/**
 * Sized for a local database of keys, aliases and access keys: a small heap that gives memory back
 * when it is not used, the client compiler only and a serial collector keep an idle JVM near
 * 120 MB (about 205 MB with the defaults) and its start near one second (`scripts/measure-local.ts`
 * measures both).
 */
export const JVM_OPTIONS: readonly string[] = [
  '-XX:+UseSerialGC',
  '-Xms8m',
  '-Xmx64m',
  '-XX:MinHeapFreeRatio=10',
  '-XX:MaxHeapFreeRatio=20',
  '-Xss256k',
  '-XX:TieredStopAtLevel=1',
  '-XX:CICompilerCount=1',
  '-XX:ReservedCodeCacheSize=16m',
  '-XX:MaxMetaspaceSize=96m',
  // No hsperfdata file in /tmp: nothing of the JVM outside the data folder.
  '-XX:-UsePerfData',
];

/** Exit statuses of the launch script and of the bridge, each a reason to refuse to start. */
const EXIT = { javaMissing: 127, ipMissing: 126, loopbackDown: 125, notPrivate: 78 } as const;

/**
 * Runs inside the new namespaces: files the JVM creates are owner-only, loopback is brought up
 * (a new network namespace starts with it down), then the JVM replaces the shell.
 */
const LAUNCH_SCRIPT = [
  'umask 077',
  `command -v java >/dev/null 2>&1 || exit ${EXIT.javaMissing}`,
  `command -v ip >/dev/null 2>&1 || exit ${EXIT.ipMissing}`,
  `ip link set lo up || exit ${EXIT.loopbackDown}`,
  'exec java "$@"',
].join('\n');

/** Starts DynamoDB Local (`-sharedDb`, so every region and credential sees the same tables). */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const inMemory = options.dataDir === undefined;
  // An in-memory database still needs a private folder for its socket.
  const socketDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kms-dynamodb-')));
  const storageArgs = inMemory ? ['-inMemory'] : ['-dbPath', await prepareDbPath(socketDir)];
  const socketPath = join(socketDir, SOCKET_NAME);
  const cleanUp = async (): Promise<void> => {
    if (inMemory) await rm(socketDir, { recursive: true, force: true });
    else await unlink(socketPath).catch(() => undefined);
  };
  try {
    assertSocketPathFits(socketPath);
    // A socket left by a crashed run would answer nothing; the bridge replaces it.
    return await launch(socketPath, storageArgs, options.startTimeoutMs ?? 60_000, cleanUp);
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Folder of DynamoDBLocal.jar and its native libraries. */
export function dynamoDbLocalHome(): string {
  const manifest = createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json');
  return join(dirname(manifest), 'emulator');
}

/** Connection and request timeouts of a client; without them a stalled database would hold a KMS request forever. */
export interface ClientTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
}

const DEFAULT_TIMEOUTS: ClientTimeouts = { connectionTimeout: 2_000, requestTimeout: 5_000 };

/** An SDK client for the database behind `socketPath`. */
export function dynamoDbClientFor(
  socketPath: string,
  overrides: Partial<DynamoDBClientConfig> = {},
  timeouts: ClientTimeouts = DEFAULT_TIMEOUTS,
): DynamoDBClient {
  // Every request goes to the socket; the host name only fills the Host header.
  const httpAgent = new Agent({ keepAlive: true, maxSockets: 16, socketPath } as ConstructorParameters<typeof Agent>[0]);
  return new DynamoDBClient({
    endpoint: 'http://dynamodb.local',
    region: 'us-east-1',
    credentials: DYNAMODB_LOCAL_CREDENTIALS,
    requestHandler: { httpAgent, ...timeouts, throwOnRequestTimeout: true },
    ...overrides,
  });
}

async function prepareDbPath(dataDir: string): Promise<string> {
  const dbPath = join(dataDir, 'dynamodb');
  // The table holds sealed secrets and wrapped keys: readable by the owner only.
  await mkdir(dbPath, { recursive: true, mode: 0o700 });
  return dbPath;
}

function assertSocketPathFits(socketPath: string): void {
  const length = Buffer.byteLength(socketPath);
  if (length > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `The database socket path ${socketPath} is ${length} bytes long; Unix sockets allow ${MAX_SOCKET_PATH_BYTES}. Choose a data folder with a shorter path.`,
    );
  }
}

async function launch(socketPath: string, storageArgs: readonly string[], timeoutMs: number, cleanUp: () => Promise<void>): Promise<DynamoDbLocal> {
  const home = dynamoDbLocalHome();
  const classDir = await ensureBridgeClass();
  const javaArgs = [
    ...JVM_OPTIONS,
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-cp',
    `${classDir}:${join(home, 'DynamoDBLocal.jar')}`,
    'PrivateDynamoDbLocal',
    socketPath,
    String(NAMESPACE_PORT),
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(NAMESPACE_PORT),
    ...storageArgs,
  ];
  // unshare execs the shell, which execs the JVM: one process, in a user and network namespace of
  // its own. detached: its own process group, so a forced stop reaches it whatever it spawned.
  const child = spawn('unshare', ['--user', '--map-root-user', '--net', '--', 'sh', '-c', LAUNCH_SCRIPT, 'dynamodb-local', ...javaArgs], {
    cwd: home,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = captureOutput(child);
  let spawnError: NodeJS.ErrnoException | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      resolve(null);
    });
    child.once('exit', (code) => resolve(code));
  });

  try {
    await waitUntilAnswering(socketPath, exited, timeoutMs);
  } catch (error) {
    await forceStop(child, exited);
    throw startFailure(error, spawnError, output());
  }
  const pid = child.pid ?? 0;

  let stopping: Promise<void> | undefined;
  void exited.then((code) => {
    if (stopping === undefined) {
      process.stderr.write(`DynamoDB Local (PID ${pid}) exited unexpectedly (code ${code}):\n${output()}\n`);
    }
  });
  // Neither the child nor its pipes keep our process alive; the JVM exits when its stdin closes.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) unrefStream(stream);

  return {
    socketPath,
    pid,
    client: (overrides) => dynamoDbClientFor(socketPath, overrides),
    stop: () => (stopping ??= gracefulStop(child, exited).finally(cleanUp)),
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

async function waitUntilAnswering(socketPath: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  const client = dynamoDbClientFor(socketPath, { maxAttempts: 1 }, { connectionTimeout: 1_000, requestTimeout: 2_000 });
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exitCode !== undefined) throw new ChildExited(exitCode);
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

const NAMESPACE_REFUSED = /unshare failed|Operation not permitted|cannot open \/proc\/self\/uid_map|write failed \/proc\/self/;

function startFailure(error: unknown, spawnError: NodeJS.ErrnoException | undefined, output: string): Error {
  const privacy = (reason: string): Error =>
    new Error(
      `Refusing to start: the embedded DynamoDB must run in a private network namespace so that nothing on the network can reach it, but ${reason}`,
    );
  if (spawnError?.code === 'ENOENT') {
    return privacy('`unshare` (util-linux) was not found on PATH.');
  }
  if (error instanceof ChildExited) {
    switch (error.exitCode) {
      case EXIT.javaMissing:
        return new Error(
          'DynamoDB Local needs a Java runtime (17 or later) but `java` was not found on PATH. ' +
            'Install one, e.g. `apt-get install default-jre-headless` on Debian/Ubuntu.',
        );
      case EXIT.ipMissing:
        return privacy('`ip` (iproute2) was not found on PATH to bring up its loopback interface; install iproute2.');
      case EXIT.loopbackDown:
        return privacy(`its loopback interface could not be brought up:\n${output.trim()}`);
      case EXIT.notPrivate:
        return privacy(`the namespace it got is not private:\n${output.trim()}`);
      default:
        if (NAMESPACE_REFUSED.test(output)) {
          return privacy(
            `this machine does not allow unprivileged user namespaces (${output.trim()}). ` +
              'Allow them (sysctl kernel.unprivileged_userns_clone=1 or user.max_user_namespaces > 0; ' +
              'on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0), or run as root.',
          );
        }
    }
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`${reason}\n--- DynamoDB Local output ---\n${output}`);
}

async function gracefulStop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  // Keep our process alive until the JVM is gone; closing stdin tells it to exit.
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
}

function unrefStream(stream: Readable | Writable | null): void {
  (stream as unknown as { unref?: () => void } | null)?.unref?.();
}
