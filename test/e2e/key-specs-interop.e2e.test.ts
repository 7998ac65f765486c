/**
 * Every key spec and usage of us-east-1 through the stock SDK: what CreateKey, DescribeKey and
 * GetPublicKey report, and whether what the keys produce works with independent implementations
 * (Node's OpenSSL, @noble/post-quantum): signatures, RSA ciphertexts, data key pairs and ECDH.
 */
import {
  CreateKeyCommand, DecryptCommand, DeriveSharedSecretCommand, DescribeKeyCommand, EncryptCommand,
  GenerateDataKeyPairCommand, GenerateDataKeyPairWithoutPlaintextCommand, GetPublicKeyCommand, ReEncryptCommand,
  SignCommand, VerifyCommand,
  type DataKeyPairSpec, type EncryptionAlgorithmSpec, type KeyMetadata, type KeySpec, type KeyUsageType,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import {
  constants, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, publicEncrypt,
  sign as nodeSign, verify as nodeVerify, type KeyObject,
} from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { patternBytes, required, utf8 } from './support/assertions.js';
import { ACCOUNT_ID, REGION, useLocalService } from './support/local-service.js';
import { parseSpki } from './support/public-key-der.js';

const e2e = useLocalService();

const RSA_SIGNING: readonly SigningAlgorithmSpec[] = [
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
];
const RSA_ENCRYPTION: readonly EncryptionAlgorithmSpec[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  secp256k1: '1.3.132.0.10',
  ed25519: '1.3.101.112',
  mlDsa44: '2.16.840.1.101.3.4.3.17',
  mlDsa65: '2.16.840.1.101.3.4.3.18',
  mlDsa87: '2.16.840.1.101.3.4.3.19',
} as const;

/** What a public key looks like to an independent parser. */
type PublicKeyShape =
  | { readonly kind: 'rsa'; readonly bits: number }
  | { readonly kind: 'ec'; readonly curve: string; readonly curveOid: string }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'ml-dsa'; readonly oid: string; readonly keyBytes: number };

interface AlgorithmLists {
  readonly EncryptionAlgorithms?: readonly string[];
  readonly SigningAlgorithms?: readonly string[];
  readonly MacAlgorithms?: readonly string[];
  readonly KeyAgreementAlgorithms?: readonly string[];
}

interface SpecCase {
  readonly spec: KeySpec;
  readonly usage: KeyUsageType;
  readonly algorithms: AlgorithmLists;
  /** Undefined for keys without a public key (symmetric and HMAC). */
  readonly publicKey?: PublicKeyShape;
  /** Whether the spec is in the enum of the deprecated `CustomerMasterKeySpec` member. */
  readonly legacySpec: boolean;
}

const rsa = (bits: number): PublicKeyShape => ({ kind: 'rsa', bits });
const ec = (curve: string, curveOid: string): PublicKeyShape => ({ kind: 'ec', curve, curveOid });

const SPEC_CASES: readonly SpecCase[] = [
  { spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', algorithms: { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }, legacySpec: true },
  ...([2048, 3072, 4096] as const).flatMap((bits): SpecCase[] => [
    { spec: `RSA_${bits}`, usage: 'ENCRYPT_DECRYPT', algorithms: { EncryptionAlgorithms: RSA_ENCRYPTION }, publicKey: rsa(bits), legacySpec: true },
    { spec: `RSA_${bits}`, usage: 'SIGN_VERIFY', algorithms: { SigningAlgorithms: RSA_SIGNING }, publicKey: rsa(bits), legacySpec: true },
  ]),
  ...([
    ['ECC_NIST_P256', 'ECDSA_SHA_256', ec('prime256v1', OID.prime256v1)],
    ['ECC_NIST_P384', 'ECDSA_SHA_384', ec('secp384r1', OID.secp384r1)],
    ['ECC_NIST_P521', 'ECDSA_SHA_512', ec('secp521r1', OID.secp521r1)],
  ] as const).flatMap(([spec, signing, publicKey]): SpecCase[] => [
    { spec, usage: 'SIGN_VERIFY', algorithms: { SigningAlgorithms: [signing] }, publicKey, legacySpec: true },
    { spec, usage: 'KEY_AGREEMENT', algorithms: { KeyAgreementAlgorithms: ['ECDH'] }, publicKey, legacySpec: true },
  ]),
  { spec: 'ECC_SECG_P256K1', usage: 'SIGN_VERIFY', algorithms: { SigningAlgorithms: ['ECDSA_SHA_256'] }, publicKey: ec('secp256k1', OID.secp256k1), legacySpec: true },
  {
    spec: 'ECC_NIST_EDWARDS25519', usage: 'SIGN_VERIFY', algorithms: { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
    publicKey: { kind: 'ed25519' }, legacySpec: false,
  },
  ...([224, 256, 384, 512] as const).map((bits): SpecCase => (
    { spec: `HMAC_${bits}`, usage: 'GENERATE_VERIFY_MAC', algorithms: { MacAlgorithms: [`HMAC_SHA_${bits}`] }, legacySpec: true })),
  ...([
    ['ML_DSA_44', OID.mlDsa44, 1312],
    ['ML_DSA_65', OID.mlDsa65, 1952],
    ['ML_DSA_87', OID.mlDsa87, 2592],
  ] as const).map(([spec, oid, keyBytes]): SpecCase => ({
    spec, usage: 'SIGN_VERIFY', algorithms: { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }, publicKey: { kind: 'ml-dsa', oid, keyBytes }, legacySpec: false,
  })),
];

const caseName = (spec: KeySpec, usage: KeyUsageType): string => `${spec}/${usage}`;

/** Algorithm lists in a stable order, so the comparison does not depend on the order KMS lists them in. */
function sortedLists(source: AlgorithmLists): AlgorithmLists {
  const lists: Record<string, string[]> = {};
  for (const member of ['EncryptionAlgorithms', 'SigningAlgorithms', 'MacAlgorithms', 'KeyAgreementAlgorithms'] as const) {
    const list = source[member];
    if (list !== undefined) lists[member] = [...list].sort();
  }
  return lists;
}

const keys = new Map<string, KeyMetadata>();

function keyFor(spec: KeySpec, usage: KeyUsageType): KeyMetadata {
  return required(keys.get(caseName(spec, usage)), `key for ${caseName(spec, usage)}`);
}

const publicKeys = new Map<string, Uint8Array>();

/** The DER SPKI GetPublicKey returns for a key (fetched once per key). */
async function publicKeyOf(spec: KeySpec, usage: KeyUsageType): Promise<Uint8Array> {
  const name = caseName(spec, usage);
  const cached = publicKeys.get(name);
  if (cached !== undefined) return cached;
  const response = await e2e.kms.send(new GetPublicKeyCommand({ KeyId: keyFor(spec, usage).KeyId }));
  const der = required(response.PublicKey, 'PublicKey');
  publicKeys.set(name, der);
  return der;
}

async function nodePublicKey(spec: KeySpec, usage: KeyUsageType): Promise<KeyObject> {
  return createPublicKey({ key: Buffer.from(await publicKeyOf(spec, usage)), format: 'der', type: 'spki' });
}

beforeAll(async () => {
  const created = await Promise.all(SPEC_CASES.map(async ({ spec, usage }) => {
    const response = await e2e.kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: usage, Description: `${spec} for ${usage}` }));
    return [caseName(spec, usage), required(response.KeyMetadata, 'KeyMetadata')] as const;
  }));
  for (const [name, metadata] of created) keys.set(name, metadata);
});

describe('every key spec and key usage', () => {
  it.each(SPEC_CASES)('returns the spec, usage and algorithm lists when CreateKey makes a $spec key for $usage', ({ spec, usage, algorithms, legacySpec }) => {
    // Prepare
    const metadata = keyFor(spec, usage);

    // Act
    const { EncryptionAlgorithms, SigningAlgorithms, MacAlgorithms, KeyAgreementAlgorithms } = metadata;

    // Assess
    expect(metadata).toMatchObject({
      KeySpec: spec, KeyUsage: usage, KeyState: 'Enabled', Enabled: true, Origin: 'AWS_KMS', KeyManager: 'CUSTOMER',
      Arn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${metadata.KeyId}`,
    });
    // The deprecated member's enum stops at the older specs; for the newer ones only KeySpec is checked.
    if (legacySpec) expect(metadata.CustomerMasterKeySpec).toBe(spec);
    expect(sortedLists({ EncryptionAlgorithms, SigningAlgorithms, MacAlgorithms, KeyAgreementAlgorithms })).toEqual(sortedLists(algorithms));
  });

  it.each(SPEC_CASES)('lists only the algorithms of the usage when DescribeKey reads a $spec key for $usage', async ({ spec, usage, algorithms }) => {
    // Prepare
    const { KeyId } = keyFor(spec, usage);

    // Act
    const metadata = required((await e2e.kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata, 'KeyMetadata');

    // Assess
    const { EncryptionAlgorithms, SigningAlgorithms, MacAlgorithms, KeyAgreementAlgorithms } = metadata;
    expect({ KeySpec: metadata.KeySpec, KeyUsage: metadata.KeyUsage }).toEqual({ KeySpec: spec, KeyUsage: usage });
    expect(sortedLists({ EncryptionAlgorithms, SigningAlgorithms, MacAlgorithms, KeyAgreementAlgorithms })).toEqual(sortedLists(algorithms));
  });

  const asymmetricCases = SPEC_CASES.filter((entry) => entry.publicKey !== undefined);

  it.each(asymmetricCases)('returns a DER SPKI of the right algorithm and size when GetPublicKey reads a $spec key for $usage', async ({ spec, usage, algorithms, publicKey: shape }) => {
    // Prepare
    const metadata = keyFor(spec, usage);

    // Act
    const response = await e2e.kms.send(new GetPublicKeyCommand({ KeyId: metadata.KeyId }));

    // Assess
    const { EncryptionAlgorithms, SigningAlgorithms, KeyAgreementAlgorithms } = response;
    expect({ KeyId: response.KeyId, KeySpec: response.KeySpec, KeyUsage: response.KeyUsage }).toEqual({ KeyId: metadata.Arn, KeySpec: spec, KeyUsage: usage });
    expect(sortedLists({ EncryptionAlgorithms, SigningAlgorithms, KeyAgreementAlgorithms })).toEqual(sortedLists(algorithms));
    const der = required(response.PublicKey, 'PublicKey');
    const parts = parseSpki(der);
    switch (shape?.kind) {
      case 'rsa': {
        const key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
        expect(parts.algorithm).toBe(OID.rsaEncryption);
        expect({ type: key.asymmetricKeyType, ...key.asymmetricKeyDetails }).toEqual({ type: 'rsa', modulusLength: shape.bits, publicExponent: 65537n });
        break;
      }
      case 'ec': {
        const key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
        expect({ algorithm: parts.algorithm, curve: parts.parameters }).toEqual({ algorithm: OID.ecPublicKey, curve: shape.curveOid });
        expect({ type: key.asymmetricKeyType, ...key.asymmetricKeyDetails }).toEqual({ type: 'ec', namedCurve: shape.curve });
        break;
      }
      case 'ed25519': {
        const key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
        expect({ algorithm: parts.algorithm, parameters: parts.parameters, keyBytes: parts.publicKey.length }).toEqual({ algorithm: OID.ed25519, parameters: undefined, keyBytes: 32 });
        expect(key.asymmetricKeyType).toBe('ed25519');
        break;
      }
      case 'ml-dsa':
        // Node 20's OpenSSL has no ML-DSA; the RFC 9881 structure is checked directly.
        expect({ algorithm: parts.algorithm, parameters: parts.parameters, keyBytes: parts.publicKey.length }).toEqual({ algorithm: shape.oid, parameters: undefined, keyBytes: shape.keyBytes });
        break;
      case undefined:
        throw new Error(`${spec} has no public key shape`);
    }
  });
});

describe('signatures verified outside the service', () => {
  const message = Uint8Array.of(...utf8('signed by every key spec: '), ...patternBytes(300));

  async function signRaw(spec: KeySpec, algorithm: SigningAlgorithmSpec): Promise<Uint8Array> {
    const response = await e2e.kms.send(new SignCommand({ KeyId: keyFor(spec, 'SIGN_VERIFY').KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }));
    expect({ KeyId: response.KeyId, SigningAlgorithm: response.SigningAlgorithm }).toEqual({ KeyId: keyFor(spec, 'SIGN_VERIFY').Arn, SigningAlgorithm: algorithm });
    return required(response.Signature, 'Signature');
  }

  async function kmsVerifies(spec: KeySpec, algorithm: SigningAlgorithmSpec, signature: Uint8Array): Promise<boolean | undefined> {
    const response = await e2e.kms.send(new VerifyCommand({
      KeyId: keyFor(spec, 'SIGN_VERIFY').KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm, Signature: signature,
    }));
    return response.SignatureValid;
  }

  const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;
  const rsaCases = (['RSA_2048', 'RSA_3072', 'RSA_4096'] as const).flatMap((spec) => RSA_SIGNING.map((algorithm) => {
    const hash = `sha${algorithm.slice(-3)}` as keyof typeof HASH_BYTES;
    return { spec, algorithm, hash, pss: algorithm.startsWith('RSASSA_PSS') };
  }));

  it.each(rsaCases)('returns a signature Node verifies when a $spec key signs with $algorithm', async ({ spec, algorithm, hash, pss }) => {
    // Prepare
    const publicKey = await nodePublicKey(spec, 'SIGN_VERIFY');

    // Act
    const signature = await signRaw(spec, algorithm);

    // Assess
    expect(signature.length).toBe(Number(spec.slice(4)) / 8);
    const options = pss
      // AWS KMS's PSS: MGF1 with the message hash, salt as long as the hash.
      ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[hash] }
      : { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
    expect(nodeVerify(hash, message, options, signature)).toBe(true);
    expect(await kmsVerifies(spec, algorithm, signature)).toBe(true);
  });

  const ecdsaCases = [
    { spec: 'ECC_NIST_P256', algorithm: 'ECDSA_SHA_256', hash: 'sha256' },
    { spec: 'ECC_NIST_P384', algorithm: 'ECDSA_SHA_384', hash: 'sha384' },
    { spec: 'ECC_NIST_P521', algorithm: 'ECDSA_SHA_512', hash: 'sha512' },
    { spec: 'ECC_SECG_P256K1', algorithm: 'ECDSA_SHA_256', hash: 'sha256' },
  ] as const;

  it.each(ecdsaCases)('returns a DER signature Node verifies when a $spec key signs with $algorithm', async ({ spec, algorithm, hash }) => {
    // Prepare
    const publicKey = await nodePublicKey(spec, 'SIGN_VERIFY');

    // Act
    const signature = await signRaw(spec, algorithm);

    // Assess
    expect(signature[0]).toBe(0x30);
    expect(nodeVerify(hash, message, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
    expect(await kmsVerifies(spec, algorithm, signature)).toBe(true);
  });

  it('returns a signature Node verifies when an ECC_NIST_EDWARDS25519 key signs with ED25519_SHA_512', async () => {
    // Prepare
    const publicKey = await nodePublicKey('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY');

    // Act
    const signature = await signRaw('ECC_NIST_EDWARDS25519', 'ED25519_SHA_512');

    // Assess
    expect(signature.length).toBe(64);
    expect(nodeVerify(null, message, publicKey, signature)).toBe(true);
    expect(await kmsVerifies('ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', signature)).toBe(true);
  });

  const mlDsaCases = [
    { spec: 'ML_DSA_44', dsa: ml_dsa44 },
    { spec: 'ML_DSA_65', dsa: ml_dsa65 },
    { spec: 'ML_DSA_87', dsa: ml_dsa87 },
  ] as const;

  it.each(mlDsaCases)('returns a signature noble verifies against the SPKI key when a $spec key signs with ML_DSA_SHAKE_256', async ({ spec, dsa }) => {
    // Prepare
    const rawPublicKey = parseSpki(await publicKeyOf(spec, 'SIGN_VERIFY')).publicKey;

    // Act
    const signature = await signRaw(spec, 'ML_DSA_SHAKE_256');

    // Assess
    expect(signature.length).toBe(dsa.lengths.signature);
    expect(dsa.verify(signature, message, rawPublicKey)).toBe(true);
    expect(dsa.verify(signature, utf8('another message'), rawPublicKey)).toBe(false);
    expect(await kmsVerifies(spec, 'ML_DSA_SHAKE_256', signature)).toBe(true);
  });
});

describe('RSA encryption with independent implementations', () => {
  const LIMITS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
    RSA_2048: { RSAES_OAEP_SHA_1: 214, RSAES_OAEP_SHA_256: 190 },
    RSA_3072: { RSAES_OAEP_SHA_1: 342, RSAES_OAEP_SHA_256: 318 },
    RSA_4096: { RSAES_OAEP_SHA_1: 470, RSAES_OAEP_SHA_256: 446 },
  };
  const encryptionCases = (['RSA_2048', 'RSA_3072', 'RSA_4096'] as const).flatMap((spec) => RSA_ENCRYPTION.map((algorithm) => ({
    spec, algorithm, oaepHash: algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256', limit: LIMITS[spec]?.[algorithm] ?? 0,
  })));

  it.each(encryptionCases)('returns the plaintext when Decrypt reads what Node encrypted with a $spec public key and $algorithm', async ({ spec, algorithm, oaepHash, limit }) => {
    // Prepare
    const plaintext = patternBytes(limit, 3);
    const ciphertext = publicEncrypt(
      { key: await nodePublicKey(spec, 'ENCRYPT_DECRYPT'), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, plaintext,
    );

    // Act
    const response = await e2e.kms.send(new DecryptCommand({ KeyId: keyFor(spec, 'ENCRYPT_DECRYPT').KeyId, CiphertextBlob: ciphertext, EncryptionAlgorithm: algorithm }));

    // Assess
    expect({ KeyId: response.KeyId, EncryptionAlgorithm: response.EncryptionAlgorithm }).toEqual({ KeyId: keyFor(spec, 'ENCRYPT_DECRYPT').Arn, EncryptionAlgorithm: algorithm });
    expect(response.Plaintext).toEqual(plaintext);
  });

  it.each(encryptionCases)('returns a modulus-sized ciphertext that Decrypt reads when a $spec key encrypts the largest plaintext $algorithm allows', async ({ spec, algorithm, limit }) => {
    // Prepare
    const { KeyId, Arn } = keyFor(spec, 'ENCRYPT_DECRYPT');
    const plaintext = patternBytes(limit, 5);

    // Act
    const encrypted = await e2e.kms.send(new EncryptCommand({ KeyId, Plaintext: plaintext, EncryptionAlgorithm: algorithm }));
    const decrypted = await e2e.kms.send(new DecryptCommand({ KeyId, CiphertextBlob: encrypted.CiphertextBlob, EncryptionAlgorithm: algorithm }));

    // Assess
    expect({ KeyId: encrypted.KeyId, EncryptionAlgorithm: encrypted.EncryptionAlgorithm }).toEqual({ KeyId: Arn, EncryptionAlgorithm: algorithm });
    expect(encrypted.CiphertextBlob?.length).toBe(Number(spec.slice(4)) / 8);
    expect(decrypted.Plaintext).toEqual(plaintext);
  });

  it('returns a symmetric ciphertext of the same plaintext when ReEncrypt moves an RSA ciphertext to a symmetric key', async () => {
    // Prepare
    const source = keyFor('RSA_2048', 'ENCRYPT_DECRYPT');
    const destination = keyFor('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const plaintext = utf8('moved from RSA to AES');
    const ciphertext = publicEncrypt(
      { key: await nodePublicKey('RSA_2048', 'ENCRYPT_DECRYPT'), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, plaintext,
    );

    // Act
    const response = await e2e.kms.send(new ReEncryptCommand({
      CiphertextBlob: ciphertext, SourceKeyId: source.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: destination.KeyId,
    }));

    // Assess
    expect({
      SourceKeyId: response.SourceKeyId, KeyId: response.KeyId,
      SourceEncryptionAlgorithm: response.SourceEncryptionAlgorithm, DestinationEncryptionAlgorithm: response.DestinationEncryptionAlgorithm,
    }).toEqual({ SourceKeyId: source.Arn, KeyId: destination.Arn, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: response.CiphertextBlob }));
    expect(decrypted.Plaintext).toEqual(plaintext);
  });
});

describe('data key pairs', () => {
  const pairCases: readonly { spec: DataKeyPairSpec; hash: string | null; type: string }[] = [
    { spec: 'RSA_2048', hash: 'sha256', type: 'rsa' },
    { spec: 'RSA_3072', hash: 'sha256', type: 'rsa' },
    { spec: 'RSA_4096', hash: 'sha256', type: 'rsa' },
    { spec: 'ECC_NIST_P256', hash: 'sha256', type: 'ec' },
    { spec: 'ECC_NIST_P384', hash: 'sha384', type: 'ec' },
    { spec: 'ECC_NIST_P521', hash: 'sha512', type: 'ec' },
    { spec: 'ECC_SECG_P256K1', hash: 'sha256', type: 'ec' },
    { spec: 'ECC_NIST_EDWARDS25519', hash: null, type: 'ed25519' },
  ];

  it.each(pairCases)('returns a PKCS#8 private key that signs for its public key and decrypts from its blob when GenerateDataKeyPair makes $spec', async ({ spec, hash, type }) => {
    // Prepare
    const wrappingKey = keyFor('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const message = utf8(`data key pair ${spec}`);

    // Act
    const response = await e2e.kms.send(new GenerateDataKeyPairCommand({ KeyId: wrappingKey.KeyId, KeyPairSpec: spec }));

    // Assess
    expect({ KeyId: response.KeyId, KeyPairSpec: response.KeyPairSpec }).toEqual({ KeyId: wrappingKey.Arn, KeyPairSpec: spec });
    const privateDer = required(response.PrivateKeyPlaintext, 'PrivateKeyPlaintext');
    const privateKey = createPrivateKey({ key: Buffer.from(privateDer), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey({ key: Buffer.from(required(response.PublicKey, 'PublicKey')), format: 'der', type: 'spki' });
    expect([privateKey.asymmetricKeyType, publicKey.asymmetricKeyType]).toEqual([type, type]);
    expect(nodeVerify(hash, message, publicKey, nodeSign(hash, message, privateKey))).toBe(true);
    const unwrapped = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: response.PrivateKeyCiphertextBlob }));
    expect(unwrapped.Plaintext).toEqual(privateDer);
  });

  it('returns the public key and a blob that decrypts to its PKCS#8 private key when GenerateDataKeyPairWithoutPlaintext makes ECC_NIST_P384', async () => {
    // Prepare
    const wrappingKey = keyFor('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const context = { purpose: 'data key pair test' };

    // Act
    const response = await e2e.kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: wrappingKey.KeyId, KeyPairSpec: 'ECC_NIST_P384', EncryptionContext: context }));

    // Assess
    expect(response).not.toHaveProperty('PrivateKeyPlaintext');
    const unwrapped = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: response.PrivateKeyCiphertextBlob, EncryptionContext: context }));
    const privateKey = createPrivateKey({ key: Buffer.from(required(unwrapped.Plaintext, 'Plaintext')), format: 'der', type: 'pkcs8' });
    const derivedPublic = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    expect(new Uint8Array(derivedPublic)).toEqual(response.PublicKey);
  });
});

describe('ECDH with DeriveSharedSecret', () => {
  const curveCases = [
    { spec: 'ECC_NIST_P256', namedCurve: 'prime256v1', bytes: 32 },
    { spec: 'ECC_NIST_P384', namedCurve: 'secp384r1', bytes: 48 },
    { spec: 'ECC_NIST_P521', namedCurve: 'secp521r1', bytes: 66 },
  ] as const;

  it.each(curveCases)('returns the secret Node derives from the peer side when a $spec key agrees with a Node key', async ({ spec, namedCurve, bytes }) => {
    // Prepare
    const key = keyFor(spec, 'KEY_AGREEMENT');
    const peer = generateKeyPairSync('ec', { namedCurve });
    const peerSpki = peer.publicKey.export({ type: 'spki', format: 'der' });

    // Act
    const response = await e2e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki }));

    // Assess
    const expected = diffieHellman({ privateKey: peer.privateKey, publicKey: await nodePublicKey(spec, 'KEY_AGREEMENT') });
    expect({ KeyId: response.KeyId, KeyAgreementAlgorithm: response.KeyAgreementAlgorithm, KeyOrigin: response.KeyOrigin })
      .toEqual({ KeyId: key.Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
    expect(expected.length).toBe(bytes);
    expect(response.SharedSecret).toEqual(new Uint8Array(expected));
  });
});
