import { RemovalPolicy } from 'aws-cdk-lib';
import { Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { AccessPoint, FileSystem, PerformanceMode, ThroughputMode } from 'aws-cdk-lib/aws-efs';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FileSystem as LambdaFileSystem } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ServiceNetwork } from './network.js';
import { TOKEN_MOUNT_PATH } from './service-function.js';

/**
 * Where the SoftHSM layer's configuration file is (layers/softhsm/etc/softhsm2.conf): it sets
 * `directories.tokendir` to the mount itself, `/mnt/token`, which exists from the first mount on.
 */
export const SOFTHSM_CONF_PATH = '/opt/etc/softhsm2.conf';

/**
 * The `softhsm-efs` key backend's storage: an encrypted EFS file system that the token-using
 * functions mount at `/mnt/token` through one access point. It holds the token, so it is retained.
 */
export class TokenFileSystem extends Construct {
  readonly fileSystem: FileSystem;
  readonly lambdaFileSystem: LambdaFileSystem;

  constructor(scope: Construct, id: string, network: ServiceNetwork) {
    super(scope, id);
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: network.vpc,
      description: 'open-kms token file system: NFS from the functions',
      allowAllOutbound: false,
    });
    this.fileSystem = new FileSystem(this, 'FileSystem', {
      vpc: network.vpc,
      vpcSubnets: network.subnets,
      securityGroup,
      encrypted: true,
      performanceMode: PerformanceMode.GENERAL_PURPOSE,
      throughputMode: ThroughputMode.ELASTIC,
      enableAutomaticBackups: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    securityGroup.addIngressRule(network.functionSecurityGroup, Port.tcp(2049), 'NFS from the open-kms functions');
    network.functionSecurityGroup.addEgressRule(securityGroup, Port.tcp(2049), 'NFS to the token file system');
    const accessPoint = new AccessPoint(this, 'AccessPoint', {
      fileSystem: this.fileSystem,
      path: '/softhsm',
      createAcl: { ownerUid: '1001', ownerGid: '1001', permissions: '700' },
      posixUser: { uid: '1001', gid: '1001' },
    });
    this.lambdaFileSystem = new TokenMount(this.fileSystem, accessPoint);
  }
}

/**
 * What `LambdaFileSystem.fromEfsAccessPoint` makes, but with ClientMount on this file system
 * rather than on "*" (the access-point condition stays): the functions may mount nothing else.
 */
class TokenMount extends LambdaFileSystem {
  constructor(fileSystem: FileSystem, accessPoint: AccessPoint) {
    super({
      arn: accessPoint.accessPointArn,
      localMountPath: TOKEN_MOUNT_PATH,
      connections: fileSystem.connections,
      dependency: [fileSystem.mountTargetsAvailable],
      policies: [
        new PolicyStatement({
          actions: ['elasticfilesystem:ClientMount'],
          resources: [fileSystem.fileSystemArn],
          conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn } },
        }),
        new PolicyStatement({ actions: ['elasticfilesystem:ClientWrite'], resources: [fileSystem.fileSystemArn] }),
      ],
    });
  }
}
