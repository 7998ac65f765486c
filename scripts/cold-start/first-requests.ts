/**
 * The one request each function answers in its measured cold start, and the check of its answer.
 * The front's is an Encrypt by the account root (the hot path: SigV4 with the sealed secret from
 * the table, the key and its backing key from the table, AES-GCM in the token); each group's is a
 * request of its own group on the key the keys function created.
 */
import { EncryptCommand } from '@aws-sdk/client-kms';
import type { FunctionGroup, GroupResponse } from '../../src/pipeline/group-protocol.js';
import type { OperationName } from '../../src/models/kms/generated/operations.js';
import type { DeployedGroup } from '../../lib/api-groups.js';
import { apiGatewayEvent, groupPayload, rootContext, type Credentials } from './requests.js';

export interface FirstRequest {
  /** What is asked, for the report. */
  readonly description: string;
  /** The event, made just before the process starts (signatures are checked for freshness). */
  event(): Promise<unknown>;
  /** Throws unless `answer` is the success it should be. */
  check(answer: unknown): void;
}

/** What the requests need: the root's credential, the created key, the group-request key. */
export interface Seeded {
  readonly credentials: Credentials;
  readonly keyArn: string;
  readonly groupRequestKey: Uint8Array;
}

function fail(what: string, answer: unknown): never {
  throw new Error(`${what}: ${JSON.stringify(answer)}`);
}

/** The front's first request: an Encrypt answered with HTTP 200 and a ciphertext under the key. */
export function frontRequest(seeded: Seeded): FirstRequest {
  return {
    description: 'Encrypt (API Gateway REST proxy event signed by @aws-sdk/client-kms)',
    event: () => apiGatewayEvent(seeded.credentials, (kms) => kms.send(new EncryptCommand({ KeyId: seeded.keyArn, Plaintext: new TextEncoder().encode('cold start') }))),
    check: (answer) => {
      const { statusCode, body, isBase64Encoded } = answer as { statusCode?: number; body?: string; isBase64Encoded?: boolean };
      if (statusCode !== 200 || body === undefined) fail('the front did not answer HTTP 200', answer);
      const output = JSON.parse(isBase64Encoded === true ? Buffer.from(body, 'base64').toString('utf8') : body) as { KeyId?: string; CiphertextBlob?: string };
      if (output.KeyId !== seeded.keyArn || typeof output.CiphertextBlob !== 'string' || output.CiphertextBlob === '') fail('the front answered no ciphertext under the key', answer);
    },
  };
}

/** A group function's answer must be `ok`, with `accept` holding for its output. */
function groupRequest(
  seeded: Pick<Seeded, 'credentials' | 'groupRequestKey'>,
  group: FunctionGroup,
  operation: OperationName | `iam:${string}`,
  input: Record<string, unknown>,
  accept: (output: Record<string, unknown>) => boolean = () => true,
): FirstRequest {
  return {
    description: operation,
    event: async () => groupPayload(seeded.groupRequestKey, group, { operation, body: JSON.stringify(input), context: rootContext(seeded.credentials.accessKeyId) }),
    check: (answer) => {
      const response = answer as GroupResponse;
      if (!response.ok || !accept(JSON.parse(response.body) as Record<string, unknown>)) fail(`${group} did not answer ${operation}`, answer);
    },
  };
}

/** The keys function's first request, which also makes the key the others use: a symmetric CreateKey. */
export function createKeyRequest(seeded: Pick<Seeded, 'credentials' | 'groupRequestKey'>): FirstRequest {
  return groupRequest(seeded, 'keys', 'CreateKey', { Description: 'cold start' }, (output) => typeof (output['KeyMetadata'] as { Arn?: unknown } | undefined)?.Arn === 'string');
}

/** The key ARN in the keys function's CreateKey answer. */
export function createdKeyArn(answer: unknown): string {
  const body = JSON.parse((answer as { body: string }).body) as { KeyMetadata: { Arn: string } };
  return body.KeyMetadata.Arn;
}

/** Every group function but keys, each with a read of its own group. */
export function otherGroupRequests(seeded: Seeded): Record<Exclude<DeployedGroup, 'keys'>, FirstRequest> {
  return {
    aliases: groupRequest(seeded, 'aliases', 'ListAliases', {}, (output) => Array.isArray(output['Aliases'])),
    tags: groupRequest(seeded, 'tags', 'ListResourceTags', { KeyId: seeded.keyArn }, (output) => Array.isArray(output['Tags'])),
    policies: groupRequest(seeded, 'policies', 'ListKeyPolicies', { KeyId: seeded.keyArn }, (output) => Array.isArray(output['PolicyNames'])),
    grants: groupRequest(seeded, 'grants', 'ListGrants', { KeyId: seeded.keyArn }, (output) => Array.isArray(output['Grants'])),
    identities: groupRequest(seeded, 'identities', 'iam:ListUsers', {}),
  };
}

/** The lifecycle function's daily check of every record: each record the others wrote must verify. */
export const verifyRecordsRequest: FirstRequest = {
  description: 'verifyRecords (the daily check of every record)',
  event: async () => ({ verifyRecords: true }),
  check: (answer) => {
    const outcome = answer as { checked?: number; failed?: number };
    if (outcome.failed !== 0 || (outcome.checked ?? 0) === 0) fail('the record check did not pass', answer);
  },
};

/** The first-credential custom resource's Create: the root's first access key. */
export const firstCredentialRequest: FirstRequest = {
  description: 'Create (the custom resource that makes the root\'s first access key)',
  event: async () => ({ RequestType: 'Create', ResourceProperties: {} }),
  check: (answer) => {
    const accessKeyId = (answer as { Data?: { AccessKeyId?: unknown } }).Data?.AccessKeyId;
    if (typeof accessKeyId !== 'string' || !accessKeyId.startsWith('AKIA')) fail('no access key was made', answer);
  },
};
