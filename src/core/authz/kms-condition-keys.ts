/**
 * Builds the condition keys of one KMS request from the request environment, the operation's input
 * and the KMS key it is authorized on. Which request member feeds which key is the table below
 * (Developer Guide, "AWS KMS condition keys"); which keys an action has at all comes from the
 * generated Service Authorization Reference data, so a key the action does not support is absent.
 */
import { KMS_KEY_RESOURCE_CONDITION_KEYS } from '../../models/authz/generated/condition-keys.js';
import type { KeyRecord } from '../kms/records.js';
import { ConditionKeysBuilder, addGlobalKeys, type ConditionKeys, type RequestEnvironment } from './condition-keys.js';
import type { EncryptionContext } from './grants.js';
import { kmsAction } from './kms-action-rules.js';

type Input = Readonly<Record<string, unknown>>;
type Value = string | boolean | number | readonly string[] | undefined;

/** Facts about the request beyond its input. */
export interface KmsRequestFacts {
  /** The key the action is authorized on (absent for CreateKey, ListKeys, aliases, …). */
  readonly key?: KeyRecord;
  /** The alias names of that key (kms:ResourceAliases). */
  readonly keyAliases?: readonly string[];
  /** For ReEncrypt: whether the destination key is the key that encrypted the ciphertext. */
  readonly reEncryptOnSameKey?: boolean;
  /** kms:GrantIsForAWSResource: whether an integrated AWS service sent the grant request. */
  readonly grantIsForAwsResource?: boolean;
}

function text(input: Input, member: string): string | undefined {
  const value = input[member];
  return typeof value === 'string' ? value : undefined;
}

function bool(input: Input, member: string): boolean | undefined {
  const value = input[member];
  return typeof value === 'boolean' ? value : undefined;
}

function num(input: Input, member: string): number | undefined {
  const value = input[member];
  return typeof value === 'number' ? value : value instanceof Date ? value.getTime() / 1000 : undefined;
}

function context(input: Input, member: string): EncryptionContext | undefined {
  const value = input[member];
  return typeof value === 'object' && value !== null ? (value as EncryptionContext) : undefined;
}

/** kms:RequestAlias: the alias name when the request names the key by alias name or alias ARN. */
export function requestAliasOf(keyId: string | undefined): string | undefined {
  if (keyId === undefined) return undefined;
  if (keyId.startsWith('alias/')) return keyId;
  const at = keyId.indexOf(':alias/');
  return keyId.startsWith('arn:') && at > 0 ? keyId.slice(at + 1) : undefined;
}

function tagsOf(input: Input): Record<string, string> {
  const tags = input['Tags'];
  if (!Array.isArray(tags)) return {};
  const out: Record<string, string> = {};
  for (const tag of tags as { TagKey?: unknown; TagValue?: unknown }[]) {
    if (typeof tag.TagKey === 'string' && typeof tag.TagValue === 'string') out[tag.TagKey] = tag.TagValue;
  }
  return out;
}

const keySpecOfCreate = (i: Input): Value => text(i, 'KeySpec') ?? text(i, 'CustomerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT';
const alias = (member: string) => (i: Input): Value => requestAliasOf(text(i, member));
const algorithm = (member: string) => (i: Input): Value => text(i, member) ?? 'SYMMETRIC_DEFAULT';
const dataKeyKeys = [['kms:EncryptionAlgorithm', () => 'SYMMETRIC_DEFAULT'], ['kms:RequestAlias', alias('KeyId')]] as const;

/**
 * Request members behind each action's condition keys. Defaults apply where the guide says the key
 * works "even when the parameter doesn't appear in the request" (kms:KeySpec, kms:EncryptionAlgorithm,
 * …); keys AWS leaves absent without the parameter (kms:BypassPolicyLockoutSafetyCheck, whose
 * Null example relies on it) stay absent.
 */
const REQUEST_KEYS: Readonly<Record<string, readonly (readonly [string, (input: Input, facts: KmsRequestFacts) => Value])[]>> = {
  CreateKey: [
    ['kms:KeySpec', keySpecOfCreate], ['kms:CustomerMasterKeySpec', keySpecOfCreate],
    ['kms:KeyUsage', (i) => text(i, 'KeyUsage') ?? 'ENCRYPT_DECRYPT'], ['kms:CustomerMasterKeyUsage', (i) => text(i, 'KeyUsage') ?? 'ENCRYPT_DECRYPT'],
    ['kms:KeyOrigin', (i) => text(i, 'Origin') ?? 'AWS_KMS'], ['kms:MultiRegion', (i) => bool(i, 'MultiRegion') ?? false],
    ['kms:MultiRegionKeyType', (i) => (bool(i, 'MultiRegion') === true ? 'PRIMARY' : undefined)],
    ['kms:BypassPolicyLockoutSafetyCheck', (i) => bool(i, 'BypassPolicyLockoutSafetyCheck')],
    ['aws:TagKeys', (i) => Object.keys(tagsOf(i))],
  ],
  PutKeyPolicy: [['kms:BypassPolicyLockoutSafetyCheck', (i) => bool(i, 'BypassPolicyLockoutSafetyCheck')]],
  Encrypt: [['kms:EncryptionAlgorithm', algorithm('EncryptionAlgorithm')], ['kms:RequestAlias', alias('KeyId')]],
  Decrypt: [['kms:EncryptionAlgorithm', algorithm('EncryptionAlgorithm')], ['kms:RequestAlias', alias('KeyId')]],
  GenerateDataKey: dataKeyKeys,
  GenerateDataKeyWithoutPlaintext: dataKeyKeys,
  GenerateDataKeyPair: [...dataKeyKeys, ['kms:DataKeyPairSpec', (i) => text(i, 'KeyPairSpec')]],
  GenerateDataKeyPairWithoutPlaintext: [...dataKeyKeys, ['kms:DataKeyPairSpec', (i) => text(i, 'KeyPairSpec')]],
  ReEncryptFrom: [
    ['kms:EncryptionAlgorithm', algorithm('SourceEncryptionAlgorithm')], ['kms:RequestAlias', alias('SourceKeyId')],
    ['kms:ReEncryptOnSameKey', (_i, f) => f.reEncryptOnSameKey],
  ],
  ReEncryptTo: [
    ['kms:EncryptionAlgorithm', algorithm('DestinationEncryptionAlgorithm')], ['kms:RequestAlias', alias('DestinationKeyId')],
    ['kms:ReEncryptOnSameKey', (_i, f) => f.reEncryptOnSameKey],
  ],
  Sign: [['kms:SigningAlgorithm', (i) => text(i, 'SigningAlgorithm')], ['kms:MessageType', (i) => text(i, 'MessageType') ?? 'RAW'], ['kms:RequestAlias', alias('KeyId')]],
  Verify: [['kms:SigningAlgorithm', (i) => text(i, 'SigningAlgorithm')], ['kms:MessageType', (i) => text(i, 'MessageType') ?? 'RAW'], ['kms:RequestAlias', alias('KeyId')]],
  GenerateMac: [['kms:MacAlgorithm', (i) => text(i, 'MacAlgorithm')], ['kms:RequestAlias', alias('KeyId')]],
  VerifyMac: [['kms:MacAlgorithm', (i) => text(i, 'MacAlgorithm')], ['kms:RequestAlias', alias('KeyId')]],
  DescribeKey: [['kms:RequestAlias', alias('KeyId')]],
  GetPublicKey: [['kms:RequestAlias', alias('KeyId')]],
  DeriveSharedSecret: [['kms:KeyAgreementAlgorithm', (i) => text(i, 'KeyAgreementAlgorithm')], ['kms:RequestAlias', alias('KeyId')]],
  CreateGrant: [
    ['kms:GrantOperations', (i) => (Array.isArray(i['Operations']) ? (i['Operations'] as string[]) : undefined)],
    ['kms:GranteePrincipal', (i) => text(i, 'GranteePrincipal')], ['kms:RetiringPrincipal', (i) => text(i, 'RetiringPrincipal')],
    ['kms:GrantConstraintType', (i) => {
      const c = context(i, 'Constraints');
      return c === undefined ? undefined : Object.keys(c).filter((k) => k === 'EncryptionContextEquals' || k === 'EncryptionContextSubset');
    }],
    ['kms:GrantIsForAWSResource', (_i, f) => f.grantIsForAwsResource ?? false],
  ],
  ListGrants: [['kms:GrantIsForAWSResource', (_i, f) => f.grantIsForAwsResource ?? false]],
  RevokeGrant: [['kms:GrantIsForAWSResource', (_i, f) => f.grantIsForAwsResource ?? false]],
  TagResource: [['aws:TagKeys', (i) => Object.keys(tagsOf(i))]],
  UntagResource: [['aws:TagKeys', (i) => (Array.isArray(i['TagKeys']) ? (i['TagKeys'] as string[]) : undefined)]],
  EnableKeyRotation: [['kms:RotationPeriodInDays', (i) => num(i, 'RotationPeriodInDays') ?? 365]],
  ScheduleKeyDeletion: [['kms:ScheduleKeyDeletionPendingWindowInDays', (i) => num(i, 'PendingWindowInDays') ?? 30]],
  ReplicateKey: [['kms:ReplicaRegion', (i) => text(i, 'ReplicaRegion')]],
  UpdatePrimaryRegion: [['kms:PrimaryRegion', (i) => text(i, 'PrimaryRegion')]],
  ImportKeyMaterial: [['kms:ExpirationModel', (i) => text(i, 'ExpirationModel') ?? 'KEY_MATERIAL_EXPIRES'], ['kms:ValidTo', (i) => num(i, 'ValidTo')]],
  GetParametersForImport: [['kms:WrappingAlgorithm', (i) => text(i, 'WrappingAlgorithm')], ['kms:WrappingKeySpec', (i) => text(i, 'WrappingKeySpec')]],
};

/** Which request member holds the encryption context the action's conditions and grant constraints see. */
const ENCRYPTION_CONTEXT_MEMBER: Readonly<Record<string, string>> = {
  Encrypt: 'EncryptionContext', Decrypt: 'EncryptionContext', GenerateDataKey: 'EncryptionContext',
  GenerateDataKeyWithoutPlaintext: 'EncryptionContext', GenerateDataKeyPair: 'EncryptionContext',
  GenerateDataKeyPairWithoutPlaintext: 'EncryptionContext', ReEncryptFrom: 'SourceEncryptionContext',
  ReEncryptTo: 'DestinationEncryptionContext',
};

/** The encryption context of a request for an action (for CreateGrant: the constraint's pairs). */
export function encryptionContextOf(action: string, input: Input): EncryptionContext | undefined {
  const name = action.replace(/^kms:/i, '');
  if (name === 'CreateGrant') {
    const constraints = context(input, 'Constraints') as { EncryptionContextEquals?: EncryptionContext; EncryptionContextSubset?: EncryptionContext } | undefined;
    return constraints?.EncryptionContextEquals ?? constraints?.EncryptionContextSubset;
  }
  const member = ENCRYPTION_CONTEXT_MEMBER[name];
  return member === undefined ? undefined : context(input, member);
}

/** Keys that only some actions have; other `aws:` keys are global. */
const SERVICE_KEY = /^kms:|^aws:(?:requesttag|resourcetag|tagkeys)/;

const SUPPORTED = new Map<string, (lowerKey: string) => boolean>();

/** Whether the action supports a condition key, per the generated tables (one test per action, kept). */
function supportedKeys(action: string, onKey: boolean): (lowerKey: string) => boolean {
  const cacheKey = `${action.toLowerCase()} ${String(onKey)}`;
  let test = SUPPORTED.get(cacheKey);
  if (test === undefined) {
    test = buildSupportedKeys(action, onKey);
    if (SUPPORTED.size < 512) SUPPORTED.set(cacheKey, test);
  }
  return test;
}

function buildSupportedKeys(action: string, onKey: boolean): (lowerKey: string) => boolean {
  const data = kmsAction(action);
  const patterns = [...(data?.conditionKeys ?? []), ...(onKey ? KMS_KEY_RESOURCE_CONDITION_KEYS : []), ...(onKey ? ['kms:CustomerMasterKeySpec', 'kms:CustomerMasterKeyUsage'] : [])]
    .map((k) => k.toLowerCase().replace(/\$\{[^}]*\}$/, ''));
  const exact = new Set(patterns.filter((p) => !p.endsWith(':') && !p.endsWith('/')));
  const prefixes = patterns.filter((p) => p.endsWith(':') || p.endsWith('/'));
  return (key) => !SERVICE_KEY.test(key) || exact.has(key) || prefixes.some((p) => key.startsWith(p));
}

/**
 * The condition keys of a KMS request: global keys from the environment, the key's properties for
 * an action on a key, and the action's request parameters.
 *
 * @example
 * const keys = kmsConditionKeys(env, 'kms:Encrypt', input, { key, keyAliases: ['alias/app'] });
 */
export function kmsConditionKeys(env: RequestEnvironment, action: string, input: Input, facts: KmsRequestFacts = {}): ConditionKeys {
  const builder = new ConditionKeysBuilder();
  addGlobalKeys(builder, env);
  const name = action.replace(/^kms:/i, '');
  const { key } = facts;
  const staged = new ConditionKeysBuilder().set('kms:CallerAccount', env.principal.accountId).set('kms:ViaService', env.viaService);
  if (key !== undefined) {
    staged.set('kms:KeySpec', key.keySpec).set('kms:CustomerMasterKeySpec', key.keySpec)
      .set('kms:KeyUsage', key.keyUsage).set('kms:CustomerMasterKeyUsage', key.keyUsage)
      .set('kms:KeyOrigin', key.origin).set('kms:MultiRegion', key.multiRegion)
      .set('kms:MultiRegionKeyType', key.multiRegion ? 'PRIMARY' : undefined)
      .set('kms:ResourceAliases', facts.keyAliases === undefined || facts.keyAliases.length === 0 ? undefined : facts.keyAliases);
    for (const tag of key.tags) staged.add(`aws:ResourceTag/${tag.tagKey}`, tag.tagValue);
  }
  for (const [conditionKey, from] of REQUEST_KEYS[name] ?? []) staged.set(conditionKey, from(input, facts));
  if (name === 'CreateKey' || name === 'TagResource') staged.tags('aws:RequestTag/', tagsOf(input));
  const pairs = encryptionContextOf(action, input);
  if (pairs !== undefined && Object.keys(pairs).length > 0) {
    for (const [k, v] of Object.entries(pairs)) staged.add(`kms:EncryptionContext:${k}`, v);
    staged.set('kms:EncryptionContextKeys', Object.keys(pairs));
  }
  const supported = supportedKeys(action, key !== undefined);
  for (const [k, v] of staged.build()) if (supported(k)) builder.set(k, v);
  return builder.build();
}
