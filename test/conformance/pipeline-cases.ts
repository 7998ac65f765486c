/**
 * Answers the real local server cannot be brought to give (key states that come only with
 * operations not built yet, an internal failure), checked through the same front handler with
 * a key record seeded in that state. Same shape of expectation as wire-cases.ts.
 */
import type { KeyState } from '../../src/models/kms/generated/shapes.js';
import type { MessageName } from '../../src/core/kms/messages.js';

export interface PipelineCase {
  readonly name: string;
  readonly source: string;
  readonly template: MessageName;
  readonly ours?: true;
  /** The state of the seeded symmetric key the request names; `internal` makes the group invoker fail instead. */
  readonly keyState: KeyState | 'internal';
  readonly operation: 'Encrypt' | 'EnableKey' | 'TagResource';
  readonly expect: (arn: string) => { readonly status: number; readonly type: string; readonly message: string };
}

export const PIPELINE_CASES: readonly PipelineCase[] = [
  {
    name: 'Encrypt with a key pending deletion',
    source: 'AWS answer quoted in github.com/hashicorp/terraform-provider-aws/issues/17889',
    template: 'keyPendingDeletion',
    keyState: 'PendingDeletion',
    operation: 'Encrypt',
    expect: (arn) => ({ status: 400, type: 'KMSInvalidStateException', message: `${arn} is pending deletion.` }),
  },
  {
    name: 'Encrypt with a key pending import',
    source: 'LocalStack tests/aws/services/kms/test_kms.snapshot.json (recorded against AWS): test_import_key_symmetric (encrypt-before-import-error)',
    template: 'keyPendingImport',
    keyState: 'PendingImport',
    operation: 'Encrypt',
    expect: (arn) => ({ status: 400, type: 'KMSInvalidStateException', message: `${arn} is pending import.` }),
  },
  {
    name: 'EnableKey with a key being updated',
    source: 'AWS KMS Developer Guide, key state table, note 15',
    template: 'keyInState',
    keyState: 'Updating',
    operation: 'EnableKey',
    expect: (arn) => ({ status: 400, type: 'KMSInvalidStateException', message: `${arn} is updating.` }),
  },
  {
    name: 'Encrypt with an unavailable key',
    source: 'AWS KMS Developer Guide, key state table, note 11',
    template: 'keyUnavailable',
    keyState: 'Unavailable',
    operation: 'Encrypt',
    expect: (arn) => ({ status: 400, type: 'KMSInvalidStateException', message: `${arn} is unavailable. You cannot perform this operation on an unavailable KMS key.` }),
  },
  {
    name: 'a request whose group function cannot be reached',
    source: 'this service',
    template: 'internalError',
    ours: true,
    keyState: 'internal',
    operation: 'TagResource',
    expect: () => ({ status: 500, type: 'KMSInternalException', message: 'An internal error occurred.' }),
  },
];
