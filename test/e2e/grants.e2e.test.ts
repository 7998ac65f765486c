/**
 * Grants end to end: the stock JS SDK, boto3 and the AWS CLI against the local service (SoftHSM,
 * DynamoDB Local, the HTTP server). The
 * account's root creates, lists, retires and revokes the grants.
 */
import {
  CreateGrantCommand, CreateKeyCommand, ListGrantsCommand, ListRetirableGrantsCommand, RetireGrantCommand, RevokeGrantCommand,
  type GrantListEntry, type KeyMetadata,
} from '@aws-sdk/client-kms';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectPages, expectKmsError, required } from './support/assertions.js';
import { ACCOUNT_ID, REGION, useLocalService } from './support/local-service.js';

const run = promisify(execFile);
const e2e = useLocalService();

const GRANTEE = `arn:aws:iam::${ACCOUNT_ID}:role/app`;
const RETIRER = `arn:aws:iam::${ACCOUNT_ID}:role/ops`;
const ROOT = `arn:aws:iam::${ACCOUNT_ID}:root`;

// A grant names principals that exist.
beforeAll(() => e2e.createIdentities({ roles: ['app', 'ops'], users: ['bob'] }));

async function createKey(): Promise<KeyMetadata> {
  return required((await e2e.kms.send(new CreateKeyCommand({}))).KeyMetadata, 'KeyMetadata');
}

async function grantsOf(keyId: string): Promise<GrantListEntry[]> {
  const { items } = await collectPages(100, async (marker) => {
    const page = await e2e.kms.send(new ListGrantsCommand({ KeyId: keyId, Marker: marker, Limit: 2 }));
    return { items: page.Grants ?? [], NextMarker: page.NextMarker, Truncated: page.Truncated };
  });
  return items;
}

describe('grants through the JS SDK', () => {
  let key: KeyMetadata;

  beforeAll(async () => {
    key = await createKey();
  });

  it('returns the grant from ListGrants, constraints and all, when CreateGrant made it', async () => {
    // Prepare
    const before = Date.now();

    // Act
    const created = await e2e.kms.send(new CreateGrantCommand({
      KeyId: key.Arn,
      GranteePrincipal: GRANTEE,
      RetiringPrincipal: RETIRER,
      Operations: ['Decrypt', 'GenerateDataKey'],
      Constraints: { EncryptionContextEquals: { Department: 'IT' } },
      Name: 'it-decrypt',
    }));
    const listed = await e2e.kms.send(new ListGrantsCommand({ KeyId: key.KeyId, GrantId: created.GrantId }));

    // Assess
    expect(created.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(created.GrantToken).toMatch(/^AQpA[A-Za-z0-9_-]+$/);
    expect(listed.Truncated).toBe(false);
    expect(listed.Grants).toEqual([{
      KeyId: key.Arn,
      GrantId: created.GrantId,
      Name: 'it-decrypt',
      CreationDate: expect.any(Date),
      GranteePrincipal: GRANTEE,
      RetiringPrincipal: RETIRER,
      IssuingAccount: ROOT,
      Operations: ['Decrypt', 'GenerateDataKey'],
      Constraints: { EncryptionContextEquals: { Department: 'IT' } },
    }]);
    expect(listed.Grants?.[0]?.CreationDate?.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  });

  it('returns the same grant ID and a new token when CreateGrant is retried with the same Name', async () => {
    // Prepare
    const input = { KeyId: key.KeyId, GranteePrincipal: GRANTEE, Operations: ['Encrypt' as const], Name: 'retried' };

    // Act
    const first = await e2e.kms.send(new CreateGrantCommand(input));
    const retry = await e2e.kms.send(new CreateGrantCommand(input));

    // Assess
    expect(retry.GrantId).toBe(first.GrantId);
    expect(retry.GrantToken).not.toBe(first.GrantToken);
    expect((await grantsOf(key.KeyId ?? '')).filter((grant) => grant.Name === 'retried')).toHaveLength(1);
  });

  it('pages ListGrants, filters it by grantee, and lists the grants a principal may retire', async () => {
    // Prepare
    const pagedKey = await createKey();
    const bob = `arn:aws:iam::${ACCOUNT_ID}:user/bob`;
    const ids: string[] = [];
    for (const grantee of [GRANTEE, bob, GRANTEE]) {
      ids.push(required((await e2e.kms.send(new CreateGrantCommand({
        KeyId: pagedKey.KeyId, GranteePrincipal: grantee, RetiringPrincipal: grantee === bob ? RETIRER : undefined, Operations: ['DescribeKey'],
      }))).GrantId, 'GrantId'));
    }

    // Act
    const all = await grantsOf(pagedKey.KeyId ?? '');
    const bobs = await e2e.kms.send(new ListGrantsCommand({ KeyId: pagedKey.KeyId, GranteePrincipal: bob }));
    const retirable = await e2e.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: RETIRER }));

    // Assess
    expect(all.map((grant) => grant.GrantId).sort()).toEqual([...ids].sort());
    expect(bobs.Grants?.map((grant) => grant.GrantId)).toEqual([ids[1]]);
    expect(retirable.Grants?.map((grant) => grant.GrantId)).toContain(ids[1]);
    expect(retirable.Grants?.every((grant) => grant.RetiringPrincipal === RETIRER)).toBe(true);
  });

  it('deletes the grant when RetireGrant names it by token, and by key and grant ID, and when RevokeGrant names it', async () => {
    // Prepare
    const lifecycleKey = await createKey();
    const make = async () => e2e.kms.send(new CreateGrantCommand({ KeyId: lifecycleKey.KeyId, GranteePrincipal: GRANTEE, Operations: ['Decrypt'] }));
    const [byToken, byId, revoked, kept] = [await make(), await make(), await make(), await make()];

    // Act
    await e2e.kms.send(new RetireGrantCommand({ GrantToken: byToken.GrantToken }));
    await e2e.kms.send(new RetireGrantCommand({ KeyId: lifecycleKey.Arn, GrantId: byId.GrantId }));
    await e2e.kms.send(new RevokeGrantCommand({ KeyId: lifecycleKey.KeyId, GrantId: revoked.GrantId }));

    // Assess
    expect((await grantsOf(lifecycleKey.KeyId ?? '')).map((grant) => grant.GrantId)).toEqual([kept.GrantId]);
    await expectKmsError(e2e.kms.send(new RetireGrantCommand({ GrantToken: byToken.GrantToken })), 'InvalidGrantTokenException',
      'The request was rejected because the specified grant token is not valid.');
    await expectKmsError(e2e.kms.send(new RevokeGrantCommand({ KeyId: lifecycleKey.KeyId, GrantId: revoked.GrantId })), 'InvalidGrantIdException',
      'The request was rejected because the specified GrantId is not valid.');
  });

  it('answers DryRunOperationException and changes nothing when CreateGrant, RetireGrant and RevokeGrant run with DryRun', async () => {
    // Prepare
    const dryKey = await createKey();
    const grant = await e2e.kms.send(new CreateGrantCommand({ KeyId: dryKey.KeyId, GranteePrincipal: GRANTEE, Operations: ['Decrypt'] }));
    const message = 'The request would have succeeded, but the DryRun option is set.';

    // Act
    const requests = [
      () => e2e.kms.send(new CreateGrantCommand({ KeyId: dryKey.KeyId, GranteePrincipal: GRANTEE, Operations: ['Encrypt'], DryRun: true })),
      () => e2e.kms.send(new RetireGrantCommand({ GrantToken: grant.GrantToken, DryRun: true })),
      () => e2e.kms.send(new RevokeGrantCommand({ KeyId: dryKey.KeyId, GrantId: grant.GrantId, DryRun: true })),
    ];

    // Assess
    for (const request of requests) await expectKmsError(request(), 'DryRunOperationException', message, 400);
    expect((await grantsOf(dryKey.KeyId ?? '')).map((entry) => entry.GrantId)).toEqual([grant.GrantId]);
  });

  it.each([
    ['an unsupported operation', { Operations: ['Sign' as const] }, 'ValidationException', /^Grant operations \[Sign\] are not supported for arn:aws:kms:/],
    ['a grantee that is no principal', { GranteePrincipal: 'bob' }, 'InvalidArnException', 'ARN does not refer to a valid principal: bob'],
    ['a token not issued here', { GrantTokens: ['AQpAnotatoken'] }, 'InvalidGrantTokenException', 'The request was rejected because the specified grant token is not valid.'],
    ['a constraint of 9 pairs', { Constraints: { EncryptionContextSubset: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'])) } },
      'ValidationException', "The grant constraint 'encryptionContextSubset' has 9 encryption context pairs; the most it can have is 8."],
  ])('answers AWS\'s error and writes no grant when CreateGrant has %s', async (_case, overrides, name, message) => {
    // Prepare
    const refusedKey = await createKey();

    // Act
    const request = e2e.kms.send(new CreateGrantCommand({ KeyId: refusedKey.KeyId, GranteePrincipal: GRANTEE, Operations: ['Decrypt'], ...overrides }));

    // Assess
    await expectKmsError(request, name, message);
    expect(await grantsOf(refusedKey.KeyId ?? '')).toEqual([]);
  });
});

const BOTO3_SCRIPT = `
import json, sys
import boto3
kms = boto3.client('kms', endpoint_url=sys.argv[1], region_name='${REGION}')
key = kms.create_key()['KeyMetadata']
grantee = 'arn:aws:iam::${ACCOUNT_ID}:role/app'
retirer = 'arn:aws:iam::${ACCOUNT_ID}:role/ops'
created = kms.create_grant(KeyId=key['KeyId'], GranteePrincipal=grantee, RetiringPrincipal=retirer,
    Operations=['Encrypt', 'Decrypt'], Constraints={'EncryptionContextSubset': {'app': 'orders'}}, Name='boto3-grant')
retry = kms.create_grant(KeyId=key['KeyId'], GranteePrincipal=grantee, RetiringPrincipal=retirer,
    Operations=['Encrypt', 'Decrypt'], Constraints={'EncryptionContextSubset': {'app': 'orders'}}, Name='boto3-grant')
second = kms.create_grant(KeyId=key['Arn'], GranteePrincipal=grantee, Operations=['DescribeKey'])
listed = [g for page in kms.get_paginator('list_grants').paginate(KeyId=key['KeyId'], PaginationConfig={'PageSize': 1}) for g in page['Grants']]
retirable = kms.list_retirable_grants(RetiringPrincipal=retirer)['Grants']
kms.retire_grant(GrantToken=created['GrantToken'])
kms.revoke_grant(KeyId=key['KeyId'], GrantId=second['GrantId'])
after = kms.list_grants(KeyId=key['KeyId'])
try:
    kms.revoke_grant(KeyId=key['KeyId'], GrantId=second['GrantId'])
    error = None
except kms.exceptions.InvalidGrantIdException as e:
    error = e.response['Error']['Code']
print(json.dumps({
    'grantId': created['GrantId'],
    'retryGrantId': retry['GrantId'],
    'tokensDiffer': created['GrantToken'] != retry['GrantToken'],
    'listed': sorted(g['GrantId'] for g in listed),
    'secondId': second['GrantId'],
    'first': next(dict((k, v) for k, v in g.items() if k != 'CreationDate') for g in listed if g['GrantId'] == created['GrantId']),
    'retirable': [g['GrantId'] for g in retirable if g['KeyId'] == key['Arn']],
    'after': after['Grants'],
    'truncated': after['Truncated'],
    'error': error,
    'keyArn': key['Arn'],
}))
`;

describe('grants through boto3 and the AWS CLI', () => {
  it('creates, retries by Name, pages, lists retirable, retires by token and revokes with boto3', async () => {
    // Act
    const { stdout } = await run('python3', ['-c', BOTO3_SCRIPT, e2e.service.endpoint], { env: e2e.stockClientEnv(), timeout: 60_000 });

    // Assess
    const result = JSON.parse(stdout) as Record<string, unknown> & { grantId: string; secondId: string; keyArn: string };
    expect(result).toEqual({
      grantId: expect.stringMatching(/^[0-9a-f]{64}$/),
      retryGrantId: result.grantId,
      tokensDiffer: true,
      listed: [result.grantId, result.secondId].sort(),
      secondId: expect.stringMatching(/^[0-9a-f]{64}$/),
      first: {
        KeyId: result.keyArn,
        GrantId: result.grantId,
        Name: 'boto3-grant',
        GranteePrincipal: GRANTEE,
        RetiringPrincipal: RETIRER,
        IssuingAccount: ROOT,
        Operations: ['Encrypt', 'Decrypt'],
        Constraints: { EncryptionContextSubset: { app: 'orders' } },
      },
      retirable: [result.grantId],
      after: [],
      truncated: false,
      error: 'InvalidGrantIdException',
      keyArn: expect.stringMatching(/^arn:aws:kms:us-east-1:111122223333:key\//),
    });
  });

  it('creates a grant and lists it with the AWS CLI, and retires it by its token', async () => {
    // Prepare
    const cliKey = await createKey();
    const aws = (...args: string[]) => e2e.awsKms(...args);

    // Act
    const created = await aws('create-grant', '--key-id', cliKey.KeyId ?? '', '--grantee-principal', GRANTEE, '--operations', 'Decrypt', 'Encrypt',
      '--constraints', 'EncryptionContextEquals={Department=IT}');
    const listed = await aws('list-grants', '--key-id', cliKey.KeyId ?? '');
    await aws('retire-grant', '--grant-token', String(created['GrantToken']));
    const after = await aws('list-grants', '--key-id', cliKey.KeyId ?? '');

    // Assess
    expect(listed['Grants']).toEqual([expect.objectContaining({
      GrantId: created['GrantId'], Name: '', Operations: ['Decrypt', 'Encrypt'], Constraints: { EncryptionContextEquals: { Department: 'IT' } },
    })]);
    expect(after).toEqual({ Grants: [] });
  });
});
