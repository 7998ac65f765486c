import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination, FlowLogTrafficType, GatewayVpcEndpointAwsService, InterfaceVpcEndpoint, InterfaceVpcEndpointAwsService, Peer, Port,
  SecurityGroup, SubnetType, Vpc,
} from 'aws-cdk-lib/aws-ec2';
import type { IInterfaceVpcEndpoint, ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeRule } from './acknowledgements.js';

/** An execute-api interface endpoint allowed to reach the private API, and its VPC when known. */
export interface AllowedEndpoint {
  /** `vpce-…`, or a token for an endpoint the stack creates. */
  readonly vpcEndpointId: string;
  /** `vpc-…`; without it requests through this endpoint carry no `aws:SourceVpc`. */
  readonly vpcId?: string;
}

export interface ServiceNetworkProps {
  /**
   * An existing VPC and the subnets the functions run in (the CloudHSM cluster's subnets). Without
   * it the stack creates a VPC with isolated subnets only: no internet gateway, no NAT.
   */
  readonly existing?: {
    readonly vpcId: string;
    readonly subnetIds: readonly string[];
    /** The subnets' route tables for the DynamoDB gateway endpoint; empty when the VPC has one already. */
    readonly routeTableIds: readonly string[];
  };
  /**
   * Whether the stack creates an execute-api interface endpoint (private DNS on) in its VPC. Off
   * when the user names existing endpoints or the API is regional.
   */
  readonly createApiEndpoint: boolean;
}

/** The AWS APIs the functions call besides DynamoDB, each through an interface endpoint. */
export const INTERFACE_SERVICES = {
  SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Lambda: InterfaceVpcEndpointAwsService.LAMBDA,
  // No named constant in aws-cdk-lib: com.amazonaws.<region>.scheduler.
  Scheduler: new InterfaceVpcEndpointAwsService('scheduler'),
} as const;

/**
 * Where the functions run: in a VPC whose only ways out are VPC endpoints. DynamoDB through a
 * gateway endpoint (free); Secrets Manager, Lambda and EventBridge Scheduler through interface
 * endpoints that accept HTTPS from the functions' security group only.
 */
export class ServiceNetwork extends Construct {
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  /** The functions' security group. */
  readonly functionSecurityGroup: ISecurityGroup;
  /** The execute-api endpoint the stack created, if it did. */
  readonly apiEndpoint?: IInterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: ServiceNetworkProps) {
    super(scope, id);
    if (props.existing === undefined) {
      // Every flow of the stack's own VPC, accepted and rejected, to a retained log group (an
      // existing VPC's flow logs are its owner's).
      const flowLogs = new LogGroup(this, 'FlowLogs', { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
      this.vpc = new Vpc(this, 'Vpc', {
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [{ name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
        flowLogs: { All: { destination: FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: FlowLogTrafficType.ALL } },
      });
      this.subnets = { subnetType: SubnetType.PRIVATE_ISOLATED };
    } else {
      // From context, so synth looks nothing up.
      const { vpcId, subnetIds, routeTableIds } = props.existing;
      this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId,
        availabilityZones: subnetIds.map((_, i) => Fn.select(i, Fn.getAzs())),
        isolatedSubnetIds: [...subnetIds],
        ...(routeTableIds.length === 0 ? {} : {
          isolatedSubnetRouteTableIds: subnetIds.map((_, i) => routeTableIds[routeTableIds.length === 1 ? 0 : i] ?? ''),
        }),
      });
      this.subnets = { subnets: this.vpc.isolatedSubnets };
    }
    this.functionSecurityGroup = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'open-kms functions: outbound HTTPS to the VPC endpoints, and the HSM ports when CloudHSM is used',
      allowAllOutbound: false,
    });
    // An existing VPC may route to DynamoDB already (routeTableIds=none): a route table takes one gateway endpoint per service.
    if (props.existing === undefined || props.existing.routeTableIds.length > 0) {
      this.vpc.addGatewayEndpoint('DynamoDb', { service: GatewayVpcEndpointAwsService.DYNAMODB, subnets: [this.subnets] });
    }
    const endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'open-kms interface endpoints: HTTPS from the functions',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(this.functionSecurityGroup, Port.tcp(443), 'HTTPS from the open-kms functions');
    this.functionSecurityGroup.addEgressRule(endpointSecurityGroup, Port.tcp(443), 'HTTPS to the interface endpoints');
    // DynamoDB's gateway endpoint has public addresses (the Region's prefix list, whose ID only a
    // lookup finds). The subnets have no route out but the endpoints, so 443 anywhere reaches
    // nothing else.
    this.functionSecurityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to DynamoDB through the gateway endpoint');
    for (const [name, service] of Object.entries(INTERFACE_SERVICES)) {
      new InterfaceVpcEndpoint(this, name, {
        vpc: this.vpc, service, subnets: this.subnets, privateDnsEnabled: true, securityGroups: [endpointSecurityGroup], open: false,
      });
    }
    if (props.createApiEndpoint) {
      const apiEndpointSecurityGroup = new SecurityGroup(this, 'ApiEndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'open-kms execute-api endpoint: HTTPS from inside the VPC',
        allowAllOutbound: false,
      });
      // Only the VPC and networks connected to it reach the endpoint; the API's resource policy
      // and SigV4 decide the rest.
      apiEndpointSecurityGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS from KMS clients in or connected to the VPC');
      acknowledgeRule(apiEndpointSecurityGroup, 'EC23',
        'The execute-api endpoint sits in isolated subnets (no internet gateway, no NAT), so 0.0.0.0/0 on 443 admits only the VPC and the ' +
        'networks connected to it (peering, VPN, Transit Gateway), whose ranges the stack cannot know; the API\'s resource policy ' +
        '(aws:SourceVpce) and SigV4 decide every request.');
      this.apiEndpoint = new InterfaceVpcEndpoint(this, 'ExecuteApi', {
        vpc: this.vpc,
        service: InterfaceVpcEndpointAwsService.APIGATEWAY,
        subnets: this.subnets,
        privateDnsEnabled: true,
        securityGroups: [apiEndpointSecurityGroup],
        open: false,
      });
    }
  }

  /**
   * Lets the functions reach a CloudHSM cluster: TCP 2223–2225 from the functions' security
   * group to the cluster's (an ingress rule on the cluster's group and the matching egress rule).
   */
  allowHsm(clusterSecurityGroupId: string): void {
    const cluster = SecurityGroup.fromSecurityGroupId(this, 'CloudHsmClusterSecurityGroup', clusterSecurityGroupId, { mutable: true });
    const ports = Port.tcpRange(2223, 2225);
    this.functionSecurityGroup.addEgressRule(cluster, ports, 'CloudHSM client to the cluster');
    cluster.addIngressRule(this.functionSecurityGroup, ports, 'CloudHSM clients: the open-kms functions');
  }
}

