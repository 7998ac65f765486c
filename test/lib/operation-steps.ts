/**
 * One successful call of every built operation, in an order where each finds what it needs
 * (keys, an alias, a ciphertext, a signature, a MAC). The deployment tests run them with each
 * operation's dependencies chosen by the function it runs in, to show what each function needs.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { wrapForImport } from '../support/wrap-for-import.js';
import { groupOf } from '../../src/core/kms/api-groups.js';
import { OPERATION_HANDLERS } from '../../src/core/kms/operations/registry.js';
import { TouchedResources, type CoreDeps } from '../../src/core/kms/service.js';
import type { OperationName } from '../../src/models/kms/generated/operations.js';
import { runEncodedOperation } from '../../src/pipeline/run-operation.js';
import type { DeployedGroup } from '../../lib/api-groups.js';
import { makeContext } from '../support/core.js';
import type { QueryOperationRunner } from '../../src/pipeline/query-handler.js';

type Output = Record<string, unknown>;

/** Values earlier steps produced for later ones. */
type State = Record<string, string>;

interface Step {
  readonly operation: OperationName;
  readonly body: (state: State) => Record<string, unknown>;
  /** Keeps a value of the output for later steps. */
  readonly keep?: (output: Output, state: State) => void;
}

const MESSAGE = Buffer.from('message to sign').toString('base64');
const PEER_PUBLIC_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const ALIAS = 'alias/app';
/** A grant names a principal that exists: the account itself. */
const GRANTEE = 'arn:aws:iam::111122223333:root';

const keyIdAs = (name: string) => (output: Output, state: State) => {
  state[name] = String((output['KeyMetadata'] as Output)['KeyId']);
};
const keepAs = (member: string, name = member) => (output: Output, state: State) => {
  state[name] = String(output[member]);
};
const need = (state: State, name: string): string => {
  const value = state[name];
  if (value === undefined) throw new Error(`no ${name} yet`);
  return value;
};

export const STEPS: readonly Step[] = [
  { operation: 'CreateKey', body: () => ({ Description: 'orders' }), keep: keyIdAs('symmetric') },
  { operation: 'CreateKey', body: () => ({}), keep: keyIdAs('otherSymmetric') },
  { operation: 'CreateKey', body: () => ({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }), keep: keyIdAs('signing') },
  { operation: 'CreateKey', body: () => ({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }), keep: keyIdAs('hmac') },
  { operation: 'CreateKey', body: () => ({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }), keep: keyIdAs('agreement') },
  { operation: 'CreateAlias', body: (s) => ({ AliasName: ALIAS, TargetKeyId: need(s, 'symmetric') }) },
  { operation: 'DescribeKey', body: () => ({ KeyId: ALIAS }) },
  { operation: 'ListKeys', body: () => ({ Limit: 2 }) },
  { operation: 'UpdateKeyDescription', body: (s) => ({ KeyId: need(s, 'symmetric'), Description: 'billing' }) },
  { operation: 'DisableKey', body: (s) => ({ KeyId: need(s, 'otherSymmetric') }) },
  { operation: 'EnableKey', body: (s) => ({ KeyId: need(s, 'otherSymmetric') }) },
  { operation: 'Encrypt', body: () => ({ KeyId: ALIAS, Plaintext: 'AAEC' }), keep: keepAs('CiphertextBlob') },
  { operation: 'Decrypt', body: (s) => ({ CiphertextBlob: need(s, 'CiphertextBlob') }) },
  { operation: 'ReEncrypt', body: (s) => ({ CiphertextBlob: need(s, 'CiphertextBlob'), DestinationKeyId: need(s, 'otherSymmetric') }) },
  { operation: 'GenerateDataKey', body: () => ({ KeyId: ALIAS, KeySpec: 'AES_256' }) },
  { operation: 'GenerateDataKeyWithoutPlaintext', body: () => ({ KeyId: ALIAS, NumberOfBytes: 32 }) },
  { operation: 'GenerateDataKeyPair', body: () => ({ KeyId: ALIAS, KeyPairSpec: 'ECC_NIST_P256' }) },
  { operation: 'GenerateDataKeyPairWithoutPlaintext', body: () => ({ KeyId: ALIAS, KeyPairSpec: 'ECC_NIST_P256' }) },
  { operation: 'GenerateRandom', body: () => ({ NumberOfBytes: 16 }) },
  { operation: 'Sign', body: (s) => ({ KeyId: need(s, 'signing'), Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }), keep: keepAs('Signature') },
  {
    operation: 'Verify',
    body: (s) => ({ KeyId: need(s, 'signing'), Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256', Signature: need(s, 'Signature') }),
  },
  { operation: 'GetPublicKey', body: (s) => ({ KeyId: need(s, 'signing') }) },
  { operation: 'GenerateMac', body: (s) => ({ KeyId: need(s, 'hmac'), Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }), keep: keepAs('Mac') },
  { operation: 'VerifyMac', body: (s) => ({ KeyId: need(s, 'hmac'), Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256', Mac: need(s, 'Mac') }) },
  {
    operation: 'DeriveSharedSecret',
    body: (s) => ({ KeyId: need(s, 'agreement'), KeyAgreementAlgorithm: 'ECDH', PublicKey: PEER_PUBLIC_KEY }),
  },
  { operation: 'ListAliases', body: () => ({}) },
  { operation: 'ListAliases', body: (s) => ({ KeyId: need(s, 'symmetric') }) },
  { operation: 'UpdateAlias', body: (s) => ({ AliasName: ALIAS, TargetKeyId: need(s, 'otherSymmetric') }) },
  { operation: 'TagResource', body: (s) => ({ KeyId: need(s, 'symmetric'), Tags: [{ TagKey: 'team', TagValue: 'payments' }] }) },
  { operation: 'ListResourceTags', body: (s) => ({ KeyId: need(s, 'symmetric') }) },
  { operation: 'UntagResource', body: (s) => ({ KeyId: need(s, 'symmetric'), TagKeys: ['team'] }) },
  { operation: 'GetKeyPolicy', body: (s) => ({ KeyId: need(s, 'symmetric') }), keep: keepAs('Policy') },
  { operation: 'ListKeyPolicies', body: (s) => ({ KeyId: need(s, 'symmetric') }) },
  { operation: 'PutKeyPolicy', body: (s) => ({ KeyId: need(s, 'symmetric'), Policy: need(s, 'Policy') }) },
  { operation: 'CreateKey', body: (s) => ({ Policy: need(s, 'Policy') }) },
  {
    operation: 'CreateGrant',
    body: (s) => ({ KeyId: need(s, 'symmetric'), GranteePrincipal: GRANTEE, RetiringPrincipal: GRANTEE, Operations: ['Encrypt'] }),
    keep: (output, state) => { keepAs('GrantToken')(output, state); },
  },
  {
    operation: 'CreateGrant',
    body: (s) => ({ KeyId: need(s, 'symmetric'), GranteePrincipal: GRANTEE, Operations: ['Decrypt'], Name: 'app-decrypt' }),
    keep: keepAs('GrantId', 'revokedGrant'),
  },
  {
    operation: 'CreateGrant',
    body: (s) => ({ KeyId: need(s, 'symmetric'), GranteePrincipal: GRANTEE, Operations: ['DescribeKey'] }),
    keep: keepAs('GrantId', 'retiredGrant'),
  },
  { operation: 'ListGrants', body: (s) => ({ KeyId: need(s, 'symmetric'), Limit: 1 }) },
  { operation: 'ListRetirableGrants', body: () => ({ RetiringPrincipal: GRANTEE }) },
  { operation: 'RetireGrant', body: (s) => ({ GrantToken: need(s, 'GrantToken') }) },
  { operation: 'RetireGrant', body: (s) => ({ KeyId: need(s, 'symmetric'), GrantId: need(s, 'retiredGrant') }) },
  { operation: 'RevokeGrant', body: (s) => ({ KeyId: need(s, 'symmetric'), GrantId: need(s, 'revokedGrant') }) },
  { operation: 'EnableKeyRotation', body: (s) => ({ KeyId: need(s, 'symmetric'), RotationPeriodInDays: 90 }) },
  { operation: 'GetKeyRotationStatus', body: (s) => ({ KeyId: need(s, 'symmetric') }) },
  { operation: 'RotateKeyOnDemand', body: (s) => ({ KeyId: need(s, 'symmetric') }) },
  { operation: 'ListKeyRotations', body: (s) => ({ KeyId: need(s, 'symmetric'), IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }) },
  { operation: 'DisableKeyRotation', body: (s) => ({ KeyId: need(s, 'symmetric') }) },
  { operation: 'GetKeyLastUsage', body: (s) => ({ KeyId: need(s, 'symmetric') }) },
  { operation: 'CreateKey', body: () => ({ Origin: 'EXTERNAL' }), keep: keyIdAs('external') },
  {
    operation: 'GetParametersForImport',
    body: (s) => ({ KeyId: need(s, 'external'), WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
    keep: (output, state) => { keepAs('ImportToken')(output, state); keepAs('PublicKey', 'WrappingPublicKey')(output, state); },
  },
  {
    operation: 'ImportKeyMaterial',
    body: (s) => ({
      KeyId: need(s, 'external'), ImportToken: need(s, 'ImportToken'), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      EncryptedKeyMaterial: Buffer.from(wrapForImport(Buffer.from(need(s, 'WrappingPublicKey'), 'base64'), 'RSAES_OAEP_SHA_256', randomBytes(32))).toString('base64'),
    }),
  },
  { operation: 'DeleteImportedKeyMaterial', body: (s) => ({ KeyId: need(s, 'external') }) },
  { operation: 'DeleteAlias', body: () => ({ AliasName: ALIAS }) },
  { operation: 'ScheduleKeyDeletion', body: (s) => ({ KeyId: need(s, 'otherSymmetric'), PendingWindowInDays: 7 }) },
  { operation: 'CancelKeyDeletion', body: (s) => ({ KeyId: need(s, 'otherSymmetric') }) },
];

/** The function an operation runs in: the front for the crypto group, else its group's. */
export type ServiceFunction = 'front' | 'lifecycle' | DeployedGroup;

export function functionOf(operation: OperationName | `${'iam' | 'sts'}:${string}`): ServiceFunction {
  if (operation.includes(':')) return 'identities';
  const group = groupOf(operation as OperationName);
  return group === 'crypto' ? 'front' : (group as DeployedGroup);
}

/** Every operation that is built, so a test can check that the steps call each one. */
export const BUILT_OPERATIONS = (Object.keys(OPERATION_HANDLERS) as OperationName[]).sort();

export interface StepResult {
  readonly operation: OperationName | `${'iam' | 'sts'}:${string}`;
  readonly error?: string;
}

/**
 * Runs every step with the dependencies `depsFor` gives its operation, calling `around` with
 * the operation before and after each (to attribute what the step did to its function).
 */
export async function runSteps(
  depsFor: (operation: OperationName) => CoreDeps,
  around: { before?: (operation: OperationName) => void; after?: (operation: OperationName) => void } = {},
): Promise<StepResult[]> {
  const state: State = {};
  const results: StepResult[] = [];
  for (const step of STEPS) {
    around.before?.(step.operation);
    try {
      const body = JSON.stringify(step.body(state));
      const output = JSON.parse(await runEncodedOperation(depsFor(step.operation), step.operation, body, makeContext(), new TouchedResources())) as Output;
      step.keep?.(output, state);
      results.push({ operation: step.operation });
    } catch (error) {
      results.push({ operation: step.operation, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    } finally {
      around.after?.(step.operation);
    }
  }
  return results;
}

/** One successful call of every IAM and STS operation, for the identities function's permissions. */
export const IDENTITY_STEPS: readonly { readonly service: 'iam' | 'sts'; readonly operation: string; readonly input: (state: State) => Record<string, unknown>; readonly keep?: (output: Output, state: State) => void }[] = [
  { service: 'iam', operation: 'CreateUser', input: () => ({ UserName: 'alice', Tags: [{ Key: 'team', Value: 'blue' }] }) },
  { service: 'iam', operation: 'GetUser', input: () => ({ UserName: 'alice' }) },
  { service: 'iam', operation: 'ListUsers', input: () => ({}) },
  { service: 'iam', operation: 'TagUser', input: () => ({ UserName: 'alice', Tags: [{ Key: 'tier', Value: '1' }] }) },
  { service: 'iam', operation: 'UntagUser', input: () => ({ UserName: 'alice', TagKeys: ['tier'] }) },
  { service: 'iam', operation: 'CreateAccessKey', input: () => ({ UserName: 'alice' }), keep: (output, state) => { state['accessKeyId'] = String((output['AccessKey'] as Output)['AccessKeyId']); } },
  { service: 'iam', operation: 'ListAccessKeys', input: () => ({ UserName: 'alice' }) },
  { service: 'iam', operation: 'UpdateAccessKey', input: (s) => ({ UserName: 'alice', AccessKeyId: need(s, 'accessKeyId'), Status: 'Inactive' }) },
  { service: 'iam', operation: 'PutUserPolicy', input: () => ({ UserName: 'alice', PolicyName: 'p', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}' }) },
  { service: 'iam', operation: 'GetUserPolicy', input: () => ({ UserName: 'alice', PolicyName: 'p' }) },
  { service: 'iam', operation: 'ListUserPolicies', input: () => ({ UserName: 'alice' }) },
  {
    service: 'iam', operation: 'CreateRole',
    input: () => ({ RoleName: 'ops', AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}` }),
    keep: (output, state) => { state['roleArn'] = String((output['Role'] as Output)['Arn']); },
  },
  { service: 'iam', operation: 'GetRole', input: () => ({ RoleName: 'ops' }) },
  { service: 'iam', operation: 'ListRoles', input: () => ({}) },
  { service: 'iam', operation: 'TagRole', input: () => ({ RoleName: 'ops', Tags: [{ Key: 'tier', Value: '1' }] }) },
  { service: 'iam', operation: 'UntagRole', input: () => ({ RoleName: 'ops', TagKeys: ['tier'] }) },
  { service: 'iam', operation: 'PutRolePolicy', input: () => ({ RoleName: 'ops', PolicyName: 'p', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}' }) },
  { service: 'iam', operation: 'GetRolePolicy', input: () => ({ RoleName: 'ops', PolicyName: 'p' }) },
  { service: 'iam', operation: 'ListRolePolicies', input: () => ({ RoleName: 'ops' }) },
  {
    service: 'iam', operation: 'CreatePolicy', input: () => ({ PolicyName: 'managed', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}' }),
    keep: (output, state) => { state['policyArn'] = String((output['Policy'] as Output)['Arn']); },
  },
  { service: 'iam', operation: 'GetPolicy', input: (s) => ({ PolicyArn: need(s, 'policyArn') }) },
  { service: 'iam', operation: 'GetPolicyVersion', input: (s) => ({ PolicyArn: need(s, 'policyArn'), VersionId: 'v1' }) },
  { service: 'iam', operation: 'ListPolicies', input: () => ({}) },
  { service: 'iam', operation: 'AttachUserPolicy', input: (s) => ({ UserName: 'alice', PolicyArn: need(s, 'policyArn') }) },
  { service: 'iam', operation: 'AttachRolePolicy', input: (s) => ({ RoleName: 'ops', PolicyArn: need(s, 'policyArn') }) },
  { service: 'iam', operation: 'ListAttachedUserPolicies', input: () => ({ UserName: 'alice' }) },
  { service: 'iam', operation: 'ListAttachedRolePolicies', input: () => ({ RoleName: 'ops' }) },
  { service: 'sts', operation: 'GetCallerIdentity', input: () => ({}) },
  { service: 'sts', operation: 'AssumeRole', input: (s) => ({ RoleArn: need(s, 'roleArn'), RoleSessionName: 'steps' }) },
  { service: 'iam', operation: 'DetachUserPolicy', input: (s) => ({ UserName: 'alice', PolicyArn: need(s, 'policyArn') }) },
  { service: 'iam', operation: 'DetachRolePolicy', input: (s) => ({ RoleName: 'ops', PolicyArn: need(s, 'policyArn') }) },
  { service: 'iam', operation: 'DeletePolicy', input: (s) => ({ PolicyArn: need(s, 'policyArn') }) },
  { service: 'iam', operation: 'DeleteUserPolicy', input: () => ({ UserName: 'alice', PolicyName: 'p' }) },
  { service: 'iam', operation: 'DeleteRolePolicy', input: () => ({ RoleName: 'ops', PolicyName: 'p' }) },
  { service: 'iam', operation: 'DeleteAccessKey', input: (s) => ({ UserName: 'alice', AccessKeyId: need(s, 'accessKeyId') }) },
  { service: 'iam', operation: 'DeleteUser', input: () => ({ UserName: 'alice' }) },
  { service: 'iam', operation: 'DeleteRole', input: () => ({ RoleName: 'ops' }) },
];

/**
 * Runs every identity step as a user of account 111122223333 would have them run (AssumeRole as
 * the user alice, who may), returning the steps that failed.
 */
export async function runIdentitySteps(run: QueryOperationRunner): Promise<StepResult[]> {
  const state: State = {};
  const results: StepResult[] = [];
  for (const step of IDENTITY_STEPS) {
    try {
      const root = makeContext();
      const ctx = step.operation === 'AssumeRole'
        ? { ...root, principal: { type: 'IAMUser' as const, accountId: root.principal.accountId, arn: `arn:aws:iam::${root.principal.accountId}:user/alice`, principalId: 'AIDA', accessKeyId: 'AKIA', userName: 'alice' } }
        : root;
      const output = (await run(step.service, step.operation, step.input(state), ctx)) ?? {};
      step.keep?.(output, state);
      results.push({ operation: `${step.service}:${step.operation}` });
    } catch (error) {
      results.push({ operation: `${step.service}:${step.operation}`, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return results;
}
