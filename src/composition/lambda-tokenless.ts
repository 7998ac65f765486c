/**
 * Key material for a group function that has no token (no PKCS#11 library, no PIN): the
 * aliases and tags groups never use key material, so their functions are not given the means
 * to. Any use is a bug or an attack; it fails as an internal error that the handler logs.
 */
import type { AsymmetricKeyMaterial, KeyMaterial } from '../core/ports/index.js';

export class TokenlessMaterial implements KeyMaterial, AsymmetricKeyMaterial {
  constructor(private readonly owner: string) {}

  generateSymmetricKey(): Promise<never> { return this.#refuse('generateSymmetricKey'); }
  encrypt(): Promise<never> { return this.#refuse('encrypt'); }
  decrypt(): Promise<never> { return this.#refuse('decrypt'); }
  generateRandom(): Promise<never> { return this.#refuse('generateRandom'); }
  sealSecret(): Promise<never> { return this.#refuse('sealSecret'); }
  openSecret(): Promise<never> { return this.#refuse('openSecret'); }
  tierFor(): never { throw this.#error('tierFor'); }
  generateKeyPair(): Promise<never> { return this.#refuse('generateKeyPair'); }
  generateMacKey(): Promise<never> { return this.#refuse('generateMacKey'); }
  sign(): Promise<never> { return this.#refuse('sign'); }
  verify(): Promise<never> { return this.#refuse('verify'); }
  encryptWithPublicKey(): Promise<never> { return this.#refuse('encryptWithPublicKey'); }
  decryptWithPrivateKey(): Promise<never> { return this.#refuse('decryptWithPrivateKey'); }
  deriveSharedSecret(): Promise<never> { return this.#refuse('deriveSharedSecret'); }
  generateMac(): Promise<never> { return this.#refuse('generateMac'); }
  generateDataKeyPair(): Promise<never> { return this.#refuse('generateDataKeyPair'); }
  importSymmetricKey(): Promise<never> { return this.#refuse('importSymmetricKey'); }
  importKeyPair(): Promise<never> { return this.#refuse('importKeyPair'); }
  importMacKey(): Promise<never> { return this.#refuse('importMacKey'); }

  #refuse(method: string): Promise<never> {
    return Promise.reject(this.#error(method));
  }

  #error(method: string): Error {
    return new Error(`the ${this.owner} function has no token: ${method} refused`);
  }
}
