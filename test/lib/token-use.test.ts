import { describe, expect, it } from 'vitest';
import { FRONT_FUNCTION, GROUP_FUNCTIONS } from '../../lib/api-groups.js';
import { TokenlessMaterial } from '../../src/composition/lambda-tokenless.js';
import type { CoreDeps } from '../../src/core/kms/service.js';
import { makeCore } from '../support/core.js';
import { BUILT_OPERATIONS, STEPS, functionOf, runSteps, type ServiceFunction } from './operation-steps.js';

const usesToken = (fn: ServiceFunction): boolean => (fn === 'front' ? FRONT_FUNCTION.usesToken : GROUP_FUNCTIONS[fn].usesToken);

/** The core's fakes, except that the functions `withoutToken` names get no key material. */
function depsWithout(withoutToken: (fn: ServiceFunction) => boolean) {
  const core = makeCore();
  return (operation: Parameters<typeof functionOf>[0]): CoreDeps => {
    const fn = functionOf(operation);
    if (!withoutToken(fn)) return core.deps;
    const tokenless = new TokenlessMaterial(fn);
    return { ...core.deps, material: tokenless, asymmetric: tokenless };
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

  it('runs every operation of the functions without the token when they are given none', async () => {
    // Prepare
    const deps = depsWithout((fn) => !usesToken(fn));

    // Act
    const results = await runSteps(deps);

    // Assess
    expect(results.filter((result) => result.error !== undefined)).toEqual([]);
  });

  it('gives the token to the front and the keys group only', () => {
    // Prepare / Act / Assess
    expect(TOKEN_USERS).toEqual(['front', 'keys']);
  });

  it.each(TOKEN_USERS)('fails an operation of %s without the token, so it needs the PIN', async (user) => {
    // Prepare
    const deps = depsWithout((fn) => fn === user);

    // Act
    const results = await runSteps(deps);

    // Assess
    expect(results.some((result) => functionOf(result.operation) === user && result.error?.includes(`the ${user} function has no token`))).toBe(true);
  });
});
