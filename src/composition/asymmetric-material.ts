/** The asymmetric key material of one token: its own mechanisms first, the software tier for the rest. */
import { Pkcs11AsymmetricKeyMaterial } from '../adapters/pkcs11/asymmetric/pkcs11-asymmetric-key-material.js';
import type { Pkcs11KeyMaterial } from '../adapters/pkcs11/pkcs11-key-material.js';
import { SoftwareKeyMaterial } from '../adapters/software/software-key-material.js';
import { TieredAsymmetricKeyMaterial } from '../adapters/tiered-asymmetric-material.js';
import type { AsymmetricKeyMaterial } from '../core/ports/index.js';

export function asymmetricMaterialFor(token: Pkcs11KeyMaterial): AsymmetricKeyMaterial {
  // The software tier seals its private keys under the same token's root key.
  return new TieredAsymmetricKeyMaterial(Pkcs11AsymmetricKeyMaterial.create(token), new SoftwareKeyMaterial(token));
}
