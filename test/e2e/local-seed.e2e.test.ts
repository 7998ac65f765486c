/**
 * Issue 10's seeding, through `npm start`'s script and the stock SDK: a seed file in local-kms's
 * `seed.yaml` format creates its keys (IDs, specs, material) and aliases, idempotently; PEM keys
 * sign what an independent library verifies with the original public key; seeded ciphertext
 * decrypts on another fresh instance seeded with the same file; a malformed file stops the start,
 * naming the file, the entry and the problem, before anything is written.
 */
import { constants, createHmac, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { access, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateMacCommand, GetPublicKeyCommand, ListAliasesCommand, ListKeysCommand,
  SignCommand, UpdateKeyDescriptionCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_START_TIMEOUT_MS, kmsClientFor, runCliToExit, startCli, type StartedCli } from './support/cli.js';
import { AES_KEYS, HMAC_KEY, SEED_IDS, aesSeed, fullSeed, generateSeedKeys } from './support/seed-fixtures.js';

const MESSAGE = new TextEncoder().encode('signed by a seeded key');
const PLAINTEXT = new TextEncoder().encode('a fixture committed encrypted');

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

function spki(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** The raw public point or key that @noble takes, from the JWK Node exports. */
function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  if (jwk.kty === 'OKP') return x;
  return Buffer.concat([Buffer.of(4), x, Buffer.from(jwk.y ?? '', 'base64url')]);
}

/** Every file under `dir`, read whole. */
async function filesUnder(dir: string): Promise<Buffer[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.map((file) => readFile(file)));
}

describe('local mode seeded from a seed.yaml file', () => {
  const keys = generateSeedKeys();
  let parent: string;
  let seedPath: string;
  let first: StartedCli;
  let kms: KMSClient;
  const firstDir = () => join(parent, 'first');

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'kms-e2e-seed-'));
    seedPath = join(parent, 'seed.yaml');
    await writeFile(seedPath, fullSeed(keys), { mode: 0o600 });
    first = await startCli(['--port', '0', '--data-dir', firstDir(), '--seed', seedPath]);
    kms = await kmsClientFor(first, firstDir());
  }, CLI_START_TIMEOUT_MS);

  afterAll(async () => {
    kms?.destroy();
    await first?.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('creates every key of the file, enabled, with its ID, spec, usage and description', async () => {
    // Act
    const described = await Promise.all(Object.values(SEED_IDS).map((KeyId) => kms.send(new DescribeKeyCommand({ KeyId }))));

    // Assess
    expect(described.map(({ KeyMetadata: m }) => [m?.KeyId, m?.KeySpec, m?.KeyUsage, m?.KeyState, m?.Origin, m?.Description])).toEqual([
      [SEED_IDS.aes, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'Enabled', 'AWS_KMS', 'seeded AES key'],
      [SEED_IDS.rotated, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'Enabled', 'AWS_KMS', ''],
      [SEED_IDS.rsa, 'RSA_2048', 'SIGN_VERIFY', 'Enabled', 'AWS_KMS', 'RSA key with 2048 bits'],
      [SEED_IDS.ecc, 'ECC_NIST_P256', 'SIGN_VERIFY', 'Enabled', 'AWS_KMS', ''],
      [SEED_IDS.ed25519, 'ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', 'Enabled', 'AWS_KMS', ''],
      [SEED_IDS.hmac, 'HMAC_256', 'GENERATE_VERIFY_MAC', 'Enabled', 'AWS_KMS', ''],
    ]);
    expect(described[0]?.KeyMetadata?.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${SEED_IDS.aes}`);
  });

  it('creates the aliases of the file, one of them naming its target by key ARN', async () => {
    // Act
    const { Aliases } = await kms.send(new ListAliasesCommand({}));

    // Assess
    const seeded = (Aliases ?? []).filter((alias) => !(alias.AliasName ?? '').startsWith('alias/aws/'));
    expect(seeded.map((alias) => [alias.AliasName, alias.TargetKeyId]).sort()).toEqual([
      ['alias/signing', SEED_IDS.rsa],
      ['alias/testing', SEED_IDS.aes],
    ]);
  });

  it('returns the public key of each PEM private key, and signs what an independent library verifies with it', async () => {
    // Prepare
    const cases = [
      { KeyId: SEED_IDS.rsa, key: keys.rsa, SigningAlgorithm: 'RSASSA_PSS_SHA_256' as const },
      { KeyId: SEED_IDS.ecc, key: keys.ecc, SigningAlgorithm: 'ECDSA_SHA_256' as const },
      { KeyId: SEED_IDS.ed25519, key: keys.ed25519, SigningAlgorithm: 'ED25519_SHA_512' as const },
    ];

    // Act
    const results = await Promise.all(cases.map(async ({ KeyId, SigningAlgorithm }) => ({
      publicKey: (await kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey,
      signature: (await kms.send(new SignCommand({ KeyId, Message: MESSAGE, MessageType: 'RAW', SigningAlgorithm }))).Signature ?? new Uint8Array(),
    })));

    // Assess
    results.forEach((result, index) => expect(Buffer.from(result.publicKey ?? [])).toEqual(spki(cases[index]?.key ?? keys.rsa)));
    const [rsa, ecc, edwards] = results.map((result) => result.signature);
    // RSA: OpenSSL through Node with the PEM's public key; ECDSA and Ed25519: @noble/curves (ECDSA
    // signatures as OpenSSL makes them need not have a low S).
    expect(nodeVerify('sha256', MESSAGE, { key: createPublicKey(keys.rsa), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(rsa ?? []))).toBe(true);
    expect(p256.verify(ecc ?? new Uint8Array(), MESSAGE, rawPublicKey(keys.ecc), { format: 'der', lowS: false })).toBe(true);
    expect(ed25519.verify(edwards ?? new Uint8Array(), MESSAGE, rawPublicKey(keys.ed25519))).toBe(true);
  });

  it('computes with the seeded HMAC key material (an extension of the format) the MAC Node computes', async () => {
    // Act
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: SEED_IDS.hmac, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }));

    // Assess
    expect(Buffer.from(Mac ?? [])).toEqual(createHmac('sha256', Buffer.from(HMAC_KEY, 'hex')).update(MESSAGE).digest());
  });

  it('decrypts on another fresh instance seeded with the same file (through KMS_SEED_PATH) what this one encrypted', async () => {
    // Prepare
    const blobs = await Promise.all([SEED_IDS.aes, SEED_IDS.rotated, 'alias/testing'].map(async (KeyId) =>
      (await kms.send(new EncryptCommand({ KeyId, Plaintext: PLAINTEXT, EncryptionContext: { fixture: 'yes' } }))).CiphertextBlob));
    const otherDir = join(parent, 'other');
    const other = await startCli(['--port', '0', '--data-dir', otherDir], { KMS_SEED_PATH: seedPath });
    const otherKms = await kmsClientFor(other, otherDir);

    // Act
    const decrypted = await Promise.all(blobs.map((CiphertextBlob) => otherKms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { fixture: 'yes' } }))));
    otherKms.destroy();
    await other.stop();

    // Assess
    expect(decrypted.map((result) => Buffer.from(result.Plaintext ?? []).toString())).toEqual(Array(3).fill(Buffer.from(PLAINTEXT).toString()));
    expect(decrypted.map((result) => result.KeyId)).toEqual([SEED_IDS.aes, SEED_IDS.rotated, SEED_IDS.aes].map((id) => `arn:aws:kms:us-east-1:111122223333:key/${id}`));
  }, CLI_START_TIMEOUT_MS);

  it('writes no seeded key material in the clear to its output, the audit log or any file of the data folder', async () => {
    // Prepare
    const secrets = [
      ...[AES_KEYS.single, AES_KEYS.old, AES_KEYS.current, HMAC_KEY].map((hex) => Buffer.from(hex, 'hex')),
      ...[keys.rsa, keys.ecc, keys.ed25519].map((key) => key.export({ type: 'pkcs8', format: 'der' })),
    ];
    const texts = [AES_KEYS.single, AES_KEYS.old.toLowerCase(), AES_KEYS.current, HMAC_KEY];

    // Act
    const files = await filesUnder(firstDir());
    const output = first.stdout() + first.stderr();

    // Assess
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      for (const secret of secrets) expect(file.includes(secret)).toBe(false);
      for (const text of texts) expect(file.toString('latin1').toLowerCase().includes(text.toLowerCase())).toBe(false);
    }
    for (const text of texts) expect(output.toLowerCase()).not.toContain(text.toLowerCase());
  });

  it('creates nothing twice and leaves keys changed since as they are when started again with the same file', async () => {
    // Prepare
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: SEED_IDS.aes, Description: 'changed after seeding' }));
    const before = await kms.send(new DescribeKeyCommand({ KeyId: SEED_IDS.aes }));
    const listedBefore = await kms.send(new ListKeysCommand({}));
    kms.destroy();
    await first.stop();

    // Act
    first = await startCli(['--port', '0', '--data-dir', firstDir(), '--seed', seedPath]);
    kms = await kmsClientFor(first, firstDir());
    const after = await kms.send(new DescribeKeyCommand({ KeyId: SEED_IDS.aes }));
    const listedAfter = await kms.send(new ListKeysCommand({}));

    // Assess
    expect(first.stderr()).toMatch(/^ {2}seeding +0 keys and 0 aliases created, 6 keys and 2 aliases already there \(us-east-1\) \(\d+\.\d\d s\)$/m);
    expect(after.KeyMetadata).toEqual(before.KeyMetadata);
    expect(after.KeyMetadata?.Description).toBe('changed after seeding');
    expect(listedAfter.Keys?.map((key) => key.KeyId).sort()).toEqual(listedBefore.Keys?.map((key) => key.KeyId).sort());
  }, CLI_START_TIMEOUT_MS);
});

describe('a seed file that cannot be used', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'kms-e2e-bad-seed-'));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it.each([
    ['a backing key that is not hex', aesSeed(SEED_IDS.aes, [AES_KEYS.single, 'not-hex']), 'Keys.Symmetric.Aes[0].BackingKeys[1] (line 8): must be 32 bytes written as 64 hex digits.'],
    ['an alias to a key that is not there', aesSeed(SEED_IDS.aes, [AES_KEYS.single], 'alias/x').replace(`TargetKeyId: ${SEED_IDS.aes}`, `TargetKeyId: ${SEED_IDS.rsa}`),
      `Aliases[0] (alias/x): TargetKeyId ${SEED_IDS.rsa} is neither a key of the seed file nor an existing key.`],
    ['a NextKeyRotation that is no date', `${aesSeed(SEED_IDS.aes, [AES_KEYS.single])}`.replace('        BackingKeys:', '        NextKeyRotation: "12/09/2019"\n        BackingKeys:'),
      'Keys.Symmetric.Aes[0].NextKeyRotation (line 6): must be a date and time in ISO 8601, such as 2025-09-12T15:19:21+00:00.'],
    ['Origin EXTERNAL', aesSeed(SEED_IDS.aes, [AES_KEYS.single]).replace(`KeyId: ${SEED_IDS.aes}`, `KeyId: ${SEED_IDS.aes}\n          Origin: EXTERNAL`),
      'Keys.Symmetric.Aes[0].Metadata.Origin (line 6): Origin EXTERNAL is not supported in a seed file'],
  ])('stops the start with a message naming the file, the entry and the problem, and creates no data folder, for %s', async (name, text, problem) => {
    // Prepare
    const seedPath = join(parent, `${name.replaceAll(' ', '-')}.yaml`);
    await writeFile(seedPath, text);
    const dataDir = join(parent, `data-${name.replaceAll(' ', '-')}`);

    // Act
    const exit = await runCliToExit(['--port', '0', '--data-dir', dataDir, '--seed', seedPath]);

    // Assess
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`Could not start the local KMS service: Seed file ${seedPath}: ${problem}`);
    expect(await exists(dataDir)).toBe(false);
  }, CLI_START_TIMEOUT_MS);
});
