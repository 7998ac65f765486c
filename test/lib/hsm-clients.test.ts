/**
 * Reserved concurrency from `hsmClientLimit`: every function opens the token, so their
 * reservations together stay within the limit, the front getting half.
 */
import { describe, expect, it } from 'vitest';
import { hsmClientShares } from '../../lib/constructs/hsm-clients.js';
import { deploymentFromContext } from '../../lib/constructs/deployment-context.js';
import { CONFIGURATIONS, synthesize } from './synth.js';

const FUNCTIONS = ['front', 'keys', 'aliases', 'tags', 'policies', 'grants', 'identities', 'lifecycle', 'firstCredential'];

describe('hsmClientShares', () => {
  it('gives the front half of the limit and the others equal shares of the rest, never more than the limit in all', () => {
    // Act
    const shares = hsmClientShares(100, FUNCTIONS);

    // Assess
    expect(shares.get('front')).toBe(50);
    expect(new Set(FUNCTIONS.filter((name) => name !== 'front').map((name) => shares.get(name)))).toEqual(new Set([6]));
    expect([...shares.values()].reduce((sum, share) => sum + share, 0)).toBeLessThanOrEqual(100);
  });

  it('refuses a limit too small to give every function one instance (Precondition: every function gets at least one instance.)', () => {
    // Act / Assess
    expect(() => hsmClientShares(14, FUNCTIONS)).toThrow('Context hsmClientLimit 14 is too small for the 9 functions that open the token (at least 15)');
    expect(hsmClientShares(15, FUNCTIONS).get('grants')).toBe(1);
  });

  it('refuses a limit that is not a positive whole number (Precondition: the limit is a positive whole number.)', () => {
    // Act / Assess
    expect(() => hsmClientShares(0, FUNCTIONS)).toThrow('Context hsmClientLimit must be a positive whole number, not 0');
    expect(() => deploymentFromContext((key) => (key === 'hsmClientLimit' ? '12.5' : undefined)))
      .toThrow('Context hsmClientLimit must be a positive whole number, not 12.5');
  });
});

describe('the stack with hsmClientLimit', () => {
  const context = { ...CONFIGURATIONS['cloudhsm'], hsmClientLimit: '120' };
  const { template } = synthesize(deploymentFromContext((key) => context[key as keyof typeof context]));
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { ReservedConcurrentExecutions?: number; Description?: string } }[];
  const service = functions.filter((fn) => fn.Properties.Description?.startsWith('KMS ') === true);

  it('reserves concurrency for every function that opens the token, within the limit, the front getting half', () => {
    // Act
    const reserved = service.map((fn) => fn.Properties.ReservedConcurrentExecutions);
    const front = service.find((fn) => fn.Properties.Description?.startsWith('KMS API front') === true);

    // Assess
    expect(service).toHaveLength(FUNCTIONS.length);
    expect(reserved.every((value) => typeof value === 'number' && value >= 1)).toBe(true);
    expect(reserved.reduce<number>((sum, value) => sum + (value ?? 0), 0)).toBeLessThanOrEqual(120);
    expect(front?.Properties.ReservedConcurrentExecutions).toBe(60);
  });

  it('reserves none without it', () => {
    // Act
    const { template: plain } = synthesize(deploymentFromContext((key) => CONFIGURATIONS['cloudhsm']?.[key]));

    // Assess
    const reserved = Object.values(plain.findResources('AWS::Lambda::Function')).map((fn) => (fn as { Properties: Record<string, unknown> }).Properties['ReservedConcurrentExecutions']);
    expect(reserved.filter((value) => value !== undefined)).toEqual([]);
  });
});
