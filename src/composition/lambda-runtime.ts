/**
 * The adapters of a deployed function, built once per cold start from the environment the CDK
 * stack sets: TABLE_NAME, PKCS11_MODULE, PKCS11_TOKEN_LABEL, PKCS11_PIN_SECRET_ARN,
 * GROUP_FUNCTION_<GROUP>, optionally KMS_CACHE_TTL_MS.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoStore } from '../adapters/dynamodb/dynamo-store.js';
import { Pkcs11KeyMaterial } from '../adapters/pkcs11/pkcs11-key-material.js';
import { migrateLegacyRootKeyOrLog } from '../adapters/pkcs11/legacy-migration.js';
import { secretAad } from '../authn/stored-credentials.js';
import { logAuditSink } from '../adapters/audit/log-audit-sink.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { randomIds } from '../adapters/system/random-ids.js';
import { jsonLogger } from '../pipeline/logger.js';
import type { FrontDeps } from '../pipeline/front-handler.js';
import type { CoreDeps } from '../core/kms/service.js';
import { assembleCore, cacheTtlFromEnv } from './core-deps.js';
import { asymmetricMaterialFor } from './asymmetric-material.js';
import { LambdaGroupInvoker, groupFunctionNamesFromEnv } from './lambda-groups.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

async function readPin(secretArn: string): Promise<string> {
  const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (secret.SecretString === undefined) throw new Error('the PKCS#11 PIN secret has no string value');
  return secret.SecretString;
}

async function lambdaParts() {
  const material = await Pkcs11KeyMaterial.open({
    modulePath: required('PKCS11_MODULE'),
    tokenLabel: required('PKCS11_TOKEN_LABEL'),
    pin: await readPin(required('PKCS11_PIN_SECRET_ARN')),
  });
  // The store's own client carries connection and request timeouts.
  const store = new DynamoStore({ tableName: required('TABLE_NAME') });
  await migrateLegacyRootKeyOrLog(material, { store, accessKeyAad: secretAad, logger: jsonLogger });
  return assembleCore({
    store, material, asymmetric: asymmetricMaterialFor(material), clock: systemClock, ids: randomIds, cacheTtlMs: cacheTtlFromEnv(process.env),
  });
}

export async function lambdaFrontDeps(): Promise<FrontDeps> {
  const { core, verifier } = await lambdaParts();
  return {
    core,
    verifier,
    groups: new LambdaGroupInvoker({ functionNames: groupFunctionNamesFromEnv(process.env) }),
    audit: logAuditSink,
    clock: systemClock,
    ids: randomIds,
    logger: jsonLogger,
  };
}

export async function lambdaGroupDeps(): Promise<{ core: CoreDeps; logger: typeof jsonLogger }> {
  const { core } = await lambdaParts();
  return { core, logger: jsonLogger };
}
