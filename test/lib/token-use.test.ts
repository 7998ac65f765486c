import { describe, expect, it } from 'vitest';
import { FRONT_FUNCTION, GROUP_FUNCTIONS, LIFECYCLE_FUNCTION } from '../../lib/api-groups.js';
import { TokenlessMaterial } from '../../src/composition/lambda-tokenless.js';
import type { CoreDeps } from '../../src/core/kms/service.js';
import { makeContext, makeCore } from '../support/core.js';
import { FakeClock } from '../support/fake-clock.js';
import { SequentialIds } from '../support/sequential-ids.js';
import { StoredIdentityDirectory } from '../../src/core/iam/directory.js';
import { IAM_HANDLERS } from '../../src/core/iam/operations/registry.js';
import type { IdentityDeps } from '../../src/core/iam/service.js';
import type { IdentityStore } from '../../src/core/ports/index.js';
import { BUILT_OPERATIONS, IDENTITY_STEPS, STEPS, functionOf, runSteps, type ServiceFunction } from './operation-steps.js';
import { OPERATION_NAMES as IAM_OPERATIONS } from '../../src/models/iam/generated/schema.js';
import { OPERATION_NAMES as STS_OPERATIONS } from '../../src/models/sts/generated/schema.js';

const usesToken = (fn: ServiceFunction): boolean => (fn === 'front' ? FRONT_FUNCTION.usesToken : fn === 'lifecycle' ? LIFECYCLE_FUNCTION.usesToken : GROUP_FUNCTIONS[fn].usesToken);

/** The core's fakes, except that the functions `withoutToken` names get no key material. */
function depsWithout(withoutToken: (fn: ServiceFunction) => boolean) {
  const core = makeCore();
  return (operation: Parameters<typeof functionOf>[0]): CoreDeps => {
    const fn = functionOf(operation);
    if (!withoutToken(fn)) return core.deps;
    const tokenless = new TokenlessMaterial(fn);
    const { keyImport: _needsToken, ...rest } = core.deps;
    return { ...rest, material: tokenless, asymmetric: tokenless };
  };
}

const TOKEN_USERS = (['front', ...Object.keys(GROUP_FUNCTIONS)] as ServiceFunction[]).filter(usesToken);

describe('the token each function is given (lib/api-groups.ts)', () => {
  it('has the steps call every built operation', () => {
    // Prepare / Act
    const called = new Set(STEPS.map((step) => step.operation));

    // Assess
    expect([...called].sort()).toEqual(BUILT_OPERATIONS);
  });

  it('has the identity steps call every IAM and STS operation', () => {
    // Prepare / Act
    const called = new Set(IDENTITY_STEPS.map((step) => `${step.service}:${step.operation}`));

    // Assess
    expect([...called].sort()).toEqual([...IAM_OPERATIONS.map((name) => `iam:${name}`), ...STS_OPERATIONS.map((name) => `sts:${name}`)].sort());
  });

  it('runs every operation of the functions without the token when they are given none', async () => {
    // Prepare
    const deps = depsWithout((fn) => !usesToken(fn));

    // Act
    const results = await runSteps(deps);

    // Assess
    expect(results.filter((result) => result.error !== undefined)).toEqual([]);
  });

  it('gives the token to the front, the keys group and the identities group only', () => {
    // Prepare / Act / Assess
    expect(TOKEN_USERS).toEqual(['front', 'keys', 'identities']);
  });

  it('fails CreateAccessKey in identities without the token, so it needs the PIN', async () => {
    // Prepare: a store that knows the user, and no token.
    const user = { accountId: '111122223333', userName: 'alice', path: '/', userId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', createDate: 0, tags: [], revision: 0 };
    const store = { getUser: () => Promise.resolve(user) } as unknown as IdentityStore;
    const deps: IdentityDeps = {
      store, credentials: { getAccessKey: () => Promise.resolve(undefined), listAccessKeys: () => Promise.resolve([]) },
      material: new TokenlessMaterial('identities'), directory: new StoredIdentityDirectory(store), clock: new FakeClock(), ids: new SequentialIds(),
    };

    // Act
    const error = await IAM_HANDLERS.CreateAccessKey({ deps, ctx: makeContext(), input: { UserName: 'alice' } }).catch((caught: unknown) => caught);

    // Assess
    expect(String(error)).toContain('the identities function has no token');
  });

  it.each(TOKEN_USERS.filter((user) => user !== 'identities'))('fails an operation of %s without the token, so it needs the PIN', async (user) => {
    // Prepare
    const deps = depsWithout((fn) => fn === user);

    // Act
    const results = await runSteps(deps);

    // Assess
    expect(results.some((result) => functionOf(result.operation) === user && result.error?.includes(`the ${user} function has no token`))).toBe(true);
  });
});
