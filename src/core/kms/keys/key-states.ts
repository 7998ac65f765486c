/**
 * How a key's state decides whether an operation may use it, as the key state table of the
 * AWS KMS Developer Guide lays it out.
 */
import { DisabledException, KeyUnavailableException, KMSInvalidStateException } from '../../../models/kms/generated/errors.js';
import type { KeyRecord } from '../records.js';
import { say } from '../messages.js';

/** Families of operations that share one row pattern in the key state table. */
export type KeyStateRule =
  /** Encrypt, Decrypt, GenerateDataKey*, ReEncrypt, Sign, … */
  | 'cryptographic'
  /** EnableKey, DisableKey. */
  | 'enablement'
  /** UpdateKeyDescription, TagResource, UntagResource, CreateAlias, UpdateAlias. */
  | 'management'
  /** DescribeKey, ListResourceTags, ListAliases, DeleteAlias: any state. */
  | 'any';

const STATE_WORDS: Readonly<Record<string, string>> = {
  PendingReplicaDeletion: 'pending replica deletion',
  Creating: 'creating',
  Updating: 'updating',
  Unavailable: 'unavailable',
};

/** Throws the exception AWS KMS answers when `key`'s state does not allow an operation of `rule`. */
export function assertKeyStateAllows(key: KeyRecord, rule: KeyStateRule): void {
  if (rule === 'any') return;
  const state = key.keyState;
  if (state === 'Enabled') return;
  if (state === 'Disabled') {
    /* Precondition: a disabled key refuses cryptographic operations. */
    if (rule === 'cryptographic') throw new DisabledException(say('keyDisabled', { arn: key.arn }));
    return;
  }
  if (state === 'Updating' && rule !== 'enablement') return;
  if (state === 'Unavailable' && rule === 'cryptographic') throw new KeyUnavailableException(say('keyUnavailable', { arn: key.arn }));
  if (state === 'PendingImport' && rule === 'management') return;
  if (state === 'PendingDeletion') throw new KMSInvalidStateException(say('keyPendingDeletion', { arn: key.arn }));
  if (state === 'PendingImport') throw new KMSInvalidStateException(say('keyPendingImport', { arn: key.arn }));
  throw new KMSInvalidStateException(say('keyInState', { arn: key.arn, state: STATE_WORDS[state] ?? state }));
}
