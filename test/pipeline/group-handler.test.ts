import { describe, expect, it, vi } from 'vitest';
import type { OperationName } from '../../src/models/kms/generated/operations.js';
import { createGroupHandler } from '../../src/pipeline/group-handler.js';
import type { GroupRequest } from '../../src/pipeline/group-protocol.js';
import type { ApiGroup } from '../../src/core/kms/api-groups.js';
import { ACCOUNT_ID, REGION, makeContext, makeCore, makeKeyId, seedKey, type CoreHarness } from '../support/core.js';
import { RecordingLogger, makeLambdaContext } from '../support/pipeline.js';

function makeGroup(group: ApiGroup, core: CoreHarness = makeCore()) {
  const logger = new RecordingLogger();
  const handler = createGroupHandler({ group, core: core.deps, logger });
  const invoke = (operation: OperationName, body: string) => {
    const request: GroupRequest = { operation, body, context: makeContext() };
    return handler(request, makeLambdaContext());
  };
  return { core, logger, invoke };
}

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

  it.each<[ApiGroup, OperationName, string]>([
    ['keys', 'Encrypt', '{"KeyId":"k","Plaintext":"AA=="}'],
    ['aliases', 'CreateKey', '{}'],
    ['tags', 'DeleteAlias', '{"AliasName":"alias/x"}'],
  ])('refuses because a group function runs only its own group\'s operations (least privilege): %s given %s', async (group, operation, body) => {
    // Prepare
    const { core, invoke, logger } = makeGroup(group);

    // Act
    const response = await invoke(operation, body);

    // Assess
    expect(response).toEqual({ ok: false, errorName: 'KMSInternalException', message: 'An internal error occurred.', touched: [] });
    expect((await core.store.listKeys(ACCOUNT_ID, REGION, { limit: 10 })).items).toEqual([]);
    expect(logger.entries.map((entry) => entry.level)).toEqual(['error']);
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
    expect(response).toEqual({ ok: false, errorName: 'KMSInternalException', message: 'An internal error occurred.', touched: [] });
    expect(JSON.stringify(logger.entries)).toContain('CKR_TOKEN_NOT_PRESENT');
  });
});
