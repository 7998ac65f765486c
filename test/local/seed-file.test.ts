import { createPublicKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeedFileError, parseSeed, type SeedPlan } from '../../src/local/seed/seed-file.js';
import { AES_KEYS, HMAC_KEY, SEED_IDS, aesSeed, fullSeed, generateSeedKeys, type SeedKeys } from '../e2e/support/seed-fixtures.js';

const PATH = 'fixtures/seed.yaml';

describe('parseSeed', () => {
  let keys: SeedKeys;
  let plan: SeedPlan;
  beforeAll(async () => {
    keys = generateSeedKeys();
    plan = await parseSeed(fullSeed(keys), PATH);
  });

  it('returns every key of the file with the spec and usage read from its section and material', () => {
    // Prepare
    const byId = new Map(plan.keys.map((key) => [key.keyId, key]));

    // Act
    const summary = [...byId.values()].map((key) => [key.keyId, key.keySpec, key.keyUsage]);

    // Assess
    expect(summary).toEqual([
      [SEED_IDS.aes, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
      [SEED_IDS.rotated, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
      [SEED_IDS.hmac, 'HMAC_256', 'GENERATE_VERIFY_MAC'],
      [SEED_IDS.rsa, 'RSA_2048', 'SIGN_VERIFY'],
      [SEED_IDS.ecc, 'ECC_NIST_P256', 'SIGN_VERIFY'],
      [SEED_IDS.ed25519, 'ECC_NIST_EDWARDS25519', 'SIGN_VERIFY'],
    ]);
  });

  it('returns the backing keys in file order (the last one current), tags, description and policy', () => {
    // Prepare
    const [aes, rotated] = plan.keys;

    // Act
    const backing = rotated?.material.kind === 'aes' ? rotated.material.backingKeys.map((key) => Buffer.from(key).toString('hex')) : [];

    // Assess
    expect(backing).toEqual([AES_KEYS.old.toLowerCase(), AES_KEYS.current.toLowerCase()]);
    expect(aes).toMatchObject({ description: 'seeded AES key', tags: [{ tagKey: 'team', tagValue: 'payments' }] });
    expect(plan.keys[4]?.policy).toContain('"kms:*"');
  });

  it('converts a SEC1 PEM into the PKCS#8 and public key of the same key', () => {
    // Prepare
    const ecc = plan.keys.find((key) => key.keyId === SEED_IDS.ecc);

    // Act
    const material = ecc?.material;

    // Assess
    expect(material?.kind).toBe('pkcs8');
    if (material?.kind !== 'pkcs8') return;
    expect(Buffer.from(material.privateKey)).toEqual(keys.ecc.export({ type: 'pkcs8', format: 'der' }));
    expect(Buffer.from(material.publicKey)).toEqual(createPublicKey(keys.ecc).export({ type: 'spki', format: 'der' }));
  });

  it('returns the aliases with their targets reduced to key IDs', () => {
    // Prepare
    const aliases = plan.aliases;

    // Act
    const summary = aliases.map((alias) => [alias.aliasName, alias.targetKeyId, alias.targetArn]);

    // Assess
    expect(summary).toEqual([
      ['alias/testing', SEED_IDS.aes, undefined],
      ['alias/signing', SEED_IDS.rsa, `arn:aws:kms:us-east-1:111122223333:key/${SEED_IDS.rsa}`],
    ]);
  });

  it('zeroes every piece of key material when zero() is called', async () => {
    // Prepare
    const own = await parseSeed(fullSeed(keys), PATH);

    // Act
    own.zero();

    // Assess
    for (const key of own.keys) {
      const material = key.material;
      const buffers = material.kind === 'aes' ? material.backingKeys : material.kind === 'pkcs8' ? [material.privateKey] : [material.key];
      for (const bytes of buffers) expect(bytes.every((byte) => byte === 0)).toBe(true);
    }
  });

  it('reads local-kms\'s NextKeyRotation as the date of the next automatic rotation', async () => {
    // Prepare
    const text = `${aesEntry(`          KeyId: ${KEY}\n`)}        NextKeyRotation: 2019-09-12T15:19:21+00:00\n`;

    // Act
    const seeded = await parseSeed(text, PATH);

    // Assess
    expect(seeded.keys[0]?.nextRotationDate).toBe(Date.parse('2019-09-12T15:19:21Z'));
    expect(plan.keys.every((key) => key.nextRotationDate === undefined)).toBe(true);
  });

  it('returns nothing to seed for an empty file', async () => {
    // Prepare
    const text = '';

    // Act
    const empty = await parseSeed(text, PATH);

    // Assess
    expect({ keys: empty.keys, aliases: empty.aliases }).toEqual({ keys: [], aliases: [] });
  });
});

const KEY = SEED_IDS.aes;
const aesEntry = (metadata: string, backing = `        BackingKeys:\n          - ${AES_KEYS.single}\n`): string =>
  `Keys:\n  Symmetric:\n    Aes:\n      - Metadata:\n${metadata}${backing}`;

/** Each malformed file, and what the error must say: the file, the entry and its line, the problem. */
const MALFORMED: readonly (readonly [string, string, RegExp])[] = [
  ['not YAML', 'Keys: [unclosed', /^Seed file fixtures\/seed\.yaml: not valid YAML: /],
  ['an unknown top-level section', 'Key: {}\n', /: Key \(line 1\): unknown field Key; expected Keys, Aliases\./],
  ['a misspelt field', aesEntry(`          KeyId: ${KEY}\n          Descripton: x\n`), /Keys\.Symmetric\.Aes\[0\]\.Metadata\.Descripton \(line 6\): unknown field Descripton/],
  ['a missing KeyId', aesEntry('          Description: x\n'), /Keys\.Symmetric\.Aes\[0\]\.Metadata \(line 5\): KeyId is required\./],
  ['a KeyId that is not a key ID', aesEntry('          KeyId: my-key\n'), /Metadata\.KeyId \(line 5\): KeyId my-key is not a key ID/],
  ['a multi-Region key ID', aesEntry(`          KeyId: mrk-${'0'.repeat(32)}\n`), /is not a key ID/],
  ['a backing key that is not 32 bytes of hex', aesEntry(`          KeyId: ${KEY}\n`, '        BackingKeys:\n          - abc123\n'), /BackingKeys\[0\] \(line 7\): must be 32 bytes written as 64 hex digits\./],
  ['no backing keys', aesEntry(`          KeyId: ${KEY}\n`, '        BackingKeys: []\n'), /BackingKeys \(line 6\): must list at least one hex AES-256 key/],
  ['a repeated backing key', aesEntry(`          KeyId: ${KEY}\n`, `        BackingKeys:\n          - ${AES_KEYS.single}\n          - ${AES_KEYS.single}\n`), /BackingKeys\[1\] \(line 8\): repeats BackingKeys\[0\]\./],
  ['Origin EXTERNAL', aesEntry(`          KeyId: ${KEY}\n          Origin: EXTERNAL\n`), /Metadata\.Origin \(line 6\): Origin EXTERNAL is not supported in a seed file/],
  ['a NextKeyRotation that is no date', `${aesEntry(`          KeyId: ${KEY}\n`)}        NextKeyRotation: next tuesday\n`, /NextKeyRotation \(line 8\): must be a date and time in ISO 8601, such as 2025-09-12T15:19:21\+00:00\./],
  ['a description over 8192 characters', aesEntry(`          KeyId: ${KEY}\n          Description: ${'d'.repeat(8193)}\n`), /failed to satisfy constraint: Member must have length less than or equal to 8192/],
  ['a reserved tag key', aesEntry(`          KeyId: ${KEY}\n          Tags:\n            - TagKey: aws:owner\n              TagValue: x\n`), /Metadata\.Tags \(line 7\): Tags beginning with aws: are reserved/],
  ['a policy that is not JSON', aesEntry(`          KeyId: ${KEY}\n          Policy: not json\n`), /Metadata\.Policy \(line 6\): The policy document is not valid JSON: /],
  ['a policy without a principal', aesEntry(`          KeyId: ${KEY}\n          Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}'\n`), /Metadata\.Policy \(line 6\): Policy contains a statement with no principal/],
  ['a key ID used twice', `Keys:\n  Symmetric:\n    Aes:\n      - Metadata:\n          KeyId: ${KEY}\n        BackingKeys: [${AES_KEYS.single}]\n      - Metadata:\n          KeyId: ${KEY}\n        BackingKeys: [${AES_KEYS.current}]\n`, /Keys\.Symmetric\.Aes\[1\]\.Metadata\.KeyId \(line 8\): KeyId .* is already used by Keys\.Symmetric\.Aes\[0\]/],
  ['a PEM that is not a private key', `Keys:\n  Asymmetric:\n    Rsa:\n      - Metadata:\n          KeyId: ${SEED_IDS.rsa}\n          KeyUsage: SIGN_VERIFY\n        PrivateKeyPem: not a pem\n`, /Keys\.Asymmetric\.Rsa\[0\]\.PrivateKeyPem \(line 7\): is not an unencrypted PEM private key/],
  ['an HMAC key of the wrong length', `Keys:\n  Symmetric:\n    Hmac:\n      - Metadata:\n          KeyId: ${SEED_IDS.hmac}\n          KeySpec: HMAC_384\n        KeyMaterial: ${HMAC_KEY}\n`, /KeyMaterial \(line 7\): must be 48 bytes written as 96 hex digits\./],
  ['an HMAC key without an HMAC key spec', `Keys:\n  Symmetric:\n    Hmac:\n      - Metadata:\n          KeyId: ${SEED_IDS.hmac}\n          KeySpec: AES_256\n        KeyMaterial: ${HMAC_KEY}\n`, /KeySpec AES_256 is not an HMAC key spec/],
  ['an alias without the alias/ prefix', `${aesSeed(KEY, [AES_KEYS.single])}Aliases:\n  - AliasName: testing\n    TargetKeyId: ${KEY}\n`, /Aliases\[0\]\.AliasName \(line 9\): Alias must start with the prefix "alias\/"\./],
  ['an alias with the reserved prefix', `${aesSeed(KEY, [AES_KEYS.single])}Aliases:\n  - AliasName: alias/aws/s3\n    TargetKeyId: ${KEY}\n`, /alias\/aws\/s3: the alias\/aws\/ prefix is reserved for AWS managed keys\./],
  ['an alias target that is not a key ID', `${aesSeed(KEY, [AES_KEYS.single])}Aliases:\n  - AliasName: alias/x\n    TargetKeyId: alias/y\n`, /Aliases\[0\]\.TargetKeyId \(line 10\): TargetKeyId alias\/y is not a key ID or key ARN\./],
  ['an alias listed twice', `${aesSeed(KEY, [AES_KEYS.single], 'alias/x')}  - AliasName: alias/x\n    TargetKeyId: ${KEY}\n`, /Aliases\[1\]\.AliasName \(line 11\): alias\/x is listed twice\./],
];

describe('parseSeed refusals', () => {
  it.each(MALFORMED)('throws SeedFileError naming the file, the entry and the problem for %s', async (_name, text, message) => {
    // Prepare
    const path = PATH;

    // Act
    const result = parseSeed(text, path);

    // Assess
    await expect(result).rejects.toBeInstanceOf(SeedFileError);
    await expect(parseSeed(text, path)).rejects.toThrow(message);
  });

  it('throws SeedFileError for an RSA key whose size AWS KMS does not offer', async () => {
    // Prepare
    const { generateKeyPairSync } = await import('node:crypto');
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const text = `Keys:\n  Asymmetric:\n    Rsa:\n      - Metadata:\n          KeyId: ${SEED_IDS.rsa}\n          KeyUsage: SIGN_VERIFY\n        PrivateKeyPem: |\n${pem.trim().split('\n').map((line) => `          ${line}`).join('\n')}\n`;

    // Act
    const result = parseSeed(text, PATH);

    // Assess
    await expect(result).rejects.toThrow(/PrivateKeyPem \(line 7\): is not an RSA key of 2048, 3072 or 4096 bits\./);
  });

  it('throws SeedFileError for a key usage the key spec does not allow, and for an RSA key without one', async () => {
    // Prepare
    const pem = generateSeedKeys().rsa.export({ type: 'pkcs8', format: 'pem' }).toString().trim().split('\n').map((line) => `          ${line}`).join('\n');
    const entry = (usage: string) => `Keys:\n  Asymmetric:\n    Rsa:\n      - Metadata:\n          KeyId: ${SEED_IDS.rsa}\n${usage}        PrivateKeyPem: |\n${pem}\n`;

    // Act
    const wrongUsage = parseSeed(entry('          KeyUsage: GENERATE_VERIFY_MAC\n'), PATH);
    const noUsage = parseSeed(entry(''), PATH);

    // Assess
    await expect(wrongUsage).rejects.toThrow(/KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec RSA_2048/);
    await expect(noUsage).rejects.toThrow(/KeyUsage is required for RSA keys: ENCRYPT_DECRYPT or SIGN_VERIFY\./);
  });

  it('never repeats key material in its message', async () => {
    // Prepare
    const secret = `${'ab'.repeat(31)}zz`;
    const text = aesEntry(`          KeyId: ${KEY}\n`, `        BackingKeys:\n          - ${secret}\n`);

    // Act
    const message = await parseSeed(text, PATH).then(() => '', (error: unknown) => (error as Error).message);

    // Assess
    expect(message).toMatch(/must be 32 bytes/);
    expect(message).not.toContain(secret);
  });
});
