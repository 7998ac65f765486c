/**
 * Reads a seed file in local-kms's `seed.yaml` format into a checked plan, before anything is
 * written: every problem stops the start with the file, the entry (and its line) and what is wrong.
 *
 * local-kms's format: `Keys.Symmetric.Aes[]` (`Metadata` with `KeyId`, `Description`, `Origin`;
 * `BackingKeys`, hex AES-256 keys, the last one current), `Keys.Asymmetric.Rsa[]` and `Ecc[]`
 * (`Metadata` with `KeyId`, `KeyUsage`, `Description`; `PrivateKeyPem`, PKCS#8, SEC1 or PKCS#1,
 * the size or curve read from the key) and `Aliases[]` (`AliasName`, `TargetKeyId`).
 * Extensions of this service: `Keys.Symmetric.Hmac[]` (`Metadata.KeySpec`, hex `KeyMaterial`),
 * Ed25519 keys in `Ecc[]`, and `Metadata.Tags` and `Metadata.Policy` on every key.
 * local-kms's `NextKeyRotation` (an ISO 8601 date and time) enables automatic rotation, every 365
 * days from that date. `Origin: EXTERNAL` is refused with a message saying so: imported key
 * material comes in through GetParametersForImport and ImportKeyMaterial, never in the clear.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { KeySpec, KeyUsageType } from '../../models/kms/generated/shapes.js';
import type { TagRecord } from '../../core/kms/records.js';
import { ALIAS_PREFIX, RESERVED_ALIAS_PREFIX, isKeyId } from '../../core/kms/keys/identifiers.js';
import { allowedUsages } from '../../core/kms/keys/key-specs.js';
import { validateNewTags } from '../../core/kms/keys/tags.js';
import { constraintViolations } from '../../protocol/aws-json/validate-input.js';
import { parsePolicy } from '../../core/authz/parse-policy.js';

/** Key material of a seeded key, in the clear until it enters the token; `zero()` the plan after use. */
export type SeedMaterial =
  | { readonly kind: 'aes'; readonly backingKeys: readonly Uint8Array[] }
  | { readonly kind: 'pkcs8'; readonly privateKey: Uint8Array; readonly publicKey: Uint8Array }
  | { readonly kind: 'hmac'; readonly key: Uint8Array };

export interface SeedKey {
  /** Where the key is in the file, for messages: `Keys.Symmetric.Aes[0] (line 4)`. */
  readonly entry: string;
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsageType;
  readonly description: string;
  readonly tags: readonly TagRecord[];
  /** The key policy (an extension); the default key policy when absent. */
  readonly policy?: string;
  readonly material: SeedMaterial;
  /** local-kms's `NextKeyRotation` (epoch ms): automatic rotation is enabled, next due then. */
  readonly nextRotationDate?: number;
}

export interface SeedAlias {
  readonly entry: string;
  readonly aliasName: string;
  /** The target's key ID. */
  readonly targetKeyId: string;
  /** The key ARN, when the file names the target by ARN (it must be in the seeded account and Region). */
  readonly targetArn?: string;
}

export interface SeedPlan {
  readonly path: string;
  readonly keys: readonly SeedKey[];
  readonly aliases: readonly SeedAlias[];
  /** Overwrites every piece of key material the plan holds. */
  zero(): void;
}

/** A seed file that cannot be used; the message names the file, the entry and the problem. */
export class SeedFileError extends Error {
  override readonly name = 'SeedFileError';
}

/** Reads and checks `path`. Throws `SeedFileError` for anything wrong with it. */
export async function readSeedFile(path: string): Promise<SeedPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SeedFileError(`Seed file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  return parseSeed(text, path);
}

/** Parses seed text; `path` is only used in messages. */
export async function parseSeed(text: string, path: string): Promise<SeedPlan> {
  // Loaded only when there is a seed file: an instance without one keeps its memory.
  return parseSeedWith(await import('yaml'), text, path);
}

type Path = readonly (string | number)[];
type YamlMap = Readonly<Record<string, unknown>>;

const AES_KEY_BYTES = 32;
/** One transaction writes the key and all its backing keys; DynamoDB allows 100 items in one. */
const MAX_BACKING_KEYS = 99;
const HMAC_KEY_BYTES: Readonly<Record<string, number>> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };
const EC_SPECS: Readonly<Record<string, KeySpec>> = {
  prime256v1: 'ECC_NIST_P256', secp384r1: 'ECC_NIST_P384', secp521r1: 'ECC_NIST_P521', secp256k1: 'ECC_SECG_P256K1',
};
const RSA_SPECS: Readonly<Record<number, KeySpec>> = { 2048: 'RSA_2048', 3072: 'RSA_3072', 4096: 'RSA_4096' };
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function parseSeedWith(yaml: typeof import('yaml'), text: string, path: string): SeedPlan {
  const lines = new yaml.LineCounter();
  // failsafe: every scalar stays a string, so a hex key of digits only never turns into a number.
  const document = yaml.parseDocument(text, { schema: 'failsafe', lineCounter: lines, uniqueKeys: true });
  const first = document.errors[0];
  if (first !== undefined) throw new SeedFileError(`Seed file ${path}: not valid YAML: ${first.message}`);
  const fail = (at: Path, problem: string): never => {
    const node = document.getIn(at, true) as { range?: [number, number, number] } | undefined;
    const line = node?.range === undefined ? '' : ` (line ${lines.linePos(node.range[0]).line})`;
    throw new SeedFileError(`Seed file ${path}: ${describe(at)}${line}: ${problem}`);
  };
  const reader = new Reader(fail);
  const keys: SeedKey[] = [];
  const aliases: SeedAlias[] = [];
  const plan: SeedPlan = { path, keys, aliases, zero: () => keys.forEach(zeroMaterial) };
  try {
    const root = reader.map(document.toJS() ?? {}, [], ['Keys', 'Aliases']);
    const keySections = reader.map(root['Keys'] ?? {}, ['Keys'], ['Symmetric', 'Asymmetric']);
    const symmetric = reader.map(keySections['Symmetric'] ?? {}, ['Keys', 'Symmetric'], ['Aes', 'Hmac']);
    const asymmetric = reader.map(keySections['Asymmetric'] ?? {}, ['Keys', 'Asymmetric'], ['Rsa', 'Ecc']);
    const sections: readonly [Path, (entry: YamlMap, at: Path) => SeedKey][] = [
      [['Keys', 'Symmetric', 'Aes'], (entry, at) => aesKey(reader, entry, at)],
      [['Keys', 'Symmetric', 'Hmac'], (entry, at) => hmacKey(reader, entry, at)],
      [['Keys', 'Asymmetric', 'Rsa'], (entry, at) => pemKey(reader, entry, at, 'rsa')],
      [['Keys', 'Asymmetric', 'Ecc'], (entry, at) => pemKey(reader, entry, at, 'ecc')],
    ];
    const containers: Readonly<Record<string, YamlMap>> = { Symmetric: symmetric, Asymmetric: asymmetric };
    for (const [at, parse] of sections) {
      const list = reader.list(containers[String(at[1])]?.[String(at[2])] ?? [], at);
      list.forEach((entry, index) => {
        const key = parse(reader.map(entry, [...at, index]), [...at, index]);
        const twin = keys.find((other) => other.keyId === key.keyId);
        if (twin !== undefined) fail([...at, index, 'Metadata', 'KeyId'], `KeyId ${key.keyId} is already used by ${twin.entry}.`);
        keys.push(key);
      });
    }
    reader.list(root['Aliases'] ?? [], ['Aliases']).forEach((entry, index) => {
      const alias = seedAlias(reader, reader.map(entry, ['Aliases', index], ['AliasName', 'TargetKeyId']), ['Aliases', index]);
      if (aliases.some((other) => other.aliasName === alias.aliasName)) fail(['Aliases', index, 'AliasName'], `${alias.aliasName} is listed twice.`);
      aliases.push(alias);
    });
  } catch (error) {
    plan.zero();
    throw error;
  }
  return plan;
}

function describe(at: Path): string {
  if (at.length === 0) return 'the document';
  return at.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('').replace(/^\./, '');
}

/** Typed access to the parsed document; every mismatch fails with its path. */
class Reader {
  constructor(readonly fail: (at: Path, problem: string) => never) {}

  map(value: unknown, at: Path, allowed?: readonly string[]): YamlMap {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return this.fail(at, 'must be a mapping.');
    const map = value as YamlMap;
    const unknown = allowed === undefined ? undefined : Object.keys(map).find((name) => !allowed.includes(name));
    if (unknown !== undefined) this.fail([...at, unknown], `unknown field ${unknown}; expected ${allowed?.join(', ')}.`);
    return map;
  }

  list(value: unknown, at: Path): readonly unknown[] {
    if (!Array.isArray(value)) return this.fail(at, 'must be a list.');
    return value;
  }

  string(map: YamlMap, name: string, at: Path): string {
    const value = this.optionalString(map, name, at);
    return value ?? this.fail(at, `${name} is required.`);
  }

  optionalString(map: YamlMap, name: string, at: Path): string | undefined {
    const value = map[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') return this.fail([...at, name], 'must be a string.');
    return value;
  }

  /** Hex bytes; the message never repeats the value, which is key material. */
  hex(value: unknown, at: Path, bytes: number): Uint8Array {
    if (typeof value !== 'string' || !HEX.test(value) || value.length !== bytes * 2) {
      return this.fail(at, `must be ${bytes} bytes written as ${bytes * 2} hex digits.`);
    }
    return Uint8Array.from(Buffer.from(value, 'hex'));
  }
}

interface CommonMetadata {
  readonly keyId: string;
  readonly description: string;
  readonly tags: readonly TagRecord[];
  readonly policy?: string;
  readonly entry: string;
}

const COMMON_METADATA = ['KeyId', 'Description', 'Origin', 'Tags', 'Policy'];

function metadata(reader: Reader, entry: YamlMap, at: Path, extra: readonly string[]): CommonMetadata & { readonly fields: YamlMap } {
  const fields = reader.map(entry['Metadata'], [...at, 'Metadata'], [...COMMON_METADATA, ...extra]);
  const metaAt = [...at, 'Metadata'];
  const keyId = reader.string(fields, 'KeyId', metaAt);
  /* Precondition: a seeded key ID is a (single-Region) key ID such as AWS KMS makes. */
  if (!isKeyId(keyId) || keyId.startsWith('mrk-')) {
    reader.fail([...metaAt, 'KeyId'], `KeyId ${keyId} is not a key ID (a lowercase UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab).`);
  }
  const origin = reader.optionalString(fields, 'Origin', metaAt) ?? 'AWS_KMS';
  if (origin === 'EXTERNAL') {
    reader.fail([...metaAt, 'Origin'], 'Origin EXTERNAL is not supported in a seed file: import the material with GetParametersForImport and ImportKeyMaterial, or remove Origin to seed the key with the given material as an AWS_KMS key.');
  }
  if (origin !== 'AWS_KMS') reader.fail([...metaAt, 'Origin'], `Origin ${origin} cannot be seeded; use AWS_KMS.`);
  const description = reader.optionalString(fields, 'Description', metaAt) ?? '';
  const policy = reader.optionalString(fields, 'Policy', metaAt);
  const tags = reader.list(fields['Tags'] ?? [], [...metaAt, 'Tags']).map((tag, index) => {
    const tagAt = [...metaAt, 'Tags', index];
    const map = reader.map(tag, tagAt, ['TagKey', 'TagValue']);
    return { TagKey: reader.string(map, 'TagKey', tagAt), TagValue: reader.string(map, 'TagValue', tagAt) };
  });
  // The same constraints CreateKey checks, in AWS's words.
  const [violation] = constraintViolations('CreateKeyRequest', { Description: description, Policy: policy, Tags: tags });
  if (violation !== undefined) reader.fail(metaAt, violation);
  if (policy !== undefined) {
    // The checks AWS KMS makes of a key policy when it is stored.
    try {
      parsePolicy(policy, { kind: 'key' });
    } catch (error) {
      reader.fail([...metaAt, 'Policy'], (error as Error).message);
    }
  }
  let tagRecords: TagRecord[] = [];
  try {
    tagRecords = validateNewTags([], tags);
  } catch (error) {
    reader.fail([...metaAt, 'Tags'], (error as Error).message);
  }
  const label = `${describe(at)} (KeyId ${keyId})`;
  return { keyId, description, tags: tagRecords, ...(policy === undefined ? {} : { policy }), entry: label, fields };
}

/** local-kms writes NextKeyRotation as RFC 3339 (`2019-09-12T15:19:21+00:00`). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

function aesKey(reader: Reader, entry: YamlMap, at: Path): SeedKey {
  reader.map(entry, at, ['Metadata', 'BackingKeys', 'NextKeyRotation']);
  const common = metadata(reader, entry, at, []);
  const nextRotation = reader.optionalString(entry, 'NextKeyRotation', at);
  const nextRotationDate = nextRotation === undefined ? undefined : Date.parse(nextRotation);
  if (nextRotationDate !== undefined && (!ISO_DATE_TIME.test(nextRotation ?? '') || Number.isNaN(nextRotationDate))) {
    reader.fail([...at, 'NextKeyRotation'], 'must be a date and time in ISO 8601, such as 2025-09-12T15:19:21+00:00.');
  }
  const list = reader.list(entry['BackingKeys'], [...at, 'BackingKeys']);
  if (list.length === 0) reader.fail([...at, 'BackingKeys'], 'must list at least one hex AES-256 key (openssl rand -hex 32).');
  if (list.length > MAX_BACKING_KEYS) reader.fail([...at, 'BackingKeys'], `lists ${list.length} keys; at most ${MAX_BACKING_KEYS} can be seeded.`);
  const backingKeys: Uint8Array[] = [];
  try {
    list.forEach((value, index) => {
      const key = reader.hex(value, [...at, 'BackingKeys', index], AES_KEY_BYTES);
      backingKeys.push(key);
      const twin = backingKeys.findIndex((other) => Buffer.compare(other, key) === 0);
      if (twin !== index) reader.fail([...at, 'BackingKeys', index], `repeats BackingKeys[${twin}].`);
    });
  } catch (error) {
    backingKeys.forEach((key) => key.fill(0));
    throw error;
  }
  return {
    ...withoutFields(common), keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', material: { kind: 'aes', backingKeys },
    ...(nextRotationDate === undefined ? {} : { nextRotationDate }),
  };
}

function hmacKey(reader: Reader, entry: YamlMap, at: Path): SeedKey {
  reader.map(entry, at, ['Metadata', 'KeyMaterial']);
  const common = metadata(reader, entry, at, ['KeySpec', 'KeyUsage']);
  const metaAt = [...at, 'Metadata'];
  const keySpec = reader.string(common.fields, 'KeySpec', metaAt);
  const bytes = HMAC_KEY_BYTES[keySpec];
  if (bytes === undefined) return reader.fail([...metaAt, 'KeySpec'], `KeySpec ${keySpec} is not an HMAC key spec (HMAC_224, HMAC_256, HMAC_384, HMAC_512).`);
  const usage = reader.optionalString(common.fields, 'KeyUsage', metaAt) ?? 'GENERATE_VERIFY_MAC';
  if (usage !== 'GENERATE_VERIFY_MAC') reader.fail([...metaAt, 'KeyUsage'], `KeyUsage ${usage} is not compatible with KeySpec ${keySpec}; HMAC keys are GENERATE_VERIFY_MAC.`);
  // AWS requires imported HMAC key material of exactly the key spec's length.
  const key = reader.hex(entry['KeyMaterial'], [...at, 'KeyMaterial'], bytes);
  return { ...withoutFields(common), keySpec: keySpec as KeySpec, keyUsage: 'GENERATE_VERIFY_MAC', material: { kind: 'hmac', key } };
}

function pemKey(reader: Reader, entry: YamlMap, at: Path, family: 'rsa' | 'ecc'): SeedKey {
  reader.map(entry, at, ['Metadata', 'PrivateKeyPem']);
  const common = metadata(reader, entry, at, ['KeyUsage']);
  const metaAt = [...at, 'Metadata'];
  const pemAt = [...at, 'PrivateKeyPem'];
  const pem = reader.string(entry, 'PrivateKeyPem', at);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return reader.fail(pemAt, 'is not an unencrypted PEM private key (PKCS#8 "PRIVATE KEY", SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY").');
  }
  const keySpec = specOf(key, family) ?? reader.fail(pemAt, family === 'rsa'
    ? 'is not an RSA key of 2048, 3072 or 4096 bits.'
    : 'is not a key on NIST P-256, P-384, P-521, secp256k1 or Ed25519.');
  const usage = (reader.optionalString(common.fields, 'KeyUsage', metaAt) ?? (family === 'ecc' ? 'SIGN_VERIFY' : undefined))
    ?? reader.fail(metaAt, 'KeyUsage is required for RSA keys: ENCRYPT_DECRYPT or SIGN_VERIFY.');
  if (!(allowedUsages(keySpec) as readonly string[]).includes(usage)) {
    reader.fail([...metaAt, 'KeyUsage'], `KeyUsage ${usage} is not compatible with KeySpec ${keySpec}`);
  }
  const privateKey = new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
  const publicKey = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  return { ...withoutFields(common), keySpec, keyUsage: usage as KeyUsageType, material: { kind: 'pkcs8', privateKey, publicKey } };
}

function specOf(key: KeyObject, family: 'rsa' | 'ecc'): KeySpec | undefined {
  const details = key.asymmetricKeyDetails;
  if (family === 'rsa') return key.asymmetricKeyType === 'rsa' ? RSA_SPECS[details?.modulusLength ?? 0] : undefined;
  if (key.asymmetricKeyType === 'ed25519') return 'ECC_NIST_EDWARDS25519';
  return key.asymmetricKeyType === 'ec' ? EC_SPECS[details?.namedCurve ?? ''] : undefined;
}

function seedAlias(reader: Reader, entry: YamlMap, at: Path): SeedAlias {
  const aliasName = reader.string(entry, 'AliasName', at);
  const target = reader.string(entry, 'TargetKeyId', at);
  const [violation] = constraintViolations('CreateAliasRequest', { AliasName: aliasName, TargetKeyId: target });
  if (violation !== undefined) reader.fail(at, violation);
  if (!aliasName.startsWith(ALIAS_PREFIX) || aliasName.length === ALIAS_PREFIX.length) reader.fail([...at, 'AliasName'], 'Alias must start with the prefix "alias/".');
  if (aliasName.startsWith(RESERVED_ALIAS_PREFIX)) reader.fail([...at, 'AliasName'], `${aliasName}: the alias/aws/ prefix is reserved for AWS managed keys.`);
  const arnKeyId = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(.+)$/.exec(target)?.[1];
  const targetKeyId = arnKeyId ?? target;
  if (!isKeyId(targetKeyId)) reader.fail([...at, 'TargetKeyId'], `TargetKeyId ${target} is not a key ID or key ARN.`);
  return { entry: `${describe(at)} (${aliasName})`, aliasName, targetKeyId, ...(arnKeyId === undefined ? {} : { targetArn: target }) };
}

function withoutFields(common: CommonMetadata & { readonly fields: YamlMap }): CommonMetadata {
  const { fields: _fields, ...rest } = common;
  return rest;
}

function zeroMaterial(key: SeedKey): void {
  const material = key.material;
  if (material.kind === 'aes') material.backingKeys.forEach((bytes) => bytes.fill(0));
  else if (material.kind === 'pkcs8') material.privateKey.fill(0);
  else material.key.fill(0);
}
