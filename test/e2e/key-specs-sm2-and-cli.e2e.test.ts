/**
 * SM2 in a China Region (cn-north-1, partition aws-cn), checked against OpenSSL's SM2 and SM3;
 * and one sign/verify round trip through the stock AWS CLI.
 */
import {
  CreateKeyCommand, DecryptCommand, DeriveSharedSecretCommand, DescribeKeyCommand, EncryptCommand,
  GenerateDataKeyPairCommand, GetPublicKeyCommand, SignCommand, VerifyCommand,
  type KeyMetadata, type KeyUsageType, type KMSClient,
} from '@aws-sdk/client-kms';
import { execFile } from 'node:child_process';
import { createECDH, createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectKmsError, flipBit, patternBytes, required, utf8 } from './support/assertions.js';
import { ACCOUNT_ID, REGION, useLocalService } from './support/local-service.js';
import { parseSpki, spkiWithKey, toPem } from './support/public-key-der.js';

const run = promisify(execFile);
const e2e = useLocalService();

const CHINA_REGION = 'cn-north-1';
const SM2_CURVE_OID = '1.2.156.10197.1.301';
const EC_PUBLIC_KEY_OID = '1.2.840.10045.2.1';
/** The distinguishing ID AWS KMS uses for SM2DSA with MessageType RAW. */
const SM2_DEFAULT_ID = '1234567812345678';

/** GB/T 32918.5 curve parameters a, b, xG, yG (32 bytes each), as Z hashes them. */
const SM2_PARAMETERS = [
  'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC',
  '28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93',
  '32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7',
  'BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0',
].map((hex) => Buffer.from(hex, 'hex'));

/** `SM3(Z || M)` where `Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA)`: the `e` SM2DSA signs. */
function sm2Digest(uncompressedPoint: Uint8Array, message: Uint8Array, id = SM2_DEFAULT_ID): Uint8Array {
  const idBits = id.length * 8;
  const z = createHash('sm3')
    .update(Uint8Array.of(idBits >> 8, idBits & 0xff)).update(id)
    .update(Buffer.concat(SM2_PARAMETERS)).update(uncompressedPoint.subarray(1))
    .digest();
  return new Uint8Array(createHash('sm3').update(z).update(message).digest());
}

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'kms-sm2-e2e-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Writes `bytes` to a new file in the scratch directory and returns its path. */
async function scratchFile(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(workDir, name);
  await writeFile(path, bytes);
  return path;
}

async function openssl(...args: string[]): Promise<string> {
  const { stdout } = await run('openssl', args, { timeout: 30_000 });
  return stdout;
}

describe('SM2 in cn-north-1', () => {
  const usages: readonly { usage: KeyUsageType; member: string; algorithms: string[] }[] = [
    { usage: 'SIGN_VERIFY', member: 'SigningAlgorithms', algorithms: ['SM2DSA'] },
    { usage: 'ENCRYPT_DECRYPT', member: 'EncryptionAlgorithms', algorithms: ['SM2PKE'] },
    { usage: 'KEY_AGREEMENT', member: 'KeyAgreementAlgorithms', algorithms: ['ECDH'] },
  ];
  const keys = new Map<KeyUsageType, KeyMetadata>();
  const spkis = new Map<KeyUsageType, Uint8Array>();
  let kms: KMSClient;
  let symmetric: KeyMetadata;

  const sm2Key = (usage: KeyUsageType): KeyMetadata => required(keys.get(usage), `SM2 ${usage} key`);
  const sm2Spki = (usage: KeyUsageType): Uint8Array => required(spkis.get(usage), `SM2 ${usage} public key`);

  beforeAll(async () => {
    kms = e2e.kmsIn(CHINA_REGION);
    await Promise.all(usages.map(async ({ usage }) => {
      const metadata = required((await kms.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: usage }))).KeyMetadata, 'KeyMetadata');
      keys.set(usage, metadata);
      spkis.set(usage, required((await kms.send(new GetPublicKeyCommand({ KeyId: metadata.KeyId }))).PublicKey, 'PublicKey'));
    }));
    symmetric = required((await kms.send(new CreateKeyCommand({}))).KeyMetadata, 'KeyMetadata');
  });

  it.each(usages)('returns an aws-cn key ARN and $member $algorithms when CreateKey makes an SM2 key for $usage', async ({ usage, member, algorithms }) => {
    // Prepare
    const created = sm2Key(usage);

    // Act
    const described = required((await kms.send(new DescribeKeyCommand({ KeyId: created.KeyId }))).KeyMetadata, 'KeyMetadata');

    // Assess
    for (const metadata of [created, described]) {
      expect(metadata.Arn).toBe(`arn:aws-cn:kms:${CHINA_REGION}:${ACCOUNT_ID}:key/${created.KeyId}`);
      expect(metadata).toMatchObject({ KeySpec: 'SM2', KeyUsage: usage, [member]: algorithms });
    }
  });

  it.each(usages)('returns an SM2 SPKI that OpenSSL reads when GetPublicKey reads the SM2 $usage key', async ({ usage }) => {
    // Prepare
    const spki = sm2Spki(usage);

    // Act
    const parts = parseSpki(spki);
    const text = await openssl('pkey', '-pubin', '-inform', 'DER', '-in', await scratchFile(`sm2-${usage}.der`, spki), '-text', '-noout');

    // Assess
    expect({ algorithm: parts.algorithm, curve: parts.parameters, keyBytes: parts.publicKey.length, form: parts.publicKey[0] })
      .toEqual({ algorithm: EC_PUBLIC_KEY_OID, curve: SM2_CURVE_OID, keyBytes: 65, form: 0x04 });
    expect(text).toContain('ASN1 OID: SM2');
  });

  it('returns a signature Verify accepts and OpenSSL verifies with the default ID when an SM2 key signs a RAW message', async () => {
    // Prepare
    const key = sm2Key('SIGN_VERIFY');
    const message = utf8('signed with SM2DSA in cn-north-1');

    // Act
    const signed = await kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'SM2DSA' }));

    // Assess
    const signature = required(signed.Signature, 'Signature');
    expect({ KeyId: signed.KeyId, SigningAlgorithm: signed.SigningAlgorithm }).toEqual({ KeyId: key.Arn, SigningAlgorithm: 'SM2DSA' });
    const verified = await kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'SM2DSA', Signature: signature }));
    expect(verified.SignatureValid).toBe(true);
    const output = await openssl('pkeyutl', '-verify', '-pubin', '-inkey', await scratchFile('sm2-sign.pem', toPem(sm2Spki('SIGN_VERIFY'), 'PUBLIC KEY')),
      '-rawin', '-digest', 'sm3', '-pkeyopt', `distid:${SM2_DEFAULT_ID}`,
      '-in', await scratchFile('sm2-raw.msg', message), '-sigfile', await scratchFile('sm2-raw.sig', signature));
    expect(output).toContain('Signature Verified Successfully');
  });

  it('returns a signature OpenSSL verifies over the message when an SM2 key signs SM3(Z || M) computed outside with MessageType DIGEST', async () => {
    // Prepare
    const key = sm2Key('SIGN_VERIFY');
    const message = utf8('hashed with SM3 outside the service');
    const digest = sm2Digest(parseSpki(sm2Spki('SIGN_VERIFY')).publicKey, message);

    // Act
    const signed = await kms.send(new SignCommand({ KeyId: key.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'SM2DSA' }));

    // Assess
    const signature = required(signed.Signature, 'Signature');
    const output = await openssl('pkeyutl', '-verify', '-pubin', '-inkey', await scratchFile('sm2-sign.pem', toPem(sm2Spki('SIGN_VERIFY'), 'PUBLIC KEY')),
      '-rawin', '-digest', 'sm3', '-pkeyopt', `distid:${SM2_DEFAULT_ID}`,
      '-in', await scratchFile('sm2-digest.msg', message), '-sigfile', await scratchFile('sm2-digest.sig', signature));
    expect(output).toContain('Signature Verified Successfully');
    const verified = await kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'SM2DSA', Signature: signature }));
    expect(verified.SignatureValid).toBe(true);
  });

  it('returns KMSInvalidSignatureException when Verify checks an SM2 signature with one bit flipped', async () => {
    // Prepare
    const KeyId = sm2Key('SIGN_VERIFY').KeyId;
    const message = utf8('tampered SM2 signature');
    const signature = required((await kms.send(new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'SM2DSA' }))).Signature, 'Signature');

    // Act
    const outcome = kms.send(new VerifyCommand({ KeyId, Message: message, SigningAlgorithm: 'SM2DSA', Signature: flipBit(signature, -2) }));

    // Assess
    await expectKmsError(outcome, 'KMSInvalidSignatureException');
  });

  it('returns the plaintext when Decrypt reads what Encrypt made with SM2PKE', async () => {
    // Prepare
    const key = sm2Key('ENCRYPT_DECRYPT');
    const plaintext = patternBytes(1024, 9);

    // Act
    const encrypted = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionAlgorithm: 'SM2PKE' }));
    const decrypted = await kms.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: encrypted.CiphertextBlob, EncryptionAlgorithm: 'SM2PKE' }));

    // Assess
    expect({ KeyId: encrypted.KeyId, EncryptionAlgorithm: encrypted.EncryptionAlgorithm }).toEqual({ KeyId: key.Arn, EncryptionAlgorithm: 'SM2PKE' });
    expect({ KeyId: decrypted.KeyId, EncryptionAlgorithm: decrypted.EncryptionAlgorithm }).toEqual({ KeyId: key.Arn, EncryptionAlgorithm: 'SM2PKE' });
    expect(decrypted.Plaintext).toEqual(plaintext);
  });

  it('returns the plaintext when Decrypt reads what OpenSSL encrypted with the SM2 public key', async () => {
    // Prepare
    const key = sm2Key('ENCRYPT_DECRYPT');
    const plaintext = utf8('encrypted by OpenSSL with SM2');
    const ciphertextPath = join(workDir, 'sm2-openssl.ct');
    await openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', await scratchFile('sm2-encrypt.pem', toPem(sm2Spki('ENCRYPT_DECRYPT'), 'PUBLIC KEY')),
      '-in', await scratchFile('sm2-openssl.pt', plaintext), '-out', ciphertextPath);

    // Act
    const decrypted = await kms.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: await readFile(ciphertextPath), EncryptionAlgorithm: 'SM2PKE' }));

    // Assess
    expect(decrypted.Plaintext).toEqual(plaintext);
  });

  it('returns ValidationException when SM2PKE is asked to encrypt 1025 bytes', async () => {
    // Prepare
    const request = new EncryptCommand({ KeyId: sm2Key('ENCRYPT_DECRYPT').KeyId, Plaintext: patternBytes(1025), EncryptionAlgorithm: 'SM2PKE' });

    // Act
    const outcome = kms.send(request);

    // Assess
    await expectKmsError(outcome, 'ValidationException');
  });

  it('returns the secret Node derives from the peer side when an SM2 key agrees with a Node SM2 key', async () => {
    // Prepare
    const key = sm2Key('KEY_AGREEMENT');
    const kmsPoint = parseSpki(sm2Spki('KEY_AGREEMENT')).publicKey;
    const peer = createECDH('SM2');
    peer.generateKeys();
    const peerSpki = spkiWithKey(sm2Spki('KEY_AGREEMENT'), peer.getPublicKey());

    // Act
    const response = await kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki }));

    // Assess
    expect({ KeyId: response.KeyId, KeyAgreementAlgorithm: response.KeyAgreementAlgorithm }).toEqual({ KeyId: key.Arn, KeyAgreementAlgorithm: 'ECDH' });
    expect(response.SharedSecret).toEqual(new Uint8Array(peer.computeSecret(kmsPoint)));
  });

  it('returns a matching PKCS#8 private key and public key, and a blob that decrypts to the private key, when GenerateDataKeyPair makes SM2', async () => {
    // Prepare
    const message = utf8('signed with an SM2 data key pair');

    // Act
    const response = await kms.send(new GenerateDataKeyPairCommand({ KeyId: symmetric.KeyId, KeyPairSpec: 'SM2' }));

    // Assess
    const privateDer = required(response.PrivateKeyPlaintext, 'PrivateKeyPlaintext');
    const publicDer = required(response.PublicKey, 'PublicKey');
    expect(parseSpki(publicDer).parameters).toBe(SM2_CURVE_OID);
    const privatePath = await scratchFile('pair.p8', privateDer);
    const signaturePath = join(workDir, 'pair.sig');
    await openssl('pkeyutl', '-sign', '-inkey', privatePath, '-keyform', 'DER', '-rawin', '-digest', 'sm3',
      '-pkeyopt', `distid:${SM2_DEFAULT_ID}`, '-in', await scratchFile('pair.msg', message), '-out', signaturePath);
    const output = await openssl('pkeyutl', '-verify', '-pubin', '-inkey', await scratchFile('pair-public.pem', toPem(publicDer, 'PUBLIC KEY')),
      '-rawin', '-digest', 'sm3', '-pkeyopt', `distid:${SM2_DEFAULT_ID}`, '-in', join(workDir, 'pair.msg'), '-sigfile', signaturePath);
    expect(output).toContain('Signature Verified Successfully');
    const unwrapped = await kms.send(new DecryptCommand({ CiphertextBlob: response.PrivateKeyCiphertextBlob }));
    expect(unwrapped.Plaintext).toEqual(privateDer);
  });
});

describe('the AWS CLI', () => {
  let key: KeyMetadata;

  beforeAll(async () => {
    key = required((await e2e.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata, 'KeyMetadata');
  });

  /** Runs `aws kms <args>` with nothing but the service's credentials file and returns the JSON output. */
  async function awsKms(...args: string[]): Promise<Record<string, unknown>> {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    const { stdout } = await run('aws', ['kms', ...args, '--endpoint-url', e2e.service.endpoint, '--region', REGION, '--output', 'json'], {
      env: {
        ...inherited,
        AWS_SHARED_CREDENTIALS_FILE: join(e2e.dataDir, 'credentials'),
        AWS_CONFIG_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        NO_PROXY: '127.0.0.1,localhost',
      },
      timeout: 60_000,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  it('returns SignatureValid when aws kms verify checks what aws kms sign made with ECDSA_SHA_256', async () => {
    // Prepare
    const message = utf8('signed through the AWS CLI');
    const messagePath = await scratchFile('cli.msg', message);

    // Act
    const signed = await awsKms('sign', '--key-id', required(key.KeyId, 'KeyId'), '--message', `fileb://${messagePath}`,
      '--message-type', 'RAW', '--signing-algorithm', 'ECDSA_SHA_256');
    const signature = Buffer.from(String(signed.Signature), 'base64');
    const verified = await awsKms('verify', '--key-id', required(key.KeyId, 'KeyId'), '--message', `fileb://${messagePath}`,
      '--message-type', 'RAW', '--signing-algorithm', 'ECDSA_SHA_256', '--signature', `fileb://${await scratchFile('cli.sig', signature)}`);

    // Assess
    expect({ KeyId: signed.KeyId, SigningAlgorithm: signed.SigningAlgorithm }).toEqual({ KeyId: key.Arn, SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(verified).toEqual({ KeyId: key.Arn, SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_256' });
    const publicKey = createPublicKey({
      key: Buffer.from(required((await e2e.kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey, 'PublicKey')), format: 'der', type: 'spki',
    });
    expect(nodeVerify('sha256', message, publicKey, signature)).toBe(true);
  });
});
