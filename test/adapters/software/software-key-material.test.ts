import { createHash, createPublicKey, generateKeyPairSync, verify as nodeVerify } from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { KEY_OBJECT_TTL_MS, SoftwareKeyMaterial } from '../../../src/adapters/software/software-key-material.js';
import { FakeClock } from '../../support/fake-clock.js';
import { mlDsaKeyPairFromSeed } from '../../../src/adapters/software/ml-dsa.js';
import {
  InvalidCiphertextException, UnsupportedOperationException, ValidationException,
} from '../../../src/models/kms/generated/errors.js';
import type { AsymmetricKeySpec } from '../../../src/core/kms/keys/key-specs.js';
import type { StoredKeyRef } from '../../../src/core/ports/index.js';
import { InMemorySealer } from '../../fixtures/software/in-memory-sealer.js';
import { ED25519PH_RFC8032_ABC, ML_DSA_ACVP_KEYGEN } from '../../fixtures/software/known-answers.js';
import { caught } from '../../support/core.js';

const hex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const utf8 = (text: string) => new TextEncoder().encode(text);
const MESSAGE = utf8('Pay 100 to Alice');

async function makeKey(spec: AsymmetricKeySpec, sealer = new InMemorySealer()) {
  const material = new SoftwareKeyMaterial(sealer);
  const generated = await material.generateKeyPair(spec);
  const ref: StoredKeyRef & { publicKey: Uint8Array } = {
    backingKeyId: 'bk-1', wrappedMaterial: generated.wrappedMaterial, keySpec: spec, tier: generated.tier, publicKey: generated.publicKey,
  };
  return { material, sealer, generated, ref };
}

function flipBit(bytes: Uint8Array, index = 0): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 1;
  return copy;
}

const ML_DSA = [['ML_DSA_44', ml_dsa44, '11'], ['ML_DSA_65', ml_dsa65, '12'], ['ML_DSA_87', ml_dsa87, '13']] as const;

describe('SoftwareKeyMaterial with ML-DSA keys', () => {
  it.each(ML_DSA)('returns an RFC 9881 SPKI whose BIT STRING starts at offset 17 when a %s key pair is generated', async (spec, dsa, oidLastArc) => {
    // Prepare / Act
    const { generated } = await makeKey(spec);

    // Assess: offset 17 is what AWS's documented `asn1parse -strparse 17` relies on.
    expect(generated.tier).toBe('software');
    expect(Buffer.from(generated.publicKey.subarray(4, 17)).toString('hex')).toBe(`300b06096086480165030403${oidLastArc}`);
    expect(generated.publicKey[17]).toBe(0x03);
    expect(generated.publicKey.subarray(22)).toHaveLength(dsa.lengths.publicKey ?? 0);
  });

  it.each(ML_DSA)('returns a signature that @noble/post-quantum verifies when %s signs a RAW message', async (spec, dsa) => {
    // Prepare
    const { material, ref } = await makeKey(spec);

    // Act
    const signature = await material.sign(ref, 'ML_DSA_SHAKE_256', { messageType: 'RAW', message: MESSAGE });

    // Assess
    expect(dsa.verify(signature, MESSAGE, ref.publicKey.subarray(22))).toBe(true);
    expect(await material.verify(ref, 'ML_DSA_SHAKE_256', { messageType: 'RAW', message: MESSAGE }, signature)).toBe(true);
  });

  it.each(ML_DSA)('returns a signature of the message when %s signs the external mu computed as AWS documents', async (spec, dsa) => {
    // Prepare: mu = SHAKE256(SHAKE256(pk, 64) || 0x00 0x00 || M, 64), the steps of AWS's OpenSSL example.
    const { material, ref } = await makeKey(spec);
    const rawPublicKey = ref.publicKey.subarray(22);
    const tr = shake256(rawPublicKey, { dkLen: 64 });
    const mu = shake256(Uint8Array.from([...tr, 0, 0, ...MESSAGE]), { dkLen: 64 });

    // Act
    const signature = await material.sign(ref, 'ML_DSA_SHAKE_256', { messageType: 'EXTERNAL_MU', message: mu });

    // Assess
    expect(dsa.verify(signature, MESSAGE, rawPublicKey)).toBe(true);
    expect(await material.verify(ref, 'ML_DSA_SHAKE_256', { messageType: 'EXTERNAL_MU', message: mu }, signature)).toBe(true);
    expect(await material.verify(ref, 'ML_DSA_SHAKE_256', { messageType: 'RAW', message: MESSAGE }, signature)).toBe(true);
  });

  it.each(ML_DSA)('returns false when a %s signature is tampered with or truncated', async (spec) => {
    // Prepare
    const { material, ref } = await makeKey(spec);
    const input = { messageType: 'RAW', message: MESSAGE } as const;
    const signature = await material.sign(ref, 'ML_DSA_SHAKE_256', input);

    // Act
    const results = await Promise.all([
      material.verify(ref, 'ML_DSA_SHAKE_256', input, flipBit(signature, 100)),
      material.verify(ref, 'ML_DSA_SHAKE_256', input, signature.subarray(1)),
      material.verify(ref, 'ML_DSA_SHAKE_256', { messageType: 'RAW', message: flipBit(MESSAGE) }, signature),
    ]);

    // Assess
    expect(results).toEqual([false, false, false]);
  });

  it.each([
    ['an external mu of 63 bytes', { messageType: 'EXTERNAL_MU', message: new Uint8Array(63) }],
    ['an external mu of 65 bytes', { messageType: 'EXTERNAL_MU', message: new Uint8Array(65) }],
    ['MessageType DIGEST', { messageType: 'DIGEST', message: new Uint8Array(64) }],
  ] as const)('throws ValidationException when ML-DSA is asked to sign %s', async (_name, input) => {
    // Prepare
    const { material, ref, sealer } = await makeKey('ML_DSA_65');

    // Act
    const error = await caught(material.sign(ref, 'ML_DSA_SHAKE_256', input));

    // Assess: rejected before the sealed key is opened.
    expect(error).toBeInstanceOf(ValidationException);
    expect(sealer.openedOutputs).toHaveLength(0);
  });

  it.each(Object.entries(ML_DSA_ACVP_KEYGEN))('returns the NIST ACVP public key when a %s key pair is made from the ACVP seed', (spec, vector) => {
    // Prepare
    const seed = hex(vector.seed);

    // Act
    const { publicKey } = mlDsaKeyPairFromSeed(spec as keyof typeof ML_DSA_ACVP_KEYGEN, seed);

    // Assess
    expect(Buffer.from(publicKey.subarray(0, 32)).toString('hex')).toBe(vector.publicKeyPrefix);
    expect(createHash('sha256').update(publicKey).digest('hex')).toBe(vector.publicKeySha256);
  });
});

describe('SoftwareKeyMaterial with Ed25519 keys', () => {
  it('returns an SPKI that Node reads as an Ed25519 key when a key pair is generated', async () => {
    // Prepare / Act
    const { generated } = await makeKey('ECC_NIST_EDWARDS25519');

    // Assess
    const key = createPublicKey({ key: Buffer.from(generated.publicKey), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('ed25519');
  });

  it('returns a signature that Node verifies when ED25519_SHA_512 signs a RAW message', async () => {
    // Prepare
    const { material, ref } = await makeKey('ECC_NIST_EDWARDS25519');

    // Act
    const signature = await material.sign(ref, 'ED25519_SHA_512', { messageType: 'RAW', message: MESSAGE });

    // Assess
    const publicKey = createPublicKey({ key: Buffer.from(ref.publicKey), format: 'der', type: 'spki' });
    expect(nodeVerify(null, MESSAGE, publicKey, signature)).toBe(true);
    expect(await material.verify(ref, 'ED25519_SHA_512', { messageType: 'RAW', message: MESSAGE }, signature)).toBe(true);
    expect(await material.verify(ref, 'ED25519_SHA_512', { messageType: 'RAW', message: MESSAGE }, flipBit(signature))).toBe(false);
  });

  it('returns an Ed25519ph signature over the 64 bytes given when ED25519_PH_SHA_512 signs a DIGEST', async () => {
    // Prepare: AWS documents that KMS prehashes the DIGEST again (FIPS 186-5 §7.8.1 step 1).
    const { material, ref } = await makeKey('ECC_NIST_EDWARDS25519');
    const digest = new Uint8Array(createHash('sha512').update(MESSAGE).digest());
    const input = { messageType: 'DIGEST', message: digest } as const;

    // Act
    const signature = await material.sign(ref, 'ED25519_PH_SHA_512', input);

    // Assess
    expect(ed25519ph.verify(signature, digest, ref.publicKey.subarray(12))).toBe(true);
    expect(await material.verify(ref, 'ED25519_PH_SHA_512', input, signature)).toBe(true);
    expect(await material.verify(ref, 'ED25519_PH_SHA_512', input, flipBit(signature, 40))).toBe(false);
    expect(await material.verify(ref, 'ED25519_PH_SHA_512', input, signature.subarray(2))).toBe(false);
  });

  it('returns the RFC 8032 §7.3 signature when the Ed25519ph primitive signs "abc"', () => {
    // Prepare
    const vector = ED25519PH_RFC8032_ABC;

    // Act
    const signature = ed25519ph.sign(hex(vector.message), hex(vector.secretKey));

    // Assess
    expect(Buffer.from(signature).toString('hex')).toBe(vector.signature);
    expect(ed25519ph.verify(signature, hex(vector.message), hex(vector.publicKey), { zip215: false })).toBe(true);
  });

  it.each([
    ['ED25519_SHA_512 with DIGEST', 'ED25519_SHA_512', { messageType: 'DIGEST', message: new Uint8Array(64) }],
    ['ED25519_PH_SHA_512 with RAW', 'ED25519_PH_SHA_512', { messageType: 'RAW', message: MESSAGE }],
    ['ED25519_PH_SHA_512 with a 32-byte digest', 'ED25519_PH_SHA_512', { messageType: 'DIGEST', message: new Uint8Array(32) }],
  ] as const)('throws ValidationException when asked to sign %s', async (_name, algorithm, input) => {
    // Prepare
    const { material, ref } = await makeKey('ECC_NIST_EDWARDS25519');

    // Act
    const error = await caught(material.sign(ref, algorithm, input));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
  });
});

describe('SoftwareKeyMaterial sealing', () => {
  it('returns version 1 || 12-byte IV || ciphertext and tag when a key is generated', async () => {
    // Prepare / Act
    const { generated } = await makeKey('ECC_NIST_EDWARDS25519');

    // Assess: the 32-byte seed and 32-byte public key become 1 + 12 + 64 + 16 bytes.
    expect(generated.wrappedMaterial[0]).toBe(1);
    expect(generated.wrappedMaterial).toHaveLength(93);
  });

  it('throws InvalidCiphertextException when a sealed key is used as a key of another spec', async () => {
    // Prepare
    const { material, ref } = await makeKey('ML_DSA_65');
    const relabelled = { ...ref, keySpec: 'ML_DSA_44' as const };

    // Act
    const error = await caught(material.sign(relabelled, 'ML_DSA_SHAKE_256', { messageType: 'RAW', message: MESSAGE }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('throws InvalidCiphertextException when the sealed key was tampered with', async () => {
    // Prepare
    const { material, ref } = await makeKey('ECC_NIST_EDWARDS25519');
    const tampered = { ...ref, wrappedMaterial: flipBit(ref.wrappedMaterial, 20) };

    // Act
    const error = await caught(material.sign(tampered, 'ED25519_SHA_512', { messageType: 'RAW', message: MESSAGE }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('zeroes every private key it sealed or opened when the operations are done', async () => {
    // Prepare
    const { material, ref, sealer } = await makeKey('ML_DSA_44');

    // Act
    await material.sign(ref, 'ML_DSA_SHAKE_256', { messageType: 'RAW', message: MESSAGE });

    // Assess
    const buffers = [...sealer.sealedInputs, ...sealer.openedOutputs];
    expect(buffers).toHaveLength(2);
    for (const buffer of buffers) expect(buffer.every((byte) => byte === 0)).toBe(true);
  });

  it('opens a pure Ed25519 key once while its OpenSSL key object is cached, and again once the minute is over', async () => {
    // Prepare
    const sealer = new InMemorySealer();
    const clock = new FakeClock();
    const material = new SoftwareKeyMaterial(sealer, { clock });
    const generated = await material.generateKeyPair('ECC_NIST_EDWARDS25519');
    const ref = { backingKeyId: 'bk-cached', keySpec: 'ECC_NIST_EDWARDS25519' as const, ...generated };
    const input = { messageType: 'RAW' as const, message: MESSAGE };

    // Act
    await material.sign(ref, 'ED25519_SHA_512', input);
    clock.advance(KEY_OBJECT_TTL_MS - 1);
    await material.sign(ref, 'ED25519_SHA_512', input);
    const openedWithinTtl = sealer.openedOutputs.length;
    clock.advance(1);
    const signature = await material.sign(ref, 'ED25519_SHA_512', input);

    // Assess
    expect(openedWithinTtl).toBe(1);
    expect(sealer.openedOutputs).toHaveLength(2);
    for (const buffer of [...sealer.sealedInputs, ...sealer.openedOutputs]) expect(buffer.every((byte) => byte === 0)).toBe(true);
    const publicKey = createPublicKey({ key: Buffer.from(generated.publicKey), format: 'der', type: 'spki' });
    expect(nodeVerify(null, MESSAGE, publicKey, signature)).toBe(true);
  });

  it.each([
    ['ECC_NIST_EDWARDS25519', () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' })],
    ['SM2', () => generateKeyPairSync('ec', { namedCurve: 'SM2' }).privateKey.export({ type: 'pkcs8', format: 'der' })],
    // RFC 9881 seed form: SEQUENCE { 0, { id-ml-dsa-44 }, OCTET STRING { [0] 32-byte seed } }.
    ['ML_DSA_44', () => Buffer.concat([hex('3034020100300b060960864801650304031104228020'), Buffer.alloc(32, 5)])],
  ] as const)('zeroes the private key it sealed when a %s key is imported', async (spec, pkcs8) => {
    // Prepare
    const sealer = new InMemorySealer();

    // Act
    const imported = await new SoftwareKeyMaterial(sealer).importKeyPair(spec, new Uint8Array(pkcs8()));

    // Assess
    expect(imported.tier).toBe('software');
    expect(sealer.sealedInputs).toHaveLength(1);
    expect(sealer.sealedInputs[0]?.every((byte) => byte === 0)).toBe(true);
  });

  it('throws UnsupportedOperationException when asked to sign with a token-tier key', async () => {
    // Prepare
    const { material, ref } = await makeKey('ECC_NIST_EDWARDS25519');

    // Act
    const error = await caught(material.sign({ ...ref, tier: 'token' }, 'ED25519_SHA_512', { messageType: 'RAW', message: MESSAGE }));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
  });
});
