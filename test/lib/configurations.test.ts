/**
 * Every configuration the README documents, synthesized offline from the same context a user
 * passes (`deploymentFromContext`): the resources that make each one what it is, and, in each,
 * no IAM statement with a wildcard action.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { deploymentFromContext } from '../../lib/constructs/deployment-context.js';
import { CONFIGURATIONS, CUSTOM_DOMAIN, resourcesOf, synthesize, type Json, type Synthesized } from './synth.js';

const cache = new Map<string, Synthesized>();
function synthesized(name: string): Synthesized {
  let made = cache.get(name);
  if (made === undefined) {
    const context = CONFIGURATIONS[name] ?? {};
    made = synthesize(deploymentFromContext((key) => context[key]));
    cache.set(name, made);
  }
  return made;
}

/** The interface endpoints of the template whose service is execute-api. */
function executeApiEndpoints(template: Synthesized['template']): Json[] {
  return Object.values(template.findResources('AWS::EC2::VPCEndpoint'))
    .map((endpoint) => (endpoint as { Properties: Json }).Properties)
    .filter((properties) => JSON.stringify(properties['ServiceName']).includes('execute-api'));
}

/** Every action an Allow statement of any policy in the template names (policies and roles' inline policies). */
function actionsIn(template: Synthesized['template']): string[] {
  type Statement = { readonly Effect?: string; readonly Action?: string | readonly string[] };
  type Properties = { readonly PolicyDocument?: { readonly Statement?: readonly Statement[] }; readonly Policies?: readonly { readonly PolicyDocument: { readonly Statement?: readonly Statement[] } }[] };
  return Object.values(resourcesOf(template)).flatMap((resource) => {
    const properties = (resource as { Properties?: Properties }).Properties ?? {};
    const statements = [...(properties.PolicyDocument?.Statement ?? []), ...(properties.Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement ?? [])];
    return statements.filter((statement) => statement.Effect !== 'Deny').flatMap((statement) => {
      const { Action: action } = statement;
      return action === undefined ? [] : typeof action === 'string' ? [action] : [...action];
    });
  });
}

describe('each deployment configuration', () => {
  it.each(Object.keys(CONFIGURATIONS))('synthesizes %s offline with no IAM statement allowing a wildcard action', (name) => {
    // Prepare / Act
    const { template } = synthesized(name);

    // Assess
    const actions = actionsIn(template);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'scheduler:CreateSchedule', 'lambda:InvokeFunction']));
    expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  it('makes a private API reachable only through the endpoint it creates, by default', () => {
    const { template } = synthesized('default');
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['PRIVATE'] } });
    expect(executeApiEndpoints(template).map((properties) => properties['PrivateDnsEnabled'])).toEqual([true]);
    template.resourceCountIs('AWS::EFS::FileSystem', 1);
  });

  it('makes a regional API with no resource policy tied to endpoints and no execute-api endpoint, for regional', () => {
    const { template } = synthesized('regional');
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    const api = Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0] as { Properties: Json };
    expect(JSON.stringify(api.Properties['Policy'] ?? {})).not.toContain('aws:SourceVpce');
    expect(executeApiEndpoints(template)).toEqual([]);
  });

  it('allows the named endpoints in and creates none, and tells the front their VPCs, for existing endpoints', () => {
    const { template } = synthesized('existing endpoints');
    const api = Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0] as { Properties: Json };
    expect(JSON.stringify(api.Properties['Policy'])).toContain('vpce-0123456789abcdef0');
    expect(JSON.stringify(api.Properties['Policy'])).toContain('vpce-0fedcba9876543210');
    expect(executeApiEndpoints(template)).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('front'),
      Environment: { Variables: Match.objectLike({ KMS_VPC_ENDPOINTS: 'vpce-0123456789abcdef0=vpc-0123456789abcdef0' }) },
    });
  });

  it('runs the functions in the cluster\'s subnets with TCP 2223-2225 to its security group and no EFS token, for cloudhsm', () => {
    const { template } = synthesized('cloudhsm');
    template.resourceCountIs('AWS::EFS::FileSystem', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', Match.objectLike({ FromPort: 2223, ToPort: 2225, DestinationSecurityGroupId: 'sg-0123456789abcdef0' }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('front'),
      VpcConfig: Match.objectLike({ SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] }),
      Environment: { Variables: Match.objectLike({ CLOUDHSM_CLUSTER_ID: 'cluster-abcdefghijk' }) },
    });
  });

  it('creates the private custom domain, its base path mapping and one access association per endpoint, for custom domain', () => {
    const { template } = synthesized('custom domain');
    template.hasResourceProperties('AWS::ApiGateway::DomainNameV2', Match.objectLike({ DomainName: CUSTOM_DOMAIN.domainName, CertificateArn: CUSTOM_DOMAIN.certificateArn }));
    template.resourceCountIs('AWS::ApiGateway::BasePathMappingV2', 1);
    template.resourceCountIs('AWS::ApiGateway::DomainNameAccessAssociation', 1);
    expect(Object.keys(template.findOutputs('*'))).toContain('KmsCustomDomainEndpoint');
  });
});
