/**
 * The adapters of a deployed function, built once per cold start from the environment the CDK
 * stack sets: TABLE_NAME, GROUP_REQUEST_SECRET_ARN, GROUP_FUNCTION_<GROUP> (front), the
 * PKCS11_* settings (only functions that use the token), optionally KMS_CACHE_TTL_MS, KMS_VPC_ENDPOINTS
 * and KMS_VPC_ENDPOINT_POLICIES (vpc-endpoint-config.ts).
 *
 * What every function builds is here, with the identities and first-credential functions, which
 * need no KMS core; the front (lambda-front.ts), the KMS group functions (lambda-group-deps.ts) and
 * the lifecycle function (lambda-lifecycle.ts) compose theirs in modules of their own. esbuild keeps
 * in a function's bundle only the code its entry reaches (and the top-level statements of every
 * module it imports), so each builds and imports only what its operations use: no group function
 * carries a Lambda client, only the keys and lifecycle functions EventBridge Scheduler's, and the
 * identities and first-credential functions neither the KMS core nor the asymmetric key material
 * (`npm run cold-start` reports each bundle's size).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { IdentityGroupDeps } from '../pipeline/identity-group-handler.js';
import { assembleIdentities, identityStoreFor } from './identity-deps.js';
import { DynamoStore } from '../adapters/dynamodb/dynamo-store.js';
import { DynamoKeyRemoval } from '../adapters/dynamodb/key-removal.js';
import { EventBridgeScheduler } from '../adapters/scheduler/eventbridge-scheduler.js';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { RecordVerification } from '../pipeline/lifecycle-handler.js';
import type { LifecycleDeps } from '../core/kms/service.js';
import { ensureFirstCredential } from './first-credential.js';
import { SecretsManagerCredentialSecret } from '../adapters/secrets/credential-secret.js';
import { createFirstCredentialHandler } from '../pipeline/first-credential-handler.js';
import { Pkcs11KeyMaterial } from '../adapters/pkcs11/pkcs11-key-material.js';
import { migrateLegacyRootKeyOrLog } from '../adapters/pkcs11/legacy-migration.js';
import { secretAad } from '../authn/stored-credentials.js';
import { logAuditSink } from '../adapters/audit/log-audit-sink.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { randomIds } from '../adapters/system/random-ids.js';
import { jsonLogger } from '../pipeline/logger.js';
import { GroupRequestVerifier, groupRequestKeyFrom } from '../pipeline/group-request-auth.js';
import type { AsymmetricKeyMaterial, KeyImport, KeyUsageLog } from '../core/ports/index.js';
import { assembleCore, cacheTtlFromEnv, type AssembledCore } from './core-deps.js';
import { CoalescingUsageLog } from '../adapters/usage/coalescing-usage-log.js';
import { DynamoKeyUsageStore } from '../adapters/dynamodb/key-usage-store.js';
import { endpointPoliciesFromEnv } from './vpc-endpoint-config.js';
import { DEPLOYMENT_ACCOUNT_ENV, FIRST_CREDENTIAL_SECRET_ENV, GROUP_REQUEST_SECRET_ENV, LIFECYCLE_ENV, PKCS11_ENV } from './group-environment.js';
import { Pkcs11RecordAuthenticator } from '../adapters/pkcs11/record-authenticator.js';
import type { IntegrityFailure, ItemIntegrity } from '../adapters/dynamodb/item-integrity.js';
import { recordIntegrity, type IntegrityReporting } from './record-integrity.js';
import { upgradeRecords, verifyRecords, type RecordScanOptions } from '../adapters/dynamodb/record-scan.js';

export function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

const secrets = new SecretsManagerClient({});

async function readSecret(secretArn: string, what: string): Promise<string> {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (secret.SecretString === undefined) throw new Error(`the ${what} secret has no string value`);
  return secret.SecretString;
}

/** The key the front signs group requests with and the groups verify them with. */
export async function readGroupRequestKey(): Promise<Uint8Array> {
  return groupRequestKeyFrom(await readSecret(required(GROUP_REQUEST_SECRET_ENV), 'group-request key'));
}

/** The token as every function opens it. */
export interface Token {
  readonly material: Pkcs11KeyMaterial;
  /** Every function reads records that decide access, so every function checks them with the token. */
  readonly integrity: ItemIntegrity;
}

/** How a deployed function reports a record that fails its check: logged, and audited in the log. */
export function integrityReporting(): IntegrityReporting {
  return {
    logger: jsonLogger, audit: logAuditSink, clock: systemClock, ids: randomIds,
    fallback: { accountId: process.env[DEPLOYMENT_ACCOUNT_ENV] ?? '', region: process.env['AWS_REGION'] ?? '' },
  };
}

export async function openToken(): Promise<Token> {
  const material = await Pkcs11KeyMaterial.open({
    modulePath: required(PKCS11_ENV.modulePath),
    tokenLabel: required(PKCS11_ENV.tokenLabel),
    pin: await readSecret(required(PKCS11_ENV.pinSecretArn), 'PKCS#11 PIN'),
  });
  const integrity = await recordIntegrity(new Pkcs11RecordAuthenticator(material), integrityReporting());
  // A token made before the per-class wrapping keys is moved onto them once; until then (or when
  // this function's table permissions do not allow it) legacy blobs still load, and the reason is logged.
  const store = new DynamoStore({ tableName: required('TABLE_NAME'), integrity });
  await migrateLegacyRootKeyOrLog(material, { store, accessKeyAad: secretAad, logger: jsonLogger });
  return { material, integrity };
}

/** A DynamoDB client with the same timeouts as the store's own. */
export function tableClient(): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true } });
}

/**
 * The deployment's key lifecycle: EventBridge Scheduler one-time schedules that invoke the
 * lifecycle function (due work is handed to it at once), and the table's key removal. Undefined
 * where the stack gave no lifecycle settings: lifecycle operations then answer that they are not offered.
 */
export function lambdaLifecycle(integrity: ItemIntegrity, env: NodeJS.ProcessEnv = process.env): LifecycleDeps | undefined {
  const targetArn = env[LIFECYCLE_ENV.functionArn];
  const groupName = env[LIFECYCLE_ENV.scheduleGroup];
  const roleArn = env[LIFECYCLE_ENV.schedulerRoleArn];
  if (targetArn === undefined || targetArn === '' || groupName === undefined || groupName === '' || roleArn === undefined || roleArn === '') return undefined;
  const lambda = new LambdaClient({});
  const scheduler = new EventBridgeScheduler({
    client: new SchedulerClient({}), groupName, targetArn, roleArn, clock: systemClock,
    ...(env[LIFECYCLE_ENV.deadLetterQueueArn] === undefined ? {} : { deadLetterQueueArn: env[LIFECYCLE_ENV.deadLetterQueueArn] }),
    runNow: async (locator) => {
      await lambda.send(new InvokeCommand({ FunctionName: targetArn, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(locator)) }));
    },
  });
  return { scheduler, removal: new DynamoKeyRemoval({ client: tableClient(), tableName: required('TABLE_NAME'), integrity }) };
}

/** The table as every function reads it: keys, aliases, grants and access keys, and the IAM identities. */
export interface TableStores {
  readonly store: DynamoStore;
  readonly identities: ReturnType<typeof identityStoreFor>;
}

export function tableStores(integrity: ItemIntegrity): TableStores {
  // The store's own client carries connection and request timeouts.
  return { store: new DynamoStore({ tableName: required('TABLE_NAME'), integrity }), identities: identityStoreFor(tableClient(), required('TABLE_NAME'), integrity) };
}

/** The parts of a core only some functions hold: each is given where that function's operations use it. */
export interface CoreExtras {
  readonly asymmetric: AsymmetricKeyMaterial;
  /** ImportKeyMaterial and GetParametersForImport (keys). */
  readonly keyImport?: KeyImport;
  /** Deletions and rotations (keys, lifecycle). */
  readonly lifecycle?: LifecycleDeps;
  /** Each key's last use: noted by the front, read by GetKeyLastUsage (keys). */
  readonly usage?: KeyUsageLog;
}

/** The KMS core of a function, over its token and table, with the parts only it holds. */
export function lambdaCore(token: Token, stores: TableStores, extras: CoreExtras): AssembledCore {
  return assembleCore({
    store: stores.store, material: token.material, clock: systemClock, ids: randomIds, cacheTtlMs: cacheTtlFromEnv(process.env), identityStore: stores.identities,
    endpointPolicies: endpointPoliciesFromEnv(process.env), ...extras,
  });
}

/**
 * Each key's last cryptographic use: the front notes uses and writes them within a minute while
 * the function runs (a frozen function writes on its next invocation); the keys function answers
 * GetKeyLastUsage from the same items.
 */
export function usageLog(): CoalescingUsageLog {
  return new CoalescingUsageLog({
    store: new DynamoKeyUsageStore({ client: tableClient(), tableName: required('TABLE_NAME') }), clock: systemClock,
    onError: (error) => jsonLogger.error('key usage write failed', { error: String(error) }),
  });
}

/** The dependencies of the `identities` function (IAM and STS): the token seals new secrets. */
export async function lambdaIdentityGroupDeps(): Promise<IdentityGroupDeps> {
  const [token, key] = await Promise.all([openToken(), readGroupRequestKey()]);
  const { store, identities } = tableStores(token.integrity);
  const assembled = assembleIdentities({
    client: tableClient(), tableName: required('TABLE_NAME'), integrity: token.integrity, credentials: store, material: token.material, clock: systemClock, ids: randomIds,
  }, identities);
  return { run: assembled.run, logger: jsonLogger, verifier: new GroupRequestVerifier({ key, clock: systemClock }) };
}

/**
 * The lifecycle function's check of the table (`{ "verifyRecords": true }`): first the upgrade, so
 * a deployment made before records were authenticated gets its MACs on the first run (after which
 * the token's marker says so, and it reads nothing), then the verification of every authenticated
 * record. Each failing record is reported once a run (the upgrade's failures are found again).
 */
export function tableVerification(scan: RecordScanOptions, report: (failure: IntegrityFailure) => void): () => Promise<RecordVerification> {
  return async () => {
    const reported = new Set<string>();
    const reportOnce = (failure: IntegrityFailure): void => {
      const id = JSON.stringify([failure.pk, failure.sk, failure.reason]);
      if (reported.has(id)) return;
      reported.add(id);
      report(failure);
    };
    const upgrade = await upgradeRecords(scan);
    upgrade?.failures.forEach(reportOnce);
    const { checked, failures } = await verifyRecords(scan);
    failures.forEach(reportOnce);
    return { checked, failed: failures.length, ...(upgrade === undefined ? {} : { sealed: upgrade.sealed }) };
  };
}

/** The first-credential custom resource's function: it seals the new secret, so it opens the token. */
export async function lambdaFirstCredentialHandler() {
  const token = await openToken();
  const { store, identities } = tableStores(token.integrity);
  const accountId = required(DEPLOYMENT_ACCOUNT_ENV);
  const secret = new SecretsManagerCredentialSecret(secrets, required(FIRST_CREDENTIAL_SECRET_ENV));
  return createFirstCredentialHandler({
    accountId,
    ensure: () => ensureFirstCredential({ accountId, store, identities, material: token.material, clock: systemClock, ids: randomIds, secret }),
    logger: jsonLogger,
  });
}
