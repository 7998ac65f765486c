/**
 * The `KeyImport` port in memory for core tests: wrapping key pairs made by Node, their private
 * key kept as plain PKCS#8 ("wrapped" in name only), and the material decrypted here and given to
 * the fake key material adapters as a token would hold it.
 */
import { constants, createDecipheriv, createHash, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { IncorrectKeyMaterialException, InvalidCiphertextException } from '../../src/models/kms/generated/errors.js';
import type { WrappingKeySpec } from '../../src/models/kms/generated/shapes.js';
import type { EncryptedImport, ImportedMaterial, KeyImport, WrappingKeyPair } from '../../src/core/ports/index.js';
import { isAsymmetricSpec, isHmacSpec } from '../../src/core/kms/keys/key-specs.js';
import { say } from '../../src/core/kms/messages.js';
import type { FakeAsymmetricMaterial } from './fake-asymmetric-material.js';
import type { FakeKeyMaterial } from './fake-key-material.js';

const MODULUS_BYTES: Readonly<Partial<Record<WrappingKeySpec, number>>> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };
/** One pair per spec for the whole test run: RSA key generation is slow. */
const pairs = new Map<WrappingKeySpec, WrappingKeyPair>();

export class FakeKeyImport implements KeyImport {
  /** How many wrapping key pairs were handed out. */
  generated = 0;

  constructor(private readonly material: FakeKeyMaterial, private readonly asymmetric: FakeAsymmetricMaterial) {}

  async generateWrappingKeyPair(spec: WrappingKeySpec): Promise<WrappingKeyPair> {
    this.generated += 1;
    let pair = pairs.get(spec);
    if (pair === undefined) {
      const modulusLength = (MODULUS_BYTES[spec] ?? 256) * 8;
      const generated = generateKeyPairSync('rsa', { modulusLength });
      pair = {
        publicKey: new Uint8Array(generated.publicKey.export({ type: 'spki', format: 'der' })),
        wrappedPrivateKey: new Uint8Array(generated.privateKey.export({ type: 'pkcs8', format: 'der' })),
      };
      pairs.set(spec, pair);
    }
    return pair;
  }

  async unwrapKeyMaterial(request: EncryptedImport): Promise<ImportedMaterial> {
    const modulusBytes = MODULUS_BYTES[request.wrappingKeySpec] ?? 256;
    const oaepHash = request.algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
    const key = { key: Buffer.from(request.wrappedPrivateKey), format: 'der' as const, type: 'pkcs8' as const, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash };
    let value: Buffer;
    try {
      const encrypted = Buffer.from(request.encryptedKeyMaterial);
      if (request.algorithm.startsWith('RSA_AES_KEY_WRAP_')) {
        const aesKey = privateDecrypt(key, encrypted.subarray(0, modulusBytes));
        const decipher = createDecipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
        value = Buffer.concat([decipher.update(encrypted.subarray(modulusBytes)), decipher.final()]);
      } else {
        value = privateDecrypt(key, encrypted);
      }
    } catch {
      throw new InvalidCiphertextException('');
    }
    const fingerprintOf = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(`${request.keyArn}\n`).update(bytes).digest());
    const incorrect = () => new IncorrectKeyMaterialException(say('importedMaterialInvalid', { keySpec: request.keySpec }));
    if (isAsymmetricSpec(request.keySpec)) {
      const pair = await this.asymmetric.importKeyPair(request.keySpec, value).catch(() => { throw incorrect(); });
      return { ...pair, fingerprint: fingerprintOf(pair.publicKey) };
    }
    if (isHmacSpec(request.keySpec)) {
      const mac = await this.asymmetric.importMacKey(request.keySpec, value).catch(() => { throw incorrect(); });
      return { ...mac, fingerprint: fingerprintOf(value) };
    }
    if (value.length !== 32) throw incorrect();
    return { wrappedMaterial: await this.material.importSymmetricKey(Uint8Array.from(value)), tier: 'token', fingerprint: fingerprintOf(value) };
  }
}
