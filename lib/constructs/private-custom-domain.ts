import { CfnBasePathMappingV2, CfnDomainNameAccessAssociation, CfnDomainNameV2 } from 'aws-cdk-lib/aws-apigateway';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';

export interface PrivateCustomDomainProps {
  readonly domainName: string;
  readonly certificateArn: string;
  readonly api: RestApi;
  /** The execute-api endpoints that may reach the domain: each is associated with it. */
  readonly allowedEndpointIds: readonly string[];
}

/**
 * A private custom domain for the private API (L1 resources: aws-cdk-lib has no L2 for them), so
 * clients sign for one stable host. Its own resource policy admits the same endpoints as the API's.
 */
export class PrivateCustomDomain extends Construct {
  readonly domain: CfnDomainNameV2;

  constructor(scope: Construct, id: string, props: PrivateCustomDomainProps) {
    super(scope, id);
    this.domain = new CfnDomainNameV2(this, 'DomainName', {
      domainName: props.domainName,
      certificateArn: props.certificateArn,
      endpointConfiguration: { types: ['PRIVATE'] },
      securityPolicy: 'TLS_1_2',
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 'execute-api:Invoke',
            Resource: ['execute-api:/*'],
            Condition: { StringEquals: { 'aws:SourceVpce': [...props.allowedEndpointIds] } },
          },
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 'execute-api:Invoke',
            Resource: ['execute-api:/*'],
            Condition: { StringNotEquals: { 'aws:SourceVpce': [...props.allowedEndpointIds] } },
          },
        ],
      },
    });
    new CfnBasePathMappingV2(this, 'BasePathMapping', {
      domainNameArn: this.domain.attrDomainNameArn,
      restApiId: props.api.restApiId,
      stage: props.api.deploymentStage.stageName,
    });
    props.allowedEndpointIds.forEach((endpointId, i) => {
      new CfnDomainNameAccessAssociation(this, `AccessAssociation${i}`, {
        domainNameArn: this.domain.attrDomainNameArn,
        accessAssociationSource: endpointId,
        accessAssociationSourceType: 'VPCE',
      });
    });
  }
}
