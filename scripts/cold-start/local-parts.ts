/**
 * What a deployed function reaches, run on this machine: a SoftHSM token made in a temporary
 * folder, DynamoDB Local (in memory) with the service's table behind a loopback HTTP endpoint,
 * and the Secrets Manager secrets the stack creates. {@link functionEnvironment} is the environment
 * the stack and Lambda give a function, pointed at these parts through the SDK's standard
 * endpoint variables, so the measured bundle runs unchanged.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { ensureTable } from '../../src/adapters/dynamodb/create-table.js';
import {
  DEPLOYMENT_ACCOUNT_ENV, FIRST_CREDENTIAL_SECRET_ENV, GROUP_REQUEST_SECRET_ENV, LIFECYCLE_ENV, PKCS11_ENV, groupFunctionEnvName,
} from '../../src/composition/group-environment.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { ensureSoftHsmToken } from '../../src/local/softhsm-token.js';
import { groupRequestKeyFrom } from '../../src/pipeline/group-request-auth.js';
import { SERVICE_NODE_OPTIONS, SERVICE_RUNTIME } from '../../lib/constructs/service-function.js';
import { deployedGroups, SCHEDULING_GROUPS } from '../../lib/api-groups.js';
import type { DeployedGroup } from '../../lib/api-groups.js';
import { startSecretsEndpoint, type SecretsEndpoint } from './secrets-endpoint.js';
import { startTableEndpoint, type TableEndpoint } from './table-endpoint.js';

export const ACCOUNT_ID = '111122223333';
export const REGION = 'eu-west-1';
const TABLE_NAME = 'open-kms-cold-start';
/** The execute-api endpoint of the default (private) deployment, through which the front's requests come. */
export const API_ENDPOINT = { vpcEndpointId: 'vpce-0295a3caf8414c94a', vpcId: 'vpc-0123456789abcdef0' } as const;
const secretArn = (name: string): string => `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${name}-AbCdEf`;
const SECRETS = {
  pin: secretArn('open-kms/pkcs11-pin'),
  groupRequestKey: secretArn('GroupRequestKey'),
  firstCredential: secretArn('FirstCredentialSecret'),
} as const;

export interface LocalParts {
  /** The key the front signs group requests with, read by the functions from its secret. */
  readonly groupRequestKey: Uint8Array;
  readonly secrets: SecretsEndpoint;
  readonly table: TableEndpoint;
  /** The first credential's secret value, once the first-credential function has written it. */
  firstCredential(): string | undefined;
  /** The environment of the function `name` (`front`, a group, `lifecycle`, `first-credential`). */
  functionEnvironment(name: string): Record<string, string>;
  close(): Promise<void>;
}

/** Starts the token, the table and the secrets in `workDir` (which the caller removes). */
export async function startLocalParts(workDir: string): Promise<LocalParts> {
  const token = await ensureSoftHsmToken({ dataDir: path.join(workDir, 'token') });
  let dynamo: DynamoDbLocal | undefined;
  let table: TableEndpoint | undefined;
  try {
    dynamo = await startDynamoDbLocal({});
    const client = dynamo.client();
    try {
      await ensureTable(client, TABLE_NAME);
    } finally {
      client.destroy();
    }
    table = await startTableEndpoint(dynamo.socketPath);
    // As the stack's GroupRequestKey secret: 64 characters Secrets Manager generated.
    const groupRequestSecret = randomBytes(32).toString('hex');
    const secrets = await startSecretsEndpoint(new Map([
      [SECRETS.pin, token.pin],
      [SECRETS.groupRequestKey, groupRequestSecret],
      [SECRETS.firstCredential, undefined],
    ]));
    const endpoints = { dynamodb: table.url, secrets: secrets.url };
    const started = { dynamo, table };
    return {
      groupRequestKey: groupRequestKeyFrom(groupRequestSecret),
      secrets,
      table,
      firstCredential: () => secrets.value(SECRETS.firstCredential),
      functionEnvironment: (name) => ({
        ...lambdaEnvironment(name, endpoints),
        TABLE_NAME,
        [GROUP_REQUEST_SECRET_ENV]: SECRETS.groupRequestKey,
        [PKCS11_ENV.modulePath]: token.modulePath,
        [PKCS11_ENV.tokenLabel]: token.tokenLabel,
        [PKCS11_ENV.pinSecretArn]: SECRETS.pin,
        SOFTHSM2_CONF: token.softhsmConfPath,
        ...stackEnvironmentOf(name),
      }),
      close: async () => {
        await secrets.close();
        await started.table.close();
        await started.dynamo.stop();
      },
    };
  } catch (error) {
    await table?.close();
    await dynamo?.stop();
    throw error;
  }
}

/** What Lambda sets in every function (with placeholder credentials of its execution role). */
function lambdaEnvironment(name: string, endpoints: { readonly dynamodb: string; readonly secrets: string }): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_${SERVICE_RUNTIME.name}`,
    AWS_LAMBDA_FUNCTION_NAME: `open-kms-${name}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_ACCESS_KEY_ID: 'ASIAQAAAAAAAAAAAAAAA',
    AWS_SECRET_ACCESS_KEY: 'cold-start-placeholder-secret-access-key-0000',
    AWS_SESSION_TOKEN: 'cold-start-placeholder-session-token',
    NODE_OPTIONS: SERVICE_NODE_OPTIONS,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secrets,
    // The SDK warns once on a Node.js older than 22; the runtime's Node.js 22 does not, so neither does this one.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

const LIFECYCLE_ENVIRONMENT = {
  [LIFECYCLE_ENV.functionArn]: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:open-kms-lifecycle`,
  [LIFECYCLE_ENV.scheduleGroup]: 'open-kms-lifecycle',
  [LIFECYCLE_ENV.schedulerRoleArn]: `arn:aws:iam::${ACCOUNT_ID}:role/open-kms-lifecycle-scheduler`,
  [LIFECYCLE_ENV.deadLetterQueueArn]: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:open-kms-lifecycle-dead-letters`,
};

/** The variables lib/kms-stack.ts gives only some functions. */
function stackEnvironmentOf(name: string): Record<string, string> {
  if (name === 'front') {
    return {
      ...Object.fromEntries(deployedGroups().map((group) => [groupFunctionEnvName(group), `open-kms-${group}`])),
      KMS_VPC_ENDPOINTS: `${API_ENDPOINT.vpcEndpointId}=${API_ENDPOINT.vpcId}`,
    };
  }
  if (name === 'lifecycle') return LIFECYCLE_ENVIRONMENT;
  if (name === 'first-credential') return { [DEPLOYMENT_ACCOUNT_ENV]: ACCOUNT_ID, [FIRST_CREDENTIAL_SECRET_ENV]: SECRETS.firstCredential };
  return SCHEDULING_GROUPS.includes(name as DeployedGroup) ? LIFECYCLE_ENVIRONMENT : {};
}
