/**
 * Runs Amazon's DynamoDB Local (shipped inside `amplify-dynamodb-simulator`) as a child process,
 * so local mode and the integration tests use the real DynamoDB API without an AWS account.
 *
 * DynamoDB Local has no bind-address option: it listens on every interface and accepts any
 * credentials. So the JVM runs in a network namespace of its own (`unshare --user --net`), whose
 * only interface is loopback, and is reached through a Unix socket (mode 0600, in the data folder)
 * that a small bridge inside the same JVM (`java/PrivateDynamoDbLocal.java`) forwards to it.
 * Nothing on the network, and no other user of this machine, can reach the database; a machine
 * that does not allow the namespace gets a refusal to start, never an open database.
 *
 * One database per data folder, shared: the first service process to need it starts it, later
 * ones on the same folder use it (`database-lease.ts`), and it stops when the last one releases
 * it or dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { ensureBridgeClass } from './java-bridge-build.js';
import { isLease, takeLease, type DatabaseLease } from './database-lease.js';
import { isAlive, waitForPidLock } from './pid-lock.js';

export interface DynamoDbLocalOptions {
  /** Folder to persist into (the database lives in `<dataDir>/dynamodb`); omitted runs in memory. */
  readonly dataDir?: string;
  /** How long to wait for the first answer before giving up. Defaults to 60 seconds. */
  readonly startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** The Unix socket (owner-only) through which the database is reached. */
  readonly socketPath: string;
  /** PID of the JVM (started by this process, or by another service on the same data folder). */
  readonly pid: number;
  /** A new SDK client that talks to this database through its socket; destroy it when done. */
  client(overrides?: Partial<DynamoDBClientConfig>): DynamoDBClient;
  /**
   * Releases this process's lease; when it was the last, waits for the JVM to exit. Safe to call
   * twice.
   */
  stop(): Promise<void>;
}

/** DynamoDB Local accepts any credentials; the SDK only needs some to sign with. */
export const DYNAMODB_LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The port DynamoDB Local listens on inside its namespace; no other process shares that namespace. */
const NAMESPACE_PORT = 8000;
const SOCKET_NAME = 'dynamodb.sock';
const LEASE_SOCKET_NAME = 'dynamodb-lease.sock';
/** Held while a process attaches to, starts or releases the folder's database. */
const LOCK_NAME = 'dynamodb.lock';
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

/**
 * Starts DynamoDB Local (`-sharedDb`, so every region and credential sees the same tables), or,
 * when another service process already runs the data folder's database, takes a lease on that one.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const inMemory = options.dataDir === undefined;
  // An in-memory database still needs a private folder for its sockets.
  const dir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kms-dynamodb-')));
  const paths = { socket: join(dir, SOCKET_NAME), lease: join(dir, LEASE_SOCKET_NAME), lock: join(dir, LOCK_NAME) };
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const cleanUp = async (): Promise<void> => {
    if (inMemory) await rm(dir, { recursive: true, force: true });
  };
  try {
    assertSocketPathFits(paths.socket);
    assertSocketPathFits(paths.lease);
    const lock = await waitForPidLock(paths.lock, timeoutMs + STOP_GRACE_MS);
    try {
      const attached = await attach(paths.lease);
      if (attached !== undefined) return running(paths, attached, undefined, cleanUp);
      const storageArgs = inMemory ? ['-inMemory'] : ['-dbPath', await prepareDbPath(dir)];
      const started = await launch(paths, storageArgs, timeoutMs);
      return running(paths, started.lease, started, cleanUp);
    } finally {
      await lock.release();
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** A lease on the database already running there, or undefined when none is (after waiting out one that is stopping). */
async function attach(leasePath: string): Promise<DatabaseLease | undefined> {
  const found = await takeLease(leasePath);
  if (found === undefined || isLease(found)) return found;
  await waitForExit(found.stoppingPid, STOP_GRACE_MS);
  return undefined;
}

interface Launched {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly output: () => string;
  readonly lease: DatabaseLease;
}

function running(paths: { readonly socket: string; readonly lock: string }, lease: DatabaseLease, launched: Launched | undefined, cleanUp: () => Promise<void>): DynamoDbLocal {
  let stopping: Promise<void> | undefined;
  lease.onLost(() => {
    if (stopping !== undefined) return;
    const output = launched === undefined ? '' : `:\n${launched.output()}`;
    process.stderr.write(`The embedded DynamoDB Local (PID ${lease.pid}) went away; requests that need it fail until the service restarts${output}\n`);
  });
  const stop = async (): Promise<void> => {
    const lock = await waitForPidLock(paths.lock, STOP_GRACE_MS * 2);
    try {
      if ((await lease.release()) === 'last') {
        if (launched === undefined) await waitForExit(lease.pid, STOP_GRACE_MS);
        else await waitForChild(launched, STOP_GRACE_MS);
      }
    } finally {
      await lock.release();
      await cleanUp();
    }
  };
  return {
    socketPath: paths.socket,
    pid: lease.pid,
    client: (overrides) => dynamoDbClientFor(paths.socket, overrides),
    stop: () => (stopping ??= stop()),
  };
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

async function launch(paths: { readonly socket: string; readonly lease: string }, storageArgs: readonly string[], timeoutMs: number): Promise<Launched> {
  const home = dynamoDbLocalHome();
  const classDir = await ensureBridgeClass();
  const javaArgs = [
    ...JVM_OPTIONS,
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-cp',
    `${classDir}:${join(home, 'DynamoDBLocal.jar')}`,
    'PrivateDynamoDbLocal',
    paths.socket,
    paths.lease,
    String(NAMESPACE_PORT),
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(NAMESPACE_PORT),
    ...storageArgs,
  ];
  // unshare execs the shell, which execs the JVM: one process, in a user and network namespace of
  // its own. detached: its own process group, so a Ctrl-C meant for one service does not stop a
  // database others share, and a forced stop reaches the JVM whatever it spawned.
  const child = spawn('unshare', ['--user', '--map-root-user', '--net', '--', 'sh', '-c', LAUNCH_SCRIPT, 'dynamodb-local', ...javaArgs], {
    cwd: home,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
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

  let lease: DatabaseLease | undefined;
  try {
    await waitUntilAnswering(paths.socket, exited, timeoutMs);
    const taken = await takeLease(paths.lease);
    if (!isLease(taken)) throw new Error('DynamoDB Local answered but gave no lease.');
    lease = taken;
  } catch (error) {
    await forceStop(child, exited);
    throw startFailure(error, spawnError, output());
  }
  // Neither the child nor its pipes keep this process alive: the lease says when the JVM stops.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) unrefStream(stream);
  return { child, exited, output, lease };
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

/** Waits for the JVM this process started to exit after its last lease, killing it after `graceMs`. */
async function waitForChild(launched: Launched, graceMs: number): Promise<void> {
  launched.child.ref();
  const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
  if ((await Promise.race([launched.exited, timer])) === 'timeout') await forceStop(launched.child, launched.exited);
}

/** Waits for a JVM another process started to exit, killing it after `graceMs`. */
async function waitForExit(pid: number, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
      return;
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

async function forceStop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await exited;
}

function unrefStream(stream: Readable | Writable | null): void {
  (stream as unknown as { unref?: () => void } | null)?.unref?.();
}
