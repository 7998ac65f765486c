import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { InterfaceVpcEndpoint } from 'aws-cdk-lib/aws-ec2';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeManagedPolicy, acknowledgeRule } from './acknowledgements.js';

const STAGE_NAME = 'prod';

/** Stage-wide request limits; API Gateway answers 429 above them. */
export interface ApiThrottling {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export const DEFAULT_THROTTLING: ApiThrottling = { rateLimit: 1000, burstLimit: 2000 };

export interface KmsApiProps {
  /** Receives every request; it verifies SigV4 and dispatches by `X-Amz-Target`. */
  readonly front: IFunction;
  readonly throttling: ApiThrottling;
  /**
   * Whether to set the Region-wide API Gateway CloudWatch role that access logging needs.
   * Turn off when the account already has one managed elsewhere.
   */
  readonly manageCloudWatchRole: boolean;
  /**
   * `private` (reachable only through the execute-api endpoints in `allowedEndpointIds`) or
   * `regional`. Never edge-optimized: SigV4 clients sign for the host they call.
   */
  readonly endpoint: 'private' | 'regional';
  /** The execute-api interface endpoints allowed in (private API only). */
  readonly allowedEndpointIds: readonly string[];
}

/**
 * The REST API in front of the service. Every KMS operation is `POST /` with the operation in
 * `X-Amz-Target`, a header API Gateway cannot route on, so there is one method and the front
 * function does the routing. Other methods and paths get API Gateway's own 403.
 */
export class KmsApi extends Construct {
  readonly api: RestApi;
  /** The URL clients use as their KMS endpoint (includes the stage path). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: KmsApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'AWS KMS compatible endpoint',
      endpointConfiguration: props.endpoint === 'private'
        ? { types: [EndpointType.PRIVATE], vpcEndpoints: props.allowedEndpointIds.map((id, i) => InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(this, `AllowedEndpoint${i}`, { vpcEndpointId: id, port: 443 })) }
        : { types: [EndpointType.REGIONAL] },
      ...(props.endpoint === 'private' ? { policy: privateApiPolicy(props.allowedEndpointIds) } : {}),
      // Keeps the exact body bytes: SigV4 signs the payload hash.
      binaryMediaTypes: ['*/*'],
      disableExecuteApiEndpoint: false,
      cloudWatchRole: props.manageCloudWatchRole,
      // Other APIs in the account rely on the role too.
      ...(props.manageCloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.throttling.rateLimit,
        throttlingBurstLimit: props.throttling.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        // Execution logs for what fails in API Gateway itself (the integration, throttling), never
        // the data trace: it would log request and response bodies, plaintext and data keys included.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
      },
    });
    // API Gateway writes execution logs to a group of this name, which it would otherwise create
    // with no retention; made first so the stage never logs before it exists.
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);
    // The construct's own output is replaced by the stack's documented one.
    this.api.node.tryRemoveChild('Endpoint');
    const method = this.api.root.addMethod(
      'POST',
      new LambdaIntegration(props.front, { proxy: true, allowTestInvoke: false }),
    );
    this.url = this.api.url;

    acknowledgeRule(this.api, 'APIG2',
      'The one method, POST / (AWS_PROXY to the front), carries every operation: KMS in AWS JSON named by X-Amz-Target, IAM and STS in the ' +
      'Query protocol named by the form body\'s Action, with body bytes SigV4 signs (binaryMediaTypes */*). API Gateway could validate them ' +
      'only with a model per operation and protocol; the front validates each request against the API models (src/protocol) after SigV4 ' +
      'and answers with the error shapes the clients expect.');
    acknowledgeRule(this.api.deploymentStage, 'APIG3',
      'No WAF web ACL is made by the stack: every request must carry a SigV4 signature the front verifies against the service\'s own access keys, ' +
      'the stage is throttled, and a private API is reachable only through the allowed VPC endpoints. Rules and their cost depend on the ' +
      'deployment, so an operator who wants one associates a web ACL with the stage (docs/deployment-checks.md).');
    const noAuthorizer =
      'No API Gateway authorizer by design: every request is SigV4-signed (service kms, or iam/sts for the Query operations) with the ' +
      'service\'s own access keys, which AWS IAM does not know, so AWS_IAM authorization cannot check them; the front function verifies ' +
      'the signature before anything else (README, How it is built).';
    acknowledgeRule(method, 'APIG4', noAuthorizer);
    acknowledgeRule(method, 'COG4', `${noAuthorizer} KMS clients sign requests; they hold no Cognito tokens.`);
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole !== undefined) {
      acknowledgeManagedPolicy(cloudWatchRole, 'service-role/AmazonAPIGatewayPushToCloudWatchLogs',
        'The Region-wide role API Gateway writes every API\'s access and execution logs with (AWS::ApiGateway::Account), with the policy AWS ' +
        'documents for it; API Gateway names the execution log groups itself, so a customer policy would need the same wildcards. ' +
        'Context apiGatewayCloudWatchRole=false leaves the role to the account.');
    }
  }
}

/**
 * A private API's resource policy: `execute-api:Invoke` is allowed through the named endpoints
 * and denied through any other (a private API with no policy is not callable at all).
 */
export const privateApiPolicy = (allowedEndpointIds: readonly string[]): PolicyDocument => {
  const invoke = (sid: string, effect: Effect, operator: 'StringEquals' | 'StringNotEquals'): PolicyStatement =>
    new PolicyStatement({
      sid,
      effect,
      principals: [new AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: ['execute-api:/*'],
      conditions: { [operator]: { 'aws:SourceVpce': [...allowedEndpointIds] } },
    });
  return new PolicyDocument({
    statements: [
      invoke('InvokeThroughTheAllowedEndpoints', Effect.ALLOW, 'StringEquals'),
      invoke('DenyThroughAnyOtherEndpoint', Effect.DENY, 'StringNotEquals'),
    ],
  });
};
