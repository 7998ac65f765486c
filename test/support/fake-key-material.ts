import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidCiphertextException, ValidationException } from '../../src/models/kms/generated/errors.js';
import type { KeyMaterial, SealedData, WrappedKeyRef } from '../../src/core/ports/index.js';
import { say } from '../../src/core/kms/messages.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): SealedData {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv: new Uint8Array(iv), ciphertext: new Uint8Array(body) };
}

function open(key: Uint8Array, sealed: SealedData, aad: Uint8Array): Uint8Array {
  try {
    /* A sealed body shorter than the tag cannot authenticate. */
    if (sealed.ciphertext.length < TAG_BYTES) throw new Error('too short');
    const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
    const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
  } catch {
    throw new InvalidCiphertextException('');
  }
}

/**
 * A token stand-in: AES-256-GCM from Node with a random root key that lives only in this object.
 * Backing keys are random AES-256 keys sealed under the root key, as a token would wrap them.
 */
export class FakeKeyMaterial implements KeyMaterial {
  readonly #rootKey = new Uint8Array(randomBytes(32));
  static readonly #WRAP_AAD = new TextEncoder().encode('backing-key');

  async generateSymmetricKey(): Promise<Uint8Array> {
    return this.importSymmetricKey(new Uint8Array(randomBytes(32)));
  }

  async importSymmetricKey(key: Uint8Array): Promise<Uint8Array> {
    if (key.length !== 32) throw new ValidationException(say('importedKeyLength', { keySpec: 'SYMMETRIC_DEFAULT', bytes: 32 }));
    const sealed = seal(this.#rootKey, key, FakeKeyMaterial.#WRAP_AAD);
    const wrapped = new Uint8Array(IV_BYTES + sealed.ciphertext.length);
    wrapped.set(sealed.iv, 0);
    wrapped.set(sealed.ciphertext, IV_BYTES);
    return wrapped;
  }

  async encrypt(key: WrappedKeyRef, plaintext: Uint8Array, aad: Uint8Array): Promise<SealedData> {
    return seal(this.#unwrap(key), plaintext, aad);
  }

  async decrypt(key: WrappedKeyRef, sealed: SealedData, aad: Uint8Array): Promise<Uint8Array> {
    return open(this.#unwrap(key), sealed, aad);
  }

  async generateRandom(length: number): Promise<Uint8Array> {
    return new Uint8Array(randomBytes(length));
  }

  async sealSecret(secret: Uint8Array, aad: Uint8Array): Promise<SealedData> {
    return seal(this.#rootKey, secret, aad);
  }

  async openSecret(sealed: SealedData, aad: Uint8Array): Promise<Uint8Array> {
    return open(this.#rootKey, sealed, aad);
  }

  #unwrap(key: WrappedKeyRef): Uint8Array {
    const wrapped = key.wrappedMaterial;
    return open(this.#rootKey, { iv: wrapped.subarray(0, IV_BYTES), ciphertext: wrapped.subarray(IV_BYTES) }, FakeKeyMaterial.#WRAP_AAD);
  }
}
