/**
 * How a key's state decides whether an operation may use it: the key state table of the AWS KMS
 * Developer Guide (`key-state-table.ts`) read for one key and one operation.
 */
import {
  DisabledException, KMSInvalidStateException, UnsupportedOperationException,
} from '../../../models/kms/generated/errors.js';
import type { KeyState } from '../../../models/kms/generated/shapes.js';
import type { ServiceError } from '../../errors/service-error.js';
import type { KeyRecord } from '../records.js';
import { say } from '../messages.js';
import { KEY_STATE_TABLE, type Cell, type FailureNote, type KeyStateOperation } from './key-state-table.js';

export type { KeyStateOperation } from './key-state-table.js';

/** How the footnotes' messages name a state. */
const STATE_WORDS: Readonly<Record<KeyState, string>> = {
  Enabled: 'enabled',
  Disabled: 'disabled',
  PendingDeletion: 'pending deletion',
  PendingReplicaDeletion: 'pending replica deletion',
  PendingImport: 'pending import',
  Creating: 'creating',
  Updating: 'updating',
  Unavailable: 'unavailable',
};

/** The outcome of `cell` for `key`: `ok`, or the footnote that makes the operation fail. */
export function outcomeOf(cell: Cell, key: KeyRecord): 'ok' | FailureNote {
  if (typeof cell !== 'object') return cell;
  return key.origin === 'EXTERNAL' ? cell.external : cell.otherwise;
}

/** The exception a footnote of the key state table names, for `key`. */
export function failureOf(note: FailureNote, key: KeyRecord): ServiceError {
  const { arn } = key;
  switch (note) {
    case 1: return new DisabledException(say('keyDisabled', { arn }));
    case 3: return new KMSInvalidStateException(key.keyState === 'PendingReplicaDeletion'
      ? say('keyInState', { arn, state: STATE_WORDS.PendingReplicaDeletion })
      : say('keyPendingDeletion', { arn }));
    case 4: return new KMSInvalidStateException(say('keyNotPendingDeletion', { arn }));
    case 5: return new KMSInvalidStateException(say('keyPendingImport', { arn }));
    case 6:
    case 7:
    case 9: return new UnsupportedOperationException(say('keyOriginNotValid', { arn, origin: key.origin }));
    case 11: return new KMSInvalidStateException(say('keyUnavailable', { arn }));
    case 14: return new KMSInvalidStateException(say('keyInState', { arn, state: STATE_WORDS.Creating }));
    case 15: return new KMSInvalidStateException(say('keyInState', { arn, state: STATE_WORDS.Updating }));
  }
}

/** Throws the exception AWS KMS answers when `key`'s state does not allow `operation`. */
export function assertKeyStateAllows(key: KeyRecord, operation: KeyStateOperation): void {
  const outcome = outcomeOf(KEY_STATE_TABLE[operation][key.keyState], key);
  /* Precondition: the key state table allows the operation in the key's state. */
  if (outcome !== 'ok') throw failureOf(outcome, key);
}
