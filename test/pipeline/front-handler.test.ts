import { describe, expect, it, vi } from 'vitest';
import {
  InvalidSignatureException, KMSInternalException, MissingAuthenticationTokenException, NotFoundException,
} from '../../src/models/kms/generated/errors.js';
import { createGroupHandler } from '../../src/pipeline/group-handler.js';
import { silentLogger } from '../../src/pipeline/logger.js';
import { InProcessGroupInvoker } from '../../src/composition/in-process-groups.js';
import { ACCOUNT_ID, REGION, makeKeyId, makePrincipal, seedKey } from '../support/core.js';
import {
  makeFrontHarness, makeLambdaContext, makeProxyEvent, type FrontHarness,
} from '../support/pipeline.js';
import { ACCESS_KEY_ID, SIGNING_DATE, signRequest, type SignOptions } from '../support/sigv4.js';

const REQUEST_ID = '00000000-0000-4000-8000-000000000001';
const KEY_ID = makeKeyId(1);
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${KEY_ID}`;

async function send(
  harness: FrontHarness,
  sign: SignOptions,
  event: { base64?: boolean; keepContentLength?: boolean; userAgent?: string } = {},
) {
  const request = await signRequest(sign);
  const response = await harness.handler(makeProxyEvent(request, event), makeLambdaContext());
  return { response, body: JSON.parse(response.body) as Record<string, unknown> };
}

const encryptBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ KeyId: KEY_ID, Plaintext: Buffer.from('top secret').toString('base64'), EncryptionContext: { app: 'billing' }, ...extra });

describe('front handler', () => {
  it('returns the Encrypt result from the in-process core without invoking a group', async () => {
    // Prepare
    const harness = makeFrontHarness();
    await seedKey(harness.core);

    // Act
    const { response, body } = await send(harness, { target: 'TrentService.Encrypt', body: encryptBody() });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': REQUEST_ID });
    expect(body).toMatchObject({ KeyId: KEY_ARN, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(typeof body['CiphertextBlob']).toBe('string');
    expect(harness.groups.calls).toEqual([]);
  });

  it('returns the plaintext when a ciphertext it made is sent back to Decrypt', async () => {
    // Prepare
    const harness = makeFrontHarness();
    await seedKey(harness.core);
    const encrypted = await send(harness, { target: 'TrentService.Encrypt', body: encryptBody() });

    // Act
    const { body } = await send(harness, {
      target: 'TrentService.Decrypt',
      body: JSON.stringify({ CiphertextBlob: encrypted.body['CiphertextBlob'], EncryptionContext: { app: 'billing' } }),
    });

    // Assess
    expect(Buffer.from(String(body['Plaintext']), 'base64').toString()).toBe('top secret');
  });

  it('answers a wrong encryption context with an InvalidCiphertextException without a message, and gives operators the reason in the audit event and the debug log', async () => {
    // Prepare
    const harness = makeFrontHarness();
    await seedKey(harness.core);
    const encrypted = await send(harness, { target: 'TrentService.Encrypt', body: encryptBody() });

    // Act
    const { response } = await send(harness, {
      target: 'TrentService.Decrypt',
      body: JSON.stringify({ CiphertextBlob: encrypted.body['CiphertextBlob'], EncryptionContext: { app: 'payroll' } }),
    });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.body).toBe('{"__type":"InvalidCiphertextException"}');
    const event = harness.audit.events[1];
    expect(event).toMatchObject({ errorCode: 'InvalidCiphertextException', additionalEventData: { errorReason: expect.stringMatching(/encryption context/) } });
    expect(event).not.toHaveProperty('errorMessage');
    expect(harness.logger.entries).toContainEqual({
      level: 'debug', message: 'error reason',
      fields: { requestId: event?.requestID, errorCode: 'InvalidCiphertextException', reason: event?.additionalEventData?.['errorReason'] },
    });
  });

  it('carries the reason of a group error without a message to the audit event, never to the wire', async () => {
    // Prepare
    const harness = makeFrontHarness();
    harness.groups.respond = async () => ({ ok: false, errorName: 'InvalidCiphertextException', message: '', reason: 'the blob is short', touched: [] });

    // Act
    const { response } = await send(harness, { target: 'TrentService.DescribeKey', body: `{"KeyId":"${KEY_ID}"}` });

    // Assess
    expect(response.body).toBe('{"__type":"InvalidCiphertextException"}');
    expect(harness.audit.events[0]).toMatchObject({ errorCode: 'InvalidCiphertextException', additionalEventData: { errorReason: 'the blob is short' } });
  });

  it.each([
    ['a base64-encoded body', { base64: true }],
    ['a plain body', { base64: false }],
    ['a body with Content-Length kept', { keepContentLength: true }],
  ])('returns 200 when the event carries %s', async (_, event) => {
    // Prepare
    const harness = makeFrontHarness();
    await seedKey(harness.core);

    // Act
    const { response } = await send(harness, { target: 'TrentService.Encrypt', body: encryptBody({ EncryptionContext: { app: 'café ☕' } }) }, event);

    // Assess
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['the target is missing', null],
    ['the target names no operation', 'TrentService.MakeCoffee'],
    ['the target has another service prefix', 'KmsService.Encrypt'],
    ['the target has no prefix', 'Encrypt'],
  ])('answers UnknownOperationException when %s', async (_, target) => {
    // Prepare
    const harness = makeFrontHarness();

    // Act
    const { response, body } = await send(harness, { target });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['x-amzn-ErrorType']).toBe('UnknownOperationException');
    expect(body).toEqual({ __type: 'UnknownOperationException' });
  });

  it('answers UnsupportedOperationException naming an operation that is not built yet', async () => {
    // Prepare
    const harness = makeFrontHarness();

    // Act
    const { response, body } = await send(harness, { target: 'TrentService.UpdatePrimaryRegion', body: '{"KeyId":"x","PrimaryRegion":"us-west-2"}' });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(body).toEqual({ __type: 'UnsupportedOperationException', message: 'UpdatePrimaryRegion is not supported by this service yet.' });
    expect(harness.groups.calls).toEqual([]);
  });

  it.each([
    ['is not JSON', '{"KeyId":'],
    ['is empty', ''],
  ])('answers SerializationException when the body %s', async (_, body) => {
    // Prepare
    const harness = makeFrontHarness();

    // Act
    const result = await send(harness, { target: 'TrentService.Encrypt', body });

    // Assess
    expect(result.response.statusCode).toBe(400);
    expect(result.body).toEqual({ __type: 'SerializationException' });
  });

  it('answers the signature error when the request is not signed correctly', async () => {
    // Prepare
    const harness = makeFrontHarness();

    // Act
    const { response, body } = await send(harness, { secretAccessKey: 'wrong', target: 'TrentService.Encrypt', body: encryptBody() });

    // Assess
    expect(response.statusCode).toBe(new InvalidSignatureException('').httpStatus);
    expect(body['__type']).toBe('InvalidSignatureException');
  });

  it('answers MissingAuthenticationTokenException when the event has no Authorization header', async () => {
    // Prepare
    const harness = makeFrontHarness();
    const event = makeProxyEvent(await signRequest());
    delete event.headers['Authorization'];

    // Act
    const response = await harness.handler(event, makeLambdaContext());

    // Assess
    expect(response.statusCode).toBe(new MissingAuthenticationTokenException('').httpStatus);
    expect(JSON.parse(response.body)).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('sends other groups through the invoker with the body as sent and the request context', async () => {
    // Prepare
    const harness = makeFrontHarness();
    harness.groups.respond = async () => ({ ok: true, body: '{"KeyMetadata":{"KeyId":"k"}}', touched: [KEY_ARN] });
    const requestBody = '{"Description":"orders"}';

    // Act
    const { response, body } = await send(harness, { target: 'TrentService.CreateKey', body: requestBody }, { userAgent: 'sdk/1' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(body).toEqual({ KeyMetadata: { KeyId: 'k' } });
    expect(harness.groups.calls).toEqual([{
      group: 'keys',
      request: {
        operation: 'CreateKey',
        body: requestBody,
        context: {
          requestId: REQUEST_ID,
          principal: makePrincipal({ accessKeyId: ACCESS_KEY_ID }),
          region: REGION,
          sourceIp: '198.51.100.9',
          userAgent: 'sdk/1',
          secureTransport: false,
        },
      },
    }]);
    expect(harness.audit.events[0]?.resources).toEqual([{ accountId: ACCOUNT_ID, type: 'AWS::KMS::Key', ARN: KEY_ARN }]);
  });

  it.each([
    ['aliases', 'CreateAlias', '{"AliasName":"alias/a","TargetKeyId":"k"}'],
    ['tags', 'ListResourceTags', '{"KeyId":"k"}'],
    ['keys', 'DescribeKey', '{"KeyId":"k"}'],
  ])('invokes the %s group for %s', async (group, operation, requestBody) => {
    // Prepare
    const harness = makeFrontHarness();

    // Act
    await send(harness, { target: `TrentService.${operation}`, body: requestBody });

    // Assess
    expect(harness.groups.calls.map((call) => [call.group, call.request.operation])).toEqual([[group, operation]]);
  });

  it('answers a group error with the same name and message', async () => {
    // Prepare
    const harness = makeFrontHarness();
    harness.groups.respond = async () => ({ ok: false, errorName: 'NotFoundException', message: `Key '${KEY_ARN}' does not exist`, touched: [] });

    // Act
    const { response, body } = await send(harness, { target: 'TrentService.DescribeKey', body: `{"KeyId":"${KEY_ID}"}` });

    // Assess
    expect(response.statusCode).toBe(new NotFoundException('').httpStatus);
    expect(body).toEqual({ __type: 'NotFoundException', message: `Key '${KEY_ARN}' does not exist` });
    expect(harness.audit.events[0]).toMatchObject({ errorCode: 'NotFoundException', errorMessage: `Key '${KEY_ARN}' does not exist` });
  });

  it('answers KMSInternalException without internals when the invoker throws', async () => {
    // Prepare
    const harness = makeFrontHarness();
    harness.groups.respond = async () => { throw new Error('connect ECONNREFUSED 10.0.0.1:443 secret-table'); };

    // Act
    const { response, body } = await send(harness, { target: 'TrentService.DescribeKey', body: `{"KeyId":"${KEY_ID}"}` });

    // Assess
    expect(response.statusCode).toBe(new KMSInternalException('').httpStatus);
    expect(body).toEqual({ __type: 'KMSInternalException', message: 'An internal error occurred.' });
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(harness.logger.entries.some((entry) => entry.level === 'error' && JSON.stringify(entry.fields).includes('ECONNREFUSED'))).toBe(true);
    expect(harness.audit.events).toHaveLength(1);
  });

  it('answers KMSInternalException without internals when the in-process core fails unexpectedly', async () => {
    // Prepare
    const harness = makeFrontHarness();
    await seedKey(harness.core);
    vi.spyOn(harness.core.material, 'encrypt').mockRejectedValue(new Error('CKR_DEVICE_ERROR slot 0'));

    // Act
    const { response, body } = await send(harness, { target: 'TrentService.Encrypt', body: encryptBody() });

    // Assess
    expect(response.statusCode).toBe(500);
    expect(body).toEqual({ __type: 'KMSInternalException', message: 'An internal error occurred.' });
  });

  describe('audit', () => {
    it('records exactly one event with the request fields and no plaintext when Encrypt succeeds', async () => {
      // Prepare
      const harness = makeFrontHarness();
      await seedKey(harness.core);

      // Act
      const { response } = await send(harness, { target: 'TrentService.Encrypt', body: encryptBody() }, { userAgent: 'aws-cli/2' });

      // Assess
      expect(harness.audit.events).toHaveLength(1);
      const event = harness.audit.events[0];
      expect(event).toMatchObject({
        eventVersion: '1.08',
        eventSource: 'kms.amazonaws.com',
        eventName: 'Encrypt',
        eventTime: '2024-05-01T12:00:00Z',
        awsRegion: REGION,
        sourceIPAddress: '198.51.100.9',
        userAgent: 'aws-cli/2',
        userIdentity: { type: 'Root', accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:root`, accessKeyId: ACCESS_KEY_ID },
        requestParameters: { keyId: KEY_ID, encryptionContext: { app: 'billing' } },
        responseElements: null,
        requestID: response.headers?.['x-amzn-RequestId'],
        readOnly: false,
        resources: [{ accountId: ACCOUNT_ID, type: 'AWS::KMS::Key', ARN: KEY_ARN }],
        eventType: 'AwsApiCall',
        recipientAccountId: ACCOUNT_ID,
      });
      expect(event).not.toHaveProperty('errorCode');
      expect(event?.eventID).not.toBe(event?.requestID);
      expect(JSON.stringify(event)).not.toContain(Buffer.from('top secret').toString('base64'));
      expect(event?.requestParameters).not.toHaveProperty('plaintext');
    });

    it('records the error code and message and the touched key when the operation fails', async () => {
      // Prepare
      const harness = makeFrontHarness();
      await seedKey(harness.core, { keyState: 'Disabled' });

      // Act
      await send(harness, { target: 'TrentService.Encrypt', body: encryptBody() });

      // Assess
      expect(harness.audit.events).toHaveLength(1);
      expect(harness.audit.events[0]).toMatchObject({
        errorCode: 'DisabledException', errorMessage: `${KEY_ARN} is disabled.`, resources: [{ ARN: KEY_ARN }],
      });
    });

    it('records one event with an unknown identity when authentication fails', async () => {
      // Prepare
      const harness = makeFrontHarness();

      // Act
      await send(harness, { accessKeyId: 'AKIAUNKNOWN000000000', target: 'TrentService.Encrypt', body: encryptBody() });

      // Assess
      expect(harness.audit.events).toHaveLength(1);
      expect(harness.audit.events[0]).toMatchObject({
        userIdentity: { type: 'Unknown' }, errorCode: 'UnrecognizedClientException', eventName: 'Encrypt', requestParameters: null,
      });
    });

    it('records readOnly true for a List operation', async () => {
      // Prepare
      const harness = makeFrontHarness();

      // Act
      await send(harness, { target: 'TrentService.ListAliases', body: '{}' });

      // Assess
      expect(harness.audit.events.map((event) => [event.eventName, event.readOnly])).toEqual([['ListAliases', true]]);
    });

    it('records KMSInternalException as the error code when the failure was unexpected', async () => {
      // Prepare
      const harness = makeFrontHarness();
      harness.groups.respond = async () => { throw new Error('boom'); };

      // Act
      await send(harness, { target: 'TrentService.ListAliases', body: '{}' });

      // Assess
      expect(harness.audit.events).toHaveLength(1);
      expect(harness.audit.events[0]).toMatchObject({ errorCode: 'KMSInternalException', errorMessage: 'An internal error occurred.' });
    });

    it('returns the response and logs when the audit sink fails', async () => {
      // Prepare
      const harness = makeFrontHarness();
      harness.audit.failWith = new Error('disk full');

      // Act
      const { response } = await send(harness, { target: 'TrentService.ListAliases', body: '{}' });

      // Assess
      expect(response.statusCode).toBe(200);
      expect(harness.logger.entries).toContainEqual(expect.objectContaining({ level: 'error', message: 'audit sink failed' }));
    });
  });

  it('creates a key through the keys group and encrypts under its alias when the groups run in-process', async () => {
    // Prepare
    const harness = makeFrontHarness({
      groups: (core) => new InProcessGroupInvoker((group, verifier) => createGroupHandler({ group, core: core.deps, logger: silentLogger, verifier })),
    });

    // Act
    const created = await send(harness, { target: 'TrentService.CreateKey', body: '{}' });
    const keyId = String((created.body['KeyMetadata'] as Record<string, unknown>)['KeyId']);
    await send(harness, { target: 'TrentService.CreateAlias', body: JSON.stringify({ AliasName: 'alias/app', TargetKeyId: keyId }) });
    const encrypted = await send(harness, { target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: 'alias/app', Plaintext: 'AAEC' }) });

    // Assess
    expect(encrypted.response.statusCode).toBe(200);
    expect(encrypted.body['KeyId']).toBe(`arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${keyId}`);
    expect(harness.audit.events.map((event) => event.eventName)).toEqual(['CreateKey', 'CreateAlias', 'Encrypt']);
  });

  it('answers the signature check against the signing date, not the time the event arrived', async () => {
    // Prepare
    const harness = makeFrontHarness();
    harness.core.clock.set(new Date(SIGNING_DATE.getTime() + 16 * 60_000));

    // Act
    const { body } = await send(harness, { target: 'TrentService.ListAliases', body: '{}' });

    // Assess
    expect(body).toEqual({
      __type: 'InvalidSignatureException',
      message: 'Signature expired: 20240501T120000Z is now earlier than 20240501T120100Z (20240501T121600Z - 15 min.)',
    });
  });
});
