/** The current backing key of a KMS key, in the shape the key-material adapters take. */
import { KMSInternalException } from '../../../models/kms/generated/errors.js';
import type { StoredKeyRef } from '../../ports/index.js';
import type { BackingKeyRecord, KeyRecord } from '../records.js';
import type { OperationCall } from '../service.js';
import { say } from '../messages.js';

export type CurrentKey = StoredKeyRef & { readonly record: BackingKeyRecord };

export async function currentKeyMaterial(call: OperationCall<unknown>, key: KeyRecord): Promise<CurrentKey> {
  const backingKey = await call.deps.keys.getBackingKey(key, key.currentBackingKeyId);
  // A key without its current backing key is a broken store, not a caller's mistake.
  if (backingKey === undefined) throw new KMSInternalException(say('internalError'), { reason: 'The key names a current backing key the table does not hold.' });
  return {
    backingKeyId: backingKey.backingKeyId,
    wrappedMaterial: backingKey.wrappedMaterial,
    keySpec: key.keySpec,
    tier: backingKey.tier ?? 'token',
    record: backingKey,
  };
}

/** The DER public key of an asymmetric key's current backing key. */
export function publicKeyOf(current: CurrentKey): Uint8Array {
  if (current.record.publicKey === undefined) throw new KMSInternalException(say('internalError'), { reason: 'An asymmetric key has no stored public key.' });
  return current.record.publicKey;
}
