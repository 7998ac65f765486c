import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DisabledException, DryRunOperationException, InvalidKeyUsageException, UnsupportedOperationException,
} from '../../../../src/models/kms/generated/errors.js';
import type { KeySpec, KeyUsageType } from '../../../../src/models/kms/generated/shapes.js';
import type { KeyRecord } from '../../../../src/core/kms/records.js';
import { deriveSharedSecret } from '../../../../src/core/kms/operations/derive-shared-secret.js';
import { getPublicKey } from '../../../../src/core/kms/operations/sign-verify.js';
import { caught, makeCore, runHandler, seedAsymmetricKey, seedKey, type CoreHarness } from '../../../support/core.js';

const CURVES = [['ECC_NIST_P256', 'prime256v1', 32], ['ECC_NIST_P384', 'secp384r1', 48], ['ECC_NIST_P521', 'secp521r1', 66]] as const;

const agreementKey = (core: CoreHarness, keySpec: KeySpec = 'ECC_NIST_P256', overrides: Partial<KeyRecord> = {}) =>
  seedAsymmetricKey(core, { keySpec, keyUsage: 'KEY_AGREEMENT', ...overrides });

/** A key pair of the other party, made with Node, with its public key as SPKI DER. */
function otherParty(curve: string) {
  const pair = generateKeyPairSync('ec', { namedCurve: curve });
  return { privateKey: pair.privateKey, spki: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })) };
}

describe('deriveSharedSecret', () => {
  it.each(CURVES)('returns the secret Node derives from the other side when the key is %s', async (spec, curve, length) => {
    // Prepare
    const core = makeCore();
    const key = await agreementKey(core, spec);
    const peer = otherParty(curve);
    const { PublicKey } = await runHandler(core, getPublicKey, { KeyId: key.keyId });
    const kmsPublicKey = createPublicKey({ key: Buffer.from(PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' });

    // Act
    const output = await runHandler(core, deriveSharedSecret, { KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer.spki });

    // Assess
    const expected = new Uint8Array(diffieHellman({ privateKey: peer.privateKey, publicKey: kmsPublicKey }));
    expect(output).toEqual({ KeyId: key.arn, SharedSecret: expected, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
    expect(output.SharedSecret).toHaveLength(length);
  });

  it.each([
    ['ECC_NIST_P256', 'SIGN_VERIFY'], ['RSA_2048', 'ENCRYPT_DECRYPT'], ['HMAC_256', 'GENERATE_VERIFY_MAC'],
  ] as const)('throws InvalidKeyUsageException when a %s key has usage %s, as the key\'s usage is KEY_AGREEMENT', async (spec, usage: KeyUsageType) => {
    // Prepare
    const core = makeCore();
    const key = await seedAsymmetricKey(core, { keySpec: spec, keyUsage: usage });

    // Act
    const error = await caught(runHandler(core, deriveSharedSecret, { KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: otherParty('prime256v1').spki }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`${key.arn} key usage is ${usage} which is not valid for DeriveSharedSecret.`);
  });

  it('throws InvalidKeyUsageException when the key is a symmetric encryption key, as the key\'s usage is KEY_AGREEMENT', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, deriveSharedSecret, { KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: otherParty('prime256v1').spki }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
  });

  it('throws DisabledException when the key is disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await agreementKey(core, 'ECC_NIST_P256', { keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, deriveSharedSecret, { KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: otherParty('prime256v1').spki }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
  });

  it('throws DryRunOperationException when DryRun is set and the request is valid', async () => {
    // Prepare
    const core = makeCore();
    const key = await agreementKey(core);

    // Act
    const error = await caught(runHandler(core, deriveSharedSecret, { KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: otherParty('prime256v1').spki, DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
  });

  it('throws UnsupportedOperationException when the request names a Recipient', async () => {
    // Prepare
    const core = makeCore();
    const key = await agreementKey(core);

    // Act
    const error = await caught(runHandler(core, deriveSharedSecret, {
      KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: otherParty('prime256v1').spki, Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' },
    }));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
  });
});
