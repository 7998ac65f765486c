/**
 * Access control through the core operations: key policy, IAM policies (an in-memory
 * IdentityDirectory), grants (an in-memory GrantLookup), VPC endpoint policies, the lockout check,
 * DryRun and the decision records of the audit event. Sources: Developer Guide, "Determining
 * access to a KMS key", "Key policies", "Default key policy", "Allowing users in other accounts",
 * "ABAC for AWS KMS", "Controlling access to aliases", "Using VPC endpoint conditions".
 */
import { describe, expect, it, vi } from 'vitest';
import {
  AccessDeniedException, DryRunOperationException, MalformedPolicyDocumentException, NotFoundException,
} from '../../../../src/models/kms/generated/errors.js';
import type { OperationIO, OperationName } from '../../../../src/models/kms/generated/operations.js';
import type { GrantLookup } from '../../../../src/core/ports/index.js';
import type { GrantRecord } from '../../../../src/core/authz/index.js';
import type { Principal, RequestContext } from '../../../../src/core/request-context.js';
import { OPERATION_HANDLERS } from '../../../../src/core/kms/operations/registry.js';
import { TouchedResources } from '../../../../src/core/kms/service.js';
import { defaultKeyPolicy } from '../../../../src/core/kms/keys/default-key-policy.js';
import { PolicyAccessControl } from '../../../../src/core/kms/access/policy-access-control.js';
import {
  ACCOUNT_ID, OTHER_ACCOUNT_ID, REGION, bytes, caught, makeAlias, makeContext, makeCore, makePrincipal, seedKey, type CoreHarness,
} from '../../../support/core.js';
import { InMemoryIdentityDirectory } from '../../../support/identity-directory.js';

const ALICE_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/Alice`;
const ALICE: Principal = makePrincipal({
  type: 'IAMUser', arn: ALICE_ARN, principalId: 'AIDAEXAMPLEALICE0001', userName: 'Alice', accessKeyId: 'AKIAEXAMPLEALICE0001',
});
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/App`;
const SESSION: Principal = makePrincipal({
  type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/App/s1`, principalId: 'AROAEXAMPLEAPP000001:s1', accessKeyId: 'ASIAEXAMPLEAPP000001',
  session: { roleArn: ROLE_ARN, roleName: 'App', roleId: 'AROAEXAMPLEAPP000001', sessionName: 's1', issuedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER },
  tags: { team: 'blue' },
});
const OTHER_ROOT = makePrincipal({ accountId: OTHER_ACCOUNT_ID });
const OTHER_BOB_ARN = `arn:aws:iam::${OTHER_ACCOUNT_ID}:user/Bob`;
const OTHER_BOB = makePrincipal({ type: 'IAMUser', accountId: OTHER_ACCOUNT_ID, arn: OTHER_BOB_ARN, principalId: 'AIDAEXAMPLEBOB000001', userName: 'Bob' });

function allow(action: string | string[], extra: Record<string, unknown> = {}): object {
  return { Version: '2012-10-17', Statement: [{ Sid: 'Allow', Effect: 'Allow', Action: action, Resource: '*', ...extra }] };
}

async function run<Op extends OperationName>(
  core: CoreHarness, operation: Op, input: OperationIO[Op]['input'], ctx: Partial<RequestContext> = {}, touched = new TouchedResources(),
): Promise<OperationIO[Op]['output']> {
  const handler = OPERATION_HANDLERS[operation];
  if (handler === undefined) throw new Error(`${operation} not built`);
  return handler({ deps: core.deps, ctx: makeContext(ctx), input, touched });
}

function denied(principal: string, action: string, resource: string, why: string): string {
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

describe('access control of key operations', () => {
  it('allows the account root under the default key policy, naming the statement in the decision', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const touched = new TouchedResources();

    // Act
    await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, {}, touched);

    // Assess
    expect(touched.authorizations()).toEqual([{
      action: 'kms:Encrypt', resource: key.arn, decision: 'Allow',
      sources: [{ type: 'key-policy', policyName: 'default', sid: 'Enable IAM User Permissions', statementIndex: 0 }, { type: 'root-user' }],
    }]);
  });

  it('lets an IAM user of the account through the default key policy only when an IAM policy allows', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: ALICE }));
    core.identities.attach(ALICE_ARN, { name: 'use-keys', document: allow('kms:Encrypt') });
    const touched = new TouchedResources();
    await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: ALICE }, touched);

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toBe(denied(ALICE_ARN, 'kms:Encrypt', key.arn, 'because no identity-based policy allows the kms:Encrypt action'));
    expect(touched.authorizations()[0]?.sources).toEqual([
      { type: 'key-policy', policyName: 'default', sid: 'Enable IAM User Permissions', statementIndex: 0 },
      { type: 'identity-policy', policyName: 'use-keys', sid: 'Allow', statementIndex: 0 },
    ]);
  });

  it('ignores IAM policies when the key policy does not name the account', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, {
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: 'kms:*', Resource: '*' }] }),
    });
    core.identities.attach(ALICE_ARN, { name: 'all', document: allow('kms:*') });

    // Act
    const error = await caught(run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: ALICE }));
    const rootError = await caught(run(core, 'DescribeKey', { KeyId: key.keyId }));
    await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: SESSION });

    // Assess
    expect(error.message).toBe(denied(ALICE_ARN, 'kms:Encrypt', key.arn, 'because no resource-based policy allows the kms:Encrypt action'));
    expect(rootError.message).toBe(denied(`arn:aws:iam::${ACCOUNT_ID}:root`, 'kms:DescribeKey', key.arn, 'because no resource-based policy allows the kms:DescribeKey action'));
  });

  it('lets an explicit Deny in an IAM policy win, naming the managed policy in the message', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const policyArn = `arn:aws:iam::${ACCOUNT_ID}:policy/NoEncrypt`;
    core.identities.attach(ALICE_ARN, { name: 'all', document: allow('kms:*') }, {
      name: 'NoEncrypt', arn: policyArn, document: { Version: '2012-10-17', Statement: [{ Sid: 'No', Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }] },
    });
    const touched = new TouchedResources();

    // Act
    const error = await caught(run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: ALICE }, touched));

    // Assess
    expect(error.message).toBe(denied(ALICE_ARN, 'kms:Encrypt', key.arn, `with an explicit deny in an identity-based policy: ${policyArn}`));
    expect(touched.authorizations()).toEqual([{
      action: 'kms:Encrypt', resource: key.arn, decision: 'Deny',
      sources: [{ type: 'identity-policy', policyName: 'NoEncrypt', policyArn, sid: 'No', statementIndex: 0 }],
    }]);
  });

  it('needs both the key policy and the caller account\'s IAM policy across accounts, and only for cross-account operations', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, {
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Owner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'kms:*', Resource: '*' },
          { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT_ID}:root` }, Action: ['kms:Encrypt', 'kms:DescribeKey', 'kms:PutKeyPolicy'], Resource: '*' },
        ],
      }),
    });
    const other = { principal: OTHER_BOB };

    // Act
    const noIam = await caught(run(core, 'Encrypt', { KeyId: key.arn, Plaintext: bytes('x') }, other));
    core.identities.attach(OTHER_BOB_ARN, { name: 'use', document: allow(['kms:Encrypt', 'kms:PutKeyPolicy']) });
    await run(core, 'Encrypt', { KeyId: key.arn, Plaintext: bytes('x') }, other);
    await run(core, 'DescribeKey', { KeyId: key.arn }, { principal: OTHER_ROOT });
    const notCrossAccount = await caught(run(core, 'GetKeyPolicy', { KeyId: key.arn }, { principal: OTHER_ROOT }));

    // Assess
    expect(noIam.message).toBe(denied(OTHER_BOB_ARN, 'kms:Encrypt', key.arn, 'because no identity-based policy allows the kms:Encrypt action'));
    expect(notCrossAccount.message).toBe(denied(`arn:aws:iam::${OTHER_ACCOUNT_ID}:root`, 'kms:GetKeyPolicy', key.arn, 'because no resource-based policy allows the kms:GetKeyPolicy action'));
  });

  it('decides operations on no key by IAM policies alone, on resource *', async () => {
    // Prepare
    const core = makeCore();

    // Act
    const error = await caught(run(core, 'CreateKey', {}, { principal: ALICE }));
    const listError = await caught(run(core, 'ListKeys', {}, { principal: ALICE }));
    core.identities.attach(ALICE_ARN, { name: 'make', document: allow(['kms:CreateKey', 'kms:ListKeys', 'kms:GenerateRandom', 'kms:ListAliases']) });
    await run(core, 'CreateKey', {}, { principal: ALICE });
    await run(core, 'ListKeys', {}, { principal: ALICE });
    await run(core, 'GenerateRandom', { NumberOfBytes: 8 }, { principal: ALICE });
    await run(core, 'ListAliases', {}, { principal: ALICE });

    // Assess
    expect(error.message).toBe(denied(ALICE_ARN, 'kms:CreateKey', '*', 'because no identity-based policy allows the kms:CreateKey action'));
    expect(listError.message).toBe(denied(ALICE_ARN, 'kms:ListKeys', '*', 'because no identity-based policy allows the kms:ListKeys action'));
  });

  const FIRST_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/00000000-0000-4000-8000-000000000001`;
  const TAGS = [{ TagKey: 'Team', TagValue: 'blue' }];

  it('needs kms:TagResource on the new key from an IAM policy to create a key with Tags, and makes nothing without it', async () => {
    // Prepare
    const core = makeCore();
    core.identities.attach(ALICE_ARN, { name: 'make', document: allow('kms:CreateKey') });
    const generate = vi.spyOn(core.material, 'generateSymmetricKey');

    // Act
    const error = await caught(run(core, 'CreateKey', { Tags: TAGS }, { principal: ALICE }));
    const listed = await run(core, 'ListKeys', {});

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toBe(denied(ALICE_ARN, 'kms:TagResource', FIRST_KEY_ARN, 'because no identity-based policy allows the kms:TagResource action'));
    expect(listed.Keys).toEqual([]);
    expect(generate).not.toHaveBeenCalled();
  });

  it('creates a key with Tags when an IAM policy allows kms:TagResource on keys of the account, and records both decisions', async () => {
    // Prepare
    const core = makeCore();
    core.identities.attach(ALICE_ARN, { name: 'make', document: allow('kms:CreateKey') }, {
      name: 'tag', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:TagResource', Resource: `arn:aws:kms:*:${ACCOUNT_ID}:key/*` }] },
    });
    const touched = new TouchedResources();

    // Act
    const output = await run(core, 'CreateKey', { Tags: TAGS }, { principal: ALICE }, touched);

    // Assess
    expect(output.KeyMetadata?.Arn).toBe(FIRST_KEY_ARN);
    expect(touched.authorizations().map((a) => [a.action, a.resource, a.decision])).toEqual([
      ['kms:CreateKey', '*', 'Allow'], ['kms:TagResource', FIRST_KEY_ARN, 'Allow'],
    ]);
  });

  it('does not count kms:TagResource in the key policy of the key being created (including this permission in the key policy of the new KMS key isn\'t sufficient)', async () => {
    // Prepare
    const core = makeCore();
    core.identities.attach(ALICE_ARN, { name: 'make', document: allow(['kms:CreateKey', 'kms:PutKeyPolicy']) });
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: ALICE_ARN }, Action: 'kms:TagResource', Resource: '*' }],
    });

    // Act
    const error = await caught(run(core, 'CreateKey', { Tags: TAGS, Policy: policy }, { principal: ALICE }));
    const untagged = await run(core, 'CreateKey', { Policy: policy }, { principal: ALICE });
    await run(core, 'TagResource', { KeyId: untagged.KeyMetadata?.KeyId ?? '', Tags: TAGS }, { principal: ALICE });

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toBe(denied(ALICE_ARN, 'kms:TagResource', FIRST_KEY_ARN, 'because no identity-based policy allows the kms:TagResource action'));
  });

  it('evaluates aws:RequestTag and aws:TagKeys of CreateKey\'s Tags in that check, and lets the root user tag as it creates', async () => {
    // Prepare
    const core = makeCore();
    core.identities.attach(ALICE_ARN, { name: 'make', document: allow(['kms:CreateKey', 'kms:TagResource']) }, {
      name: 'only-blue', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'kms:TagResource', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestTag/Team': 'blue' } } }] },
    });

    // Act
    const red = await caught(run(core, 'CreateKey', { Tags: [{ TagKey: 'Team', TagValue: 'red' }] }, { principal: ALICE }));
    const blue = await run(core, 'CreateKey', { Tags: TAGS }, { principal: ALICE });
    const byRoot = await run(core, 'CreateKey', { Tags: TAGS });

    // Assess
    expect(red).toBeInstanceOf(AccessDeniedException);
    expect(red.message).toMatch(/^User: \S+ is not authorized to perform: kms:TagResource on resource: \S+ with an explicit deny in an identity-based policy/);
    expect(blue.KeyMetadata?.KeyId).toBeDefined();
    expect(byRoot.KeyMetadata?.KeyId).toBeDefined();
  });

  it('authorizes CreateAlias on the alias and on the key, UpdateAlias on both keys, DeleteAlias on alias and key', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const aliasArn = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:alias/app`;
    core.identities.attach(ALICE_ARN, { name: 'keys-only', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*Alias', Resource: key.arn }] } });

    // Act
    const onAlias = await caught(run(core, 'CreateAlias', { AliasName: 'alias/app', TargetKeyId: key.keyId }, { principal: ALICE }));
    core.identities.attach(ALICE_ARN, { name: 'aliases', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*Alias', Resource: 'arn:aws:kms:*:*:alias/app' }] } });
    const touched = new TouchedResources();
    await run(core, 'CreateAlias', { AliasName: 'alias/app', TargetKeyId: key.keyId }, { principal: ALICE }, touched);
    const other = await seedKey(core, { keyId: '1234abcd-12ab-34cd-56ef-000000000002', arn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-000000000002` });
    const onNewKey = await caught(run(core, 'UpdateAlias', { AliasName: 'alias/app', TargetKeyId: other.keyId }, { principal: ALICE }));

    // Assess
    expect(onAlias.message).toBe(denied(ALICE_ARN, 'kms:CreateAlias', aliasArn, 'because no identity-based policy allows the kms:CreateAlias action'));
    expect(touched.authorizations().map((a) => a.resource)).toEqual([aliasArn, key.arn]);
    expect(onNewKey.message).toBe(denied(ALICE_ARN, 'kms:UpdateAlias', other.arn, 'because no identity-based policy allows the kms:UpdateAlias action'));
  });

  it('allows by tag and by alias (ABAC) in IAM policies', async () => {
    // Prepare
    const core = makeCore();
    const blue = await seedKey(core, { tags: [{ tagKey: 'Team', tagValue: 'blue' }] });
    const red = await seedKey(core, { keyId: '1234abcd-12ab-34cd-56ef-000000000002', arn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-000000000002` });
    await core.store.createAlias(makeAlias({ aliasName: 'alias/red-app', targetKeyId: red.keyId }));
    core.identities.attach(ROLE_ARN, {
      name: 'abac',
      document: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } },
          { Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/red-*' } } },
          { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: '*', Condition: { StringEquals: { 'kms:RequestAlias': 'alias/red-app' } } },
        ],
      },
    });
    const ctx = { principal: SESSION };

    // Act
    await run(core, 'Encrypt', { KeyId: blue.keyId, Plaintext: bytes('x') }, ctx);
    const redEncrypt = await caught(run(core, 'Encrypt', { KeyId: red.keyId, Plaintext: bytes('x') }, ctx));
    await run(core, 'DescribeKey', { KeyId: red.keyId }, ctx);
    const blueDescribe = await caught(run(core, 'DescribeKey', { KeyId: blue.keyId }, ctx));
    await run(core, 'GenerateDataKey', { KeyId: 'alias/red-app', NumberOfBytes: 16 }, ctx);
    const byId = await caught(run(core, 'GenerateDataKey', { KeyId: red.keyId, NumberOfBytes: 16 }, ctx));

    // Assess
    expect(redEncrypt).toBeInstanceOf(AccessDeniedException);
    expect(blueDescribe).toBeInstanceOf(AccessDeniedException);
    expect(byId).toBeInstanceOf(AccessDeniedException);
  });

  it('refuses a key policy that would lock the caller out, unless BypassPolicyLockoutSafetyCheck is set', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'kms:Encrypt', Resource: '*' }] });

    // Act
    const onPut = await caught(run(core, 'PutKeyPolicy', { KeyId: key.keyId, Policy: lockout }));
    const onCreate = await caught(run(core, 'CreateKey', { Policy: lockout }));
    await run(core, 'PutKeyPolicy', { KeyId: key.keyId, Policy: lockout, BypassPolicyLockoutSafetyCheck: true });
    const after = await caught(run(core, 'GetKeyPolicy', { KeyId: key.keyId }));

    // Assess
    for (const error of [onPut, onCreate]) {
      expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
      expect(error.message).toBe('The new key policy will not allow you to update the key policy in the future.');
    }
    expect(after.message).toBe(denied(`arn:aws:iam::${ACCOUNT_ID}:root`, 'kms:GetKeyPolicy', key.arn, 'because no resource-based policy allows the kms:GetKeyPolicy action'));
  });

  it('refuses a key policy naming a principal that does not exist', async () => {
    // Prepare
    const core = makeCore();

    // Act
    const error = await caught(run(core, 'CreateKey', {
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'kms:*', Resource: '*' }] }),
      BypassPolicyLockoutSafetyCheck: true,
    }));

    // Assess
    expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
  });

  it('puts, gets and lists the key policy, and a new policy applies to the next request at once', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'NoEncrypt', Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*' },
      ],
    });
    await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') });

    // Act
    await run(core, 'PutKeyPolicy', { KeyId: key.keyId, Policy: policy, PolicyName: 'default' });
    const got = await run(core, 'GetKeyPolicy', { KeyId: key.keyId });
    const names = await run(core, 'ListKeyPolicies', { KeyId: key.keyId });
    const error = await caught(run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }));
    const otherName = await caught(run(core, 'GetKeyPolicy', { KeyId: key.keyId, PolicyName: 'other' }));

    // Assess
    expect(got).toEqual({ Policy: policy, PolicyName: 'default' });
    expect(names).toEqual({ PolicyNames: ['default'], Truncated: false });
    expect(error.message).toBe(denied(`arn:aws:iam::${ACCOUNT_ID}:root`, 'kms:Encrypt', key.arn, 'with an explicit deny in a resource-based policy'));
    expect(otherName).toBeInstanceOf(NotFoundException);
  });

  it('gives CreateKey the default key policy exactly as AWS writes it', async () => {
    // Prepare
    const core = makeCore();

    // Act
    const { KeyMetadata } = await run(core, 'CreateKey', {});
    const { Policy } = await run(core, 'GetKeyPolicy', { KeyId: KeyMetadata?.KeyId ?? '' });

    // Assess
    expect(Policy).toBe(defaultKeyPolicy(ACCOUNT_ID));
  });

  it('answers DryRunOperationException when allowed and AccessDeniedException when not', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const allowed = await caught(run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x'), DryRun: true }));
    const refused = await caught(run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x'), DryRun: true }, { principal: ALICE }));

    // Assess
    expect(allowed).toBeInstanceOf(DryRunOperationException);
    expect(refused).toBeInstanceOf(AccessDeniedException);
  });

  it('lets a grant allow what no policy allows, and never what an explicit Deny refuses', async () => {
    // Prepare
    const identities = new InMemoryIdentityDirectory();
    const core = makeCore(identities);
    const key = await seedKey(core);
    const grant: GrantRecord = { grantId: 'g'.repeat(64), keyArn: key.arn, granteePrincipal: ALICE_ARN, issuingAccount: `arn:aws:iam::${ACCOUNT_ID}:root`, operations: ['Encrypt'] };
    let asked = 0;
    const grants: GrantLookup = {
      grantsForKey: async () => {
        asked += 1;
        return [grant];
      },
      grantsForTokens: async () => [],
    };
    const withGrants = { ...core, deps: { ...core.deps, access: new PolicyAccessControl({ identities, grants }) } };
    const touched = new TouchedResources();

    // Act
    await run(withGrants, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: ALICE }, touched);
    await run(withGrants, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') });
    identities.attach(ALICE_ARN, { name: 'deny', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'kms:*', Resource: '*' }] } });
    const error = await caught(run(withGrants, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: ALICE }));

    // Assess
    expect(touched.authorizations()[0]?.sources).toEqual([{ type: 'grant', grantId: grant.grantId }]);
    expect(asked).toBe(1);
    expect(error).toBeInstanceOf(AccessDeniedException);
  });

  it('evaluates the VPC endpoint policy of the endpoint a request came through, besides the key policy', async () => {
    // Prepare
    const identities = new InMemoryIdentityDirectory();
    const core = makeCore(identities);
    const key = await seedKey(core);
    const endpointPolicies = new Map([['vpce-0123456789abcdef0', JSON.stringify({
      Statement: [{ Sid: 'DescribeOnly', Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Resource: '*' }],
    })]]);
    const viaEndpoint = { ...core, deps: { ...core.deps, access: new PolicyAccessControl({ identities, endpointPolicies }) } };
    const ctx = { vpcEndpointId: 'vpce-0123456789abcdef0', vpcId: 'vpc-1a2b3c4d' };

    // Act
    await run(viaEndpoint, 'DescribeKey', { KeyId: key.keyId }, ctx);
    const error = await caught(run(viaEndpoint, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, ctx));
    await run(viaEndpoint, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { vpcEndpointId: 'vpce-1111111111111111a' });

    // Assess
    expect(error.message).toBe(denied(`arn:aws:iam::${ACCOUNT_ID}:root`, 'kms:Encrypt', key.arn, 'because no VPC endpoint policy allows the kms:Encrypt action'));
  });

  it('sees aws:SourceVpce and aws:SourceVpc, and not aws:SourceIp, through a VPC endpoint (seed 000, first example)', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, {
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Enable IAM user permissions', Effect: 'Allow', Principal: { AWS: [ACCOUNT_ID] }, Action: ['kms:*'], Resource: '*' },
          { Sid: 'Restrict usage to my VPC endpoint', Effect: 'Deny', Principal: '*', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringNotEquals: { 'aws:sourceVpce': 'vpce-0295a3caf8414c94a' } } },
          { Sid: 'No public IP', Effect: 'Deny', Principal: '*', Action: 'kms:DescribeKey', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } },
        ],
      }),
    });

    // Act
    const direct = await caught(run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }));
    await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { vpcEndpointId: 'vpce-0295a3caf8414c94a', vpcId: 'vpc-12345678' });
    await run(core, 'DescribeKey', { KeyId: key.keyId }, { vpcEndpointId: 'vpce-0295a3caf8414c94a', vpcId: 'vpc-12345678' });
    const describeDirect = await caught(run(core, 'DescribeKey', { KeyId: key.keyId }));

    // Assess
    expect(direct.message).toBe(denied(`arn:aws:iam::${ACCOUNT_ID}:root`, 'kms:Encrypt', key.arn, 'with an explicit deny in a resource-based policy'));
    expect(describeDirect).toBeInstanceOf(AccessDeniedException);
  });

  it('looks the caller\'s IAM policies up once per request', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    core.identities.attach(ALICE_ARN, { name: 'all', document: allow('kms:*') });
    const blob = (await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') })).CiphertextBlob;
    const before = core.identities.lookups;

    // Act
    await run(core, 'ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: key.keyId }, { principal: ALICE });

    // Assess
    expect(core.identities.lookups - before).toBe(1);
  });
});

describe('ReEncrypt', () => {
  it('authorizes kms:ReEncryptFrom on the source and kms:ReEncryptTo on the destination, with kms:ReEncryptOnSameKey', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const other = await seedKey(core, { keyId: '1234abcd-12ab-34cd-56ef-000000000002', arn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-000000000002` });
    core.identities.attach(ALICE_ARN, {
      name: 'same-key-only',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:ReEncrypt*', Resource: '*', Condition: { Bool: { 'kms:ReEncryptOnSameKey': 'true' } } }] },
    });
    const blob = (await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') })).CiphertextBlob;
    const touched = new TouchedResources();

    // Act
    await run(core, 'ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: key.keyId }, { principal: ALICE }, touched);
    const error = await caught(run(core, 'ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: other.keyId }, { principal: ALICE }));

    // Assess
    expect(touched.authorizations().map((a) => a.action)).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo']);
    expect(error.message).toBe(denied(ALICE_ARN, 'kms:ReEncryptFrom', key.arn, 'because no identity-based policy allows the kms:ReEncryptFrom action'));
  });
});
