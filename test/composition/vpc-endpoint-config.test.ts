import { describe, expect, it } from 'vitest';
import { endpointPoliciesFromEnv, endpointVpcsFromEnv } from '../../src/composition/vpc-endpoint-config.js';

describe('deployed VPC endpoint configuration', () => {
  it('reads the endpoint-to-VPC map from KMS_VPC_ENDPOINTS', () => {
    // Act
    const map = endpointVpcsFromEnv({ KMS_VPC_ENDPOINTS: 'vpce-0295a3caf8414c94a=vpc-2b2b2b2b, vpce-1234abcdf5678c90a=vpc-12345678' });

    // Assess
    expect([...map]).toEqual([['vpce-0295a3caf8414c94a', 'vpc-2b2b2b2b'], ['vpce-1234abcdf5678c90a', 'vpc-12345678']]);
    expect(endpointVpcsFromEnv({}).size).toBe(0);
  });

  it('refuses an entry that is not vpce-ID=vpc-ID, naming it', () => {
    expect(() => endpointVpcsFromEnv({ KMS_VPC_ENDPOINTS: 'vpce-0295a3caf8414c94a:vpc-2b2b2b2b' })).toThrow('KMS_VPC_ENDPOINTS: vpce-0295a3caf8414c94a:vpc-2b2b2b2b is not vpce-ID=vpc-ID');
  });

  it('reads endpoint policies given as text or as objects, and refuses one AWS would refuse', () => {
    // Prepare
    const policy = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] };

    // Act
    const map = endpointPoliciesFromEnv({ KMS_VPC_ENDPOINT_POLICIES: JSON.stringify({ 'vpce-0295a3caf8414c94a': policy, 'vpce-1234abcdf5678c90a': JSON.stringify(policy) }) });

    // Assess
    expect(map.get('vpce-0295a3caf8414c94a')).toBe(JSON.stringify(policy));
    expect(map.get('vpce-1234abcdf5678c90a')).toBe(JSON.stringify(policy));
    expect(() => endpointPoliciesFromEnv({ KMS_VPC_ENDPOINT_POLICIES: JSON.stringify({ 'vpce-0295a3caf8414c94a': { Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }) }))
      .toThrow(/KMS_VPC_ENDPOINT_POLICIES: the policy of vpce-0295a3caf8414c94a is refused/);
  });
});
