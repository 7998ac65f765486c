/**
 * Assembles the IAM and STS side the same way in every mode: the identity store on the table, the
 * IdentityDirectory over it (for the authorizer too), and the runner the Query front calls.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoIdentityStore } from '../adapters/dynamodb/identity-store.js';
import type { ItemIntegrity } from '../adapters/dynamodb/item-integrity.js';
import { StoredIdentityDirectory } from '../core/iam/directory.js';
import { IAM_HANDLERS, stsHandlers } from '../core/iam/operations/registry.js';
import type { IdentityDeps, IdentityHandler } from '../core/iam/service.js';
import type { Clock, CredentialStore, IdSource, KeyMaterial } from '../core/ports/index.js';
import type { QueryOperationRunner } from '../pipeline/query-handler.js';
import type { QueryServiceName } from '../pipeline/query-services.js';

/** Web Crypto's SHA-256 (session token hashes). */
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

export interface IdentityParts {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly integrity: ItemIntegrity;
  readonly credentials: Pick<CredentialStore, 'getAccessKey' | 'listAccessKeys'>;
  readonly material: Pick<KeyMaterial, 'sealSecret'>;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly credentialsChanged?: (accessKeyId: string) => void;
  /** Called after every IAM write that succeeded (users, roles, policies, attachments, tags). */
  readonly identitiesChanged?: () => void;
}

/** IAM actions that only read; every other IAM action may change what authorization sees. */
const IAM_READ = /^(Get|List)/;

export function identityStoreFor(client: DynamoDBClient, tableName: string, integrity: ItemIntegrity): DynamoIdentityStore {
  return new DynamoIdentityStore({ client, tableName, integrity });
}

export function assembleIdentities(parts: IdentityParts, store = identityStoreFor(parts.client, parts.tableName, parts.integrity)): {
  readonly deps: IdentityDeps; readonly directory: StoredIdentityDirectory; readonly run: QueryOperationRunner;
} {
  const directory = new StoredIdentityDirectory(store);
  const deps: IdentityDeps = {
    store, credentials: parts.credentials, material: parts.material, directory, clock: parts.clock, ids: parts.ids,
    ...(parts.credentialsChanged === undefined ? {} : { credentialsChanged: parts.credentialsChanged }),
  };
  const handlers: Readonly<Record<QueryServiceName, Readonly<Record<string, IdentityHandler>>>> = { iam: IAM_HANDLERS, sts: stsHandlers(sha256) };
  const run: QueryOperationRunner = async (service, operation, input, ctx) => {
    const handler = Object.hasOwn(handlers[service], operation) ? handlers[service][operation] : undefined;
    // The Query handler admits only operations of the service's schema, and every one has a handler (test/composition).
    if (handler === undefined) throw new Error(`no ${service} handler for ${operation}`);
    const output = await handler({ deps, ctx, input });
    if (service === 'iam' && !IAM_READ.test(operation)) parts.identitiesChanged?.();
    return output;
  };
  return { deps, directory, run };
}
