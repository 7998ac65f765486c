import { execFileSync } from 'node:child_process';
import { createECDH, createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SoftwareKeyMaterial } from '../../../src/adapters/software/software-key-material.js';
import { Sm2Point, bytesToBigint, sm3 } from '../../../src/adapters/software/sm2-curve.js';
import { sm2Decrypt, sm2EncryptWithNonce } from '../../../src/adapters/software/sm2-encryption.js';
import { sm2SignWithNonce, sm2VerifyDigest, sm2Z } from '../../../src/adapters/software/sm2-signature.js';
import { InvalidCiphertextException, ValidationException } from '../../../src/models/kms/generated/errors.js';
import type { StoredKeyRef } from '../../../src/core/ports/index.js';
import { InMemorySealer } from '../../fixtures/software/in-memory-sealer.js';
import { SM2_ENCRYPTION_ANNEX_C, SM2_SIGNATURE_ANNEX_A } from '../../fixtures/software/known-answers.js';
import { caught } from '../../support/core.js';

const hex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const utf8 = (text: string) => new TextEncoder().encode(text);
const MESSAGE = utf8('Pay 100 to Alice');

async function makeSm2Key() {
  const material = new SoftwareKeyMaterial(new InMemorySealer());
  const generated = await material.generateKeyPair('SM2');
  const ref: StoredKeyRef & { publicKey: Uint8Array } = {
    backingKeyId: 'bk-1', wrappedMaterial: generated.wrappedMaterial, keySpec: 'SM2', tier: 'software', publicKey: generated.publicKey,
  };
  return { material, ref };
}

/** The 32-byte scalar of an SM2 PKCS#8 key as OpenSSL writes it (ECPrivateKey version 1, then the scalar). */
function sm2PrivateScalar(pkcs8: Uint8Array): Buffer {
  const der = Buffer.from(pkcs8);
  const at = der.indexOf(Buffer.from('0201010420', 'hex'));
  return der.subarray(at + 5, at + 37);
}

function opensslHasSm2(): boolean {
  try {
    execFileSync('openssl', ['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:sm2'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Runs the OpenSSL command line in a scratch directory holding `files`; returns the named output. */
function openssl(files: Record<string, Uint8Array | string>, args: readonly string[], output?: string): Buffer | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sm2-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    return output === undefined ? undefined : readFileSync(join(dir, output));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SM2 primitives', () => {
  it('returns the GB/T 32905 digest when SM3 hashes "abc"', () => {
    // Prepare / Act
    const digest = sm3(utf8('abc'));

    // Assess
    expect(Buffer.from(digest).toString('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('returns the GM/T 0003.5 Annex A signature when signing "message digest" with its nonce', () => {
    // Prepare
    const vector = SM2_SIGNATURE_ANNEX_A;
    const d = BigInt(`0x${vector.privateKey}`);
    const publicKey = Sm2Point.BASE.multiply(d).toBytes(false);
    const e = bytesToBigint(sm3(sm2Z(publicKey), utf8(vector.message)));

    // Act
    const signature = sm2SignWithNonce(d, e, BigInt(`0x${vector.k}`));

    // Assess
    expect(signature).toEqual({ r: BigInt(`0x${vector.r}`), s: BigInt(`0x${vector.s}`) });
    expect(sm2VerifyDigest(publicKey, e, BigInt(`0x${vector.r}`), BigInt(`0x${vector.s}`))).toBe(true);
    expect(sm2VerifyDigest(publicKey, e + 1n, BigInt(`0x${vector.r}`), BigInt(`0x${vector.s}`))).toBe(false);
  });

  it('returns the GM/T 0003.5 Annex C ciphertext when encrypting "encryption standard" with its nonce', () => {
    // Prepare
    const vector = SM2_ENCRYPTION_ANNEX_C;
    const d = hex(vector.privateKey);
    const publicKey = Sm2Point.BASE.multiply(bytesToBigint(d)).toBytes(false);

    // Act
    const ciphertext = sm2EncryptWithNonce(publicKey, utf8(vector.plaintext), BigInt(`0x${vector.k}`));

    // Assess
    expect(Buffer.from(ciphertext ?? []).toString('hex')).toBe(vector.ciphertext);
    expect(new TextDecoder().decode(sm2Decrypt(d, hex(vector.ciphertext)))).toBe(vector.plaintext);
  });
});

describe('SoftwareKeyMaterial with SM2 keys', () => {
  it('returns the SPKI header OpenSSL writes for SM2-curve keys when a key pair is generated', async () => {
    // Prepare
    const reference = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'SM2' }).publicKey.export({ type: 'spki', format: 'der' }));

    // Act
    const { ref } = await makeSm2Key();

    // Assess: same length, same header (id-ecPublicKey, curve 1.2.156.10197.1.301), then 0x04 || x || y.
    expect(ref.publicKey).toHaveLength(reference.length);
    expect(ref.publicKey.subarray(0, 27)).toEqual(reference.subarray(0, 27));
  });

  it('returns a signature that verifies as RAW when SM2DSA signs the e value computed as AWS documents', async () => {
    // Prepare: Z as in AWS's SM2OfflineOperationHelper, computed here independently with OpenSSL's SM3.
    const { material, ref } = await makeSm2Key();
    const point = ref.publicKey.subarray(ref.publicKey.length - 65);
    const curve = hex('fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc'
      + '28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93'
      + '32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7'
      + 'bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0');
    const z = createHash('sm3').update(Uint8Array.of(0, 128)).update(utf8('1234567812345678')).update(curve).update(point.subarray(1)).digest();
    const e = new Uint8Array(createHash('sm3').update(z).update(MESSAGE).digest());

    // Act
    const signature = await material.sign(ref, 'SM2DSA', { messageType: 'DIGEST', message: e });

    // Assess
    expect(await material.verify(ref, 'SM2DSA', { messageType: 'RAW', message: MESSAGE }, signature)).toBe(true);
    expect(await material.verify(ref, 'SM2DSA', { messageType: 'DIGEST', message: e }, signature)).toBe(true);
    expect(await material.verify(ref, 'SM2DSA', { messageType: 'RAW', message: utf8('Pay 900 to Alice') }, signature)).toBe(false);
    expect(await material.verify(ref, 'SM2DSA', { messageType: 'RAW', message: MESSAGE }, signature.subarray(1))).toBe(false);
  });

  it.skipIf(!opensslHasSm2())('returns signatures and ciphertexts OpenSSL accepts when SM2 signs and encrypts', async () => {
    // Prepare
    const { material, ref } = await makeSm2Key();
    const publicPem = createPublicKey({ key: Buffer.from(ref.publicKey), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' });

    // Act
    const signature = await material.sign(ref, 'SM2DSA', { messageType: 'RAW', message: MESSAGE });
    const ciphertext = await material.encryptWithPublicKey('SM2', ref.publicKey, 'SM2PKE', MESSAGE);

    // Assess: OpenSSL 3 verifies with the default ID; it cannot decrypt without the private key, so
    // check instead that our decryption opens what OpenSSL encrypts.
    expect(() => openssl({ 'm.bin': MESSAGE, 's.bin': signature, 'pub.pem': publicPem },
      ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678', '-in', 'm.bin', '-sigfile', 's.bin'])).not.toThrow();
    const fromOpenssl = openssl({ 'm.bin': MESSAGE, 'pub.pem': publicPem }, ['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'm.bin', '-out', 'c.bin'], 'c.bin');
    expect(await material.decryptWithPrivateKey(ref, 'SM2PKE', new Uint8Array(fromOpenssl ?? []))).toEqual(MESSAGE);
    expect(await material.decryptWithPrivateKey(ref, 'SM2PKE', ciphertext)).toEqual(MESSAGE);
  });

  it('throws InvalidCiphertextException when an SM2PKE ciphertext was tampered with', async () => {
    // Prepare
    const { material, ref } = await makeSm2Key();
    const ciphertext = await material.encryptWithPublicKey('SM2', ref.publicKey, 'SM2PKE', MESSAGE);
    const tampered = Uint8Array.from(ciphertext);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;

    // Act
    const errors = await Promise.all([tampered, ciphertext.subarray(3)].map((bad) => caught(material.decryptWithPrivateKey(ref, 'SM2PKE', bad))));

    // Assess
    for (const error of errors) expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('returns the secret OpenSSL derives when deriving a shared secret with an SM2 peer', async () => {
    // Prepare
    const { material, ref } = await makeSm2Key();
    const peer = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const peerSpki = new Uint8Array(peer.publicKey.export({ type: 'spki', format: 'der' }));

    // Act
    const secret = await material.deriveSharedSecret(ref, peerSpki);

    // Assess: the peer computes the same x coordinate with OpenSSL.
    const peerEcdh = createECDH('SM2');
    peerEcdh.setPrivateKey(sm2PrivateScalar(peer.privateKey.export({ type: 'pkcs8', format: 'der' })));
    expect(Buffer.from(secret)).toEqual(peerEcdh.computeSecret(Buffer.from(ref.publicKey.subarray(ref.publicKey.length - 65))));
  });

  it('throws ValidationException when the peer public key is on another curve', async () => {
    // Prepare
    const { material, ref } = await makeSm2Key();
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });

    // Act
    const error = await caught(material.deriveSharedSecret(ref, new Uint8Array(peer)));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
  });

  it('throws ValidationException when an SM2DSA digest is not 32 bytes', async () => {
    // Prepare
    const { material, ref } = await makeSm2Key();

    // Act
    const error = await caught(material.sign(ref, 'SM2DSA', { messageType: 'DIGEST', message: new Uint8Array(31) }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
  });

  it('returns a PKCS#8 key OpenSSL reads when an SM2 data key pair is generated', async () => {
    // Prepare
    const material = new SoftwareKeyMaterial(new InMemorySealer());

    // Act
    const pair = await material.generateDataKeyPair('SM2');

    // Assess: OpenSSL parses both halves, and the private scalar yields the public point.
    createPrivateKey({ key: Buffer.from(pair.privateKey), format: 'der', type: 'pkcs8' });
    createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' });
    const ecdh = createECDH('SM2');
    ecdh.setPrivateKey(sm2PrivateScalar(pair.privateKey));
    expect(ecdh.getPublicKey()).toEqual(Buffer.from(pair.publicKey.subarray(pair.publicKey.length - 65)));
  });
});
