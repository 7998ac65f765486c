/**
 * The wire-conformance suite: every case of wire-cases.ts sent as signed AWS JSON 1.1 to the real
 * local server (SoftHSM, DynamoDB Local), its answer compared with AWS's recorded one: status,
 * `__type` (body and `x-amzn-ErrorType`), the message or its absence, the response members.
 */
import {
  CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, EncryptCommand, GetPublicKeyCommand, SignCommand,
  type KeySpec, type KeyUsageType,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_ID, OTHER_REGION, REGION, useLocalService } from '../e2e/support/local-service.js';
import { waitForAuditLines } from '../e2e/support/audit-log.js';
import { requestIdOf, sendRaw, type RawResponse } from '../e2e/support/raw-request.js';
import { WIRE_CASES, type ExpectedAnswer, type FixtureKey, type Fixtures, type WireCase } from './wire-cases.js';

const e2e = useLocalService();
/** Only for choosing cases before the fixtures exist: expectations of errors without a message quote no fixture. */
const FIXTURES_FOR_FILTER = new Proxy({}, { get: () => ({ keyId: '', arn: '' }) }) as Fixtures;
let fixtures: Fixtures;

async function createKey(keySpec: KeySpec, keyUsage: KeyUsageType, region = REGION): Promise<FixtureKey> {
  const { KeyMetadata } = await e2e.kmsIn(region).send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: keyUsage }));
  return { keyId: KeyMetadata?.KeyId ?? '', arn: KeyMetadata?.Arn ?? '' };
}

beforeAll(async () => {
  const kms = e2e.kms;
  const [symmetric, disabled, hmac256, rsaEncrypt, rsaSign, eccSign, eccAgreement, mlDsa, ed25519, elsewhere] = await Promise.all([
    createKey('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'),
    createKey('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'),
    createKey('HMAC_256', 'GENERATE_VERIFY_MAC'),
    createKey('RSA_2048', 'ENCRYPT_DECRYPT'),
    createKey('RSA_2048', 'SIGN_VERIFY'),
    createKey('ECC_NIST_P256', 'SIGN_VERIFY'),
    createKey('ECC_NIST_P256', 'KEY_AGREEMENT'),
    createKey('ML_DSA_44', 'SIGN_VERIFY'),
    createKey('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY'),
    createKey('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', OTHER_REGION),
  ]);
  await kms.send(new DisableKeyCommand({ KeyId: disabled.keyId }));
  const aliasName = 'alias/conformance';
  await kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: symmetric.keyId }));
  const encrypted = await kms.send(new EncryptCommand({ KeyId: symmetric.keyId, Plaintext: Buffer.from('secret'), EncryptionContext: { app: 'billing' } }));
  const signed = await kms.send(new SignCommand({ KeyId: rsaSign.keyId, SigningAlgorithm: 'RSASSA_PSS_SHA_256', Message: Buffer.from('hello') }));
  const publicKey = await kms.send(new GetPublicKeyCommand({ KeyId: eccAgreement.keyId }));
  fixtures = {
    accountId: ACCOUNT_ID, region: REGION, otherRegion: OTHER_REGION,
    symmetric, disabled, hmac256, rsaEncrypt, rsaSign, eccSign, eccAgreement, mlDsa, ed25519, elsewhere, aliasName,
    ciphertext: Buffer.from(encrypted.CiphertextBlob ?? new Uint8Array()).toString('base64'),
    rsaSignature: Buffer.from(signed.Signature ?? new Uint8Array()).toString('base64'),
    eccPublicKey: Buffer.from(publicKey.PublicKey ?? new Uint8Array()).toString('base64'),
  };
});

async function send(wireCase: WireCase): Promise<RawResponse> {
  const { endpoint, credentials } = e2e.service;
  const request = wireCase.request(fixtures);
  if ('kind' in request) {
    const { kind: _kind, unsigned, accessKeyId, ...changes } = request;
    return sendRaw({
      endpoint,
      credentials: unsigned === true ? undefined : { ...credentials, accessKeyId: accessKeyId ?? credentials.accessKeyId },
      ...changes,
    });
  }
  return sendRaw({ endpoint, credentials, target: `TrentService.${request.operation}`, body: JSON.stringify(request.body) });
}

function expectAnswer(response: RawResponse, expected: ExpectedAnswer): void {
  const summary = JSON.stringify(response.body).slice(0, 400);
  expect(response.status, summary).toBe(expected.status);
  if (expected.type === undefined) {
    expect(Object.keys(response.body).sort(), summary).toEqual([...(expected.members ?? [])].sort());
    return;
  }
  expect(response.body['__type'], summary).toBe(expected.type);
  expect(response.headers.get('x-amzn-errortype')).toBe(expected.type);
  if (expected.message === null) {
    expect(response.body, summary).not.toHaveProperty('message');
  } else if (expected.message instanceof RegExp) {
    expect(response.body['message']).toMatch(expected.message);
  } else if (expected.message !== undefined) {
    expect(response.body['message']).toBe(expected.message);
  }
}

describe('wire conformance with AWS KMS', () => {
  it.each(WIRE_CASES.map((wireCase) => [wireCase.name, wireCase] as const))('answers %s as AWS KMS does', async (_, wireCase) => {
    // Act
    const response = await send(wireCase);

    // Assess
    expectAnswer(response, wireCase.expect(fixtures));
  });

  it.each(WIRE_CASES.filter((wireCase) => wireCase.expect(FIXTURES_FOR_FILTER).message === null).map((wireCase) => [wireCase.name, wireCase] as const))(
    'records why it answered %s without a message in the audit event, and no errorMessage',
    async (_, wireCase) => {
      // Act
      const response = await send(wireCase);

      // Assess
      const [lines] = await waitForAuditLines(e2e.dataDir, [requestIdOf(response)]);
      const line = lines?.[0];
      expect(line?.errorCode).toBe(wireCase.expect(fixtures).type);
      expect(line).not.toHaveProperty('errorMessage');
      expect((line?.['additionalEventData'] as Record<string, unknown> | undefined)?.['errorReason']).toEqual(expect.stringMatching(/\S/));
    },
  );
});
