import { describe, expect, it } from 'vitest';
import {
  DisabledException, KeyUnavailableException, KMSInvalidStateException,
} from '../../../../src/models/kms/generated/errors.js';
import type { ServiceErrorClass } from '../../../../src/core/errors/service-error.js';
import type { KeyState } from '../../../../src/models/kms/generated/shapes.js';
import { KeyStateValues } from '../../../../src/models/kms/generated/shapes.js';
import { assertKeyStateAllows, type KeyStateRule } from '../../../../src/core/kms/keys/key-states.js';
import { caughtSync, makeKey } from '../../../support/core.js';

type Outcome = 'ok' | [ServiceErrorClass, string];

const invalid = (words: string): [ServiceErrorClass, string] => [KMSInvalidStateException, `is ${words}.`];

/** The key state table: for each state, what each rule family answers. */
const MATRIX: Record<KeyState, Record<Exclude<KeyStateRule, 'any'>, Outcome>> = {
  Enabled: { cryptographic: 'ok', enablement: 'ok', management: 'ok' },
  Disabled: { cryptographic: [DisabledException, 'is disabled.'], enablement: 'ok', management: 'ok' },
  PendingDeletion: { cryptographic: invalid('pending deletion'), enablement: invalid('pending deletion'), management: invalid('pending deletion') },
  PendingReplicaDeletion: {
    cryptographic: invalid('pending replica deletion'), enablement: invalid('pending replica deletion'), management: invalid('pending replica deletion'),
  },
  PendingImport: { cryptographic: invalid('pending import'), enablement: invalid('pending import'), management: 'ok' },
  Creating: { cryptographic: invalid('creating'), enablement: invalid('creating'), management: invalid('creating') },
  Updating: { cryptographic: 'ok', enablement: invalid('updating'), management: 'ok' },
  Unavailable: { cryptographic: [KeyUnavailableException, 'is unavailable.'], enablement: invalid('unavailable'), management: invalid('unavailable') },
};

const ROWS = KeyStateValues.flatMap((state) =>
  (['cryptographic', 'enablement', 'management'] as const).map((rule) => [state, rule, MATRIX[state][rule]] as const));

describe('assertKeyStateAllows', () => {
  it('covers every key state of the model', () => {
    // Prepare / Act
    const states = Object.keys(MATRIX).sort();

    // Assess
    expect(states).toEqual([...KeyStateValues].sort());
  });

  it.each(ROWS.filter(([, , outcome]) => outcome === 'ok'))('returns when a %s key meets a %s operation', (state, rule) => {
    // Prepare
    const key = makeKey({ keyState: state });

    // Act
    const act = () => assertKeyStateAllows(key, rule);

    // Assess
    expect(act).not.toThrow();
  });

  it.each(ROWS.filter(([, , outcome]) => outcome !== 'ok'))('throws when a %s key meets a %s operation', (state, rule, outcome) => {
    // Prepare
    const key = makeKey({ keyState: state });
    const [ErrorClass, words] = outcome as [ServiceErrorClass, string];

    // Act
    const error = caughtSync(() => assertKeyStateAllows(key, rule));

    // Assess
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.message).toBe(`${key.arn} ${words}`);
  });

  it.each(KeyStateValues)('returns for an operation allowed in any state when the key is %s', (state) => {
    // Prepare
    const key = makeKey({ keyState: state });

    // Act
    const act = () => assertKeyStateAllows(key, 'any');

    // Assess
    expect(act).not.toThrow();
  });

  it('throws DisabledException because a disabled key refuses cryptographic operations', () => {
    // Prepare
    const key = makeKey({ keyState: 'Disabled' });

    // Act
    const error = caughtSync(() => assertKeyStateAllows(key, 'cryptographic'));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
    expect(error.message).toBe(`${key.arn} is disabled.`);
  });
});
