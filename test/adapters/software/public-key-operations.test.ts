import {
  constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, sign as nodeSign, verify as nodeVerify,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SoftwareKeyMaterial } from '../../../src/adapters/software/software-key-material.js';
import { ValidationException } from '../../../src/core/generated/errors.js';
import type { DataKeyPairSpec, SigningAlgorithmSpec } from '../../../src/core/generated/shapes.js';
import type { AsymmetricKeySpec } from '../../../src/core/keys/key-specs.js';
import { InMemorySealer } from '../../fixtures/software/in-memory-sealer.js';
import { caught } from '../../support/core.js';

const MESSAGE = new TextEncoder().encode('Pay 100 to Alice');
const material = new SoftwareKeyMaterial(new InMemorySealer());

function tokenKey(keySpec: AsymmetricKeySpec, publicKey: Uint8Array) {
  return { backingKeyId: 'bk-1', wrappedMaterial: new Uint8Array(0), keySpec, tier: 'token' as const, publicKey };
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
const spki = (key: { export(options: { type: 'spki'; format: 'der' }): Buffer }) => new Uint8Array(key.export({ type: 'spki', format: 'der' }));

describe('SoftwareKeyMaterial public-key operations', () => {
  it.each([
    ['RSASSA_PKCS1_V1_5_SHA_256', 'sha256', { padding: constants.RSA_PKCS1_PADDING }],
    ['RSASSA_PSS_SHA_384', 'sha384', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }],
    ['RSASSA_PSS_SHA_512', 'sha512', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }],
  ] as const)('returns true for RAW and DIGEST when Node signed with %s', async (algorithm, hash, padding) => {
    // Prepare
    const signature = nodeSign(hash, MESSAGE, { key: rsa.privateKey, ...padding });
    const digest = new Uint8Array(createHash(hash).update(MESSAGE).digest());
    const key = tokenKey('RSA_2048', spki(rsa.publicKey));

    // Act
    const results = await Promise.all([
      material.verify(key, algorithm, { messageType: 'RAW', message: MESSAGE }, signature),
      material.verify(key, algorithm, { messageType: 'DIGEST', message: digest }, signature),
      material.verify(key, algorithm, { messageType: 'DIGEST', message: digest.map((byte) => byte ^ 1) }, signature),
      material.verify(key, algorithm, { messageType: 'RAW', message: MESSAGE }, signature.subarray(1)),
    ]);

    // Assess
    expect(results).toEqual([true, true, false, false]);
  });

  it('returns true for RAW and DIGEST when Node signed with ECDSA_SHA_384', async () => {
    // Prepare
    const signature = nodeSign('sha384', MESSAGE, { key: p384.privateKey, dsaEncoding: 'der' });
    const digest = new Uint8Array(createHash('sha384').update(MESSAGE).digest());
    const key = tokenKey('ECC_NIST_P384', spki(p384.publicKey));

    // Act
    const results = await Promise.all([
      material.verify(key, 'ECDSA_SHA_384', { messageType: 'RAW', message: MESSAGE }, signature),
      material.verify(key, 'ECDSA_SHA_384', { messageType: 'DIGEST', message: digest }, signature),
      material.verify(key, 'ECDSA_SHA_384', { messageType: 'RAW', message: MESSAGE }, Uint8Array.of(0x30, 0x00)),
    ]);

    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it('throws ValidationException when a DIGEST has the wrong length for the algorithm', async () => {
    // Prepare
    const key = tokenKey('ECC_NIST_P384', spki(p384.publicKey));

    // Act
    const error = await caught(material.verify(key, 'ECDSA_SHA_384', { messageType: 'DIGEST', message: new Uint8Array(32) }, new Uint8Array(8)));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
  });

  it.each(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const)('returns a ciphertext Node decrypts when encrypting with %s', async (algorithm) => {
    // Prepare
    const oaepHash = algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256';

    // Act
    const ciphertext = await material.encryptWithPublicKey('RSA_2048', spki(rsa.publicKey), algorithm, MESSAGE);

    // Assess
    const plaintext = privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, ciphertext);
    expect(new Uint8Array(plaintext)).toEqual(MESSAGE);
  });
});

describe('SoftwareKeyMaterial data key pairs', () => {
  const SPECS: readonly (readonly [DataKeyPairSpec, string | null, SigningAlgorithmSpec | null])[] = [
    ['RSA_2048', 'sha256', null], ['RSA_3072', 'sha256', null], ['RSA_4096', 'sha256', null],
    ['ECC_NIST_P256', 'sha256', null], ['ECC_NIST_P384', 'sha384', null], ['ECC_NIST_P521', 'sha512', null],
    ['ECC_SECG_P256K1', 'sha256', null], ['ECC_NIST_EDWARDS25519', null, null],
  ];

  it.each(SPECS)('returns matching PKCS#8 and SPKI halves when a %s data key pair is generated', async (spec, hash) => {
    // Prepare / Act
    const pair = await material.generateDataKeyPair(spec);

    // Assess: what the private half signs, the public half verifies.
    const privateKey = createPrivateKey({ key: Buffer.from(pair.privateKey), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' });
    const signature = nodeSign(hash, MESSAGE, privateKey);
    expect(nodeVerify(hash, MESSAGE, publicKey, signature)).toBe(true);
  }, 60_000);
});
