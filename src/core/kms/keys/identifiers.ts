/**
 * Key identifiers exactly as AWS KMS accepts them: key ID, key ARN, alias name and alias ARN.
 * Which forms an operation accepts is decided by the caller through `allowAliases`.
 */
import { InvalidArnException, NotFoundException } from '../../../models/kms/generated/errors.js';
import { say } from '../messages.js';

export const ALIAS_PREFIX = 'alias/';
export const RESERVED_ALIAS_PREFIX = 'alias/aws/';

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

export type KeyIdentifier =
  | { readonly kind: 'keyId' | 'keyArn'; readonly accountId: string; readonly region: string; readonly keyId: string }
  | { readonly kind: 'aliasName' | 'aliasArn'; readonly accountId: string; readonly region: string; readonly aliasName: string };

export interface Scope {
  readonly accountId: string;
  readonly region: string;
}

export function isKeyId(value: string): boolean {
  return KEY_ID.test(value);
}

/** The ARN partition of a Region: `aws-cn` in China, `aws-us-gov` in GovCloud, `aws` elsewhere. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function keyArn(scope: Scope, keyId: string): string {
  return `arn:${partitionOf(scope.region)}:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}

export function aliasArn(scope: Scope, aliasName: string): string {
  return `arn:${partitionOf(scope.region)}:kms:${scope.region}:${scope.accountId}:${aliasName}`;
}

/**
 * Parses a `KeyId` request member. Unknown shapes answer `NotFoundException: Invalid keyId '…'`
 * as AWS does; strings that start like an ARN but are not KMS ARNs answer `InvalidArnException`.
 */
export function parseKeyIdentifier(raw: string, scope: Scope, options: { readonly allowAliases: boolean }): KeyIdentifier {
  if (raw.startsWith('arn:')) return parseArn(raw, options);
  if (raw.startsWith(ALIAS_PREFIX)) {
    if (!options.allowAliases) throw invalidKeyId(raw);
    return { kind: 'aliasName', ...scope, aliasName: raw };
  }
  if (!isKeyId(raw)) throw invalidKeyId(raw);
  return { kind: 'keyId', ...scope, keyId: raw };
}

function parseArn(raw: string, options: { readonly allowAliases: boolean }): KeyIdentifier {
  // arn:partition:kms:region:account:resource — the resource may itself contain colons only in aliases (it cannot).
  const parts = raw.split(':');
  const [, partition, service, region, accountId, ...rest] = parts;
  const resource = rest.join(':');
  if (partition === undefined || !partition.startsWith('aws') || service !== 'kms' || region === undefined
    || !REGION.test(region) || accountId === undefined || !ACCOUNT_ID.test(accountId) || resource === '') {
    throw new InvalidArnException(say('invalidArn', { arn: raw }));
  }
  if (resource.startsWith('key/')) {
    const keyId = resource.slice('key/'.length);
    if (!isKeyId(keyId)) throw invalidKeyId(raw);
    return { kind: 'keyArn', accountId, region, keyId };
  }
  if (resource.startsWith(ALIAS_PREFIX) && resource.length > ALIAS_PREFIX.length) {
    if (!options.allowAliases) throw invalidKeyId(raw);
    return { kind: 'aliasArn', accountId, region, aliasName: resource };
  }
  throw new InvalidArnException(say('invalidArn', { arn: raw }));
}

function invalidKeyId(raw: string): NotFoundException {
  return new NotFoundException(say('invalidKeyId', { keyId: raw }));
}
