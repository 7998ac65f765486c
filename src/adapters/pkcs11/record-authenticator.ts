/**
 * `RecordAuthenticator` in the PKCS#11 token: HMAC-SHA256 under the non-extractable integrity key
 * (`kms-integrity`, created beside the wrapping and sealing keys), and the upgrade marker as a
 * token data object (`kms-integrity-upgraded`), which a writer of the table cannot remove.
 */
import { timingSafeEqual } from 'node:crypto';
import type { RecordAuthenticator } from '../../core/ports/index.js';
import type { Pkcs11KeyMaterial } from './pkcs11-key-material.js';

/** The marker's name after the token's key label prefix: `kms-integrity-upgraded` by default. */
const MARKER = 'integrity-upgraded';

export class Pkcs11RecordAuthenticator implements RecordAuthenticator {
  readonly #material: Pkcs11KeyMaterial;

  constructor(material: Pkcs11KeyMaterial) {
    this.#material = material;
  }

  async mac(data: Uint8Array): Promise<Uint8Array> {
    return this.#material.recordMac(data);
  }

  async verify(data: Uint8Array, mac: Uint8Array): Promise<boolean> {
    const expected = this.#material.recordMac(data);
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  }

  async upgraded(): Promise<boolean> {
    return this.#material.tokenMarker(MARKER, false);
  }

  async markUpgraded(): Promise<void> {
    this.#material.tokenMarker(MARKER, true);
  }
}
