import {
  constants, createECDH, createHash, createHmac, createPublicKey, generateKeyPairSync, publicEncrypt, sign as nodeSign, verify as nodeVerify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCiphertextException, ValidationException } from '../../../src/models/kms/generated/errors.js';
import type { EncryptionAlgorithmSpec, MacAlgorithmSpec, SigningAlgorithmSpec } from '../../../src/models/kms/generated/shapes.js';
import type { AsymmetricKeySpec, HmacKeySpec } from '../../../src/core/kms/keys/key-specs.js';
import type { StoredKeyRef } from '../../../src/core/ports/index.js';
import { Pkcs11AsymmetricKeyMaterial } from '../../../src/adapters/pkcs11/asymmetric/pkcs11-asymmetric-key-material.js';
import { Pkcs11KeyMaterial } from '../../../src/adapters/pkcs11/pkcs11-key-material.js';
import { ensureSoftHsmToken } from '../../../src/local/softhsm-token.js';

type PublicKeyRef = StoredKeyRef & { readonly publicKey: Uint8Array };

interface WycheproofFixture {
  readonly testGroups: readonly {
    readonly publicKeyDer: string;
    readonly tests: readonly { readonly tcId: number; readonly comment: string; readonly msg: string; readonly sig: string; readonly result: 'valid' | 'invalid' }[];
  }[];
}

const WYCHEPROOF: WycheproofFixture = JSON.parse(
  await readFile(new URL('../../fixtures/wycheproof-ecdsa-p256-sha256.json', import.meta.url), 'utf8'),
) as WycheproofFixture;

const utf8 = (text: string) => new TextEncoder().encode(text);
const MESSAGE = utf8('The quick brown fox jumps over the lazy dog');

const RSA_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const;
const RSA_ALGORITHMS = [
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
] as const;
const ECC_CASES = [
  ['ECC_NIST_P256', 'ECDSA_SHA_256', 'prime256v1'],
  ['ECC_NIST_P384', 'ECDSA_SHA_384', 'secp384r1'],
  ['ECC_NIST_P521', 'ECDSA_SHA_512', 'secp521r1'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'secp256k1'],
] as const;
const HMAC_CASES = [
  ['HMAC_224', 'HMAC_SHA_224', 28],
  ['HMAC_256', 'HMAC_SHA_256', 32],
  ['HMAC_384', 'HMAC_SHA_384', 48],
  ['HMAC_512', 'HMAC_SHA_512', 64],
] as const;

function hashOf(algorithm: SigningAlgorithmSpec): 'sha256' | 'sha384' | 'sha512' {
  if (algorithm.endsWith('256')) return 'sha256';
  return algorithm.endsWith('384') ? 'sha384' : 'sha512';
}

/** Node's verification of an AWS-format signature over the original message. */
function nodeVerifies(publicKey: Uint8Array, algorithm: SigningAlgorithmSpec, message: Uint8Array, signature: Uint8Array): boolean {
  const hash = hashOf(algorithm);
  const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  const pss = algorithm.startsWith('RSASSA_PSS')
    ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: createHash(hash).digest().length }
    : {};
  return nodeVerify(hash, message, { key, ...pss }, signature);
}

function tampered(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe('Pkcs11AsymmetricKeyMaterial', () => {
  let dataDir: string;
  let material: Pkcs11KeyMaterial;
  let asymmetric: Pkcs11AsymmetricKeyMaterial;
  const keys = new Map<string, PublicKeyRef>();

  async function keyOf(spec: AsymmetricKeySpec): Promise<PublicKeyRef> {
    const existing = keys.get(spec);
    if (existing !== undefined) return existing;
    const generated = await asymmetric.generateKeyPair(spec);
    const key = { backingKeyId: `bk-${spec}`, keySpec: spec, ...generated };
    keys.set(spec, key);
    return key;
  }

  /** A stored MAC key whose value the test knows, imported through the port as a seed file would. */
  async function knownMacKey(spec: HmacKeySpec, value: Buffer): Promise<StoredKeyRef> {
    return { backingKeyId: `bk-known-${spec}`, keySpec: spec, ...(await asymmetric.importMacKey(spec, Uint8Array.from(value))) };
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-pkcs11-asym-'));
    material = await Pkcs11KeyMaterial.open(await ensureSoftHsmToken({ dataDir }));
    asymmetric = Pkcs11AsymmetricKeyMaterial.create(material);
  }, 30_000);

  afterAll(async () => {
    await material?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  describe('generateKeyPair off the event loop', () => {
    it('answers other token calls while an RSA_4096 key pair is generated, and the pair it returns works', async () => {
      // Prepare
      const key = { backingKeyId: 'bk-while-generating', wrappedMaterial: await material.generateSymmetricKey() };
      const order: string[] = [];

      // Act
      const generation = asymmetric.generateKeyPair('RSA_4096').then((pair) => { order.push('generated'); return pair; });
      await material.encrypt(key, MESSAGE, new Uint8Array());
      order.push('encrypted');
      const pair = await generation;
      const signature = await asymmetric.sign({ backingKeyId: 'bk-generated-4096', keySpec: 'RSA_4096', ...pair }, 'RSASSA_PSS_SHA_256', { messageType: 'RAW', message: MESSAGE });

      // Assess
      expect(order).toEqual(['encrypted', 'generated']);
      expect(await asymmetric.verify({ backingKeyId: 'bk-generated-4096', keySpec: 'RSA_4096', ...pair }, 'RSASSA_PSS_SHA_256', { messageType: 'RAW', message: MESSAGE }, signature)).toBe(true);
    }, 60_000);

    it('generates several key pairs at once, each in a session of its own', async () => {
      // Act
      const pairs = await Promise.all((['RSA_2048', 'ECC_NIST_P256', 'RSA_2048', 'ECC_SECG_P256K1'] as const).map((spec) => asymmetric.generateKeyPair(spec)));

      // Assess
      expect(new Set(pairs.map((pair) => Buffer.from(pair.publicKey).toString('hex'))).size).toBe(4);
    }, 60_000);
  });

  describe('tokenSupports', () => {
    it('returns true when the token has the mechanisms of RSA, NIST and secp256k1 ECC, and HMAC', () => {
      // Prepare
      const specs = [...RSA_SPECS, ...ECC_CASES.map(([spec]) => spec), ...HMAC_CASES.map(([spec]) => spec)];
      // Act
      const supported = specs.filter((spec) => asymmetric.tokenSupports(spec));
      // Assess
      expect(supported).toEqual(specs);
    });

    it('returns false when the spec needs Ed25519ph, ML-DSA or SM2', () => {
      // Act
      const supported = (['ECC_NIST_EDWARDS25519', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87', 'SM2'] as const).filter((spec) => asymmetric.tokenSupports(spec));
      // Assess
      expect(supported).toEqual([]);
    });
  });

  describe('generateKeyPair', () => {
    it.each([...RSA_SPECS.map((spec) => [spec, 'rsa', Number(spec.slice(4))] as const), ...ECC_CASES.map(([spec, , curve]) => [spec, 'ec', curve] as const)])(
      'returns a wrapped token-tier key and a DER SPKI when the spec is %s',
      async (spec, type, detail) => {
        // Act
        const key = await keyOf(spec);
        // Assess
        const publicKey = createPublicKey({ key: Buffer.from(key.publicKey), format: 'der', type: 'spki' });
        expect(key.tier).toBe('token');
        expect(key.wrappedMaterial.length).toBeGreaterThan(0);
        expect(publicKey.asymmetricKeyType).toBe(type);
        if (type === 'rsa') expect(publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: detail, publicExponent: 65537n });
        else expect(publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: detail });
      },
      60_000,
    );
  });

  const SIGNING_CASES = [
    ...RSA_SPECS.flatMap((spec) => RSA_ALGORITHMS.map((algorithm) => [spec, algorithm] as const)),
    ...ECC_CASES.map(([spec, algorithm]) => [spec, algorithm] as const),
  ];

  describe.each(SIGNING_CASES)('sign and verify with %s and %s', (spec, algorithm) => {
    it('returns signatures that Node verifies when the message is RAW and when it is a DIGEST', async () => {
      // Prepare
      const key = await keyOf(spec);
      const digest = createHash(hashOf(algorithm)).update(MESSAGE).digest();
      // Act
      const raw = await asymmetric.sign(key, algorithm, { messageType: 'RAW', message: MESSAGE });
      const fromDigest = await asymmetric.sign(key, algorithm, { messageType: 'DIGEST', message: digest });
      // Assess
      expect(nodeVerifies(key.publicKey, algorithm, MESSAGE, raw)).toBe(true);
      expect(nodeVerifies(key.publicKey, algorithm, MESSAGE, fromDigest)).toBe(true);
      expect(await asymmetric.verify(key, algorithm, { messageType: 'RAW', message: MESSAGE }, fromDigest)).toBe(true);
      expect(await asymmetric.verify(key, algorithm, { messageType: 'DIGEST', message: digest }, raw)).toBe(true);
    }, 60_000);

    it('returns true for a Node-made signature and false when it is tampered with', async () => {
      // Prepare
      const key = await keyOf(spec);
      const message = utf8(`signed by Node with ${algorithm}`);
      const nodeSignature = ownNodeSignature(spec, algorithm, message);
      // Act
      const genuine = await asymmetric.verify(nodeSignature.key, algorithm, { messageType: 'RAW', message }, nodeSignature.signature);
      const badSignature = await asymmetric.verify(nodeSignature.key, algorithm, { messageType: 'RAW', message }, tampered(nodeSignature.signature, nodeSignature.signature.length - 1));
      const badMessage = await asymmetric.verify(nodeSignature.key, algorithm, { messageType: 'RAW', message: tampered(message, 0) }, nodeSignature.signature);
      const truncated = await asymmetric.verify(key, algorithm, { messageType: 'RAW', message }, nodeSignature.signature.subarray(0, 10));
      // Assess
      expect([genuine, badSignature, badMessage, truncated]).toEqual([true, false, false, false]);
    }, 60_000);

    it('throws ValidationException when the digest has the wrong length', async () => {
      // Prepare
      const key = await keyOf(spec);
      const digest = createHash(hashOf(algorithm)).update(MESSAGE).digest().subarray(1);
      // Act
      const result = asymmetric.sign(key, algorithm, { messageType: 'DIGEST', message: digest });
      // Assess
      await expect(result).rejects.toBeInstanceOf(ValidationException);
      await expect(result).rejects.toThrow(`Digest is invalid length for algorithm ${algorithm}.`);
    }, 60_000);
  });

  /** A key pair made by Node, signed by Node; the stored ref carries only its public key. */
  function ownNodeSignature(spec: AsymmetricKeySpec, algorithm: SigningAlgorithmSpec, message: Uint8Array): { key: PublicKeyRef; signature: Uint8Array } {
    const hash = hashOf(algorithm);
    const pair: { privateKey: KeyObject; publicKey: KeyObject } = spec.startsWith('RSA_')
      ? generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(4)) })
      : generateKeyPairSync('ec', { namedCurve: ECC_CASES.find(([s]) => s === spec)?.[2] ?? '' });
    const pss = algorithm.startsWith('RSASSA_PSS') ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: createHash(hash).digest().length } : {};
    const signature = new Uint8Array(nodeSign(hash, message, { key: pair.privateKey, ...pss }));
    const publicKey = new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));
    return { key: { backingKeyId: `bk-node-${spec}-${algorithm}`, keySpec: spec, tier: 'token', wrappedMaterial: new Uint8Array(0), publicKey }, signature };
  }

  it('returns false when an ECDSA signature is not valid DER', async () => {
    // Prepare
    const key = await keyOf('ECC_NIST_P256');
    const good = await asymmetric.sign(key, 'ECDSA_SHA_256', { messageType: 'RAW', message: MESSAGE });
    const longForm = Uint8Array.from([0x30, 0x81, ...good.subarray(1)]);
    // Act
    const results = await Promise.all([new Uint8Array(0), Uint8Array.of(0x30, 0x00), good.subarray(0, good.length - 1), longForm, Uint8Array.from([...good, 0])].map(
      (signature) => asymmetric.verify(key, 'ECDSA_SHA_256', { messageType: 'RAW', message: MESSAGE }, signature),
    ));
    // Assess
    expect(results).toEqual([false, false, false, false, false]);
  });

  describe.each(RSA_SPECS.flatMap((spec) => (['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const).map((algorithm) => [spec, algorithm] as const)))(
    'decryptWithPrivateKey with %s and %s',
    (spec, algorithm: EncryptionAlgorithmSpec) => {
      const oaepHash = algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256';

      it('returns the plaintext when Node encrypted it with the public key', async () => {
        // Prepare
        const key = await keyOf(spec);
        const ciphertext = publicEncrypt({ key: createPublicKey({ key: Buffer.from(key.publicKey), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, utf8('secret data'));
        // Act
        const plaintext = await asymmetric.decryptWithPrivateKey(key, algorithm, ciphertext);
        // Assess
        expect(Buffer.from(plaintext).toString()).toBe('secret data');
      }, 60_000);

      it('returns the plaintext when encryptWithPublicKey made the ciphertext', async () => {
        // Prepare
        const key = await keyOf(spec);
        // Act
        const ciphertext = await asymmetric.encryptWithPublicKey(spec, key.publicKey, algorithm, utf8('round trip'));
        const plaintext = await asymmetric.decryptWithPrivateKey(key, algorithm, ciphertext);
        // Assess
        expect(Buffer.from(plaintext).toString()).toBe('round trip');
      }, 60_000);

      it('throws InvalidCiphertextException when the ciphertext is tampered with or of the wrong length', async () => {
        // Prepare
        const key = await keyOf(spec);
        const ciphertext = await asymmetric.encryptWithPublicKey(spec, key.publicKey, algorithm, utf8('x'));
        // Act
        const failures = await Promise.all(
          [tampered(ciphertext, ciphertext.length - 1), ciphertext.subarray(1), new Uint8Array(ciphertext.length).fill(0xff)].map(
            (bad) => asymmetric.decryptWithPrivateKey(key, algorithm, bad).then(() => undefined, (error: unknown) => error),
          ),
        );
        // Assess
        for (const failure of failures) expect(failure).toBeInstanceOf(InvalidCiphertextException);
        expect(Buffer.from(await asymmetric.decryptWithPrivateKey(key, algorithm, ciphertext)).toString()).toBe('x');
      }, 60_000);
    },
  );

  describe.each(ECC_CASES.map(([spec, , curve]) => [spec, curve] as const))('deriveSharedSecret with %s', (spec, curve) => {
    it('returns the secret Node computes when the peer key is on the same curve', async () => {
      // Prepare
      const key = await keyOf(spec);
      const peer = createECDH(curve);
      peer.generateKeys();
      const peerSpki = createPublicKey({ key: { kty: 'EC', crv: curveJwk(curve), ...pointXy(peer.getPublicKey()) }, format: 'jwk' }).export({ type: 'spki', format: 'der' });
      const ourPoint = createPublicKey({ key: Buffer.from(key.publicKey), format: 'der', type: 'spki' }).export({ format: 'jwk' });
      // Act
      const secret = await asymmetric.deriveSharedSecret(key, peerSpki);
      // Assess
      const expected = peer.computeSecret(Buffer.concat([Buffer.of(4), Buffer.from(ourPoint.x ?? '', 'base64url'), Buffer.from(ourPoint.y ?? '', 'base64url')]));
      expect(Buffer.from(secret).toString('hex')).toBe(expected.toString('hex'));
    }, 60_000);
  });

  function curveJwk(curve: string): string {
    return { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[curve] ?? curve;
  }

  function pointXy(point: Buffer): { x: string; y: string } {
    const size = (point.length - 1) / 2;
    return { x: point.subarray(1, 1 + size).toString('base64url'), y: point.subarray(1 + size).toString('base64url') };
  }

  it('throws ValidationException when the peer public key is not DER SPKI', async () => {
    // Prepare
    const key = await keyOf('ECC_NIST_P256');
    // Act
    const result = asymmetric.deriveSharedSecret(key, utf8('not a key'));
    // Assess
    await expect(result).rejects.toBeInstanceOf(ValidationException);
    // No message on the wire, as AWS answers it; the reason is for operators.
    await expect(result).rejects.toMatchObject({ message: '', reason: 'PublicKey is not a valid DER-encoded SubjectPublicKeyInfo.' });
  });

  it.each([
    ['a P-384 key', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey],
    ['an RSA key', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey],
  ])('throws ValidationException without a message (the reason for operators only) when the peer key is %s and the KMS key is P-256', async (_name, make) => {
    // Prepare
    const key = await keyOf('ECC_NIST_P256');
    const peer = make().export({ type: 'spki', format: 'der' });
    // Act
    const result = asymmetric.deriveSharedSecret(key, peer);
    // Assess
    await expect(result).rejects.toBeInstanceOf(ValidationException);
    await expect(result).rejects.toMatchObject({ message: '', reason: expect.stringMatching(/curve does not match/) });
  });

  describe.each(WYCHEPROOF.testGroups.flatMap((group, index) => group.tests.map((test) => ({ ...test, group, index }))))(
    'verify of Wycheproof ECDSA P-256 SHA-256 case $tcId ($comment)',
    ({ tcId, msg, sig, result, group, index }) => {
      it(`returns ${result === 'valid'} when the published result is ${result}`, async () => {
        // Prepare
        const key: PublicKeyRef = {
          backingKeyId: `bk-wycheproof-${index}`, keySpec: 'ECC_NIST_P256', tier: 'token',
          wrappedMaterial: new Uint8Array(0), publicKey: Buffer.from(group.publicKeyDer, 'hex'),
        };
        // Act
        const verified = await asymmetric.verify(key, 'ECDSA_SHA_256', { messageType: 'RAW', message: Buffer.from(msg, 'hex') }, Buffer.from(sig, 'hex'));
        // Assess
        expect(verified, `tcId ${tcId}`).toBe(result === 'valid');
      });
    },
  );

  describe.each(HMAC_CASES)('generateMac with %s and %s', (spec: HmacKeySpec, algorithm: MacAlgorithmSpec, length) => {
    it('returns the HMAC Node computes when the key value is known', async () => {
      // Prepare
      const value = Buffer.alloc(length, 0x0b);
      const key = await knownMacKey(spec, value);
      // Act
      const mac = await asymmetric.generateMac(key, algorithm, MESSAGE);
      // Assess
      const hash = `sha${algorithm.slice(-3)}`;
      expect(Buffer.from(mac).toString('hex')).toBe(createHmac(hash, value).update(MESSAGE).digest('hex'));
    });

    it('returns the same MAC for the same key and message, and a different one for another generated key', async () => {
      // Prepare
      const first = { backingKeyId: `bk-mac-1-${spec}`, keySpec: spec, ...(await asymmetric.generateMacKey(spec)) };
      const second = { backingKeyId: `bk-mac-2-${spec}`, keySpec: spec, ...(await asymmetric.generateMacKey(spec)) };
      // Act
      const mac = await asymmetric.generateMac(first, algorithm, MESSAGE);
      const again = await asymmetric.generateMac(first, algorithm, MESSAGE);
      const other = await asymmetric.generateMac(second, algorithm, MESSAGE);
      // Assess
      expect(first.tier).toBe('token');
      expect(mac).toHaveLength(length);
      expect(Buffer.from(again).equals(Buffer.from(mac))).toBe(true);
      expect(Buffer.from(other).equals(Buffer.from(mac))).toBe(false);
    });
  });
});
