/**
 * The key material port's own guards: the core refuses these requests first, in AWS's words, so
 * they reach the wire only if a caller of the port slips; each still answers its template.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importWrappedMacKey } from '../../src/adapters/pkcs11/asymmetric/key-import.js';
import { rsaOaepEncrypt } from '../../src/adapters/pkcs11/asymmetric/public-encrypt.js';
import { SoftwareKeyMaterial } from '../../src/adapters/software/software-key-material.js';
import { TieredAsymmetricKeyMaterial, type SoftwareTier, type TokenTier } from '../../src/adapters/tiered-asymmetric-material.js';
import { UnsupportedOperationException, ValidationException } from '../../src/models/kms/generated/errors.js';
import { InMemorySealer } from '../fixtures/software/in-memory-sealer.js';
import { caught } from '../support/core.js';

async function mlDsaKey() {
  const material = new SoftwareKeyMaterial(new InMemorySealer());
  const generated = await material.generateKeyPair('ML_DSA_65');
  return { material, ref: { backingKeyId: 'bk-1', wrappedMaterial: generated.wrappedMaterial, keySpec: 'ML_DSA_65' as const, tier: generated.tier } };
}

describe('the key material guards', () => {
  it('refuses MessageType DIGEST for ML-DSA in the software tier', async () => {
    const { material, ref } = await mlDsaKey();
    const error = await caught(material.sign(ref, 'ML_DSA_SHAKE_256', { messageType: 'DIGEST', message: new Uint8Array(64) }));
    expect(error).toEqual(new ValidationException('MessageType DIGEST is not valid with the ML_DSA_SHAKE_256 signing algorithm.'));
  });

  it('refuses an external mu of 63 bytes in the software tier', async () => {
    const { material, ref } = await mlDsaKey();
    const error = await caught(material.sign(ref, 'ML_DSA_SHAKE_256', { messageType: 'EXTERNAL_MU', message: new Uint8Array(63) }));
    expect(error).toEqual(new ValidationException('With MessageType EXTERNAL_MU, signing algorithm ML_DSA_SHAKE_256 requires a message of 64 bytes; got 63.'));
  });

  it('refuses key agreement with an ML-DSA key in the software tier', async () => {
    const { material, ref } = await mlDsaKey();
    const error = await caught(material.deriveSharedSecret(ref, new Uint8Array(65)));
    expect(error).toEqual(new ValidationException('Key spec ML_DSA_65 cannot derive a shared secret in the software tier.'));
  });

  it('refuses a key of the token tier sent to the software tier', async () => {
    const { material, ref } = await mlDsaKey();
    const error = await caught(material.sign({ ...ref, tier: 'token' }, 'ML_DSA_SHAKE_256', { messageType: 'RAW', message: new Uint8Array(1) }));
    expect(error).toEqual(new UnsupportedOperationException('Key spec ML_DSA_65 is not held in the software tier.'));
  });

  it('refuses key material that is not PKCS#8', async () => {
    const material = new SoftwareKeyMaterial(new InMemorySealer());
    const error = await caught(material.importKeyPair('ML_DSA_65', new Uint8Array([1, 2, 3])));
    expect(error).toEqual(new ValidationException('The key material is not a PKCS#8 private key of key spec ML_DSA_65.'));
  });

  it('refuses HMAC key material of another length before the token sees it', () => {
    const error = (() => { try { importWrappedMacKey(undefined as never, 'HMAC_256', new Uint8Array(3)); return undefined; } catch (thrown) { return thrown; } })();
    expect(error).toEqual(new ValidationException('The key material of a HMAC_256 key must be 32 bytes long.'));
  });

  it('refuses a plaintext too large for an RSA key and OAEP hash', () => {
    const publicKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
    const error = (() => { try { rsaOaepEncrypt(publicKey, 'sha256', new Uint8Array(200)); return undefined; } catch (thrown) { return thrown; } })();
    expect(error).toEqual(new ValidationException('Plaintext is too large for the key and encryption algorithm.'));
  });

  it('refuses an HMAC key where the token lacks the SHA-2 HMAC mechanisms', async () => {
    const token = { tokenSupports: () => false } as unknown as TokenTier;
    const material = new TieredAsymmetricKeyMaterial(token, {} as SoftwareTier);
    const error = await caught(material.generateMacKey('HMAC_256'));
    expect(error).toEqual(new UnsupportedOperationException('KeySpec HMAC_256 needs a PKCS#11 token with the SHA-2 HMAC mechanisms.'));
  });
});
