/**
 * One successful call of every built operation, in an order where each finds what it needs
 * (keys, an alias, a ciphertext, a signature, a MAC). The deployment tests run them with each
 * operation's dependencies chosen by the function it runs in, to show what each function needs.
 */
import { generateKeyPairSync } from 'node:crypto';
import { groupOf } from '../../src/core/kms/api-groups.js';
import { OPERATION_HANDLERS } from '../../src/core/kms/operations/registry.js';
import { TouchedResources, type CoreDeps } from '../../src/core/kms/service.js';
import type { OperationName } from '../../src/models/kms/generated/operations.js';
import { runEncodedOperation } from '../../src/pipeline/run-operation.js';
import type { DeployedGroup } from '../../lib/api-groups.js';
import { makeContext } from '../support/core.js';

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
  { operation: 'DeleteAlias', body: () => ({ AliasName: ALIAS }) },
];

/** The function an operation runs in: the front for the crypto group, else its group's. */
export type ServiceFunction = 'front' | DeployedGroup;

export function functionOf(operation: OperationName): ServiceFunction {
  const group = groupOf(operation);
  return group === 'crypto' ? 'front' : (group as DeployedGroup);
}

/** Every operation that is built, so a test can check that the steps call each one. */
export const BUILT_OPERATIONS = (Object.keys(OPERATION_HANDLERS) as OperationName[]).sort();

export interface StepResult {
  readonly operation: OperationName;
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
