import { describe, expect, it } from 'vitest';
import {
  AccessDeniedException, DisabledException, DryRunOperationException, IncorrectKeyException, InvalidCiphertextException,
  InvalidKeyUsageException, KMSInvalidStateException, NotFoundException, UnsupportedOperationException, ValidationException,
} from '../../../../src/models/kms/generated/errors.js';
import { encodeCiphertext, encodeHeader, parseCiphertext } from '../../../../src/core/kms/crypto/ciphertext-blob.js';
import type { DecryptRequest, ReEncryptRequest } from '../../../../src/models/kms/generated/shapes.js';
import { decrypt, encrypt, reEncrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import {
  ACCOUNT_ID, OTHER_ACCOUNT_ID, REGION, bytes, caught, makeAlias, makeCall, makeContext, makeCore, makeKeyId, makePrincipal, runHandler, seedKey,
  type CoreHarness,
} from '../../../support/core.js';

const DRY_RUN_MESSAGE = 'The request would have succeeded, but the DryRun option is set.';
const CONTEXT = { purpose: 'test', tenant: 'acme' };

async function encryptWith(core: CoreHarness, keyId: string, context: Record<string, string> | undefined = CONTEXT, text = 'secret') {
  const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: keyId, Plaintext: bytes(text), EncryptionContext: context });
  if (CiphertextBlob === undefined) throw new Error('no ciphertext');
  return CiphertextBlob;
}

describe('encrypt', () => {
  it.each([
    ['a key ID', (arn: string) => arn.split('/')[1] ?? ''],
    ['a key ARN', (arn: string) => arn],
    ['an alias name', () => 'alias/test'],
    ['an alias ARN', () => `arn:aws:kms:${REGION}:${ACCOUNT_ID}:alias/test`],
  ])('returns a ciphertext naming the key ARN when the key is named by %s', async (_, name) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await core.store.createAlias(makeAlias({ targetKeyId: key.keyId }));

    // Act
    const output = await runHandler(core, encrypt, { KeyId: name(key.arn), Plaintext: bytes('secret') });

    // Assess
    expect(output.KeyId).toBe(key.arn);
    expect(output.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(parseCiphertext(output.CiphertextBlob ?? new Uint8Array()).keyArn).toBe(key.arn);
  });

  it('records the key among the touched resources', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const call = makeCall(core, { KeyId: key.keyId, Plaintext: bytes('x') });

    // Act
    await encrypt(call);

    // Assess
    expect(call.touched.list()).toEqual([key.arn]);
  });

  it('throws DisabledException when the key is disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x') }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
    expect(error.message).toBe(`${key.arn} is disabled.`);
  });

  it('throws KMSInvalidStateException when the key is pending deletion', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'PendingDeletion' });

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x') }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidStateException);
    expect(error.message).toBe(`${key.arn} is pending deletion.`);
  });

  it('throws InvalidKeyUsageException because a symmetric key encrypts only with SYMMETRIC_DEFAULT', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec ${key.keySpec}.`);
  });

  it("throws InvalidKeyUsageException because the key's usage is ENCRYPT_DECRYPT", async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x') }));

    // Assess
    expect(error).toBeInstanceOf(InvalidKeyUsageException);
    expect(error.message).toBe(`${key.arn} key usage is GENERATE_VERIFY_MAC which is not valid for this operation.`);
  });

  it('throws DryRunOperationException and writes nothing when the request is a dry run', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x'), DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
    expect(error.message).toBe(DRY_RUN_MESSAGE);
  });

  it('throws DisabledException rather than DryRunOperationException when a dry run names a disabled key', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x'), DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
  });

  it.each([
    ['a key ID', makeKeyId(99), `Key 'arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${makeKeyId(99)}' does not exist`],
    ['an alias', 'alias/missing', `Alias arn:aws:kms:${REGION}:${ACCOUNT_ID}:alias/missing is not found.`],
    [
      'a key ARN of another Region',
      `arn:aws:kms:eu-west-1:${ACCOUNT_ID}:key/${makeKeyId(1)}`,
      `Key 'arn:aws:kms:eu-west-1:${ACCOUNT_ID}:key/${makeKeyId(1)}' does not exist`,
    ],
    [
      'an alias ARN of another Region',
      `arn:aws:kms:eu-west-1:${ACCOUNT_ID}:alias/test`,
      `Alias arn:aws:kms:eu-west-1:${ACCOUNT_ID}:alias/test is not found.`,
    ],
  ])('throws NotFoundException when %s names no key', async (_, keyId, message) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await core.store.createAlias(makeAlias({ targetKeyId: key.keyId }));

    // Act
    const error = await caught(runHandler(core, encrypt, { KeyId: keyId, Plaintext: bytes('x') }));

    // Assess
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toBe(message);
  });

  it('throws AccessDeniedException for a key of another account whose key policy does not name the caller\'s account', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { accountId: OTHER_ACCOUNT_ID });
    const call = makeCall(core, { KeyId: key.arn, Plaintext: bytes('x') });

    // Act
    const error = await caught(encrypt(call));

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toBe(
      `User: arn:aws:iam::${ACCOUNT_ID}:root is not authorized to perform: kms:Encrypt on resource: ${key.arn} because no resource-based policy allows the kms:Encrypt action`,
    );
    expect(call.touched.list()).toEqual([key.arn]);
  });
});

describe('decrypt', () => {
  it('returns the plaintext, key ARN and algorithm when the context matches', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const blob = await encryptWith(core, key.keyId);

    // Act
    const output = await runHandler(core, decrypt, { CiphertextBlob: blob, EncryptionContext: { tenant: 'acme', purpose: 'test' } });

    // Assess
    expect(new TextDecoder().decode(output.Plaintext)).toBe('secret');
    expect(output.KeyId).toBe(key.arn);
    expect(output.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
  });

  it.each([
    ['a changed value', { purpose: 'test', tenant: 'other' }],
    ['a missing pair', { purpose: 'test' }],
    ['an extra pair', { ...CONTEXT, extra: '1' }],
    ['no context at all', undefined],
  ])('throws InvalidCiphertextException without a message when the context has %s', async (_, context) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const blob = await encryptWith(core, key.keyId);

    // Act
    const error = await caught(runHandler(core, decrypt, { CiphertextBlob: blob, EncryptionContext: context }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
    expect(error.message).toBe('');
  });

  it('throws InvalidCiphertextException when a ciphertext made without a context is given one', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const { CiphertextBlob: blob = new Uint8Array() } = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('secret') });

    // Act
    const error = await caught(runHandler(core, decrypt, { CiphertextBlob: blob, EncryptionContext: CONTEXT }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('throws InvalidCiphertextException when any byte after the key ARN is flipped', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const blob = await encryptWith(core, key.keyId);
    const firstAfterArn = 2 + key.arn.length;

    for (let index = firstAfterArn; index < blob.length; index++) {
      const tampered = Uint8Array.from(blob);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;

      // Act
      const error = await caught(runHandler(core, decrypt, { CiphertextBlob: tampered, EncryptionContext: CONTEXT }));

      // Assess
      expect(error, `byte ${index} flipped`).toBeInstanceOf(InvalidCiphertextException);
    }
  });

  it('throws InvalidCiphertextException because the blob names a well-formed key ARN', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const parsed = parseCiphertext(await encryptWith(core, key.keyId));
    const header = encodeHeader({ keyArn: 'not-an-arn', backingKeyId: parsed.backingKeyId });
    const blob = encodeCiphertext(header, parsed.iv, parsed.sealed);

    // Act
    const error = await caught(runHandler(core, decrypt, { CiphertextBlob: blob, EncryptionContext: CONTEXT }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
    expect(error.message).toBe('');
  });

  it('throws InvalidCiphertextException when the blob names a backing key the key does not have', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const parsed = parseCiphertext(await encryptWith(core, key.keyId));
    const header = encodeHeader({ keyArn: parsed.keyArn, backingKeyId: new Uint8Array(32).fill(0xcd) });
    const blob = encodeCiphertext(header, parsed.iv, parsed.sealed);

    // Act
    const error = await caught(runHandler(core, decrypt, { CiphertextBlob: blob, EncryptionContext: CONTEXT }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('throws InvalidCiphertextException when a ciphertext of one key is relabelled with another key of the account', async () => {
    // Prepare
    const core = makeCore();
    const first = await seedKey(core, { keyId: makeKeyId(1) });
    const second = await seedKey(core, { keyId: makeKeyId(2), currentBackingKeyId: first.currentBackingKeyId });
    const parsed = parseCiphertext(await encryptWith(core, first.keyId));
    const blob = encodeCiphertext(encodeHeader({ keyArn: second.arn, backingKeyId: parsed.backingKeyId }), parsed.iv, parsed.sealed);

    // Act
    const error = await caught(runHandler(core, decrypt, { CiphertextBlob: blob, EncryptionContext: CONTEXT }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it.each([
    ['its key ID', (arn: string) => arn.split('/')[1] ?? ''],
    ['its key ARN', (arn: string) => arn],
    ['an alias of it', () => 'alias/test'],
  ])('returns the plaintext when the request names the key by %s', async (_, name) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await core.store.createAlias(makeAlias({ targetKeyId: key.keyId }));
    const blob = await encryptWith(core, key.keyId);

    // Act
    const output = await runHandler(core, decrypt, { CiphertextBlob: blob, EncryptionContext: CONTEXT, KeyId: name(key.arn) });

    // Assess
    expect(new TextDecoder().decode(output.Plaintext)).toBe('secret');
  });

  it('throws IncorrectKeyException because a KeyId in the request names the key the ciphertext was made with', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyId: makeKeyId(1) });
    const other = await seedKey(core, { keyId: makeKeyId(2) });
    const blob = await encryptWith(core, key.keyId);

    // Act
    const error = await caught(runHandler(core, decrypt, { CiphertextBlob: blob, EncryptionContext: CONTEXT, KeyId: other.keyId }));

    // Assess
    expect(error).toBeInstanceOf(IncorrectKeyException);
    expect(error.message).toBe('The key ID in the request does not identify a CMK that can perform this operation.');
  });

  it('throws DisabledException when the key was disabled after encrypting', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const blob = await encryptWith(core, key.keyId);
    await core.store.updateKey({ ...key, keyState: 'Disabled', revision: 2 }, 1);

    // Act
    const error = await caught(runHandler(core, decrypt, { CiphertextBlob: blob, EncryptionContext: CONTEXT }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
    expect(error.message).toBe(`${key.arn} is disabled.`);
  });

  it('throws AccessDeniedException when the ciphertext was made with a key of another account', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { accountId: OTHER_ACCOUNT_ID });
    const owner = makeContext({ principal: makePrincipal({ accountId: OTHER_ACCOUNT_ID }) });
    const { CiphertextBlob } = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x') }, { ...owner });
    const ownerCall = makeCall(core, { CiphertextBlob: CiphertextBlob ?? new Uint8Array() }, owner);
    const ownDecrypt = await decrypt(ownerCall);

    // Act
    const error = await caught(runHandler(core, decrypt, { CiphertextBlob: CiphertextBlob ?? new Uint8Array() }));

    // Assess
    expect(new TextDecoder().decode(ownDecrypt.Plaintext)).toBe('x');
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toBe(
      `User: arn:aws:iam::${ACCOUNT_ID}:root is not authorized to perform: kms:Decrypt on resource: ${key.arn} because no resource-based policy allows the kms:Decrypt action`,
    );
  });

  it('throws DryRunOperationException when a dry run has a ciphertext that decrypts', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const blob = await encryptWith(core, key.keyId);

    // Act
    const error = await caught(runHandler(core, decrypt, { CiphertextBlob: blob, EncryptionContext: CONTEXT, DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
    expect(error.message).toBe(DRY_RUN_MESSAGE);
  });

  it('throws DryRunOperationException when a dry run with IGNORE_CIPHERTEXT names a usable key', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const input: DecryptRequest = { KeyId: key.keyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] };

    // Act
    const error = await caught(runHandler(core, decrypt, input));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
    expect(error.message).toBe(DRY_RUN_MESSAGE);
  });

  it('throws DisabledException when a dry run with IGNORE_CIPHERTEXT names a disabled key', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'Disabled' });
    const input = { KeyId: key.keyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] } as DecryptRequest;

    // Act
    const error = await caught(runHandler(core, decrypt, input));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
  });

  it.each<[string, Partial<DecryptRequest>]>([
    ['no dry run', {}],
    ['a dry run without IGNORE_CIPHERTEXT', { DryRun: true }],
    ['a dry run with IGNORE_CIPHERTEXT but no KeyId', { DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }],
    ['IGNORE_CIPHERTEXT without a dry run', { KeyId: makeKeyId(1), DryRunModifiers: ['IGNORE_CIPHERTEXT'] }],
  ])('throws ValidationException when the ciphertext is missing and the request has %s', async (_, input) => {
    // Prepare
    const core = makeCore();
    await seedKey(core);

    // Act
    const error = await caught(runHandler(core, decrypt, input as DecryptRequest));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
  });

  it('throws UnsupportedOperationException when the request has a Recipient', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const blob = await encryptWith(core, key.keyId);

    // Act
    const error = await caught(runHandler(core, decrypt, {
      CiphertextBlob: blob, EncryptionContext: CONTEXT, Recipient: { AttestationDocument: new Uint8Array([1]) },
    }));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
    expect(error.message).toBe('Recipient (attested enclave requests) is not supported yet by this service.');
  });
});

describe('reEncrypt', () => {
  async function prepare() {
    const core = makeCore();
    const source = await seedKey(core, { keyId: makeKeyId(1), currentBackingKeyId: 'a1'.repeat(32) });
    const destination = await seedKey(core, { keyId: makeKeyId(2), currentBackingKeyId: 'b2'.repeat(32) });
    const blob = await encryptWith(core, source.keyId);
    return { core, source, destination, blob };
  }

  it('returns a ciphertext under the destination key and context that decrypts to the same plaintext', async () => {
    // Prepare
    const { core, source, destination, blob } = await prepare();
    const call = makeCall<ReEncryptRequest>(core, {
      CiphertextBlob: blob, SourceEncryptionContext: CONTEXT, DestinationKeyId: destination.keyId, DestinationEncryptionContext: { next: '1' },
    });

    // Act
    const output = await reEncrypt(call);

    // Assess
    expect(output).toMatchObject({
      SourceKeyId: source.arn, KeyId: destination.arn, SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    const decrypted = await runHandler(core, decrypt, { CiphertextBlob: output.CiphertextBlob ?? new Uint8Array(), EncryptionContext: { next: '1' } });
    expect(new TextDecoder().decode(decrypted.Plaintext)).toBe('secret');
    expect(decrypted.KeyId).toBe(destination.arn);
    expect(call.touched.list()).toEqual([source.arn, destination.arn]);
  });

  it('throws InvalidCiphertextException when the source context does not match', async () => {
    // Prepare
    const { core, destination, blob } = await prepare();

    // Act
    const error = await caught(runHandler(core, reEncrypt, { CiphertextBlob: blob, SourceEncryptionContext: { purpose: 'other' }, DestinationKeyId: destination.keyId }));

    // Assess
    expect(error).toBeInstanceOf(InvalidCiphertextException);
  });

  it('throws IncorrectKeyException when SourceKeyId names another key', async () => {
    // Prepare
    const { core, destination, blob } = await prepare();

    // Act
    const error = await caught(runHandler(core, reEncrypt, {
      CiphertextBlob: blob, SourceEncryptionContext: CONTEXT, SourceKeyId: destination.keyId, DestinationKeyId: destination.keyId,
    }));

    // Assess
    expect(error).toBeInstanceOf(IncorrectKeyException);
  });

  it('throws DisabledException when the destination key is disabled', async () => {
    // Prepare
    const { core, destination, blob } = await prepare();
    await core.store.updateKey({ ...destination, keyState: 'Disabled', revision: 2 }, 1);

    // Act
    const error = await caught(runHandler(core, reEncrypt, { CiphertextBlob: blob, SourceEncryptionContext: CONTEXT, DestinationKeyId: destination.keyId }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
    expect(error.message).toBe(`${destination.arn} is disabled.`);
  });

  it('throws DryRunOperationException when the request is a dry run', async () => {
    // Prepare
    const { core, destination, blob } = await prepare();

    // Act
    const error = await caught(runHandler(core, reEncrypt, {
      CiphertextBlob: blob, SourceEncryptionContext: CONTEXT, DestinationKeyId: destination.keyId, DryRun: true,
    }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
  });

  it('throws AccessDeniedException naming kms:ReEncryptFrom when a dry run with IGNORE_CIPHERTEXT names a source key of another account', async () => {
    // Prepare
    const { core, destination } = await prepare();
    const foreign = await seedKey(core, { keyId: makeKeyId(3), accountId: OTHER_ACCOUNT_ID });

    // Act
    const error = await caught(runHandler(core, reEncrypt, {
      SourceKeyId: foreign.arn, DestinationKeyId: destination.keyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'],
    }));

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toBe(
      `User: arn:aws:iam::${ACCOUNT_ID}:root is not authorized to perform: kms:ReEncryptFrom on resource: ${foreign.arn} because no resource-based policy allows the kms:ReEncryptFrom action`,
    );
  });

  it('throws DryRunOperationException when a dry run with IGNORE_CIPHERTEXT names a usable source key', async () => {
    // Prepare
    const { core, source, destination } = await prepare();

    // Act
    const error = await caught(runHandler(core, reEncrypt, {
      SourceKeyId: source.keyId, DestinationKeyId: destination.keyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'],
    }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
  });
});
