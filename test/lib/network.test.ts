/** The stack's network in an existing VPC (the CloudHSM backend), read from CDK context. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { deploymentFromContext } from '../../lib/constructs/deployment-context.js';
import { ServiceNetwork } from '../../lib/constructs/network.js';

const CLOUDHSM: Readonly<Record<string, string>> = {
  keyBackend: 'cloudhsm',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  cloudHsmClusterId: 'cluster-abcdefghijk',
  cloudHsmSecurityGroupId: 'sg-0123456789abcdef0',
  hsmPinSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:pin-AbCdEf',
};

const settings = (context: Readonly<Record<string, string>>) => deploymentFromContext((key) => context[key]);

function gatewayEndpoints(routeTableIds: string): Record<string, { Properties: Record<string, unknown> }> {
  const backend = settings({ ...CLOUDHSM, routeTableIds }).keyBackend;
  if (backend.kind !== 'cloudhsm') throw new Error('expected the CloudHSM backend');
  const stack = new Stack(new App(), 'Network');
  new ServiceNetwork(stack, 'Network', {
    existing: { vpcId: backend.vpcId, subnetIds: backend.subnetIds, routeTableIds: backend.routeTableIds }, createApiEndpoint: false,
  });
  return Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }) as Record<string, { Properties: Record<string, unknown> }>;
}

describe('the network in an existing VPC', () => {
  it('gives the named route tables a DynamoDB gateway endpoint, one route table standing for every subnet', () => {
    // Act
    const endpoints = Object.values(gatewayEndpoints('rtb-0123456789abcdef0'));

    // Assess
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]?.Properties['RouteTableIds']).toEqual(['rtb-0123456789abcdef0']);
  });

  it('gives each subnet its own route table when one per subnet is named', () => {
    // Act
    const endpoints = Object.values(gatewayEndpoints('rtb-0123456789abcdef0,rtb-0123456789abcdef1'));

    // Assess
    expect(endpoints[0]?.Properties['RouteTableIds']).toEqual(['rtb-0123456789abcdef0', 'rtb-0123456789abcdef1']);
  });

  it('creates no gateway endpoint when the VPC has one already (routeTableIds=none)', () => {
    // Act / Assess
    expect(gatewayEndpoints('none')).toEqual({});
  });

  it.each([
    ['without routeTableIds', {}, 'Context routeTableIds is required with keyBackend cloudhsm'],
    ['with three route tables for two subnets', { routeTableIds: 'rtb-1,rtb-2,rtb-3' }, 'Context routeTableIds must name one route table, or one per subnet (2), or be none'],
  ])('refuses the CloudHSM backend %s', (_, extra, message) => {
    // Act / Assess
    expect(() => settings({ ...CLOUDHSM, ...extra })).toThrow(message);
  });
});
