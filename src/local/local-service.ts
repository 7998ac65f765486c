/**
 * Local mode: one process with the same pipeline as the deployed functions. Only the adapters
 * differ: DynamoDB Local instead of DynamoDB, a SoftHSM token in the data folder instead of
 * CloudHSM, an audit log file instead of CloudWatch Logs, and group functions called in-process.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FileAuditSink } from '../adapters/audit/file-audit-sink.js';
import { ensureTable } from '../adapters/dynamodb/create-table.js';
import { DynamoStore } from '../adapters/dynamodb/dynamo-store.js';
import { DEFAULT_TABLE_NAME } from '../adapters/dynamodb/table-definition.js';
import { Pkcs11KeyMaterial } from '../adapters/pkcs11/pkcs11-key-material.js';
import { migrateLegacyRootKey } from '../adapters/pkcs11/legacy-migration.js';
import { secretAad } from '../authn/stored-credentials.js';
import { randomIds } from '../adapters/system/random-ids.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { createFrontHandler } from '../pipeline/front-handler.js';
import { createGroupHandler } from '../pipeline/group-handler.js';
import { jsonLogger, type Logger } from '../pipeline/logger.js';
import { assembleCore, cacheTtlFromEnv } from '../composition/core-deps.js';
import { asymmetricMaterialFor } from '../composition/asymmetric-material.js';
import { InProcessGroupInvoker, localContext } from '../composition/in-process-groups.js';
import { DYNAMODB_LOCAL_CREDENTIALS, startDynamoDbLocal } from './dynamodb-local.js';
import { MAX_BODY_BYTES, readBody, toProxyEvent, writeProxyResult } from './http-bridge.js';
import { ensureRootCredentials, type RootCredentials } from './root-credentials.js';
import { ensureSoftHsmToken } from './softhsm-token.js';
import { lockDataDir } from './data-dir-lock.js';
import type { Clock } from '../core/ports/index.js';

/** The account local mode serves unless `--account-id` says otherwise (the AWS docs' example account). */
export const DEFAULT_ACCOUNT_ID = '111122223333';
export const DEFAULT_PORT = 4599;
export const DEFAULT_HOST = '127.0.0.1';

export interface LocalServiceOptions {
  readonly dataDir: string;
  readonly port?: number;
  readonly host?: string;
  readonly accountId?: string;
  readonly logger?: Logger;
  /** For tests that move time; defaults to the system clock. */
  readonly clock?: Clock;
}

export interface LocalService {
  /** e.g. `http://127.0.0.1:4599` */
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly credentials: RootCredentials;
  stop(): Promise<void>;
}

export async function startLocalService(options: LocalServiceOptions): Promise<LocalService> {
  const dataDir = resolve(options.dataDir);
  const logger = options.logger ?? jsonLogger;
  const clock = options.clock ?? systemClock;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(dataDir);
  const stops: (() => Promise<void>)[] = [() => lock.release()];
  try {
    const token = await ensureSoftHsmToken({ dataDir });
    const material = await Pkcs11KeyMaterial.open(token);
    stops.unshift(() => material.close());
    const dynamo = await startDynamoDbLocal({ dataDir });
    stops.unshift(() => dynamo.stop());
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: DYNAMODB_LOCAL_CREDENTIALS });
    await ensureTable(client, DEFAULT_TABLE_NAME);
    const store = new DynamoStore({ tableName: DEFAULT_TABLE_NAME, client });
    await migrateLegacyRootKey(material, { store, accessKeyAad: secretAad, logger });
    const { core, verifier } = assembleCore({
      store, material, asymmetric: asymmetricMaterialFor(material), clock, ids: randomIds, cacheTtlMs: cacheTtlFromEnv(process.env),
    });
    const credentials = await ensureRootCredentials({
      dataDir, accountId: options.accountId ?? DEFAULT_ACCOUNT_ID, store, material, clock,
    });
    const audit = new FileAuditSink(join(dataDir, 'audit.log'));
    stops.unshift(() => audit.close());
    // One core instance behind every group: a write through any group invalidates the caches at once.
    const groups = new InProcessGroupInvoker((group, verifier) => createGroupHandler({ group, core, logger, verifier }));
    const front = createFrontHandler({ core, verifier, groups, audit, clock, ids: randomIds, logger });
    const server = createServer((request, response) => {
      void (async () => {
        const requestId = randomUUID();
        const body = await readBody(request);
        if (body === undefined) {
          writeProxyResult(response, {
            statusCode: 413,
            headers: { 'Content-Type': 'application/x-amz-json-1.1' },
            body: JSON.stringify({ __type: 'SerializationException', message: `Request body exceeds ${MAX_BODY_BYTES} bytes.` }),
          });
          return;
        }
        writeProxyResult(response, await front(toProxyEvent(request, body, requestId), localContext(requestId)));
      })().catch((error: unknown) => {
        logger.error('local server failure', { error: String(error) });
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
    server.keepAliveTimeout = 65_000;
    const port = await listen(server, options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST);
    stops.unshift(() => closeServer(server));
    return {
      endpoint: `http://${options.host ?? DEFAULT_HOST}:${port}`,
      port,
      dataDir,
      credentials,
      stop: () => runStops(stops),
    };
  } catch (error) {
    await runStops(stops);
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolvePort((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}

async function runStops(stops: readonly (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops) {
    try {
      await stop();
    } catch {
      // Keep stopping the rest; a failed stop must not leave other processes running.
    }
  }
}
