/**
 * Finds or creates the service's keys in the token (`key-templates.ts` says what each is) and
 * checks, on every start, that a key found under one of their labels really is what the service
 * would have made: someone holding the PIN could have planted a weaker key under the label before
 * the first start. Also finds the legacy root key of earlier versions, which migration retires.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyGenMechanism, KeyType, ObjectClass } from './graphene.js';
import type { SecretKey, Session } from 'graphene-pk11';
import { withAttributeArray } from './attribute-array.js';
import { CKA, KEY_ROLES, TOKEN_KEY_BYTES, UNWRAP_TEMPLATES, USAGE, WRAP_MECHANISM, keyLabel, tokenKeyTemplate, tokenKeyType } from './key-templates.js';
import type { KeyRole, WrapRole } from './key-templates.js';
import { CKR, pkcs11Code, refusedWith } from './pkcs11-codes.js';

const ID_BYTES = 16;

/**
 * How long a process that just created keys waits before looking again. Two processes can only
 * both create one if both searched before either created, so after this pause each sees every
 * concurrently created key and all pick the same one — on tokens whose object view is coherent
 * across processes. SoftHSM's file store is not: a process may keep missing an object another
 * process created concurrently until it re-initialises, so local mode creates the keys under a
 * file lock (see `ensureSoftHsmToken`).
 */
const SETTLE_MS = 500;

type Handle = Buffer;

/** The service's keys in the token. */
export interface TokenKeys {
  readonly wrapping: Readonly<Record<WrapRole, Handle>>;
  readonly sealing: Handle;
  /** The HMAC key that authenticates the table's records. */
  readonly integrity: Handle;
  /** The CKA_ID of each key, the same in every process and after a re-initialisation (handles are not). */
  readonly ids: Readonly<Record<KeyRole, Buffer>>;
}

interface Candidate {
  readonly handle: Handle;
  readonly id: Buffer;
}

function findCandidates(session: Session, label: string): Candidate[] {
  const found = session.find({ class: ObjectClass.SECRET_KEY, token: true, label });
  const candidates: Candidate[] = [];
  for (let i = 0; i < found.length; i++) {
    const key = found.items(i).toType<SecretKey>();
    try {
      const { id } = key.getAttribute({ id: null }) as { id?: Buffer };
      candidates.push({ handle: key.handle, id: id ?? Buffer.alloc(0) });
    } catch (error) {
      // Another process may destroy its losing duplicate between our search and this read.
      if (pkcs11Code(error) !== CKR.OBJECT_HANDLE_INVALID) throw error;
    }
  }
  return candidates;
}

/**
 * The deterministic choice among keys sharing a label: the lowest CKA_ID. Handles are
 * per-process numbers, the random CKA_ID is the same for every process.
 */
function pick(candidates: readonly Candidate[]): Candidate | undefined {
  return [...candidates].sort((a, b) => Buffer.compare(a.id, b.id))[0];
}

function createKey(session: Session, role: KeyRole, label: string): Candidate {
  const id = session.generateRandom(ID_BYTES);
  const template = tokenKeyTemplate(role, label, id);
  const generate = (extra: readonly { type: number; value: Buffer }[]) => session.lib.C_GenerateKey(
    session.handle, { mechanism: KeyGenMechanism.AES }, [...template.slice(0, -1), ...extra, ...template.slice(-1)],
  );
  if (role === 'integrity') {
    return { handle: session.lib.C_GenerateKey(session.handle, { mechanism: KeyGenMechanism.GENERIC_SECRET }, template), id };
  }
  const handle = role === 'seal'
    ? generate([])
    : withAttributeArray(UNWRAP_TEMPLATES[role], (array) => generate([{ type: CKA.UNWRAP_TEMPLATE, value: array }]));
  return { handle, id };
}

function readAttributes(session: Session, handle: Handle, types: readonly number[]): Map<number, Buffer> {
  const values = session.lib.C_GetAttributeValue(session.handle, handle, types.map((type) => ({ type })));
  return new Map(values.map((attribute) => [attribute.type, Buffer.isBuffer(attribute.value) ? attribute.value : Buffer.alloc(0)]));
}

const FLAGS = [CKA.SENSITIVE, CKA.EXTRACTABLE, CKA.WRAP, CKA.UNWRAP, CKA.ENCRYPT, CKA.DECRYPT, CKA.SIGN, CKA.VERIFY, CKA.DERIVE, CKA.MODIFIABLE, CKA.COPYABLE];

/** The flags a token key of `role` must show. */
function expectedFlags(role: KeyRole): ReadonlyMap<number, boolean> {
  const usage = USAGE[role];
  return new Map([
    [CKA.SENSITIVE, true], [CKA.EXTRACTABLE, false], [CKA.WRAP, usage.wrap], [CKA.UNWRAP, usage.unwrap],
    [CKA.ENCRYPT, usage.encrypt], [CKA.DECRYPT, usage.decrypt], [CKA.SIGN, usage.sign], [CKA.VERIFY, usage.verify], [CKA.DERIVE, false],
    [CKA.MODIFIABLE, false], [CKA.COPYABLE, false],
  ]);
}

/** Throws unless the key is a 32-byte key of the role's type (`tokenKeyType`) with exactly the flags of `role`. */
function assertAttributes(session: Session, handle: Handle, role: KeyRole, label: string): void {
  const values = readAttributes(session, handle, [CKA.KEY_TYPE, CKA.VALUE_LEN, ...FLAGS]);
  const ulong = (type: number) => { const value = values.get(type); return value !== undefined && value.length >= 4 ? value.readUInt32LE(0) : undefined; };
  const wrong = [...expectedFlags(role)].filter(([type, expected]) => (values.get(type)?.[0] === 1) !== expected);
  if (ulong(CKA.KEY_TYPE) !== tokenKeyType(role) || ulong(CKA.VALUE_LEN) !== TOKEN_KEY_BYTES || wrong.length > 0) {
    throw new Error(`The token key "${label}" does not have the attributes this service gives it; remove it or use another label prefix.`);
  }
}

/**
 * Proves that the wrapping key refuses to unwrap into an extractable, readable key: wraps a fresh
 * throwaway key under it and asks for it back with this role's template turned leaky. The token
 * must answer CKR_TEMPLATE_INCONSISTENT (or, if it merges templates instead, hand back a
 * sensitive, non-extractable object).
 */
function assertUnwrapTemplate(session: Session, wrappingKey: Handle, role: WrapRole, label: string): void {
  const throwaway = session.lib.C_GenerateKey(session.handle, { mechanism: KeyGenMechanism.AES }, [
    { type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.AES }, { type: CKA.VALUE_LEN, value: 32 },
    { type: CKA.TOKEN, value: false }, { type: CKA.SENSITIVE, value: true }, { type: CKA.EXTRACTABLE, value: true },
  ]);
  let leaked = false;
  try {
    const blob = session.lib.C_WrapKey(session.handle, { mechanism: WRAP_MECHANISM }, wrappingKey, throwaway, Buffer.alloc(64));
    const leaky = UNWRAP_TEMPLATES[role].map((attribute) => {
      if (attribute.type === CKA.EXTRACTABLE) return { type: attribute.type, value: true };
      if (attribute.type === CKA.SENSITIVE) return { type: attribute.type, value: false };
      return attribute;
    });
    const unwrapped = refusedWith(CKR.TEMPLATE_INCONSISTENT, () => session.lib.C_UnwrapKey(session.handle, { mechanism: WRAP_MECHANISM }, wrappingKey, blob, leaky));
    if (unwrapped !== undefined) {
      const flags = readAttributes(session, unwrapped, [CKA.SENSITIVE, CKA.EXTRACTABLE]);
      leaked = flags.get(CKA.SENSITIVE)?.[0] !== 1 || flags.get(CKA.EXTRACTABLE)?.[0] !== 0;
      session.lib.C_DestroyObject(session.handle, unwrapped);
    }
  } finally {
    session.lib.C_DestroyObject(session.handle, throwaway);
  }
  if (leaked) throw new Error(`The token key "${label}" unwraps keys as extractable; this token does not enforce CKA_UNWRAP_TEMPLATE.`);
}

function checkKey(session: Session, role: KeyRole, label: string, handle: Handle): void {
  assertAttributes(session, handle, role, label);
  if (role !== 'seal' && role !== 'integrity') assertUnwrapTemplate(session, handle, role, label);
}

/** Returns the service's keys, creating those the token lacks; throws if one found is not as it must be. */
export async function findOrCreateTokenKeys(session: Session, labelPrefix: string): Promise<TokenKeys> {
  const labels = new Map(KEY_ROLES.map((role) => [role, keyLabel(labelPrefix, role)] as const));
  const chosen = new Map<KeyRole, Candidate>();
  const created = new Map<KeyRole, Candidate>();
  for (const [role, label] of labels) {
    const existing = pick(findCandidates(session, label));
    if (existing !== undefined) chosen.set(role, existing);
    else created.set(role, createKey(session, role, label));
  }
  if (created.size > 0) {
    await sleep(SETTLE_MS);
    for (const [role, mine] of created) {
      const winner = pick(findCandidates(session, labels.get(role) ?? '')) ?? mine;
      chosen.set(role, winner);
      if (!winner.id.equals(mine.id)) destroyQuietly(session, mine.handle);
    }
  }
  return checkedKeys(session, labels, chosen);
}

/**
 * Finds again, after the module was re-initialised, the keys `findOrCreateTokenKeys` chose: by
 * label and CKA_ID, checked as at the start. Throws if one is missing or no longer unique.
 */
export function findTokenKeysAgain(session: Session, labelPrefix: string, ids: Readonly<Record<KeyRole, Buffer>>): TokenKeys {
  const labels = new Map(KEY_ROLES.map((role) => [role, keyLabel(labelPrefix, role)] as const));
  const chosen = new Map<KeyRole, Candidate>();
  for (const [role, label] of labels) {
    const same = findCandidates(session, label).filter((candidate) => candidate.id.equals(ids[role]));
    if (same.length !== 1) throw new Error(`The token key "${label}" is no longer in the token as this service opened it.`);
    chosen.set(role, same[0] as Candidate);
  }
  return checkedKeys(session, labels, chosen);
}

function checkedKeys(session: Session, labels: ReadonlyMap<KeyRole, string>, chosen: ReadonlyMap<KeyRole, Candidate>): TokenKeys {
  const candidate = (role: KeyRole): Candidate => {
    const found = chosen.get(role);
    if (found === undefined) throw new Error(`no token key for ${role}`);
    return found;
  };
  const handle = (role: KeyRole): Handle => {
    const found = candidate(role);
    checkKey(session, role, labels.get(role) ?? '', found.handle);
    return found.handle;
  };
  return {
    wrapping: { aes: handle('aes'), hmac: handle('hmac'), rsa: handle('rsa'), ec: handle('ec'), import: handle('import') },
    sealing: handle('seal'),
    integrity: handle('integrity'),
    ids: {
      aes: candidate('aes').id, hmac: candidate('hmac').id, rsa: candidate('rsa').id, ec: candidate('ec').id,
      import: candidate('import').id, seal: candidate('seal').id, integrity: candidate('integrity').id,
    },
  };
}

/**
 * The root key of versions before the split into wrapping and sealing keys (label `kms-root` by
 * default): one AES key that wrapped, unwrapped, encrypted and decrypted, with no unwrap template.
 * Every key with the label is returned, the one those versions used (lowest CKA_ID) first.
 */
export function findLegacyRootKeys(session: Session, label: string): Handle[] {
  return [...findCandidates(session, label)].sort((a, b) => Buffer.compare(a.id, b.id)).map((candidate) => candidate.handle);
}

/** Whether the legacy root key can still open blobs: it must be able to unwrap and decrypt. */
export function isLegacyRootKey(session: Session, handle: Handle): boolean {
  const values = readAttributes(session, handle, [CKA.UNWRAP, CKA.DECRYPT]);
  return values.get(CKA.UNWRAP)?.[0] === 1 && values.get(CKA.DECRYPT)?.[0] === 1;
}

export function destroyQuietly(session: Session, handle: Handle): void {
  try {
    session.lib.C_DestroyObject(session.handle, handle);
  } catch {
    // Already gone (another process removed it); nothing else to free.
  }
}

