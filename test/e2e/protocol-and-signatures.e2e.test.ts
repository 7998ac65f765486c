import {
  CreateCustomKeyStoreCommand, DescribeCustomKeyStoresCommand, ListKeysCommand, ReplicateKeyCommand, UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectKmsError } from './support/assertions.js';
import { OTHER_REGION, useLocalService } from './support/local-service.js';
import { sendRaw, type RawRequest, type RawResponse } from './support/raw-request.js';

const e2e = useLocalService();

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided. '
  + 'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const AMZ_DATE = String.raw`\d{8}T\d{6}Z`;
const MINUTE_MS = 60_000;

/** A request signed with the service's own root credentials, with `changes` applied. */
function signedRequest(changes: Partial<RawRequest> = {}): RawRequest {
  return { endpoint: e2e.service.endpoint, credentials: e2e.service.credentials, ...changes };
}

/** `authorization` without the named `Name=value` field. */
function withoutField(authorization: string, name: string): string {
  const space = authorization.indexOf(' ');
  const fields = authorization.slice(space + 1).split(', ').filter((field) => !field.startsWith(`${name}=`));
  return `${authorization.slice(0, space)} ${fields.join(', ')}`;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function keyCount(): Promise<number> {
  const { Keys: keys } = await e2e.kms.send(new ListKeysCommand({ Limit: 1000 }));
  return keys?.length ?? -1;
}

function expectAwsJsonError(response: RawResponse, type: string, message?: string | RegExp): void {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
  expect(response.body).toEqual({ __type: type, message: expect.any(String) });
  if (typeof message === 'string') expect(response.body['message']).toBe(message);
  if (message instanceof RegExp) expect(response.body['message']).toMatch(message);
}

describe('AWS JSON protocol', () => {
  it('returns 200 and the listing when a hand-signed ListKeys is well formed', async () => {
    // Prepare
    const request = signedRequest();

    // Act
    const response = await sendRaw(request);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body).toEqual({ Keys: expect.any(Array), Truncated: false });
  });

  it.each([
    ['is not JSON', '{"Limit": '],
    ['is empty', ''],
    ['is a JSON array', '[]'],
    ['gives a string where a number belongs', '{"Limit": "ten"}'],
  ])('returns SerializationException with HTTP 400 when the body %s', async (_case, body) => {
    // Prepare
    const request = signedRequest({ body });

    // Act
    const response = await sendRaw(request);

    // Assess
    expectAwsJsonError(response, 'SerializationException');
  });

  it.each([
    ['names no operation', 'TrentService.MakeCoffee'],
    ['lacks the TrentService prefix', 'ListKeys'],
    ['has another service prefix', 'DynamoDB_20120810.ListTables'],
  ])('returns UnknownOperationException with HTTP 400 when X-Amz-Target %s', async (_case, target) => {
    // Prepare
    const request = signedRequest({ target });

    // Act
    const response = await sendRaw(request);

    // Assess
    expectAwsJsonError(response, 'UnknownOperationException');
  });

  it('returns an error body with __type and message when a hand-signed request fails in an operation', async () => {
    // Prepare
    const keyId = randomUUID();
    const request = signedRequest({ target: 'TrentService.DescribeKey', body: JSON.stringify({ KeyId: keyId }) });

    // Act
    const response = await sendRaw(request);

    // Assess
    expectAwsJsonError(response, 'NotFoundException', `Key 'arn:aws:kms:us-east-1:111122223333:key/${keyId}' does not exist`);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['CreateCustomKeyStore', () => new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'store' })],
    ['DescribeCustomKeyStores', () => new DescribeCustomKeyStoresCommand({})],
    ['ReplicateKey', () => new ReplicateKeyCommand({ KeyId: randomUUID(), ReplicaRegion: 'eu-west-1' })],
    ['UpdatePrimaryRegion', () => new UpdatePrimaryRegionCommand({ KeyId: randomUUID(), PrimaryRegion: 'eu-west-1' })],
  ] as const)('returns UnsupportedOperationException naming %s when the SDK calls it', async (operation, command) => {
    // Prepare
    const unbuilt = command();

    // Act
    const request = e2e.kms.send(unbuilt as never);

    // Assess
    await expectKmsError(request, 'UnsupportedOperationException', new RegExp(`\\b${operation}\\b`));
  });
});

describe('SigV4 verification', () => {
  const rejectedCreateKey = { target: 'TrentService.CreateKey', body: '{"Description":"must never exist"}' };

  it.each<[string, () => RawRequest, string, string | RegExp]>([
    ['there is no Authorization header', () => ({ ...signedRequest(rejectedCreateKey), credentials: undefined }),
      'MissingAuthenticationTokenException', 'Missing Authentication Token'],
    ['the Authorization header lacks Credential', () => signedRequest({ ...rejectedCreateKey, editAuthorization: (auth) => withoutField(auth, 'Credential') }),
      'IncompleteSignatureException', /^Authorization header requires 'Credential' parameter\. Authorization=AWS4-HMAC-SHA256 SignedHeaders=/],
    ['the Authorization header lacks Signature', () => signedRequest({ ...rejectedCreateKey, editAuthorization: (auth) => withoutField(auth, 'Signature') }),
      'IncompleteSignatureException', /^Authorization header requires 'Signature' parameter\. Authorization=AWS4-HMAC-SHA256 Credential=/],
    ['the Authorization header lacks SignedHeaders', () => signedRequest({ ...rejectedCreateKey, editAuthorization: (auth) => withoutField(auth, 'SignedHeaders') }),
      'IncompleteSignatureException', /^Authorization header requires 'SignedHeaders' parameter\. Authorization=AWS4-HMAC-SHA256 Credential=/],
    ['the access key is unknown', () => signedRequest({ ...rejectedCreateKey, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } }),
      'UnrecognizedClientException', 'The security token included in the request is invalid.'],
    ['the secret is wrong', () => signedRequest({ ...rejectedCreateKey, credentials: { ...e2e.service.credentials, secretAccessKey: 'not-the-secret' } }),
      'InvalidSignatureException', SIGNATURE_MISMATCH],
    ['it was signed 20 minutes ago', () => signedRequest({ ...rejectedCreateKey, signingDate: new Date(Date.now() - 20 * MINUTE_MS) }),
      'InvalidSignatureException', new RegExp(`^Signature expired: ${AMZ_DATE} is now earlier than ${AMZ_DATE} \\(${AMZ_DATE} - 15 min\\.\\)$`)],
    ['it was signed 20 minutes in the future', () => signedRequest({ ...rejectedCreateKey, signingDate: new Date(Date.now() + 20 * MINUTE_MS) }),
      'InvalidSignatureException', new RegExp(`^Signature not yet current: ${AMZ_DATE} is still later than ${AMZ_DATE} \\(${AMZ_DATE} \\+ 15 min\\.\\)$`)],
    ['the body was changed after signing', () => signedRequest({ ...rejectedCreateKey, signedBody: '{"Description":"signed"}' }),
      'InvalidSignatureException', SIGNATURE_MISMATCH],
    ['x-amz-content-sha256 does not match the body', () => signedRequest({ ...rejectedCreateKey, headers: { 'x-amz-content-sha256': sha256Hex('{}') } }),
      'InvalidSignatureException', /x-amz-content-sha256/],
    ['the scope names another service', () => signedRequest({ ...rejectedCreateKey, service: 'sts' }),
      'InvalidSignatureException', "Credential should be scoped to correct service: 'kms'. "],
  ])('returns HTTP 400 and creates no key when %s', async (_case, request, type, message) => {
    // Prepare
    const rejected = request();
    const keysBefore = await keyCount();

    // Act
    const response = await sendRaw(rejected);

    // Assess
    expectAwsJsonError(response, type, message);
    expect(await keyCount()).toBe(keysBefore);
  });

  it('returns 200 and creates the key when the same CreateKey is signed correctly', async () => {
    // Prepare
    const keysBefore = await keyCount();

    // Act
    const response = await sendRaw(signedRequest({ target: 'TrentService.CreateKey', body: '{"Description":"signed correctly"}' }));

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ KeyMetadata: { Description: 'signed correctly', KeyState: 'Enabled' } });
    expect(await keyCount()).toBe(keysBefore + 1);
  });

  it('returns 200 when the request is signed 10 minutes ago, inside the allowed skew', async () => {
    // Prepare
    const request = signedRequest({ signingDate: new Date(Date.now() - 10 * MINUTE_MS) });

    // Act
    const response = await sendRaw(request);

    // Assess
    expect(response.status).toBe(200);
  });

  it('returns 200 when x-amz-content-sha256 is the hash of the body', async () => {
    // Prepare
    const request = signedRequest({ headers: { 'x-amz-content-sha256': sha256Hex('{}') } });

    // Act
    const response = await sendRaw(request);

    // Assess
    expect(response.status).toBe(200);
  });

  it('returns 200 and the Region\'s own listing when the scope names us-west-2', async () => {
    // Prepare
    const request = signedRequest({ region: OTHER_REGION });

    // Act
    const response = await sendRaw(request);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ Keys: [], Truncated: false });
  });
});
