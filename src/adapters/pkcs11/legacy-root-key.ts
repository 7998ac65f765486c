/**
 * The single root key of versions before the split into wrapping and sealing keys: it wrapped,
 * unwrapped, encrypted and decrypted and had no unwrap template, so anyone with the PIN could take
 * every key out with it. This moves each blob from it to the new keys inside the token (the
 * plaintext of a wrapped key never leaves the token; a sealed secret is opened in memory for the
 * moment it takes to seal it again, as every use of it does), then destroys it.
 */
import type { Session } from 'graphene-pk11';
import { KeyType, ObjectClass } from './graphene.js';
import type { SealedData } from '../../core/ports/index.js';
import { InvalidCiphertextException, KeyUnavailableException } from '../../models/kms/generated/errors.js';
import { GCM_IV_BYTES, asBuffer, gcmDecrypt, gcmEncrypt } from './aes-gcm.js';
import { CKA, UNWRAP_TEMPLATES, WRAP_MECHANISM } from './key-templates.js';
import type { WrapRole } from './key-templates.js';
import { toKmsError } from './pkcs11-codes.js';
import { destroyQuietly } from './token-keys.js';
import type { TokenKeys } from './token-keys.js';
import { unwrapUnder, wrapUnder } from './wrapping.js';

type Handle = Buffer;

/** What a blob turned out to be: already under the new keys, moved to them, or readable by neither. */
export type Moved<T> = { readonly state: 'current' } | { readonly state: 'moved'; readonly value: T } | { readonly state: 'unreadable' };

/** How a blob of each class is loaded from the legacy key: extractable, so it can be wrapped again at once. */
const LEGACY_UNWRAP: Readonly<Record<WrapRole, readonly { type: number; value: number | boolean }[]>> = {
  aes: [{ type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.AES }],
  hmac: [{ type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.GENERIC_SECRET }],
  rsa: [{ type: CKA.CLASS, value: ObjectClass.PRIVATE_KEY }, { type: CKA.KEY_TYPE, value: KeyType.RSA }],
  ec: [{ type: CKA.CLASS, value: ObjectClass.PRIVATE_KEY }, { type: CKA.KEY_TYPE, value: KeyType.EC }],
  // Never under the legacy key (earlier versions had no import), listed for completeness.
  import: [{ type: CKA.CLASS, value: ObjectClass.PRIVATE_KEY }, { type: CKA.KEY_TYPE, value: KeyType.RSA }],
};

/** A failure that is about the blob (it does not open), not about the token being unavailable. */
function blobFailure(error: unknown): boolean {
  return !(toKmsError(error) instanceof KeyUnavailableException);
}

export class LegacyRootKey {
  readonly #session: Session;
  /** Every legacy key with the label; the first is the one earlier versions used. */
  readonly #handles: readonly Handle[];
  readonly #keys: TokenKeys;
  #retired = false;

  constructor(session: Session, handles: readonly Handle[], keys: TokenKeys) {
    this.#session = session;
    this.#handles = handles;
    this.#keys = keys;
  }

  get retired(): boolean {
    return this.#retired;
  }

  /** Moves a key wrapped under the legacy key to the wrapping key of `role`. */
  rewrap(role: WrapRole, blob: Uint8Array): Moved<Uint8Array> {
    const session = this.#session;
    const wrappingKey = this.#keys.wrapping[role];
    try {
      destroyQuietly(session, unwrapUnder(session, wrappingKey, role, blob));
      return { state: 'current' };
    } catch (error) {
      if (!blobFailure(error)) throw toKmsError(error);
    }
    for (const legacy of this.#handles) {
      let loaded: Handle;
      try {
        loaded = session.lib.C_UnwrapKey(session.handle, { mechanism: WRAP_MECHANISM }, legacy, asBuffer(blob), [
          ...LEGACY_UNWRAP[role],
          { type: CKA.TOKEN, value: false }, { type: CKA.SENSITIVE, value: true }, { type: CKA.EXTRACTABLE, value: true },
        ]);
      } catch (error) {
        if (!blobFailure(error)) throw toKmsError(error);
        continue;
      }
      try {
        return { state: 'moved', value: wrapUnder(session, wrappingKey, loaded) };
      } finally {
        destroyQuietly(session, loaded);
      }
    }
    return { state: 'unreadable' };
  }

  /** Moves a secret sealed (AES-256-GCM) under the legacy key to the sealing key, with the same AAD. */
  reseal(sealed: SealedData, aad: Uint8Array): Moved<SealedData> {
    const session = this.#session;
    const current = this.#tryOpen(this.#keys.sealing, sealed, aad);
    if (current !== undefined) {
      current.fill(0);
      return { state: 'current' };
    }
    const secret = this.open(sealed, aad);
    if (secret === undefined) return { state: 'unreadable' };
    try {
      const iv = session.lib.C_GenerateRandom(session.handle, Buffer.alloc(GCM_IV_BYTES));
      const ciphertext = gcmEncrypt(session.lib, session.handle, this.#keys.sealing, iv, secret, aad);
      return { state: 'moved', value: { iv: new Uint8Array(iv), ciphertext: new Uint8Array(ciphertext) } };
    } finally {
      secret.fill(0);
    }
  }

  /**
   * Loads a blob still wrapped under the legacy key as the service loads any stored key (the
   * non-extractable template of its class), so keys stay usable until the migration has moved
   * them. Undefined when the legacy key does not open it either.
   */
  load(role: WrapRole, blob: Uint8Array): Handle | undefined {
    for (const legacy of this.#handles) {
      try {
        return this.#session.lib.C_UnwrapKey(this.#session.handle, { mechanism: WRAP_MECHANISM }, legacy, asBuffer(blob), [...UNWRAP_TEMPLATES[role]]);
      } catch (error) {
        if (!blobFailure(error)) throw toKmsError(error);
      }
    }
    return undefined;
  }

  /** Opens a secret still sealed under the legacy key; undefined when it does not open. The caller zeroes the result. */
  open(sealed: SealedData, aad: Uint8Array): Buffer | undefined {
    for (const legacy of this.#handles) {
      const secret = this.#tryOpen(legacy, sealed, aad);
      if (secret !== undefined) return secret;
    }
    return undefined;
  }

  #tryOpen(key: Handle, sealed: SealedData, aad: Uint8Array): Buffer | undefined {
    try {
      return gcmDecrypt(this.#session.lib, this.#session.handle, key, sealed.iv, sealed.ciphertext, aad);
    } catch (error) {
      if (error instanceof InvalidCiphertextException || blobFailure(error)) return undefined;
      throw toKmsError(error);
    }
  }

  /** Destroys every legacy root key; afterwards no blob made under it can ever be opened. */
  retire(): void {
    for (const handle of this.#handles) destroyQuietly(this.#session, handle);
    this.#retired = true;
  }
}
