/**
 * What the asymmetric and HMAC operations refuse, and with which AWS error: algorithms and usages
 * a key does not have, malformed inputs, tampered signatures and MACs, and disabled keys.
 */
import {
  CreateKeyCommand, DecryptCommand, DeriveSharedSecretCommand, DisableKeyCommand, EncryptCommand,
  GenerateDataKeyPairCommand, GenerateMacCommand, GetPublicKeyCommand, KMSClient, SignCommand, VerifyCommand, VerifyMacCommand,
  type KeyMetadata, type KeySpec, type KeyUsageType, type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { createPublicKey, generateKeyPairSync, publicEncrypt, constants } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectKmsError, flipBit, patternBytes, required, utf8 } from './support/assertions.js';
import { useLocalService } from './support/local-service.js';

const e2e = useLocalService();

const KEYS = {
  symmetric: ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
  rsaSign: ['RSA_2048', 'SIGN_VERIFY'],
  rsaEncrypt: ['RSA_2048', 'ENCRYPT_DECRYPT'],
  p256Sign: ['ECC_NIST_P256', 'SIGN_VERIFY'],
  p256Agreement: ['ECC_NIST_P256', 'KEY_AGREEMENT'],
  ed25519: ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY'],
  mlDsa: ['ML_DSA_44', 'SIGN_VERIFY'],
  hmac: ['HMAC_256', 'GENERATE_VERIFY_MAC'],
  disabledSign: ['ECC_NIST_P256', 'SIGN_VERIFY'],
  disabledAgreement: ['ECC_NIST_P384', 'KEY_AGREEMENT'],
  disabledHmac: ['HMAC_384', 'GENERATE_VERIFY_MAC'],
} as const satisfies Record<string, readonly [KeySpec, KeyUsageType]>;
type KeyName = keyof typeof KEYS;

const keys = new Map<KeyName, KeyMetadata>();
const key = (name: KeyName): KeyMetadata => required(keys.get(name), `${name} key`);
const keyId = (name: KeyName): string => required(key(name).KeyId, `${name} KeyId`);

const message = utf8('a message the keys refuse to handle');
/** Made before the disabled keys were disabled. */
let disabledSignature: Uint8Array;
let disabledMac: Uint8Array;

beforeAll(async () => {
  await Promise.all(Object.entries(KEYS).map(async ([name, [spec, usage]]) => {
    const response = await e2e.kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: usage }));
    keys.set(name as KeyName, required(response.KeyMetadata, 'KeyMetadata'));
  }));
  disabledSignature = required((await e2e.kms.send(new SignCommand({
    KeyId: keyId('disabledSign'), Message: message, SigningAlgorithm: 'ECDSA_SHA_256',
  }))).Signature, 'Signature');
  disabledMac = required((await e2e.kms.send(new GenerateMacCommand({
    KeyId: keyId('disabledHmac'), Message: message, MacAlgorithm: 'HMAC_SHA_384',
  }))).Mac, 'Mac');
  for (const name of ['disabledSign', 'disabledAgreement', 'disabledHmac'] as const) {
    await e2e.kms.send(new DisableKeyCommand({ KeyId: keyId(name) }));
  }
});

/** A request the test sends; built lazily because the keys exist only after `beforeAll`. */
type Request = (kms: KMSClient) => Promise<unknown>;

function p384PeerKey(): Uint8Array {
  return generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' });
}

describe('algorithms and usages a key does not have', () => {
  const wrongAlgorithms: readonly [string, Request][] = [
    ['Sign with ECDSA_SHA_384 on an ECC_NIST_P256 key', (kms) => kms.send(new SignCommand({ KeyId: keyId('p256Sign'), Message: message, SigningAlgorithm: 'ECDSA_SHA_384' }))],
    ['Sign with RSASSA_PSS_SHA_256 on an ECC_NIST_P256 key', (kms) => kms.send(new SignCommand({ KeyId: keyId('p256Sign'), Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }))],
    ['Sign with ECDSA_SHA_256 on an RSA_2048 key', (kms) => kms.send(new SignCommand({ KeyId: keyId('rsaSign'), Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))],
    ['Sign with ML_DSA_SHAKE_256 on an ECC_NIST_EDWARDS25519 key', (kms) => kms.send(new SignCommand({ KeyId: keyId('ed25519'), Message: message, SigningAlgorithm: 'ML_DSA_SHAKE_256' }))],
    ['Sign with ED25519_SHA_512 on an ML_DSA_44 key', (kms) => kms.send(new SignCommand({ KeyId: keyId('mlDsa'), Message: message, SigningAlgorithm: 'ED25519_SHA_512' }))],
    ['Verify with ECDSA_SHA_512 on an ECC_NIST_P256 key', (kms) => kms.send(new VerifyCommand({ KeyId: keyId('p256Sign'), Message: message, SigningAlgorithm: 'ECDSA_SHA_512', Signature: patternBytes(72) }))],
    ['Encrypt with SYMMETRIC_DEFAULT on an RSA_2048 key', (kms) => kms.send(new EncryptCommand({ KeyId: keyId('rsaEncrypt'), Plaintext: message, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }))],
    ['Encrypt with no EncryptionAlgorithm on an RSA_2048 key', (kms) => kms.send(new EncryptCommand({ KeyId: keyId('rsaEncrypt'), Plaintext: message }))],
    ['Encrypt with RSAES_OAEP_SHA_256 on a symmetric key', (kms) => kms.send(new EncryptCommand({ KeyId: keyId('symmetric'), Plaintext: message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))],
    ['GenerateMac with HMAC_SHA_512 on an HMAC_256 key', (kms) => kms.send(new GenerateMacCommand({ KeyId: keyId('hmac'), Message: message, MacAlgorithm: 'HMAC_SHA_512' }))],
  ];

  it.each(wrongAlgorithms)('returns InvalidKeyUsageException for %s', async (_request, request) => {
    // Prepare
    const kms = e2e.kms;

    // Act
    const outcome = request(kms);

    // Assess
    await expectKmsError(outcome, 'InvalidKeyUsageException');
  });

  it('returns the message AWS gives when Encrypt names no algorithm for an RSA key', async () => {
    // Prepare
    const KeyId = keyId('rsaEncrypt');

    // Act
    const outcome = e2e.kms.send(new EncryptCommand({ KeyId, Plaintext: message }));

    // Assess
    // AWS KMS answers this request with `InvalidKeyUsageException: Algorithm SYMMETRIC_DEFAULT is
    // incompatible with key spec RSA_2048.` (the wording clients report for RSA_3072 and RSA_4096).
    await expectKmsError(outcome, 'InvalidKeyUsageException', 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.');
  });

  const wrongUsages: readonly [string, Request][] = [
    ['Encrypt with a SIGN_VERIFY key', (kms) => kms.send(new EncryptCommand({ KeyId: keyId('rsaSign'), Plaintext: message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))],
    ['Decrypt with a SIGN_VERIFY key', (kms) => kms.send(new DecryptCommand({ KeyId: keyId('rsaSign'), CiphertextBlob: patternBytes(256), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))],
    ['Sign with an ENCRYPT_DECRYPT RSA key', (kms) => kms.send(new SignCommand({ KeyId: keyId('rsaEncrypt'), Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }))],
    ['Sign with a symmetric key', (kms) => kms.send(new SignCommand({ KeyId: keyId('symmetric'), Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }))],
    ['Sign with a KEY_AGREEMENT key', (kms) => kms.send(new SignCommand({ KeyId: keyId('p256Agreement'), Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))],
    ['Verify with an HMAC key', (kms) => kms.send(new VerifyCommand({ KeyId: keyId('hmac'), Message: message, SigningAlgorithm: 'ECDSA_SHA_256', Signature: patternBytes(70) }))],
    ['GenerateMac with a SIGN_VERIFY key', (kms) => kms.send(new GenerateMacCommand({ KeyId: keyId('p256Sign'), Message: message, MacAlgorithm: 'HMAC_SHA_256' }))],
    ['VerifyMac with a symmetric key', (kms) => kms.send(new VerifyMacCommand({ KeyId: keyId('symmetric'), Message: message, MacAlgorithm: 'HMAC_SHA_256', Mac: patternBytes(32) }))],
    ['DeriveSharedSecret with a SIGN_VERIFY key', (kms) => kms.send(new DeriveSharedSecretCommand({ KeyId: keyId('p256Sign'), KeyAgreementAlgorithm: 'ECDH', PublicKey: p384PeerKey() }))],
    ['GenerateDataKeyPair under an RSA key', (kms) => kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId('rsaEncrypt'), KeyPairSpec: 'ECC_NIST_P256' }))],
  ];

  it.each(wrongUsages)('returns InvalidKeyUsageException for %s', async (_request, request) => {
    // Prepare
    const kms = e2e.kms;

    // Act
    const outcome = request(kms);

    // Assess
    await expectKmsError(outcome, 'InvalidKeyUsageException');
  });

  const incompatibleSpecs: readonly [KeySpec, KeyUsageType][] = [
    ['RSA_2048', 'KEY_AGREEMENT'],
    ['ECC_NIST_P256', 'ENCRYPT_DECRYPT'],
    ['ECC_SECG_P256K1', 'KEY_AGREEMENT'],
    ['ECC_NIST_EDWARDS25519', 'KEY_AGREEMENT'],
    ['ML_DSA_65', 'ENCRYPT_DECRYPT'],
    ['HMAC_256', 'SIGN_VERIFY'],
    ['SYMMETRIC_DEFAULT', 'SIGN_VERIFY'],
  ];

  it.each(incompatibleSpecs)('returns ValidationException when CreateKey asks for a %s key with usage %s', async (spec, usage) => {
    // Prepare
    const request = new CreateKeyCommand({ KeySpec: spec, KeyUsage: usage });

    // Act
    const outcome = e2e.kms.send(request);

    // Assess
    await expectKmsError(outcome, 'ValidationException');
  });

  it.each(['symmetric', 'hmac'] as const)('returns UnsupportedOperationException when GetPublicKey reads a %s key', async (name) => {
    // Prepare
    const KeyId = keyId(name);

    // Act
    const outcome = e2e.kms.send(new GetPublicKeyCommand({ KeyId }));

    // Assess
    await expectKmsError(outcome, 'UnsupportedOperationException');
  });
});

describe('messages, digests and peer keys of the wrong shape', () => {
  it('accepts a RAW message of 4096 bytes and returns ValidationException for 4097', async () => {
    // Prepare
    const KeyId = keyId('p256Sign');

    // Act
    const largest = await e2e.kms.send(new SignCommand({ KeyId, Message: patternBytes(4096), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
    const tooLarge = e2e.kms.send(new SignCommand({ KeyId, Message: patternBytes(4097), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));

    // Assess
    expect(largest.Signature?.length).toBeGreaterThan(0);
    await expectKmsError(tooLarge, 'ValidationException', /Member must have length less than or equal to 4096/);
  });

  const badDigests: readonly { name: KeyName; algorithm: SigningAlgorithmSpec; length: number }[] = [
    { name: 'p256Sign', algorithm: 'ECDSA_SHA_256', length: 31 },
    { name: 'p256Sign', algorithm: 'ECDSA_SHA_256', length: 33 },
    { name: 'p256Sign', algorithm: 'ECDSA_SHA_256', length: 64 },
    { name: 'rsaSign', algorithm: 'RSASSA_PKCS1_V1_5_SHA_512', length: 48 },
    { name: 'rsaSign', algorithm: 'RSASSA_PSS_SHA_384', length: 32 },
  ];

  it.each(badDigests)('returns ValidationException naming $algorithm when Sign gets a DIGEST of $length bytes', async ({ name, algorithm, length }) => {
    // Prepare
    const request = new SignCommand({ KeyId: keyId(name), Message: patternBytes(length), MessageType: 'DIGEST', SigningAlgorithm: algorithm });

    // Act
    const outcome = e2e.kms.send(request);

    // Assess
    await expectKmsError(outcome, 'ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
  });

  it('returns ValidationException naming the algorithm when Verify gets a DIGEST of the wrong length', async () => {
    // Prepare
    const request = new VerifyCommand({ KeyId: keyId('p256Sign'), Message: patternBytes(20), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256', Signature: patternBytes(70) });

    // Act
    const outcome = e2e.kms.send(request);

    // Assess
    await expectKmsError(outcome, 'ValidationException', 'Digest is invalid length for algorithm ECDSA_SHA_256.');
  });

  const wrongMessageTypes: readonly [string, KeyName, SigningAlgorithmSpec, 'RAW' | 'DIGEST' | 'EXTERNAL_MU', number][] = [
    ['ED25519_PH_SHA_512 with MessageType RAW', 'ed25519', 'ED25519_PH_SHA_512', 'RAW', 64],
    ['ED25519_SHA_512 with MessageType DIGEST', 'ed25519', 'ED25519_SHA_512', 'DIGEST', 64],
    ['ML_DSA_SHAKE_256 with MessageType DIGEST', 'mlDsa', 'ML_DSA_SHAKE_256', 'DIGEST', 64],
    ['ML_DSA_SHAKE_256 with an EXTERNAL_MU of 32 bytes', 'mlDsa', 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', 32],
    ['ECDSA_SHA_256 with MessageType EXTERNAL_MU', 'p256Sign', 'ECDSA_SHA_256', 'EXTERNAL_MU', 64],
  ];

  it.each(wrongMessageTypes)('returns ValidationException when Sign uses %s', async (_case, name, algorithm, messageType, length) => {
    // Prepare
    const request = new SignCommand({ KeyId: keyId(name), Message: patternBytes(length), MessageType: messageType, SigningAlgorithm: algorithm });

    // Act
    const outcome = e2e.kms.send(request);

    // Assess
    await expectKmsError(outcome, 'ValidationException');
  });

  const badPeers: readonly [string, () => Uint8Array][] = [
    ['bytes that are not DER', () => patternBytes(91)],
    ['a truncated P-256 SPKI', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }).subarray(0, 60)],
    ['a P-384 key (another curve)', p384PeerKey],
    ['a secp256k1 key (another curve)', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'der' })],
    ['an RSA key', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' })],
  ];

  it.each(badPeers)('returns ValidationException when DeriveSharedSecret with an ECC_NIST_P256 key gets %s', async (_peer, peer) => {
    // Prepare
    const request = new DeriveSharedSecretCommand({ KeyId: keyId('p256Agreement'), KeyAgreementAlgorithm: 'ECDH', PublicKey: peer() });

    // Act
    const outcome = e2e.kms.send(request);

    // Assess
    await expectKmsError(outcome, 'ValidationException');
  });
});

describe('RSA encryption limits', () => {
  const overLimit = [
    { algorithm: 'RSAES_OAEP_SHA_1', length: 215 },
    { algorithm: 'RSAES_OAEP_SHA_256', length: 191 },
  ] as const;

  it.each(overLimit)('returns ValidationException when an RSA_2048 key encrypts $length bytes with $algorithm', async ({ algorithm, length }) => {
    // Prepare
    const request = new EncryptCommand({ KeyId: keyId('rsaEncrypt'), Plaintext: patternBytes(length), EncryptionAlgorithm: algorithm });

    // Act
    const outcome = e2e.kms.send(request);

    // Assess
    await expectKmsError(outcome, 'ValidationException');
  });

  it('returns ValidationException when Encrypt with an RSA key is given an EncryptionContext', async () => {
    // Prepare
    const request = new EncryptCommand({ KeyId: keyId('rsaEncrypt'), Plaintext: message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: { purpose: 'test' } });

    // Act
    const outcome = e2e.kms.send(request);

    // Assess
    await expectKmsError(outcome, 'ValidationException');
  });

  it('returns ValidationException when Decrypt with an RSA key is given an EncryptionContext', async () => {
    // Prepare
    const { CiphertextBlob } = await e2e.kms.send(new EncryptCommand({ KeyId: keyId('rsaEncrypt'), Plaintext: message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));

    // Act
    const outcome = e2e.kms.send(new DecryptCommand({
      KeyId: keyId('rsaEncrypt'), CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: { purpose: 'test' },
    }));

    // Assess
    await expectKmsError(outcome, 'ValidationException');
  });

  it('returns InvalidCiphertextException when Decrypt reads a tampered RSA ciphertext', async () => {
    // Prepare
    const publicKey = createPublicKey({
      key: Buffer.from(required((await e2e.kms.send(new GetPublicKeyCommand({ KeyId: keyId('rsaEncrypt') }))).PublicKey, 'PublicKey')),
      format: 'der', type: 'spki',
    });
    const ciphertext = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, message);

    // Act
    const outcome = e2e.kms.send(new DecryptCommand({ KeyId: keyId('rsaEncrypt'), CiphertextBlob: flipBit(ciphertext, 100), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));

    // Assess
    await expectKmsError(outcome, 'InvalidCiphertextException');
  });

  it('returns InvalidCiphertextException when Decrypt reads with RSAES_OAEP_SHA_1 what was encrypted with RSAES_OAEP_SHA_256', async () => {
    // Prepare
    const { CiphertextBlob } = await e2e.kms.send(new EncryptCommand({ KeyId: keyId('rsaEncrypt'), Plaintext: message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));

    // Act
    const outcome = e2e.kms.send(new DecryptCommand({ KeyId: keyId('rsaEncrypt'), CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }));

    // Assess
    await expectKmsError(outcome, 'InvalidCiphertextException');
  });
});

describe('tampered signatures and MACs', () => {
  const signers: readonly { name: KeyName; algorithm: SigningAlgorithmSpec }[] = [
    { name: 'rsaSign', algorithm: 'RSASSA_PSS_SHA_256' },
    { name: 'rsaSign', algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' },
    { name: 'p256Sign', algorithm: 'ECDSA_SHA_256' },
    { name: 'ed25519', algorithm: 'ED25519_SHA_512' },
    { name: 'mlDsa', algorithm: 'ML_DSA_SHAKE_256' },
  ];

  it.each(signers)('returns KMSInvalidSignatureException when Verify checks a $algorithm signature with one bit flipped', async ({ name, algorithm }) => {
    // Prepare
    const KeyId = keyId(name);
    const signature = required((await e2e.kms.send(new SignCommand({ KeyId, Message: message, SigningAlgorithm: algorithm }))).Signature, 'Signature');

    // Act
    const outcome = e2e.kms.send(new VerifyCommand({ KeyId, Message: message, SigningAlgorithm: algorithm, Signature: flipBit(signature, -1) }));

    // Assess
    await expectKmsError(outcome, 'KMSInvalidSignatureException');
  });

  it.each(signers)('returns KMSInvalidSignatureException when Verify checks a $algorithm signature against another message', async ({ name, algorithm }) => {
    // Prepare
    const KeyId = keyId(name);
    const signature = required((await e2e.kms.send(new SignCommand({ KeyId, Message: message, SigningAlgorithm: algorithm }))).Signature, 'Signature');

    // Act
    const outcome = e2e.kms.send(new VerifyCommand({ KeyId, Message: flipBit(message, 0), SigningAlgorithm: algorithm, Signature: signature }));

    // Assess
    await expectKmsError(outcome, 'KMSInvalidSignatureException');
  });

  it('returns MacValid for the MAC GenerateMac made and KMSInvalidMacException once one bit of it is flipped', async () => {
    // Prepare
    const KeyId = keyId('hmac');
    const generated = await e2e.kms.send(new GenerateMacCommand({ KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
    const mac = required(generated.Mac, 'Mac');

    // Act
    const valid = await e2e.kms.send(new VerifyMacCommand({ KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256', Mac: mac }));
    const tampered = e2e.kms.send(new VerifyMacCommand({ KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256', Mac: flipBit(mac, 5) }));

    // Assess
    expect(mac.length).toBe(32);
    expect({ MacValid: valid.MacValid, MacAlgorithm: valid.MacAlgorithm, KeyId: valid.KeyId }).toEqual({ MacValid: true, MacAlgorithm: 'HMAC_SHA_256', KeyId: key('hmac').Arn });
    await expectKmsError(tampered, 'KMSInvalidMacException');
  });

  it('returns KMSInvalidMacException when VerifyMac checks a MAC against another message', async () => {
    // Prepare
    const KeyId = keyId('hmac');
    const mac = required((await e2e.kms.send(new GenerateMacCommand({ KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }))).Mac, 'Mac');

    // Act
    const outcome = e2e.kms.send(new VerifyMacCommand({ KeyId, Message: utf8('another message'), MacAlgorithm: 'HMAC_SHA_256', Mac: mac }));

    // Assess
    await expectKmsError(outcome, 'KMSInvalidMacException');
  });
});

describe('disabled keys', () => {
  const requests: readonly [string, KeyName, Request][] = [
    ['Sign', 'disabledSign', (kms) => kms.send(new SignCommand({ KeyId: keyId('disabledSign'), Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))],
    ['Verify', 'disabledSign', (kms) => kms.send(new VerifyCommand({ KeyId: keyId('disabledSign'), Message: message, SigningAlgorithm: 'ECDSA_SHA_256', Signature: disabledSignature }))],
    ['GetPublicKey of a signing key', 'disabledSign', (kms) => kms.send(new GetPublicKeyCommand({ KeyId: keyId('disabledSign') }))],
    ['GetPublicKey of a key agreement key', 'disabledAgreement', (kms) => kms.send(new GetPublicKeyCommand({ KeyId: keyId('disabledAgreement') }))],
    ['DeriveSharedSecret', 'disabledAgreement', (kms) => kms.send(new DeriveSharedSecretCommand({ KeyId: keyId('disabledAgreement'), KeyAgreementAlgorithm: 'ECDH', PublicKey: p384PeerKey() }))],
    ['GenerateMac', 'disabledHmac', (kms) => kms.send(new GenerateMacCommand({ KeyId: keyId('disabledHmac'), Message: message, MacAlgorithm: 'HMAC_SHA_384' }))],
    ['VerifyMac', 'disabledHmac', (kms) => kms.send(new VerifyMacCommand({ KeyId: keyId('disabledHmac'), Message: message, MacAlgorithm: 'HMAC_SHA_384', Mac: disabledMac }))],
  ];

  it.each(requests)('returns DisabledException naming the key when %s uses a disabled key', async (_operation, name, request) => {
    // Prepare
    const kms = e2e.kms;

    // Act
    const outcome = request(kms);

    // Assess
    await expectKmsError(outcome, 'DisabledException', `${key(name).Arn} is disabled.`);
  });
});

describe('SM2 outside the China Regions', () => {
  it('returns ValidationException with an enum list that lacks SM2 when CreateKey asks for SM2 in us-east-1', async () => {
    // Prepare
    const request = new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' });

    // Act
    const error = await expectKmsError(e2e.kms.send(request), 'ValidationException',
      /^1 validation error detected: Value 'SM2' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[.+\]$/);

    // Assess
    const listed = /\[(.+)\]/.exec(error.message)?.[1]?.split(', ') ?? [];
    expect(listed).toContain('ECC_NIST_P256');
    expect(listed).not.toContain('SM2');
  });

  it('returns ValidationException when GenerateDataKeyPair asks for an SM2 pair in us-east-1', async () => {
    // Prepare
    const request = new GenerateDataKeyPairCommand({ KeyId: keyId('symmetric'), KeyPairSpec: 'SM2' });

    // Act
    const outcome = e2e.kms.send(request);

    // Assess
    await expectKmsError(outcome, 'ValidationException', /Value 'SM2' at 'keyPairSpec' failed to satisfy constraint/);
  });
});
