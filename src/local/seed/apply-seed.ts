/**
 * Writes a checked seed plan: each key's material enters the token through the same key-material
 * ports the service's own keys come from (wrapped under the root key, or sealed in the software
 * tier), then the key and all its backing key versions are written in one transaction.
 *
 * Idempotent: a key or alias that exists is left as it is. Portable: every identifier a ciphertext
 * names (the key ARN and the backing key version) comes from the seed, so a ciphertext made by one
 * instance decrypts on any other fresh instance seeded with the same file.
 */
import { createHash } from 'node:crypto';
import { AlreadyExistsException } from '../../models/kms/generated/errors.js';
import type { AliasStore, AsymmetricKeyMaterial, Clock, KeyMaterial, KeyStore } from '../../core/ports/index.js';
import type { BackingKeyRecord, KeyRecord } from '../../core/kms/records.js';
import { keyArn, type Scope } from '../../core/kms/keys/identifiers.js';
import { defaultKeyPolicy } from '../../core/kms/keys/default-key-policy.js';
import { isAsymmetricSpec, isHmacSpec } from '../../core/kms/keys/key-specs.js';
import { DEFAULT_ROTATION_PERIOD_DAYS } from '../../core/kms/lifecycle/key-rotation.js';
import { SeedFileError, type SeedKey, type SeedPlan } from './seed-file.js';

export interface SeedTarget {
  readonly keys: KeyStore;
  readonly aliases: AliasStore;
  readonly material: KeyMaterial;
  readonly asymmetric: AsymmetricKeyMaterial;
  readonly clock: Clock;
}

export interface SeedOutcome {
  readonly keysCreated: number;
  readonly keysKept: number;
  readonly aliasesCreated: number;
  readonly aliasesKept: number;
}

/** Domain separation of the identifiers derived from seeds. */
const BACKING_KEY_ID_LABEL = 'open-kms seed backing key v1';

/**
 * The backing key version ID of seeded material: a hash of the key ID and the material (the raw
 * key, or the public key of a key pair), 64 hex digits like the IDs the service makes at random.
 */
export function seedBackingKeyId(keyId: string, material: Uint8Array): string {
  return createHash('sha256').update(BACKING_KEY_ID_LABEL).update('\0').update(keyId).update('\0').update(material).digest('hex');
}

/**
 * Throws `SeedFileError` unless every alias of `plan` points at a key of the file or at a key for
 * which `keyExists` says yes, in `scope`.
 */
export async function assertAliasTargets(plan: SeedPlan, scope: Scope, keyExists: (keyId: string) => Promise<boolean>): Promise<void> {
  const seeded = new Set(plan.keys.map((key) => key.keyId));
  for (const alias of plan.aliases) {
    /* Precondition: an alias given by ARN names a key of the seeded account and Region. */
    if (alias.targetArn !== undefined && alias.targetArn !== keyArn(scope, alias.targetKeyId)) {
      throw new SeedFileError(`Seed file ${plan.path}: ${alias.entry}: TargetKeyId ${alias.targetArn} is not in account ${scope.accountId} and Region ${scope.region}, where the seed is created.`);
    }
    /* Precondition: every alias points at a key of the seed file or a key that exists. */
    if (!seeded.has(alias.targetKeyId) && !(await keyExists(alias.targetKeyId))) {
      throw new SeedFileError(`Seed file ${plan.path}: ${alias.entry}: TargetKeyId ${alias.targetKeyId} is neither a key of the seed file nor an existing key.`);
    }
  }
}

/** Creates what `plan` lists in `scope` and is not there yet. Alias targets are checked before anything is written. */
export async function applySeed(plan: SeedPlan, scope: Scope, target: SeedTarget): Promise<SeedOutcome> {
  await assertAliasTargets(plan, scope, async (keyId) => (await target.keys.getKey({ ...scope, keyId })) !== undefined);
  let keysCreated = 0;
  for (const key of plan.keys) {
    if ((await target.keys.getKey({ ...scope, keyId: key.keyId })) !== undefined) continue;
    if (await createSeededKey(key, scope, target)) keysCreated++;
  }
  let aliasesCreated = 0;
  for (const alias of plan.aliases) {
    if ((await target.aliases.getAlias(scope.accountId, scope.region, alias.aliasName)) !== undefined) continue;
    const now = target.clock.now().getTime();
    try {
      await target.aliases.createAlias({ ...scope, aliasName: alias.aliasName, targetKeyId: alias.targetKeyId, creationDate: now, lastUpdatedDate: now });
      aliasesCreated++;
    } catch (error) {
      // Another instance seeding the same folder got there first.
      if (!(error instanceof AlreadyExistsException)) throw error;
    }
  }
  return {
    keysCreated,
    keysKept: plan.keys.length - keysCreated,
    aliasesCreated,
    aliasesKept: plan.aliases.length - aliasesCreated,
  };
}

/** False when the key appeared meanwhile (another instance seeding the same folder). */
async function createSeededKey(seed: SeedKey, scope: Scope, target: SeedTarget): Promise<boolean> {
  const now = target.clock.now().getTime();
  // Every backing key after the first is the material of a rotation (its date unknown: the seeding's).
  const versions = (await backingKeys(seed, scope, target, now))
    .map((version, index) => (index === 0 ? version : { ...version, rotation: { date: now, type: 'AUTOMATIC' as const } }));
  const current = versions.at(-1);
  if (current === undefined) throw new Error(`${seed.entry} has no key material.`);
  const key: KeyRecord = {
    keyId: seed.keyId,
    arn: keyArn(scope, seed.keyId),
    ...scope,
    description: seed.description,
    keySpec: seed.keySpec,
    keyUsage: seed.keyUsage,
    origin: 'AWS_KMS',
    keyState: 'Enabled',
    creationDate: now,
    currentBackingKeyId: current.backingKeyId,
    tags: seed.tags,
    multiRegion: false,
    policy: seed.policy ?? defaultKeyPolicy(scope.accountId),
    // local-kms rotates every 365 days from NextKeyRotation.
    ...(seed.nextRotationDate === undefined ? {} : { rotation: { periodDays: DEFAULT_ROTATION_PERIOD_DAYS, nextRotationDate: seed.nextRotationDate } }),
    revision: 1,
  };
  try {
    await target.keys.createKey(key, current, versions.slice(0, -1));
    return true;
  } catch (error) {
    if (error instanceof AlreadyExistsException) return false;
    throw error;
  }
}

/** The key's backing key versions, oldest first (the last one is current). */
async function backingKeys(seed: SeedKey, scope: Scope, target: SeedTarget, now: number): Promise<BackingKeyRecord[]> {
  const record = (material: Uint8Array, made: Pick<BackingKeyRecord, 'wrappedMaterial' | 'tier' | 'publicKey'>): BackingKeyRecord => ({
    ...scope, keyId: seed.keyId, backingKeyId: seedBackingKeyId(seed.keyId, material), creationDate: now, ...made,
  });
  const { material } = seed;
  switch (material.kind) {
    case 'aes': {
      const versions: BackingKeyRecord[] = [];
      for (const key of material.backingKeys) versions.push(record(key, { wrappedMaterial: await target.material.importSymmetricKey(key) }));
      return versions;
    }
    case 'hmac':
      if (!isHmacSpec(seed.keySpec)) throw new Error(`${seed.entry} is not an HMAC key.`);
      return [record(material.key, await target.asymmetric.importMacKey(seed.keySpec, material.key))];
    case 'pkcs8':
      if (!isAsymmetricSpec(seed.keySpec)) throw new Error(`${seed.entry} is not an asymmetric key.`);
      return [record(material.publicKey, await target.asymmetric.importKeyPair(seed.keySpec, material.privateKey))];
  }
}
