import { describe, expect, it, vi } from 'vitest';
import type { OperationName } from '../../src/models/kms/generated/operations.js';
import { createGroupHandler } from '../../src/pipeline/group-handler.js';
import type { FunctionGroup, GroupRequest, SignedClaims, SignedGroupRequest } from '../../src/pipeline/group-protocol.js';
import {
  DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FUTURE_MS, GroupRequestSigner, GroupRequestVerifier, randomGroupRequestKey,
} from '../../src/pipeline/group-request-auth.js';
import { ACCOUNT_ID, OTHER_ACCOUNT_ID, REGION, makeContext, makeCore, makeKeyId, makePrincipal, seedKey, type CoreHarness } from '../support/core.js';
import { RecordingLogger, makeLambdaContext } from '../support/pipeline.js';

const REFUSED = { ok: false, errorName: 'KMSInternalException', message: 'An internal error occurred.', touched: [] };

/** A group handler and the front's signer for it, sharing one key and the core's fake clock. */
function makeGroup(group: FunctionGroup, core: CoreHarness = makeCore()) {
  const logger = new RecordingLogger();
  const key = randomGroupRequestKey();
  const signer = new GroupRequestSigner({ key, clock: core.clock });
  const handler = createGroupHandler({ group, core: core.deps, logger, verifier: new GroupRequestVerifier({ key, clock: core.clock }) });
  let requests = 0;
  const request = (operation: OperationName, body: string): GroupRequest =>
    ({ operation, body, context: makeContext({ requestId: `request-${++requests}` }) });
  const sign = (operation: OperationName, body: string, signedFor: FunctionGroup = group) => signer.sign(signedFor, request(operation, body));
  const send = (event: unknown) => handler(event, makeLambdaContext('invocation-1'));
  const invoke = (operation: OperationName, body: string) => send(sign(operation, body));
  const keysInStore = async () => (await core.store.listKeys(ACCOUNT_ID, REGION, { limit: 10 })).items;
  return { core, logger, sign, send, invoke, keysInStore };
}

/** The envelope with its claims changed after signing, the MAC kept. */
function altered(envelope: SignedGroupRequest, change: (claims: SignedClaims) => SignedClaims): SignedGroupRequest {
  return { ...envelope, payload: JSON.stringify(change(JSON.parse(envelope.payload) as SignedClaims)) };
}

const refusals = (logger: RecordingLogger) =>
  logger.entries.filter((entry) => entry.message === 'group request refused').map((entry) => entry.fields?.['reason']);

describe('group handler', () => {
  it('returns the encoded output and the touched key when it runs an operation of its group', async () => {
    // Prepare
    const { invoke } = makeGroup('keys');

    // Act
    const response = await invoke('CreateKey', '{"Description":"orders"}');

    // Assess
    if (!response.ok) throw new Error(`expected success, got ${response.errorName}`);
    const body = JSON.parse(response.body) as { KeyMetadata: { Arn: string; Description: string } };
    expect(body.KeyMetadata.Description).toBe('orders');
    expect(response.touched).toEqual([body.KeyMetadata.Arn]);
  });

  it.each<[FunctionGroup, OperationName, string]>([
    ['keys', 'Encrypt', '{"KeyId":"k","Plaintext":"AA=="}'],
    ['aliases', 'CreateKey', '{}'],
    ['tags', 'DeleteAlias', '{"AliasName":"alias/x"}'],
  ])('refuses because a group function runs only its own group\'s operations (least privilege): %s given %s', async (group, operation, body) => {
    // Prepare
    const { invoke, logger, keysInStore } = makeGroup(group);

    // Act
    const response = await invoke(operation, body);

    // Assess
    expect(response).toEqual(REFUSED);
    expect(await keysInStore()).toEqual([]);
    expect(logger.entries.map((entry) => entry.level)).toEqual(['error', 'info']);
  });

  it('returns the KMS error name and message when the operation fails', async () => {
    // Prepare
    const { invoke } = makeGroup('keys');

    // Act
    const response = await invoke('DescribeKey', `{"KeyId":"${makeKeyId(9)}"}`);

    // Assess
    expect(response).toEqual({
      ok: false,
      errorName: 'NotFoundException',
      message: `Key 'arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${makeKeyId(9)}' does not exist`,
      touched: [],
    });
  });

  it('returns the keys touched before the failure', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const { invoke } = makeGroup('tags', core);

    // Act
    const response = await invoke('TagResource', JSON.stringify({ KeyId: key.keyId, Tags: [{ TagKey: 'aws:x', TagValue: '1' }] }));

    // Assess
    expect(response).toMatchObject({ ok: false, errorName: 'TagException', touched: [key.arn] });
  });

  it('returns ValidationException when the body breaks a model constraint', async () => {
    // Prepare
    const { invoke } = makeGroup('aliases');

    // Act
    const response = await invoke('ListAliases', '{"Limit":0}');

    // Assess
    expect(response).toMatchObject({ ok: false, errorName: 'ValidationException' });
  });

  it('returns KMSInternalException without internals when the core fails unexpectedly', async () => {
    // Prepare
    const core = makeCore();
    vi.spyOn(core.material, 'generateSymmetricKey').mockRejectedValue(new Error('CKR_TOKEN_NOT_PRESENT'));
    const { invoke, logger } = makeGroup('keys', core);

    // Act
    const response = await invoke('CreateKey', '{}');

    // Assess
    expect(response).toEqual({ ...REFUSED, authorizations: [{ action: 'kms:CreateKey', resource: '*', decision: 'Allow', sources: [{ type: 'root-user' }] }] });
    expect(JSON.stringify(logger.entries)).toContain('CKR_TOKEN_NOT_PRESENT');
  });

  describe('records what it did', () => {
    it('writes one line with the CloudTrail fields of a request it ran', async () => {
      // Prepare
      const core = makeCore();
      const key = await seedKey(core);
      const { invoke, logger } = makeGroup('keys', core);

      // Act
      await invoke('DescribeKey', JSON.stringify({ KeyId: key.keyId }));

      // Assess
      const principal = makePrincipal();
      expect(logger.entries).toEqual([{
        level: 'info',
        message: 'group event',
        fields: {
          eventSource: 'kms.amazonaws.com',
          eventName: 'DescribeKey',
          awsRegion: REGION,
          requestID: 'request-1',
          userIdentity: { type: principal.type, principalId: principal.principalId, arn: principal.arn, accountId: ACCOUNT_ID, accessKeyId: principal.accessKeyId },
          resources: [key.arn],
          group: 'keys',
          invocationRequestId: 'invocation-1',
        },
      }]);
    });

    it('writes the error code, and no error message, of a request that failed', async () => {
      // Prepare
      const { invoke, logger } = makeGroup('aliases');

      // Act
      await invoke('DeleteAlias', '{"AliasName":"alias/secret-project-name"}');

      // Assess
      expect(logger.entries).toHaveLength(1);
      expect(logger.entries[0]?.fields).toMatchObject({ eventName: 'DeleteAlias', requestID: 'request-1', errorCode: 'NotFoundException' });
      expect(JSON.stringify(logger.entries)).not.toContain('secret-project-name');
    });
  });

  describe('authenticates the front\'s request before anything else runs', () => {
    it('runs a request the front signed for this group, once', async () => {
      // Prepare
      const { sign, send, keysInStore, logger } = makeGroup('keys');

      // Act
      const response = await send(sign('CreateKey', '{}'));

      // Assess
      expect(response.ok).toBe(true);
      expect(await keysInStore()).toHaveLength(1);
      expect(refusals(logger)).toEqual([]);
    });

    it.each<[string, unknown]>([
      ['an unsigned request (the plain request shape)', { operation: 'CreateKey', body: '{}', context: makeContext() }],
      ['no payload', undefined],
      ['a string', 'CreateKey'],
      ['an envelope of another version', { v: 2, payload: '{}', mac: 'AAAA' }],
      ['an envelope without a MAC', { v: 1, payload: '{}' }],
      ['an envelope with an oversized MAC', { v: 1, payload: '{}', mac: 'A'.repeat(100) }],
    ])('refuses %s because the payload is a signed group request', async (_, event) => {
      // Prepare
      const { send, keysInStore, logger } = makeGroup('keys');

      // Act
      const response = await send(event);

      // Assess
      expect(response).toEqual(REFUSED);
      expect(await keysInStore()).toEqual([]);
      expect(refusals(logger)).toEqual(['malformed-envelope']);
    });

    it('refuses a request forged under another key because the MAC proves the front made the payload', async () => {
      // Prepare
      const group = makeGroup('keys');
      const forger = new GroupRequestSigner({ key: randomGroupRequestKey(), clock: group.core.clock });
      const forged = forger.sign('keys', { operation: 'CreateKey', body: '{}', context: makeContext({ principal: makePrincipal({ accountId: OTHER_ACCOUNT_ID }) }) });

      // Act
      const response = await group.send(forged);

      // Assess
      expect(response).toEqual(REFUSED);
      expect(await group.keysInStore()).toEqual([]);
      expect(refusals(group.logger)).toEqual(['bad-mac']);
    });

    it.each<[string, (claims: SignedClaims) => SignedClaims]>([
      ['the principal\'s account', (claims) => ({ ...claims, context: { ...claims.context, principal: makePrincipal({ accountId: OTHER_ACCOUNT_ID }) } })],
      ['the principal\'s ARN', (claims) => ({ ...claims, context: { ...claims.context, principal: { ...claims.context.principal, arn: `arn:aws:iam::${ACCOUNT_ID}:user/admin` } } })],
      ['the Region', (claims) => ({ ...claims, context: { ...claims.context, region: 'eu-west-1' } })],
      ['the body', (claims) => ({ ...claims, body: '{"Description":"planted"}' })],
      ['the operation', (claims) => ({ ...claims, operation: 'ListKeys' })],
      ['the time it was signed', (claims) => ({ ...claims, issuedAt: claims.issuedAt + 1 })],
      ['the request ID', (claims) => ({ ...claims, context: { ...claims.context, requestId: 'request-other' } })],
      ['the group it is meant for', (claims) => ({ ...claims, group: 'aliases' })],
    ])('refuses a request whose %s was altered because the MAC proves the front made the payload', async (_, change) => {
      // Prepare
      const { sign, send, keysInStore, logger } = makeGroup('keys');
      const envelope = altered(sign('CreateKey', '{"Description":"genuine"}'), change);

      // Act
      const response = await send(envelope);

      // Assess
      expect(response).toEqual(REFUSED);
      expect(await keysInStore()).toEqual([]);
      expect(refusals(logger)).toEqual(['bad-mac']);
    });

    it('refuses a request whose MAC has one bit flipped because the MAC proves the front made the payload', async () => {
      // Prepare
      const { sign, send, logger } = makeGroup('keys');
      const envelope = sign('CreateKey', '{}');
      const mac = Buffer.from(envelope.mac, 'base64');
      mac[0] = (mac[0] ?? 0) ^ 1;

      // Act
      const response = await send({ ...envelope, mac: mac.toString('base64') });

      // Assess
      expect(response).toEqual(REFUSED);
      expect(refusals(logger)).toEqual(['bad-mac']);
    });

    it('refuses a request signed for another group because a request signed for one group does not run in another', async () => {
      // Prepare
      const { sign, send, logger } = makeGroup('tags');
      const envelope = sign('TagResource', JSON.stringify({ KeyId: makeKeyId(1), Tags: [] }), 'keys');

      // Act
      const response = await send(envelope);

      // Assess
      expect(response).toEqual(REFUSED);
      expect(refusals(logger)).toEqual(['wrong-group']);
    });

    it('refuses a stale request because a group runs only requests signed within the freshness window', async () => {
      // Prepare
      const { core, sign, send, keysInStore, logger } = makeGroup('keys');
      const onTime = sign('CreateKey', '{}');
      const late = sign('CreateKey', '{}');
      core.clock.advance(DEFAULT_MAX_AGE_MS);
      const accepted = await send(onTime);
      core.clock.advance(1);

      // Act
      const response = await send(late);

      // Assess
      expect(accepted.ok).toBe(true);
      expect(response).toEqual(REFUSED);
      expect(await keysInStore()).toHaveLength(1);
      expect(logger.entries.find((entry) => entry.message === 'group request refused')?.fields).toEqual({
        group: 'keys', reason: 'stale', invocationRequestId: 'invocation-1', requestID: 'request-2',
      });
    });

    it('refuses a request from too far in the future because a group runs only requests signed within the freshness window', async () => {
      // Prepare
      const { core, sign, send, logger } = makeGroup('keys');
      core.clock.advance(DEFAULT_MAX_FUTURE_MS + 1);
      const early = sign('CreateKey', '{}');
      core.clock.advance(-(DEFAULT_MAX_FUTURE_MS + 1));

      // Act
      const response = await send(early);

      // Assess
      expect(response).toEqual(REFUSED);
      expect(refusals(logger)).toEqual(['from-the-future']);
    });

    it('refuses a replayed request because a group runs each request ID once', async () => {
      // Prepare
      const { sign, send, keysInStore, logger } = makeGroup('keys');
      const envelope = sign('CreateKey', '{}');
      const first = await send(envelope);

      // Act
      const replayed = await send(envelope);

      // Assess
      expect(first.ok).toBe(true);
      expect(replayed).toEqual(REFUSED);
      expect(await keysInStore()).toHaveLength(1);
      expect(refusals(logger)).toEqual(['replayed']);
    });

    it('logs a refusal without the payload, its body or the key', async () => {
      // Prepare
      const { sign, send, logger } = makeGroup('keys');
      const envelope = altered(sign('CreateKey', '{"Description":"MyDbPassword=hunter2!"}'), (claims) => ({ ...claims, context: { ...claims.context, region: 'eu-west-1' } }));

      // Act
      await send(envelope);

      // Assess
      const logged = JSON.stringify(logger.entries);
      expect(logged).not.toContain('hunter2');
      expect(logged).not.toContain(envelope.mac);
      expect(logger.entries).toEqual([{
        level: 'error', message: 'group request refused', fields: { group: 'keys', reason: 'bad-mac', invocationRequestId: 'invocation-1' },
      }]);
    });
  });
});
