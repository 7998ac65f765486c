/**
 * Local mode: one process with the same pipeline as the deployed functions. Only the adapters
 * differ: DynamoDB Local instead of DynamoDB, a SoftHSM token in the data folder instead of
 * CloudHSM, an audit log file instead of CloudWatch Logs, and group functions called in-process.
 *
 * Set-up order: the seed file is checked and the port bound before anything is written; then the
 * data folder is created or checked, the token and the database start side by side, the table,
 * the root credentials and the seed follow, and the listener starts answering.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parsePolicy } from '../core/authz/index.js';
import { FileAuditSink } from '../adapters/audit/file-audit-sink.js';
import { CoalescingUsageLog } from '../adapters/usage/coalescing-usage-log.js';
import { DynamoKeyUsageStore } from '../adapters/dynamodb/key-usage-store.js';
import { ensureTable, probeTable } from '../adapters/dynamodb/create-table.js';
import { DynamoStore } from '../adapters/dynamodb/dynamo-store.js';
import { DEFAULT_TABLE_NAME } from '../adapters/dynamodb/table-definition.js';
import { Pkcs11KeyMaterial } from '../adapters/pkcs11/pkcs11-key-material.js';
import { migrateLegacyRootKey } from '../adapters/pkcs11/legacy-migration.js';
import { secretAad } from '../authn/stored-credentials.js';
import { randomIds } from '../adapters/system/random-ids.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { offsetClock } from '../adapters/system/offset-clock.js';
import { LocalScheduler } from '../adapters/scheduler/local-scheduler.js';
import { DynamoDueIndex } from '../adapters/dynamodb/due-index.js';
import { DynamoKeyRemoval } from '../adapters/dynamodb/key-removal.js';
import { lifecycleRunner } from '../composition/lifecycle.js';
import { createFrontHandler } from '../pipeline/front-handler.js';
import { createGroupHandler } from '../pipeline/group-handler.js';
import { jsonLogger, type Logger } from '../pipeline/logger.js';
import { assembleCore, cacheTtlFromEnv } from '../composition/core-deps.js';
import { asymmetricMaterialFor } from '../composition/asymmetric-material.js';
import { Pkcs11KeyImport } from '../adapters/pkcs11/import/pkcs11-key-import.js';
import { Pkcs11RecordAuthenticator } from '../adapters/pkcs11/record-authenticator.js';
import { upgradeRecords } from '../adapters/dynamodb/record-scan.js';
import { upgradeKeyListing } from '../adapters/dynamodb/key-listing-upgrade.js';
import { integrityReporter, recordIntegrity } from '../composition/record-integrity.js';
import { InProcessGroupInvoker, localContext } from '../composition/in-process-groups.js';
import type { Clock, IdentityDirectory } from '../core/ports/index.js';
import type { Scope } from '../core/kms/keys/identifiers.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { ensureAccountCredentials } from './account-credentials.js';
import { assembleIdentities, identityStoreFor } from '../composition/identity-deps.js';
import { createQueryHandler } from '../pipeline/query-handler.js';
import { createIdentityGroupHandler, groupRunner } from '../pipeline/identity-group-handler.js';
import { routeByProtocol } from '../pipeline/service-router.js';
import { ensureRootCredentials, assertUsableCredentials, type FixedCredentials, type RootCredentials } from './root-credentials.js';
import { ensureSoftHsmToken } from './softhsm-token.js';
import { lockDataDir } from './data-dir-lock.js';
import { dataDirExists, prepareDataDir } from './data-dir.js';
import { createHealthCheck, startingReport } from './health.js';
import { listenFirst, type HttpLimits, type LocalHttpServer } from './http-server.js';
import { endpointAddresses } from './endpoint-address.js';
import { serviceVersion } from './repo-root.js';
import { timedStep, type StepListener } from './setup-steps.js';
import { readSeedFile, type SeedPlan } from './seed/seed-file.js';
import { applySeed, assertAliasTargets } from './seed/apply-seed.js';

/** The account local mode serves unless `--account-id` says otherwise (the AWS docs' example account). */
export const DEFAULT_ACCOUNT_ID = '111122223333';
export const DEFAULT_PORT = 4599;
export const DEFAULT_HOST = '127.0.0.1';
/**
 * How many keys, backing keys and aliases each cache keeps, and how many backing keys the token
 * keeps unwrapped, unless `--cache-keys` says otherwise.
 */
export const DEFAULT_CACHE_KEYS = 10_000;

/**
 * Local mode's key caches: this process is the only writer of its data folder's table and every
 * write goes through the one cache, so entries stay until a write changes them or the size bound
 * evicts them (no TTL). Access keys keep the TTL of `KMS_CACHE_TTL_MS`.
 */
export function localKeyCache(cacheKeys: number = DEFAULT_CACHE_KEYS): { ttlMs: number; maxEntries: number } {
  if (!Number.isSafeInteger(cacheKeys) || cacheKeys < 1) throw new RangeError('The cache size must be a positive whole number of keys.');
  return { ttlMs: Number.POSITIVE_INFINITY, maxEntries: cacheKeys };
}

/** The Region seeded keys and aliases are created in unless told otherwise. */
export const DEFAULT_SEED_REGION = 'us-east-1';

export interface LocalServiceOptions {
  readonly dataDir: string;
  readonly port?: number;
  readonly host?: string;
  /** The account asked for; a new folder gets `DEFAULT_ACCOUNT_ID` without it, an existing one must match it. */
  readonly accountId?: string;
  /**
   * Every account to serve, the first being the folder's own (as `accountId`); each gets root
   * credentials on first start. Defaults to the one account.
   */
  readonly accounts?: readonly string[];
  /** Fixed root credentials; a new folder is set up with them, an existing one must match them. */
  readonly credentials?: FixedCredentials;
  /** A seed file in local-kms's `seed.yaml` format. */
  readonly seedPath?: string;
  readonly seedRegion?: string;
  readonly httpLimits?: Partial<HttpLimits>;
  /** Rotation of `audit.log`: the size it is rotated at and how many compressed files are kept. */
  readonly auditLog?: { readonly maxBytes?: number; readonly keep?: number };
  /** Bound on the key metadata, backing keys and aliases each cache keeps (see `localCacheSettings`). */
  readonly cacheKeys?: number;
  /** Told about each set-up step as it completes. */
  readonly onStep?: StepListener;
  readonly logger?: Logger;
  /** For tests that move time; defaults to the system clock. */
  readonly clock?: Clock;
  /** Simulated interface VPC endpoints: each gets a listener of its own (`--vpc-endpoint`). */
  readonly vpcEndpoints?: readonly VpcEndpointListener[];
  /** VPC endpoint policy files by endpoint ID (`--vpc-endpoint-policy`); an endpoint without one allows full access. */
  readonly vpcEndpointPolicyFiles?: ReadonlyMap<string, string>;
  /**
   * IAM identities an embedder supplies (the benchmark uses it for callers with IAM policies): the
   * directory the authorizer asks, and access keys of its users to store at start. Without it the
   * account roots are the only identities.
   */
  readonly iamIdentities?: { readonly directory: IdentityDirectory; readonly accessKeys: readonly IamUserAccessKey[] };
  /**
   * How far the lifecycle clock (creation, deletion, rotation and expiry dates) runs ahead of
   * `clock`, in milliseconds (`--clock-offset`); SigV4 keeps `clock`.
   */
  readonly clockOffsetMs?: number;
}

/** An access key of an IAM user of the `iamIdentities` directory. */
export interface IamUserAccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  /** `arn:aws:iam::<account>:user/<name>`. */
  readonly userArn: string;
  /** The user's unique ID (`AIDA…`). */
  readonly userId: string;
}

/** A listener standing for an interface VPC endpoint of a VPC. */
export interface VpcEndpointListener {
  readonly port: number;
  readonly endpointId: string;
  readonly vpcId: string;
}

export interface LocalService {
  /** An endpoint for clients on this machine, e.g. `http://127.0.0.1:4599`. */
  readonly endpoint: string;
  /** An endpoint for other machines: an outward address of this machine for `--host 0.0.0.0`, else `endpoint`. */
  readonly networkEndpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly credentials: RootCredentials;
  /** The root credentials of every account, the first (`credentials`) first. */
  readonly accounts: readonly RootCredentials[];
  /** The identities of every account, as the authorizer asks them. */
  readonly identityDirectory: IdentityDirectory;
  /** PID of the embedded database's JVM. */
  readonly databasePid: number;
  /** The endpoint of each simulated VPC endpoint's listener, by endpoint ID. */
  readonly vpcEndpoints: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

export async function startLocalService(options: LocalServiceOptions): Promise<LocalService> {
  const dataDir = resolve(options.dataDir);
  const logger = options.logger ?? jsonLogger;
  const clock = options.clock ?? systemClock;
  const lifecycleClock = offsetClock(clock, options.clockOffsetMs ?? 0);
  const host = options.host ?? DEFAULT_HOST;
  const { onStep } = options;
  const version = serviceVersion();
  if (options.credentials !== undefined) assertUsableCredentials(options.credentials);
  // Checked before anything is written: a bad seed file or a taken port leaves no trace.
  const seedPath = options.seedPath;
  const plan = seedPath === undefined
    ? undefined
    : await timedStep(onStep, 'seed file', () => readCheckedSeed(seedPath, dataDir, {
      accountId: options.accountId ?? DEFAULT_ACCOUNT_ID, region: options.seedRegion ?? DEFAULT_SEED_REGION,
    }), (read) => `${read.keys.length} keys and ${read.aliases.length} aliases checked in ${seedPath}`);
  const endpointPolicies = await readEndpointPolicies(options.vpcEndpointPolicyFiles, options.vpcEndpoints ?? []);
  // Undone last to first; the listeners are closed before everything else.
  const cleanups: (() => Promise<void>)[] = [];
  let http: LocalHttpServer | undefined;
  const endpointListeners: { endpoint: VpcEndpointListener; server: LocalHttpServer }[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all([http?.close(), ...endpointListeners.map(({ server }) => server.close())]);
    await runInReverse(cleanups);
  };
  try {
    http = await timedStep(onStep, 'port', () => listenFirst({
      port: options.port ?? DEFAULT_PORT,
      host,
      limits: options.httpLimits,
      starting: () => startingReport(version),
      onError: (error) => logger.error('local server failure', { error: String(error) }),
    }), (bound) => `${bound.port} on ${host} is ours`);
    for (const endpoint of options.vpcEndpoints ?? []) {
      const server = await timedStep(onStep, 'VPC endpoint', () => listenFirst({
        port: endpoint.port,
        host,
        limits: options.httpLimits,
        starting: () => startingReport(version),
        onError: (error) => logger.error('local server failure', { error: String(error) }),
        vpcEndpointId: endpoint.endpointId,
      }), (bound) => `${bound.port} on ${host} stands for ${endpoint.endpointId} of ${endpoint.vpcId}`);
      endpointListeners.push({ endpoint, server });
    }
    await timedStep(onStep, 'data folder', () => prepareDataDir(dataDir), ({ created }) => `${created ? 'created' : 'checked'} ${dataDir}`);
    const lock = await lockDataDir(dataDir);
    cleanups.push(() => lock.release());

    // The JVM starts while this process opens the token.
    const databaseStart = timedStep(onStep, 'database', () => startDynamoDbLocal({ dataDir }), () => 'DynamoDB Local answering on a private socket');
    cleanups.push(async () => (await databaseStart.catch(() => undefined))?.stop());
    databaseStart.catch(() => undefined); // Awaited below; a failure while the token opens is reported then.
    // The token keeps as many keys' backing keys unwrapped as the caches keep records.
    const material = await timedStep(onStep, 'token', async () => Pkcs11KeyMaterial.open({
      ...(await ensureSoftHsmToken({ dataDir })), handleCacheSize: options.cacheKeys ?? DEFAULT_CACHE_KEYS,
    }), () => `SoftHSM token in ${join(dataDir, 'tokens')} opened`);
    cleanups.push(() => material.close());
    const dynamo = await databaseStart;

    const client = dynamo.client();
    cleanups.push(async () => client.destroy());
    await timedStep(onStep, 'table', () => ensureTable(client, DEFAULT_TABLE_NAME), () => `${DEFAULT_TABLE_NAME} ready`);
    // Open before the first record is read: a record that fails its integrity check is audited.
    const audit = await FileAuditSink.open({ path: join(dataDir, 'audit.log'), ...options.auditLog });
    cleanups.push(() => audit.close());
    const reporting = {
      logger, audit, clock, ids: randomIds,
      fallback: { accountId: options.accountId ?? DEFAULT_ACCOUNT_ID, region: options.seedRegion ?? DEFAULT_SEED_REGION },
    };
    const integrity = await recordIntegrity(new Pkcs11RecordAuthenticator(material), reporting);
    // The upgrades' failing records are logged and audited like those a request reads.
    const reportFailure = integrityReporter(reporting);
    // Once per data folder made before records were authenticated; a check of the token's marker otherwise.
    await timedStep(onStep, 'records', async () => {
      const report = await upgradeRecords({ client, tableName: DEFAULT_TABLE_NAME, integrity });
      report?.failures.forEach(reportFailure);
      if (report !== undefined && report.sealed > 0) logger.info('records upgraded: each now carries a MAC under the token', { records: report.sealed });
      return report;
    }, (report) => (report === undefined || report.sealed === 0 ? undefined : `${report.sealed} records given a MAC under the token's integrity key`));
    // Once per data folder made before the ListKeys index; one GetItem of its marker otherwise.
    await timedStep(onStep, 'key listing', async () => {
      const report = await upgradeKeyListing({ client, tableName: DEFAULT_TABLE_NAME, integrity });
      report?.failures.forEach(reportFailure);
      if (report !== undefined && report.listed > 0) logger.info('keys moved into the ListKeys index', { keys: report.listed });
      return report;
    }, (report) => (report === undefined || report.listed === 0 ? undefined : `${report.listed} keys moved into the ListKeys index`));
    const store = new DynamoStore({ tableName: DEFAULT_TABLE_NAME, client, integrity });
    // Runs at every start; a line is printed only when the token still held a legacy root key.
    await timedStep(onStep, 'migration', () => migrateLegacyRootKey(material, { store, accessKeyAad: secretAad, logger }),
      (migrated) => (migrated ? 'backing keys and secrets moved off the legacy root key, which is destroyed' : undefined));
    const asymmetric = asymmetricMaterialFor(material);
    const keyImport = Pkcs11KeyImport.create(material);
    const scheduler = new LocalScheduler({
      clock: lifecycleClock,
      index: new DynamoDueIndex({ client, tableName: DEFAULT_TABLE_NAME }),
      onError: (error, locator) => logger.error('lifecycle run failed', { keyId: locator.keyId, error: String(error) }),
    });
    const lifecycle = { scheduler, removal: new DynamoKeyRemoval({ client, tableName: DEFAULT_TABLE_NAME, integrity }) };
    const identityStore = identityStoreFor(client, DEFAULT_TABLE_NAME, integrity);
    // Uses are written within a minute; every read in this process sees them at once.
    const usage = new CoalescingUsageLog({
      store: new DynamoKeyUsageStore({ client, tableName: DEFAULT_TABLE_NAME }), clock: lifecycleClock,
      onError: (error) => logger.error('key usage write failed', { error: String(error) }),
    });
    // Written out before the database stops (clean-ups run last to first).
    cleanups.push(() => usage.stop());
    // Tracking begins with the first start that records uses.
    await usage.trackingStartDate();
    const { core, verifier, credentials: resolver, identitiesChanged } = assembleCore({
      store, material, asymmetric, keyImport, clock, lifecycleClock, lifecycle, usage, ids: randomIds, cacheTtlMs: cacheTtlFromEnv(process.env), identityStore, endpointPolicies,
      keyCache: localKeyCache(options.cacheKeys),
      ...(options.iamIdentities === undefined ? {} : { identities: options.iamIdentities.directory }),
    });
    for (const key of options.iamIdentities?.accessKeys ?? []) {
      if (await store.getAccessKey(key.accessKeyId) !== undefined) continue;
      const userName = key.userArn.slice(key.userArn.lastIndexOf('/') + 1);
      const now = clock.now().getTime();
      if (await identityStore.getUser(key.accountId, userName) === undefined) {
        await identityStore.createUser({ accountId: key.accountId, userName, path: '/', userId: key.userId, arn: key.userArn, createDate: now, tags: [], revision: 1 });
      }
      await identityStore.createUserAccessKey({
        accessKeyId: key.accessKeyId, userName,
        sealedSecret: await material.sealSecret(new TextEncoder().encode(key.secretAccessKey), secretAad(key.accessKeyId)),
        accountId: key.accountId, principalArn: key.userArn, principalId: key.userId, status: 'Active', creationDate: now,
      });
    }
    const identities = assembleIdentities({
      client, tableName: DEFAULT_TABLE_NAME, integrity, credentials: store, material, clock, ids: randomIds,
      // One process: a deactivated or deleted key stops working at once, not after the cache's TTL.
      credentialsChanged: (accessKeyId) => resolver.forget(accessKeyId),
      // One process: a policy, user or role change applies to the next request.
      identitiesChanged,
    }, identityStore);
    const { credentials, accounts } = await timedStep(onStep, 'credentials', async () => {
      const primary = await ensureRootCredentials({
        dataDir, accountId: options.accountId ?? options.accounts?.[0], defaultAccountId: DEFAULT_ACCOUNT_ID, fixed: options.credentials, store, material, clock,
      });
      const all = await ensureAccountCredentials({
        primary, accountIds: [primary.accountId, ...(options.accounts ?? [])], store, identities: identityStore, material, clock,
      });
      return { credentials: primary, accounts: all };
    }, (made) => `root of account${made.accounts.length > 1 ? 's' : ''} ${made.accounts.map((account) => account.accountId).join(', ')} in ${made.credentials.path}`);
    if (plan !== undefined) {
      const region = options.seedRegion ?? DEFAULT_SEED_REGION;
      await timedStep(onStep, 'seeding', () => applySeed(plan, { accountId: credentials.accountId, region }, { keys: core.keys, aliases: core.aliases, material, asymmetric, clock: lifecycleClock }), (outcome) =>
        `${outcome.keysCreated} keys and ${outcome.aliasesCreated} aliases created, ${outcome.keysKept} keys and ${outcome.aliasesKept} aliases already there (${region})`);
    }

    // Catches up on what fell due while no process ran (or what --clock-offset puts in the past) before serving.
    await timedStep(onStep, 'lifecycle', () => scheduler.start(lifecycleRunner({ core, lifecycle, audit, ids: randomIds, clock })),
      (ran) => `${ran} due keys run, ${scheduler.pending().length} waiting`);
    // Stopped before the audit log closes (clean-ups run last to first).
    cleanups.push(() => scheduler.stop());
    // One core instance behind every group: a write through any group invalidates the caches at once.
    const groups = new InProcessGroupInvoker((group, verifier) => (group === 'identities'
      ? createIdentityGroupHandler({ run: identities.run, verifier, logger })
      : createGroupHandler({ group, core, logger, verifier })));
    // Plain HTTP: aws:SecureTransport is false, as it would be for a request over HTTP in AWS.
    const transport = { secure: false, endpointVpcs: new Map((options.vpcEndpoints ?? []).map((e) => [e.endpointId, e.vpcId])) };
    const front = routeByProtocol({
      kms: createFrontHandler({ core, verifier, groups, audit, clock, ids: randomIds, logger, transport, usage }),
      query: createQueryHandler({ verifier, run: groupRunner(groups), audit, clock, ids: randomIds, logger }),
    });
    const healthClient = dynamo.client({ maxAttempts: 1 });
    cleanups.push(async () => healthClient.destroy());
    const health = createHealthCheck({
      version,
      token: () => material.generateRandom(1),
      // Two reads of absent items: unlike DescribeTable, they cost the same at any number of keys.
      table: async () => {
        if ((await probeTable(healthClient, DEFAULT_TABLE_NAME)) !== 'ready') throw new Error(`table ${DEFAULT_TABLE_NAME} is missing`);
      },
    });
    const listener = http;
    const addresses = endpointAddresses(host, listener.port);
    const handlers = { kms: (event: Parameters<typeof front>[0], requestId: string) => front(event, localContext(requestId)), health };
    await timedStep(onStep, 'listening', async () => {
      listener.serve(handlers);
      for (const { server } of endpointListeners) server.serve(handlers);
    }, () => addresses.network);
    return {
      endpoint: addresses.local,
      networkEndpoint: addresses.network,
      port: listener.port,
      dataDir,
      credentials,
      accounts,
      identityDirectory: identities.directory,
      databasePid: dynamo.pid,
      vpcEndpoints: new Map(endpointListeners.map(({ endpoint, server }) => [endpoint.endpointId, endpointAddresses(host, server.port).local])),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    plan?.zero();
  }
}

/** The seed file, checked as far as it can be before the data folder is opened. */
async function readCheckedSeed(seedPath: string, dataDir: string, scope: Scope): Promise<SeedPlan> {
  const plan = await readSeedFile(seedPath);
  try {
    // A new folder holds no key yet, so every alias must point at a key of the file.
    if (!(await dataDirExists(dataDir))) await assertAliasTargets(plan, scope, async () => false);
    return plan;
  } catch (error) {
    plan.zero();
    throw error;
  }
}

/**
 * The VPC endpoint policy files, read and checked before anything is written: a policy for an
 * endpoint that is not simulated, or one AWS would refuse, stops the start naming the file.
 */
async function readEndpointPolicies(files: ReadonlyMap<string, string> | undefined, endpoints: readonly VpcEndpointListener[]): Promise<ReadonlyMap<string, string>> {
  const policies = new Map<string, string>();
  for (const [endpointId, file] of files ?? []) {
    if (!endpoints.some((e) => e.endpointId === endpointId)) {
      throw new Error(`--vpc-endpoint-policy names ${endpointId}, which no --vpc-endpoint simulates.`);
    }
    const text = await readFile(file, 'utf8');
    try {
      parsePolicy(text, { kind: 'vpc-endpoint' });
    } catch (error) {
      throw new Error(`The VPC endpoint policy ${file} of ${endpointId} is refused: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    policies.set(endpointId, text);
  }
  return policies;
}

async function runInReverse(cleanups: readonly (() => Promise<void>)[]): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch {
      // Keep stopping the rest; a failed stop must not leave other processes running.
    }
  }
}
