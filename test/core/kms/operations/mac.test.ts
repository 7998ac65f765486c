import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DisabledException, DryRunOperationException, InvalidKeyUsageException, KMSInvalidMacException,
} from '../../../../src/models/kms/generated/errors.js';
import type { HmacKeySpec } from '../../../../src/core/kms/keys/key-specs.js';
import type { MacAlgorithmSpec } from '../../../../src/models/kms/generated/shapes.js';
import type { KeyRecord } from '../../../../src/core/kms/records.js';
import { generateMac, verifyMac } from '../../../../src/core/kms/operations/mac.js';
import { bytes, caught, makeCore, runHandler, seedAsymmetricKey, seedKey, type CoreHarness } from '../../../support/core.js';

const DRY_RUN_MESSAGE = 'The request would have succeeded, but the DryRun option is set.';
const MESSAGE = bytes('the message to authenticate');
const SPECS: readonly (readonly [HmacKeySpec, MacAlgorithmSpec, string, number])[] = [
  ['HMAC_224', 'HMAC_SHA_224', 'sha224', 28], ['HMAC_256', 'HMAC_SHA_256', 'sha256', 32],
  ['HMAC_384', 'HMAC_SHA_384', 'sha384', 48], ['HMAC_512', 'HMAC_SHA_512', 'sha512', 64],
];

const macKey = (core: CoreHarness, keySpec: HmacKeySpec, overrides: Partial<KeyRecord> = {}) =>
  seedAsymmetricKey(core, { keySpec, keyUsage: 'GENERATE_VERIFY_MAC', ...overrides });

async function macOf(core: CoreHarness, key: KeyRecord, algorithm: MacAlgorithmSpec, message = MESSAGE): Promise<Uint8Array> {
  const { Mac } = await runHandler(core, generateMac, { KeyId: key.keyId, MacAlgorithm: algorithm, Message: message });
  if (Mac === undefined) throw new Error('no MAC');
  return Mac;
}

describe('generateMac', () => {
  it.each(SPECS)('returns the HMAC of the message under the key\'s secret when a %s key uses %s', async (spec, algorithm, hash, length) => {
    // Prepare
    const core = makeCore();
    const key = await macKey(core, spec);
    const secret = (await core.store.getBackingKey(key, key.currentBackingKeyId))?.wrappedMaterial ?? new Uint8Array();

    // Act
    const output = await runHandler(core, generateMac, { KeyId: key.keyId, MacAlgorithm: algorithm, Message: MESSAGE });

    // Assess
    expect(output).toEqual({ KeyId: key.arn, MacAlgorithm: algorithm, Mac: new Uint8Array(createHmac(hash, secret).update(MESSAGE).digest()) });
    expect(output.Mac).toHaveLength(length);
  });

  it.each(SPECS.flatMap(([spec]) => SPECS.filter(([other]) => other !== spec).map(([, algorithm]) => [spec, algorithm] as const)))(
    'throws InvalidKeyUsageException when a %s key is asked for %s, as the MAC algorithm is the one of the key spec',
    async (spec, algorithm) => {
      // Prepare
      const core = makeCore();
      const key = await macKey(core, spec);

      // Act
      const error = await caught(runHandler(core, generateMac, { KeyId: key.keyId, MacAlgorithm: algorithm, Message: MESSAGE }));

      // Assess
      expect(error).toBeInstanceOf(InvalidKeyUsageException);
      expect(error.message).toBe(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
    },
  );

  it.each([
    ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'], ['ECC_NIST_P256', 'SIGN_VERIFY'],
  ] as const)('throws InvalidKeyUsageException when a %s key with usage %s is used, as the key\'s usage is GENERATE_VERIFY_MAC', async (spec, usage) => {
    // Prepare
    const core = makeCore();
    const key = spec === 'SYMMETRIC_DEFAULT' ? await seedKey(core) : await seedAsymmetricKey(core, { keySpec: spec, keyUsage: usage });

    // Act
    const error = await caught(runHandler(core, generateMac, { KeyId: key.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: MESSAGE }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`${key.arn} key usage is ${usage} which is not valid for GenerateMac.`);
  });

  it('throws DisabledException when the key is disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await macKey(core, 'HMAC_256', { keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, generateMac, { KeyId: key.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: MESSAGE }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
  });

  it('throws DryRunOperationException when DryRun is set and the request is valid', async () => {
    // Prepare
    const core = makeCore();
    const key = await macKey(core, 'HMAC_256');

    // Act
    const error = await caught(runHandler(core, generateMac, { KeyId: key.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: MESSAGE, DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
    expect(error.message).toBe(DRY_RUN_MESSAGE);
  });
});

describe('verifyMac', () => {
  it.each(SPECS)('returns MacValid when a %s key checks its own %s MAC', async (spec, algorithm) => {
    // Prepare
    const core = makeCore();
    const key = await macKey(core, spec);
    const mac = await macOf(core, key, algorithm);

    // Act
    const output = await runHandler(core, verifyMac, { KeyId: key.keyId, MacAlgorithm: algorithm, Message: MESSAGE, Mac: mac });

    // Assess
    expect(output).toEqual({ KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm });
  });

  it.each([
    ['one bit of the MAC is flipped', MESSAGE, (mac: Uint8Array) => Uint8Array.from(mac, (byte, i) => (i === 0 ? byte ^ 1 : byte))],
    ['the MAC is truncated', MESSAGE, (mac: Uint8Array) => mac.subarray(0, mac.length - 1)],
    ['the MAC has an extra byte', MESSAGE, (mac: Uint8Array) => Uint8Array.from([...mac, 0])],
    ['the MAC is empty', MESSAGE, () => new Uint8Array()],
    ['the message is changed', bytes('the message to authenticatE'), (mac: Uint8Array) => mac],
  ])('throws KMSInvalidMacException when %s, as the MAC matches, compared in constant time', async (_, message, change) => {
    // Prepare
    const core = makeCore();
    const key = await macKey(core, 'HMAC_256');
    const mac = change(await macOf(core, key, 'HMAC_SHA_256'));

    // Act
    const error = await caught(runHandler(core, verifyMac, { KeyId: key.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: message, Mac: mac }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidMacException);
    expect(error.message).toBe('');
  });

  it('throws KMSInvalidMacException when the MAC was made under another secret of the same size', async () => {
    // Prepare
    const core = makeCore();
    const key = await macKey(core, 'HMAC_384');
    const foreignMac = new Uint8Array(createHmac('sha384', randomBytes(48)).update(MESSAGE).digest());

    // Act
    const error = await caught(runHandler(core, verifyMac, { KeyId: key.keyId, MacAlgorithm: 'HMAC_SHA_384', Message: MESSAGE, Mac: foreignMac }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidMacException);
  });

  it('throws InvalidKeyUsageException when the algorithm is not the key spec\'s, as the MAC algorithm is the one of the key spec', async () => {
    // Prepare
    const core = makeCore();
    const key = await macKey(core, 'HMAC_256');
    const mac = await macOf(core, key, 'HMAC_SHA_256');

    // Act
    const error = await caught(runHandler(core, verifyMac, { KeyId: key.keyId, MacAlgorithm: 'HMAC_SHA_512', Message: MESSAGE, Mac: mac }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
  });

  it('throws DryRunOperationException when DryRun is set, even for a MAC that would not match', async () => {
    // Prepare
    const core = makeCore();
    const key = await macKey(core, 'HMAC_256');

    // Act
    const error = await caught(runHandler(core, verifyMac, { KeyId: key.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: MESSAGE, Mac: new Uint8Array(32), DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
  });

  it('throws DisabledException when the key is disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await macKey(core, 'HMAC_256', { keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, verifyMac, { KeyId: key.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: MESSAGE, Mac: new Uint8Array(32) }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
  });
});
