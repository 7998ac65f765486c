/**
 * `KeyMaterial` backed by a PKCS#11 token.
 *
 * Backing keys are generated in the token and leave it only wrapped (AES key wrap with padding,
 * RFC 5649) under a non-extractable wrapping key whose unwrap template forces every key unwrapped
 * under it to be sensitive, non-extractable and unmodifiable (`key-templates.ts`); secrets are
 * sealed under a separate AES-GCM key that can neither wrap nor unwrap. To use a backing key it is
 * unwrapped into a session object whose handle is kept in a bounded LRU cache, so a warm encrypt
 * or decrypt costs three native calls and no object searches.
 *
 * graphene calls are synchronous; the methods are async only to satisfy the port. Because nothing
 * awaits between a PKCS#11 `*Init` and its completion, operations on the shared session never
 * interleave. The one exception is asymmetric key generation (seconds for RSA_4096 on SoftHSM):
 * it runs on libuv's thread pool in a session of its own (`generateOffLoop`), the module being
 * initialized for OS locking, and a recycle waits until no generation runs.
 *
 * Some tokens keep a destroyed session object until the module is finalized (SoftHSM keeps about
 * 220 bytes of each), and the service destroys one per CreateKey and one per handle-cache
 * eviction. So after `recycleAfterDestroyedObjects` destructions the adapter recycles the module
 * between two operations: it finalizes and initializes it again, opens and logs in new sessions,
 * finds its token keys again by label and CKA_ID, and unwraps backing keys again as they are used.
 */
import { KeyGenMechanism, KeyType, MechanismEnum, ObjectClass, SessionFlag, UserType } from './graphene.js';
import type { Module, Session, Slot } from 'graphene-pk11';
import type { KeyMaterial, SealedData, WrappedKeyRef } from '../../core/ports/index.js';
import type { TokenAccess } from './asymmetric/token-access.js';
import { InvalidCiphertextException, ValidationException } from '../../models/kms/generated/errors.js';
import { GCM_IV_BYTES, asBuffer, gcmDecrypt, gcmEncrypt } from './aes-gcm.js';
import { LruCache } from './handle-cache.js';
import { CKA } from './key-templates.js';
import type { WrapRole } from './key-templates.js';
import { LegacyRootKey } from './legacy-root-key.js';
import { acquireModule, reinitializeModule, releaseModule } from './module-registry.js';
import { CKR, pkcs11Code, toKmsError } from './pkcs11-codes.js';
import { findLegacyRootKeys, findOrCreateTokenKeys, findTokenKeysAgain } from './token-keys.js';
import type { TokenKeys } from './token-keys.js';
import { importUnder, unwrapUnder, wrapUnder } from './wrapping.js';
import { say } from '../../core/kms/messages.js';

export interface Pkcs11Config {
  /** Path of the PKCS#11 shared library. */
  readonly modulePath: string;
  /** Label of the token holding the root key. */
  readonly tokenLabel: string;
  /** The token's user PIN. */
  readonly pin: string;
  /**
   * Prefix of the labels of the service's token keys: `<prefix>-wrap-aes`, `-wrap-hmac`,
   * `-wrap-rsa`, `-wrap-ec` and `<prefix>-seal`; default `kms`.
   */
  readonly keyLabelPrefix?: string;
  /** Label of the single root key of earlier versions, which the migration retires; default `kms-root`. */
  readonly legacyRootKeyLabel?: string;
  /** How many unwrapped backing keys stay loaded in the token; default 1024. */
  readonly handleCacheSize?: number;
  /**
   * After how many destroyed session objects the module is recycled (finalized and initialized
   * again, see above); default `DEFAULT_RECYCLE_AFTER_DESTROYED_OBJECTS`, `Infinity` never.
   */
  readonly recycleAfterDestroyedObjects?: number;
}

/** About 22 MB of destroyed objects in SoftHSM; a recycle costs a few milliseconds and one unwrap per key used afterwards. */
export const DEFAULT_RECYCLE_AFTER_DESTROYED_OBJECTS = 100_000;

type Handle = Buffer;

const BACKING_KEY_BYTES = 32;
const RECORD_MAC_BYTES = 32;

const BACKING_KEY_TEMPLATE = {
  class: ObjectClass.SECRET_KEY,
  keyType: KeyType.AES,
  valueLen: BACKING_KEY_BYTES,
  token: false,
  private: true,
  sensitive: true,
  // Extractable only so that C_WrapKey accepts it; the object is destroyed right after wrapping.
  extractable: true,
  encrypt: false,
  decrypt: false,
};

const STALE_HANDLE: ReadonlySet<number> = new Set([CKR.KEY_HANDLE_INVALID, CKR.OBJECT_HANDLE_INVALID]);
/** The session or the login is gone (a dropped HSM connection, a reset token): reopen rather than retry on the same session. */
const SESSION_LOST: ReadonlySet<number> = new Set([
  CKR.SESSION_HANDLE_INVALID, CKR.SESSION_CLOSED, CKR.USER_NOT_LOGGED_IN, CKR.DEVICE_REMOVED, CKR.TOKEN_NOT_PRESENT, CKR.CRYPTOKI_NOT_INITIALIZED,
]);

const RW_SESSION = SessionFlag.RW_SESSION | SessionFlag.SERIAL_SESSION;

function findSlot(module: Module, tokenLabel: string): Slot {
  const slots = module.getSlots(true);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots.items(i);
    if (slot.getToken().label.trim() === tokenLabel) return slot;
  }
  throw new Error(`No PKCS#11 token labelled "${tokenLabel}" was found.`);
}

function openSession(slot: Slot): Session {
  return slot.open(RW_SESSION);
}

function login(session: Session, pin: string, tokenLabel: string): void {
  try {
    session.login(pin, UserType.USER);
  } catch (error) {
    // Login state is per application and token: another instance in this process may hold it.
    if (pkcs11Code(error) === CKR.USER_ALREADY_LOGGED_IN) return;
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new Error(`Login to the PKCS#11 token "${tokenLabel}" failed (${reason}).`, { cause: error });
  }
}

function closeQuietly(session: Session): void {
  try {
    session.close();
  } catch {
    // The session may already be gone with the token; nothing left to release.
  }
}

export class Pkcs11KeyMaterial implements KeyMaterial {
  readonly #config: Pkcs11Config;
  readonly #module: Module;
  #slot: Slot;
  /** Owns the root key lookup and every unwrapped session object (they die with it). */
  #objectSession: Session;
  /** Runs GCM and RNG calls; replaced if an operation fails in a way that may leave it active. */
  #cryptoSession: Session;
  #keys: TokenKeys;
  /** The root key of an earlier version, until the migration has retired it. */
  #legacy: LegacyRootKey | undefined;
  readonly #handles: LruCache<string, Handle>;
  readonly #recycleAfter: number;
  /** Session objects destroyed since the module was last (re-)initialized. */
  #destroyed = 0;
  #recycleScheduled = false;
  /** Why the last recycle could not reopen the token; every operation tries again first. */
  #reopenFailure: unknown;
  #recycles = 0;
  #closed = false;
  /** Key generations running on the thread pool, each in a session of its own (`generateOffLoop`). */
  readonly #generations = new Set<Promise<unknown>>();
  /** A recycle that fell due while generations ran; it runs when the last one ends. */
  #recycleWhenIdle = false;

  private constructor(config: Pkcs11Config, module: Module, slot: Slot, sessions: { object: Session; crypto: Session }, keys: TokenKeys, legacy: Handle[], cacheSize: number) {
    this.#config = config;
    this.#module = module;
    this.#slot = slot;
    this.#objectSession = sessions.object;
    this.#cryptoSession = sessions.crypto;
    this.#keys = keys;
    this.#legacy = legacy.length === 0 ? undefined : new LegacyRootKey(sessions.object, legacy, keys);
    this.#handles = new LruCache<string, Handle>(cacheSize, (handle) => this.#destroyObject(handle));
    this.#recycleAfter = config.recycleAfterDestroyedObjects ?? DEFAULT_RECYCLE_AFTER_DESTROYED_OBJECTS;
  }

  /** Opens the token, logs in and finds or creates the service's keys. Release with `close()`. */
  static async open(config: Pkcs11Config): Promise<Pkcs11KeyMaterial> {
    const cacheSize = config.handleCacheSize ?? 1024;
    if (!Number.isInteger(cacheSize) || cacheSize < 1) {
      throw new RangeError('handleCacheSize must be a positive integer.');
    }
    const recycleAfter = config.recycleAfterDestroyedObjects ?? DEFAULT_RECYCLE_AFTER_DESTROYED_OBJECTS;
    if (!(recycleAfter === Number.POSITIVE_INFINITY || (Number.isInteger(recycleAfter) && recycleAfter >= 1))) {
      throw new RangeError('recycleAfterDestroyedObjects must be a positive integer or Infinity.');
    }
    const module = acquireModule(config.modulePath);
    const sessions: Session[] = [];
    try {
      const slot = findSlot(module, config.tokenLabel);
      const objectSession = openSession(slot);
      sessions.push(objectSession);
      login(objectSession, config.pin, config.tokenLabel);
      const cryptoSession = openSession(slot);
      sessions.push(cryptoSession);
      const keys = await findOrCreateTokenKeys(objectSession, config.keyLabelPrefix ?? 'kms');
      const legacy = findLegacyRootKeys(objectSession, config.legacyRootKeyLabel ?? 'kms-root');
      return new Pkcs11KeyMaterial(config, module, slot, { object: objectSession, crypto: cryptoSession }, keys, legacy, cacheSize);
    } catch (error) {
      sessions.reverse().forEach(closeQuietly);
      releaseModule(config.modulePath);
      throw error;
    }
  }

  async generateSymmetricKey(): Promise<Uint8Array> {
    this.#assertOpen();
    try {
      const key = this.#objectSession.generateKey(KeyGenMechanism.AES, BACKING_KEY_TEMPLATE);
      try {
        return wrapUnder(this.#objectSession, this.#keys.wrapping.aes, key.handle);
      } finally {
        this.#destroyObject(key.handle);
      }
    } catch (error) {
      throw toKmsError(error);
    }
  }

  /** Wraps a 32-byte AES key given in the clear; the value passes through the token once. The caller zeroes `key`. */
  async importSymmetricKey(key: Uint8Array): Promise<Uint8Array> {
    this.#assertOpen();
    /* Precondition: an imported symmetric key is 32 bytes, as every AES-256 backing key. */
    if (key.length !== BACKING_KEY_BYTES) throw new ValidationException(say('importedKeyLength', { keySpec: 'SYMMETRIC_DEFAULT', bytes: BACKING_KEY_BYTES }));
    const value = Buffer.from(key);
    try {
      return importUnder(this.#objectSession, this.#keys.wrapping.aes, [
        { type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.AES }, { type: CKA.VALUE, value },
        { type: CKA.ENCRYPT, value: false }, { type: CKA.DECRYPT, value: false },
      ]);
    } catch (error) {
      throw toKmsError(error);
    } finally {
      value.fill(0);
    }
  }

  async encrypt(key: WrappedKeyRef, plaintext: Uint8Array, aad: Uint8Array): Promise<SealedData> {
    return this.#reconnecting(() => this.#seal(this.#unwrapped(key), plaintext, aad, key.backingKeyId));
  }

  async decrypt(key: WrappedKeyRef, sealed: SealedData, aad: Uint8Array): Promise<Uint8Array> {
    return this.#reconnecting(() => this.#unseal(this.#unwrapped(key), sealed, aad, key.backingKeyId));
  }

  async generateRandom(length: number): Promise<Uint8Array> {
    this.#assertOpen();
    if (!Number.isInteger(length) || length < 0) throw new RangeError('length must be a non-negative integer.');
    // The token rejects a zero-length request (NULL buffer).
    if (length === 0) return new Uint8Array(0);
    return this.#reconnecting(() => this.#crypto((session) => session.lib.C_GenerateRandom(session.handle, Buffer.alloc(length))));
  }

  async sealSecret(secret: Uint8Array, aad: Uint8Array): Promise<SealedData> {
    return this.#reconnecting(() => this.#seal(this.#keys.sealing, secret, aad));
  }

  async openSecret(sealed: SealedData, aad: Uint8Array): Promise<Uint8Array> {
    try {
      return this.#reconnecting(() => this.#unseal(this.#keys.sealing, sealed, aad));
    } catch (error) {
      // Until the migration has moved it, a secret may still be sealed under the legacy root key.
      const legacy = error instanceof InvalidCiphertextException ? this.legacyRootKey() : undefined;
      const secret = legacy?.open(sealed, aad);
      if (secret === undefined) throw error;
      return new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength);
    }
  }

  /**
   * HMAC-SHA256 of `data` under the token's integrity key, for `Pkcs11RecordAuthenticator`; not
   * part of the `KeyMaterial` port.
   */
  recordMac(data: Uint8Array): Uint8Array {
    return this.#reconnecting(() => this.#crypto((session) => {
      session.lib.C_SignInit(session.handle, { mechanism: MechanismEnum.SHA256_HMAC }, this.#keys.integrity);
      const mac = session.lib.C_Sign(session.handle, asBuffer(data), Buffer.alloc(RECORD_MAC_BYTES));
      return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength);
    }));
  }

  /**
   * Runs `operation` (which finds its handles afresh), and once more after reopening the token
   * when the first try found the sessions or the login gone: a Lambda function thawed after its
   * HSM connection was dropped (CloudHSM closes idle client connections), or a token that was
   * reset. The second failure is the caller's.
   */
  #reconnecting<T>(operation: () => T): T {
    this.#assertOpen();
    try {
      return operation();
    } catch (error) {
      // Set by a lost connection (`#loseConnection`): the next #assertOpen reopens the token.
      if (this.#reopenFailure === undefined) throw error;
      this.#assertOpen();
      return operation();
    }
  }

  /** The sessions or the login are gone: every handle is stale, and the next operation reopens the token. */
  #loseConnection(error: unknown): void {
    this.#handles.clear();
    this.#reopenFailure = error;
  }

  /**
   * Whether the token holds the data object `<keyLabelPrefix>-<name>`, and creates it on request:
   * the integrity upgrade's marker, kept where a writer of the table cannot remove it. Not part of
   * the `KeyMaterial` port.
   */
  tokenMarker(name: string, create: boolean): boolean {
    this.#assertOpen();
    const label = `${this.#config.keyLabelPrefix ?? 'kms'}-${name}`;
    try {
      const session = this.#objectSession;
      const found = session.find({ class: ObjectClass.DATA, token: true, label }).length > 0;
      if (found || !create) return found;
      session.create({ class: ObjectClass.DATA, token: true, private: true, modifiable: false, label, application: 'open-kms', value: Buffer.from('1') });
      return true;
    } catch (error) {
      throw toKmsError(error);
    }
  }

  /**
   * The root key of an earlier version that still has to be retired (see `migrateLegacyRootKey`),
   * or undefined once it is gone. Not part of the `KeyMaterial` port.
   */
  legacyRootKey(): LegacyRootKey | undefined {
    this.#assertOpen();
    if (this.#legacy?.retired === true) this.#legacy = undefined;
    return this.#legacy;
  }

  /** How many times the module has been recycled since `open` (see the file comment). */
  get recycleCount(): number {
    return this.#recycles;
  }

  /** Closes the sessions (destroying every unwrapped object) and releases the module. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A generation still running on the thread pool must end before the module is finalized.
    await Promise.allSettled([...this.#generations]);
    this.#handles.clear();
    closeQuietly(this.#cryptoSession);
    closeQuietly(this.#objectSession);
    releaseModule(this.#config.modulePath);
  }

  /**
   * Lends the sessions, wrapping keys and handle cache to the asymmetric adapter of this package;
   * not part of the `KeyMaterial` port. Valid until `close()`.
   */
  tokenAccess(): TokenAccess {
    this.#assertOpen();
    const keys = (): TokenKeys => this.#keys;
    return {
      mechanisms: new Set(this.#objectSession.lib.C_GetMechanismList(this.#slot.handle)),
      // A getter: the handles change when the module is recycled.
      get wrappingKeys() {
        return keys().wrapping;
      },
      withObjectSession: (create) => {
        this.#assertOpen();
        try {
          return create(this.#objectSession);
        } catch (error) {
          throw toKmsError(error);
        }
      },
      unwrap: (session, role, blob) => this.#unwrap(session, role, blob),
      cachedObject: (cacheKey, load) => {
        this.#assertOpen();
        return this.#cachedObject(cacheKey, load);
      },
      crypto: (operation, cacheKey) => {
        this.#assertOpen();
        return this.#crypto(operation, cacheKey);
      },
      destroyObject: (handle) => this.#destroyObject(handle),
      generateOffLoop: (generate) => {
        this.#assertOpen();
        return this.#generateOffLoop(generate);
      },
    };
  }

  /**
   * Runs `generate` in a session of its own, in which it may await the callback form of a
   * PKCS#11 call (run on libuv's thread pool, the module being initialized for OS locking), so a
   * key generation of seconds (RSA_4096 on SoftHSM) does not stop the event loop. Every object
   * made in the session dies with it; the module is not recycled while one runs.
   */
  async #generateOffLoop<T>(generate: (session: Session, destroy: (handle: Handle) => void) => Promise<T>): Promise<T> {
    const run = (async () => {
      const session = openSession(this.#slot);
      try {
        return await generate(session, (handle) => {
          try {
            session.lib.C_DestroyObject(session.handle, handle);
          } catch {
            // Gone already: the session's close frees it in any case.
          }
          this.#countDestroyed();
        });
      } catch (error) {
        throw toKmsError(error);
      } finally {
        closeQuietly(session);
      }
    })();
    this.#generations.add(run);
    try {
      return await run;
    } finally {
      this.#generations.delete(run);
      if (this.#generations.size === 0 && this.#recycleWhenIdle) {
        this.#recycleWhenIdle = false;
        setImmediate(() => this.#recycle());
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('The PKCS#11 key material has been closed.');
    if (this.#reopenFailure !== undefined) this.#reopen();
  }

  #seal(keyHandle: Handle, plaintext: Uint8Array, aad: Uint8Array, backingKeyId?: string): SealedData {
    return this.#crypto((session) => {
      const iv = session.lib.C_GenerateRandom(session.handle, Buffer.alloc(GCM_IV_BYTES));
      const ciphertext = gcmEncrypt(session.lib, session.handle, keyHandle, iv, plaintext, aad);
      return { iv: new Uint8Array(iv), ciphertext: new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength) };
    }, backingKeyId);
  }

  #unseal(keyHandle: Handle, sealed: SealedData, aad: Uint8Array, backingKeyId?: string): Uint8Array {
    return this.#crypto((session) => {
      const plaintext = gcmDecrypt(session.lib, session.handle, keyHandle, sealed.iv, sealed.ciphertext, aad);
      return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
    }, backingKeyId);
  }

  /** The session object holding the backing key, unwrapping it on first use. */
  #unwrapped(key: WrappedKeyRef): Handle {
    return this.#cachedObject(key.backingKeyId, (session) => this.#unwrap(session, 'aes', key.wrappedMaterial));
  }

  /** Loads a stored key of `role`; until the migration has moved it, it may still be under the legacy root key. */
  #unwrap(session: Session, role: WrapRole, blob: Uint8Array): Handle {
    try {
      return unwrapUnder(session, this.#keys.wrapping[role], role, blob);
    } catch (error) {
      pkcs11Code(error);
      const loaded = this.legacyRootKey()?.load(role, blob);
      if (loaded === undefined) throw error;
      return loaded;
    }
  }

  #cachedObject(cacheKey: string, load: (session: Session) => Handle): Handle {
    const cached = this.#handles.get(cacheKey);
    if (cached !== undefined) return cached;
    let handle: Handle;
    try {
      handle = load(this.#objectSession);
    } catch (error) {
      const code = pkcs11Code(error);
      if (code !== undefined && SESSION_LOST.has(code)) this.#loseConnection(error);
      // A blob that does not unwrap was made by another root key or damaged at rest: a server-side fault.
      throw toKmsError(error);
    }
    this.#handles.set(cacheKey, handle);
    return handle;
  }

  #crypto<T>(operation: (session: Session) => T, backingKeyId?: string): T {
    try {
      return operation(this.#cryptoSession);
    } catch (error) {
      if (error instanceof InvalidCiphertextException) throw error;
      const code = pkcs11Code(error);
      if (code !== undefined && SESSION_LOST.has(code)) {
        this.#loseConnection(error);
        throw toKmsError(error);
      }
      if (backingKeyId !== undefined && code !== undefined && STALE_HANDLE.has(code)) {
        this.#handles.evict(backingKeyId);
      }
      // A failed call may leave an operation active on the session, which would make every later
      // *Init fail with CKR_OPERATION_ACTIVE; a fresh session is the portable way out.
      this.#replaceCryptoSession();
      throw toKmsError(error);
    }
  }

  #replaceCryptoSession(): void {
    closeQuietly(this.#cryptoSession);
    try {
      this.#cryptoSession = openSession(this.#slot);
    } catch {
      // Leave the closed session in place: later calls then fail as unavailable until the token is back.
    }
  }

  #destroyObject(handle: Handle): void {
    try {
      this.#objectSession.lib.C_DestroyObject(this.#objectSession.handle, handle);
    } catch {
      // The object may already be gone (token reset); there is nothing else to free.
    }
    this.#countDestroyed();
  }

  /** Counts a destroyed session object and schedules a recycle when enough have been (see the file comment). */
  #countDestroyed(): void {
    this.#destroyed++;
    if (this.#destroyed >= this.#recycleAfter && !this.#recycleScheduled) {
      this.#recycleScheduled = true;
      // Between operations: every operation runs synchronously to its end, and no handle outlives
      // one except through the handle cache, which the recycle empties.
      setImmediate(() => this.#recycle());
    }
  }

  /** Finalizes and re-initializes the module, then reopens everything (see the file comment). */
  #recycle(): void {
    this.#recycleScheduled = false;
    if (this.#generations.size > 0) {
      // Its session would end with the module under it: wait for the last generation.
      this.#recycleWhenIdle = true;
      return;
    }
    // Not while the legacy root key (held by the old session) is still to be retired, nor when
    // another user of the module in this process would lose its sessions: counted again from zero.
    const legacyPending = this.#legacy !== undefined && !this.#legacy.retired;
    this.#destroyed = 0;
    if (this.#closed || legacyPending || !this.#finalizeAndInitialize()) return;
    this.#recycles++;
    try {
      this.#reopen();
    } catch {
      // Kept in #reopenFailure: the next operation tries again and reports the failure if it persists.
    }
  }

  #finalizeAndInitialize(): boolean {
    // The sessions and every object in them end with the module; so do the cached handles.
    this.#handles.clear();
    try {
      return reinitializeModule(this.#config.modulePath);
    } catch (error) {
      this.#reopenFailure = error;
      return true;
    }
  }

  /** Opens and logs in new sessions and finds the token keys again; on failure, the next operation retries. */
  #reopen(): void {
    const opened: Session[] = [];
    try {
      if (this.#reopenFailure !== undefined) reinitializeModule(this.#config.modulePath);
      const slot = findSlot(this.#module, this.#config.tokenLabel);
      const objectSession = openSession(slot);
      opened.push(objectSession);
      login(objectSession, this.#config.pin, this.#config.tokenLabel);
      const cryptoSession = openSession(slot);
      opened.push(cryptoSession);
      this.#keys = findTokenKeysAgain(objectSession, this.#config.keyLabelPrefix ?? 'kms', this.#keys.ids);
      this.#slot = slot;
      this.#objectSession = objectSession;
      this.#cryptoSession = cryptoSession;
      this.#reopenFailure = undefined;
    } catch (error) {
      opened.reverse().forEach(closeQuietly);
      this.#reopenFailure = error;
      throw toKmsError(error);
    }
  }
}
