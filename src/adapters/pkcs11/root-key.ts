/**
 * Finds or creates the token's root key: the AES-256 key that wraps every backing key and seals
 * secrets. It is sensitive and non-extractable, so its value never leaves the token.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyGenMechanism, KeyType, ObjectClass } from 'graphene-pk11';
import type { SecretKey, Session } from 'graphene-pk11';
import { CKR, pkcs11Code } from './pkcs11-codes.js';

const ROOT_KEY_BYTES = 32;
const ID_BYTES = 16;

/**
 * How long a process that just created a root key waits before looking again. Two processes can
 * only both create one if both searched before either created, so after this pause each sees
 * every concurrently created key and all pick the same one — on tokens whose object view is
 * coherent across processes. SoftHSM's file store is not: a process may keep missing an object
 * another process created concurrently until it re-initialises, so local mode creates the root key
 * under a file lock (see `ensureSoftHsmToken`).
 */
const SETTLE_MS = 500;

interface Candidate {
  readonly key: SecretKey;
  readonly id: Buffer;
}

function findCandidates(session: Session, label: string): Candidate[] {
  const found = session.find({ class: ObjectClass.SECRET_KEY, token: true, label });
  const candidates: Candidate[] = [];
  for (let i = 0; i < found.length; i++) {
    const key = found.items(i).toType<SecretKey>();
    try {
      const { id } = key.getAttribute({ id: null }) as { id?: Buffer };
      candidates.push({ key, id: id ?? Buffer.alloc(0) });
    } catch (error) {
      // Another process may destroy its losing duplicate between our search and this read.
      if (pkcs11Code(error) !== CKR.OBJECT_HANDLE_INVALID) throw error;
    }
  }
  return candidates;
}

/**
 * The deterministic choice among keys sharing the label: the lowest CKA_ID. Handles are
 * per-process numbers, the random CKA_ID is the same for every process.
 */
function pick(candidates: readonly Candidate[]): Candidate | undefined {
  return [...candidates].sort((a, b) => Buffer.compare(a.id, b.id))[0];
}

function assertUsable(key: SecretKey, label: string): void {
  const attributes = key.getAttribute({ keyType: null, valueLen: null, sensitive: null, extractable: null }) as {
    keyType?: number;
    valueLen?: number;
    sensitive?: boolean;
    extractable?: boolean;
  };
  const usable =
    attributes.keyType === KeyType.AES &&
    attributes.valueLen === ROOT_KEY_BYTES &&
    attributes.sensitive === true &&
    attributes.extractable === false;
  if (!usable) {
    throw new Error(`The root key "${label}" must be a sensitive, non-extractable AES-256 key.`);
  }
}

function createRootKey(session: Session, label: string): Candidate {
  const id = session.generateRandom(ID_BYTES);
  const key = session.generateKey(KeyGenMechanism.AES, {
    class: ObjectClass.SECRET_KEY,
    keyType: KeyType.AES,
    valueLen: ROOT_KEY_BYTES,
    label,
    id,
    token: true,
    private: true,
    sensitive: true,
    extractable: false,
    wrap: true,
    unwrap: true,
    encrypt: true,
    decrypt: true,
  });
  return { key, id };
}

/** Returns the root key labelled `label`, creating it when the token has none. */
export async function findOrCreateRootKey(session: Session, label: string): Promise<SecretKey> {
  const existing = pick(findCandidates(session, label));
  if (existing !== undefined) {
    assertUsable(existing.key, label);
    return existing.key;
  }
  const created = createRootKey(session, label);
  await sleep(SETTLE_MS);
  const chosen = pick(findCandidates(session, label)) ?? created;
  if (!chosen.id.equals(created.id)) {
    // Another process won; removing our duplicate keeps the token tidy. Nothing was wrapped under it yet.
    try {
      session.destroy(created.key);
    } catch {
      // A leftover duplicate is harmless: every process keeps choosing the lowest CKA_ID.
    }
  }
  assertUsable(chosen.key, label);
  return chosen.key;
}
