import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DisabledException, DryRunOperationException, InvalidCiphertextException, InvalidKeyUsageException, UnsupportedOperationException,
  ValidationException,
} from '../../../../src/models/kms/generated/errors.js';
import type {
  DataKeyPairSpec, GenerateDataKeyPairWithoutPlaintextRequest, GenerateDataKeyPairWithoutPlaintextResponse, KeySpec, KeyUsageType,
} from '../../../../src/models/kms/generated/shapes.js';
import type { RequestContext } from '../../../../src/core/request-context.js';
import { createKey } from '../../../../src/core/kms/operations/create-key.js';
import { generateDataKeyPair, generateDataKeyPairWithoutPlaintext } from '../../../../src/core/kms/operations/data-key-pairs.js';
import { decrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import { FakeAsymmetricMaterial } from '../../../support/fake-asymmetric-material.js';
import {
  caught, makeContext, makeCore, runHandler, seedAsymmetricKey, seedKey, withAsymmetric, type CoreHarness,
} from '../../../support/core.js';

/** Every DataKeyPairSpec the fake makes (all but SM2), with the key type and curve Node reports for it. */
const PAIR_SPECS: readonly (readonly [DataKeyPairSpec, string, string | undefined])[] = [
  ['RSA_2048', 'rsa', undefined], ['RSA_3072', 'rsa', undefined], ['RSA_4096', 'rsa', undefined],
  ['ECC_NIST_P256', 'ec', 'prime256v1'], ['ECC_NIST_P384', 'ec', 'secp384r1'], ['ECC_NIST_P521', 'ec', 'secp521r1'],
  ['ECC_SECG_P256K1', 'ec', 'secp256k1'], ['ECC_NIST_EDWARDS25519', 'ed25519', undefined],
];
const FAST_PAIR_SPECS = PAIR_SPECS.filter(([spec]) => spec !== 'RSA_3072' && spec !== 'RSA_4096');
/** AWS's enum list for KeyPairSpec in a Region without SM2. */
const PAIR_SPECS_WITHOUT_SM2 = 'RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, ECC_NIST_EDWARDS25519';
const CONTEXT = { purpose: 'data key pair' };
type PairRun = (core: CoreHarness, input: GenerateDataKeyPairWithoutPlaintextRequest, ctx?: RequestContext) => Promise<GenerateDataKeyPairWithoutPlaintextResponse>;
const OPERATIONS: readonly (readonly [string, PairRun])[] = [
  ['GenerateDataKeyPair', (core, input, ctx) => runHandler(core, generateDataKeyPair, input, ctx)],
  ['GenerateDataKeyPairWithoutPlaintext', (core, input, ctx) => runHandler(core, generateDataKeyPairWithoutPlaintext, input, ctx)],
];

/** Key material that returns a fixed placeholder pair, for the SM2 spec the fake does not make. */
class PlaceholderDataKeyPairs extends FakeAsymmetricMaterial {
  override async generateDataKeyPair(): Promise<{ privateKey: Uint8Array; publicKey: Uint8Array }> {
    return { privateKey: Uint8Array.of(1, 2, 3), publicKey: Uint8Array.of(4, 5, 6) };
  }
}

async function decryptBlob(core: CoreHarness, blob: Uint8Array | undefined, context?: Record<string, string>): Promise<Uint8Array> {
  const { Plaintext } = await runHandler(core, decrypt, { CiphertextBlob: blob ?? new Uint8Array(), EncryptionContext: context });
  return Plaintext ?? new Uint8Array();
}

const spkiOfPrivateKey = (pkcs8: Uint8Array) =>
  new Uint8Array(createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' }));

describe('generateDataKeyPair', () => {
  it.each(PAIR_SPECS)('returns a matching %s key pair whose private key ciphertext decrypts to the PKCS#8 plaintext', async (spec, type, curve) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const output = await runHandler(core, generateDataKeyPair, { KeyId: key.keyId, KeyPairSpec: spec });

    // Assess
    expect(output).toMatchObject({ KeyId: key.arn, KeyPairSpec: spec, KeyMaterialId: key.currentBackingKeyId });
    const privateKey = output.PrivateKeyPlaintext ?? new Uint8Array();
    const publicKey = createPublicKey({ key: Buffer.from(output.PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyType).toBe(type);
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe(curve);
    expect(spkiOfPrivateKey(privateKey)).toEqual(output.PublicKey);
    expect(await decryptBlob(core, output.PrivateKeyCiphertextBlob)).toEqual(privateKey);
  });

  it('returns a private key ciphertext bound to the encryption context', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const output = await runHandler(core, generateDataKeyPair, { KeyId: key.keyId, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: CONTEXT });

    // Act
    const withContext = await decryptBlob(core, output.PrivateKeyCiphertextBlob, CONTEXT);
    const error = await caught(decryptBlob(core, output.PrivateKeyCiphertextBlob));

    // Assess
    expect(withContext).toEqual(output.PrivateKeyPlaintext);
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('returns a fresh key pair on each call', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const first = await runHandler(core, generateDataKeyPair, { KeyId: key.keyId, KeyPairSpec: 'ECC_NIST_P256' });
    const second = await runHandler(core, generateDataKeyPair, { KeyId: key.keyId, KeyPairSpec: 'ECC_NIST_P256' });

    // Assess
    expect(first.PublicKey).not.toEqual(second.PublicKey);
  });

  it('throws UnsupportedOperationException when the request names a Recipient', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, generateDataKeyPair, { KeyId: key.keyId, KeyPairSpec: 'ECC_NIST_P256', Recipient: {} }));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
  });
});

describe('generateDataKeyPairWithoutPlaintext', () => {
  it.each(FAST_PAIR_SPECS)('returns a %s public key and a private key ciphertext, and no plaintext', async (spec, type) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const output = await runHandler(core, generateDataKeyPairWithoutPlaintext, { KeyId: key.keyId, KeyPairSpec: spec });

    // Assess
    expect(Object.keys(output).sort()).toEqual(['KeyId', 'KeyMaterialId', 'KeyPairSpec', 'PrivateKeyCiphertextBlob', 'PublicKey']);
    expect(output).toMatchObject({ KeyId: key.arn, KeyPairSpec: spec, KeyMaterialId: key.currentBackingKeyId });
    const privateKey = await decryptBlob(core, output.PrivateKeyCiphertextBlob);
    expect(createPrivateKey({ key: Buffer.from(privateKey), format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe(type);
    expect(spkiOfPrivateKey(privateKey)).toEqual(output.PublicKey);
  });
});

describe.each(OPERATIONS)('%s', (_, run) => {
  it('throws ValidationException listing the key pair specs without SM2 when SM2 is asked for outside China', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(run(core, { KeyId: key.keyId, KeyPairSpec: 'SM2' }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(
      `1 validation error detected: Value 'SM2' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: [${PAIR_SPECS_WITHOUT_SM2}]`,
    );
  });

  it('returns an SM2 pair when the Region is cn-north-1', async () => {
    // Prepare
    const core = withAsymmetric(makeCore(), new PlaceholderDataKeyPairs());
    const china = makeContext({ region: 'cn-north-1' });
    const { KeyMetadata } = await runHandler(core, createKey, {}, china);

    // Act
    const output = await run(core, { KeyId: KeyMetadata?.KeyId ?? '', KeyPairSpec: 'SM2' }, china);

    // Assess
    expect(output).toMatchObject({ KeyId: KeyMetadata?.Arn, KeyPairSpec: 'SM2', PublicKey: Uint8Array.of(4, 5, 6) });
    const { Plaintext } = await runHandler(core, decrypt, { CiphertextBlob: output.PrivateKeyCiphertextBlob ?? new Uint8Array() }, china);
    expect(Plaintext).toEqual(Uint8Array.of(1, 2, 3));
  });

  it.each([
    ['RSA_2048', 'ENCRYPT_DECRYPT'], ['RSA_2048', 'SIGN_VERIFY'], ['ECC_NIST_P256', 'SIGN_VERIFY'], ['HMAC_256', 'GENERATE_VERIFY_MAC'],
  ] as const)('throws InvalidKeyUsageException when the KeyId is a %s key with usage %s, as the private key is encrypted under a symmetric encryption key', async (spec: KeySpec, usage: KeyUsageType) => {
    // Prepare
    const core = makeCore();
    const key = await seedAsymmetricKey(core, { keySpec: spec, keyUsage: usage });

    // Act
    const error = await caught(run(core, { KeyId: key.keyId, KeyPairSpec: 'ECC_NIST_P256' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
  });

  it('throws DisabledException when the key is disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'Disabled' });

    // Act
    const error = await caught(run(core, { KeyId: key.keyId, KeyPairSpec: 'ECC_NIST_P256' }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
  });

  it('throws DryRunOperationException when DryRun is set and the request is valid', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(run(core, { KeyId: key.keyId, KeyPairSpec: 'ECC_NIST_P256', DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
  });
});
