import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnOutput, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import type { StackProps } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Monitoring } from './constructs/monitoring.js';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { DEPLOYMENT_ACCOUNT_ENV, FIRST_CREDENTIAL_SECRET_ENV, GROUP_REQUEST_SECRET_ENV, LIFECYCLE_ENV, groupFunctionEnvName } from '../src/composition/group-environment.js';
import { deployedGroups, FIRST_CREDENTIAL_FUNCTION, FRONT_FUNCTION, GROUP_FUNCTIONS, LIFECYCLE_FUNCTION, SCHEDULING_GROUPS } from './api-groups.js';
import type { DeployedGroup, FunctionProfile } from './api-groups.js';
import { hsmClientShares } from './constructs/hsm-clients.js';
import { GroupRequestKey } from './constructs/group-request-key.js';
import { DEFAULT_THROTTLING, KmsApi } from './constructs/kms-api.js';
import type { ApiThrottling } from './constructs/kms-api.js';
import { createKmsTable } from './constructs/kms-table.js';
import { grantPinSecretRead, pkcs11Environment, pkcs11Layers } from './constructs/pkcs11.js';
import type { Pkcs11Settings } from './constructs/pkcs11.js';
import { SOFTHSM_CONF_PATH } from './constructs/token-file-system.js';
import { createServiceFunction } from './constructs/service-function.js';
import { DEFAULT_DEPLOYMENT, endpointVpcsValue } from './constructs/deployment.js';
import type { DeploymentSettings, KeyBackend } from './constructs/deployment.js';
import { ServiceNetwork } from './constructs/network.js';
import type { AllowedEndpoint } from './constructs/network.js';
import { TokenFileSystem } from './constructs/token-file-system.js';
import { PrivateCustomDomain } from './constructs/private-custom-domain.js';
import { grantTableAccess } from './constructs/table-access.js';
import { acknowledgeManagedPolicy, acknowledgeRule, acknowledgeWildcardResource } from './constructs/acknowledgements.js';

export type { Pkcs11Settings } from './constructs/pkcs11.js';
export type { DeploymentSettings, KeyBackend } from './constructs/deployment.js';

/** The front's endpoint-to-VPC map (src/composition/vpc-endpoint-config.ts). */
const VPC_ENDPOINTS_ENV = 'KMS_VPC_ENDPOINTS';

/** What the token-using functions are told about the key backend besides the PKCS#11 settings. */
const backendEnvironment = (backend: KeyBackend): Record<string, string> =>
  backend.kind === 'cloudhsm'
    ? { CLOUDHSM_CLUSTER_ID: backend.clusterId }
    // SoftHSM reads its configuration from the layer; the configuration puts the tokens on EFS.
    : { SOFTHSM2_CONF: SOFTHSM_CONF_PATH };

/** The repository top: where `functions/`, `package.json` and `package-lock.json` live. */
const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface KmsServiceStackProps extends StackProps {
  readonly pkcs11: Pkcs11Settings;
  /** Stage-wide API Gateway throttling; defaults to {@link DEFAULT_THROTTLING}. */
  readonly throttling?: ApiThrottling;
  /** Whether the stack sets the Region-wide API Gateway CloudWatch role; defaults to true. */
  readonly manageApiGatewayCloudWatchRole?: boolean;
  /**
   * Directory holding the handler entries and the npm lock file; defaults to the repository
   * top. Tests point it elsewhere so they do not depend on the handlers existing.
   */
  readonly projectRoot?: string;
  /** Endpoint type, network and key backend; defaults to {@link DEFAULT_DEPLOYMENT}. */
  readonly deployment?: DeploymentSettings;
}

/** The whole service: table, functions and the REST API in front of them. */
export class KmsServiceStack extends Stack {
  readonly frontFunction: NodejsFunction;
  readonly groupFunctions: Readonly<Record<DeployedGroup, NodejsFunction>>;
  /** Runs keys' due deletions and rotations, from their EventBridge Scheduler schedules and an hourly sweep. */
  readonly lifecycleFunction: NodejsFunction;

  constructor(scope: Construct, id: string, props: KmsServiceStackProps) {
    super(scope, id, props);
    const projectRoot = props.projectRoot ?? REPOSITORY_ROOT;
    const deployment = props.deployment ?? DEFAULT_DEPLOYMENT;
    const backend = deployment.keyBackend;
    const privateApi = deployment.apiEndpoint === 'private';
    const network = new ServiceNetwork(this, 'Network', {
      ...(backend.kind === 'cloudhsm' ? { existing: { vpcId: backend.vpcId, subnetIds: backend.subnetIds, routeTableIds: backend.routeTableIds } } : {}),
      createApiEndpoint: privateApi && (deployment.vpcEndpoints ?? []).length === 0,
    });
    if (backend.kind === 'cloudhsm') network.allowHsm(backend.clusterSecurityGroupId);
    const allowedEndpoints: AllowedEndpoint[] = network.apiEndpoint === undefined
      ? [...(deployment.vpcEndpoints ?? [])]
      : [{ vpcEndpointId: network.apiEndpoint.vpcEndpointId, vpcId: network.vpc.vpcId }];
    const tokenStore = backend.kind === 'softhsm-efs' ? new TokenFileSystem(this, 'TokenFileSystem', network) : undefined;
    const functionNetwork = { vpc: network.vpc, vpcSubnets: network.subnets, securityGroups: [network.functionSecurityGroup] };
    const table = createKmsTable(this, 'Table');
    const layers = pkcs11Layers(this, props.pkcs11, backend.kind);
    const groupRequestKey = new GroupRequestKey(this, 'GroupRequestKey');
    const environment = {
      TABLE_NAME: table.tableName,
      [GROUP_REQUEST_SECRET_ENV]: groupRequestKey.secret.secretArn,
    };
    /**
     * The PKCS#11 settings, layer and PIN go to every function: those whose operations use key
     * material need them for that, and every function checks the records it reads under the
     * token's integrity key (docs/table-integrity.md).
     */
    const tokenAccess = () => ({
      environment: { ...pkcs11Environment(props.pkcs11), ...backendEnvironment(backend) },
      layers,
      ...(tokenStore === undefined ? {} : { tokenFileSystem: tokenStore.lambdaFileSystem }),
    });
    const grantToken = (fn: NodejsFunction): void => {
      grantPinSecretRead(fn, props.pkcs11);
    };

    // The key lifecycle: one-time schedules per key in a group of their own, invoking the lifecycle
    // function through a role only EventBridge Scheduler of this account may assume. The function's
    // ARN is built from a fixed name, because its own environment (and that role) must name it.
    const lifecycleName = `${this.stackName}-lifecycle`.slice(0, 64);
    const lifecycleArn = this.formatArn({ service: 'lambda', resource: 'function', resourceName: lifecycleName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const scheduleGroup = new CfnScheduleGroup(this, 'LifecycleSchedules', { name: lifecycleName });
    const schedulerRole = new Role(this, 'LifecycleSchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: 'EventBridge Scheduler invokes the KMS lifecycle function',
    });
    schedulerRole.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [lifecycleArn] }));
    // Where EventBridge Scheduler puts an event it could not deliver after its retries (alarmed on).
    const deadLetters = new Queue(this, 'LifecycleDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    deadLetters.grantSendMessages(schedulerRole);
    acknowledgeRule(deadLetters, 'SQS3',
      'It is a dead-letter queue itself: the DeadLetterConfig of the lifecycle schedules (the sweep, the record check and every key\'s ' +
      'one-time schedule), a use cdk-nag recognises only for SQS redrive and Lambda. Nothing consumes it, so there is nothing to redrive ' +
      'from it; the LifecycleDeadLetters alarm watches it.');
    const lifecycleEnvironment = {
      [LIFECYCLE_ENV.functionArn]: lifecycleArn,
      [LIFECYCLE_ENV.scheduleGroup]: lifecycleName,
      [LIFECYCLE_ENV.schedulerRoleArn]: schedulerRole.roleArn,
      [LIFECYCLE_ENV.deadLetterQueueArn]: deadLetters.queueArn,
    };
    /** A function that arranges schedules: in the service's group only, passing only the scheduler role. */
    const grantScheduling = (fn: NodejsFunction): void => {
      const schedules = this.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${lifecycleName}/*` });
      fn.addToRolePolicy(new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedules],
      }));
      if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
      acknowledgeWildcardResource(fn.role, schedules,
        `The wildcard is the schedule name inside the stack's own schedule group ${lifecycleName}: one one-time schedule per key, named ` +
        'when the key\'s deletion or rotation is arranged, so the names cannot be listed; no other group\'s schedules match.');
      fn.addToRolePolicy(new PolicyStatement({
        actions: ['iam:PassRole'], resources: [schedulerRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }));
      // Work already due is handed to the lifecycle function at once.
      fn.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [lifecycleArn] }));
    };

    // Every function opens the token: together they may hold at most hsmClientLimit clients.
    const shares = deployment.hsmClientLimit === undefined
      ? undefined
      : hsmClientShares(deployment.hsmClientLimit, ['front', ...deployedGroups(), 'lifecycle', 'firstCredential']);
    const reserved = (name: string): { reservedConcurrentExecutions?: number } => {
      const share = shares?.get(name);
      return share === undefined ? {} : { reservedConcurrentExecutions: share };
    };
    const groupFunctions = {} as Record<DeployedGroup, NodejsFunction>;
    for (const group of deployedGroups()) {
      const profile: FunctionProfile = GROUP_FUNCTIONS[group];
      const token = tokenAccess();
      const fn = createServiceFunction(this, `${pascalCase(group)}Function`, {
        ...reserved(group),
        projectRoot,
        entry: profile.entry,
        description: `KMS API group: ${group}`,
        memorySize: 512,
        // Below the front's timeout so the front can still answer when a group runs late.
        timeout: Duration.seconds(15),
        environment: { ...environment, ...token.environment, ...(SCHEDULING_GROUPS.includes(group) ? lifecycleEnvironment : {}) },
        layers: token.layers,
        network: functionNetwork,
        ...('tokenFileSystem' in token && token.tokenFileSystem !== undefined ? { tokenFileSystem: token.tokenFileSystem } : {}),
      });
      grantTableAccess(fn, table, profile.table);
      grantToken(fn);
      if (SCHEDULING_GROUPS.includes(group)) grantScheduling(fn);
      groupFunctions[group] = fn;
    }
    this.groupFunctions = groupFunctions;

    const lifecycleToken = tokenAccess();
    this.lifecycleFunction = createServiceFunction(this, 'LifecycleFunction', {
      ...reserved('lifecycle'),
      projectRoot,
      entry: LIFECYCLE_FUNCTION.entry,
      description: 'KMS key lifecycle: deletions and rotations when they fall due',
      functionName: lifecycleName,
      memorySize: 512,
      // A sweep may run many keys' due work.
      timeout: Duration.minutes(5),
      environment: { ...environment, ...lifecycleToken.environment, ...lifecycleEnvironment },
      layers: lifecycleToken.layers,
      network: functionNetwork,
      ...('tokenFileSystem' in lifecycleToken && lifecycleToken.tokenFileSystem !== undefined ? { tokenFileSystem: lifecycleToken.tokenFileSystem } : {}),
    });
    grantTableAccess(this.lifecycleFunction, table, LIFECYCLE_FUNCTION.table);
    grantToken(this.lifecycleFunction);
    grantScheduling(this.lifecycleFunction);
    // The safety net: every hour, every key whose work is due (a schedule that was never written is caught here).
    /** A fixed-rate schedule in the lifecycle group that sends `input` to the lifecycle function. */
    const lifecycleTask = (id: string, scheduleExpression: string, input: object, description: string): void => {
      const schedule = new CfnSchedule(this, id, {
        groupName: lifecycleName,
        scheduleExpression,
        flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: lifecycleArn, roleArn: schedulerRole.roleArn, input: JSON.stringify(input), deadLetterConfig: { arn: deadLetters.queueArn } },
        description,
      });
      schedule.addDependency(scheduleGroup);
      schedule.node.addDependency(this.lifecycleFunction);
    };
    lifecycleTask('LifecycleSweep', 'rate(1 hour)', { sweep: true }, 'Sweeps the KMS keys whose deletion or rotation is due');
    // Every day, every record that decides access checked under the token's integrity key (and, on
    // the first run after an upgrade of the deployment, given its MAC); each failure is logged and audited.
    lifecycleTask('RecordVerification', 'rate(1 day)', { verifyRecords: true }, 'Checks every record of the table under the token\'s integrity key');

    const frontToken = tokenAccess();
    this.frontFunction = createServiceFunction(this, 'FrontFunction', {
      ...reserved('front'),
      projectRoot,
      entry: FRONT_FUNCTION.entry,
      description: 'KMS API front: SigV4, dispatch and cryptographic operations',
      // More memory buys more CPU for SigV4 and the cryptographic operations.
      memorySize: 1024,
      // API Gateway gives up after 29 seconds.
      timeout: Duration.seconds(25),
      environment: {
        ...environment,
        ...frontToken.environment,
        ...Object.fromEntries(
          deployedGroups().map((group) => [
            groupFunctionEnvName(group),
            groupFunctions[group].functionName,
          ]),
        ),
        // aws:SourceVpc of requests through the allowed endpoints whose VPC is known.
        [VPC_ENDPOINTS_ENV]: endpointVpcsValue(allowedEndpoints),
      },
      layers: frontToken.layers,
      network: functionNetwork,
      ...('tokenFileSystem' in frontToken && frontToken.tokenFileSystem !== undefined ? { tokenFileSystem: frontToken.tokenFileSystem } : {}),
    });
    grantTableAccess(this.frontFunction, table, FRONT_FUNCTION.table);
    grantToken(this.frontFunction);
    const frontRole = this.frontFunction.role;
    if (frontRole === undefined) throw new Error('the front function has no role');
    for (const group of deployedGroups()) {
      // The front's own policy names the groups it may invoke; each group's resource policy
      // names the one role that may invoke it. Principals in the account whose identity
      // policies allow lambda:InvokeFunction broadly could still call a group (a Lambda
      // resource policy cannot deny), which is why groups also verify the front's signature.
      // The unqualified function only, which is what the front invokes (by name): no version or alias (`:*`).
      this.frontFunction.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [groupFunctions[group].functionArn] }));
      groupFunctions[group].addPermission('InvokeByFrontOnly', {
        principal: new ArnPrincipal(frontRole.roleArn),
        action: 'lambda:InvokeFunction',
      });
    }
    groupRequestKey.readableOnlyBy([this.frontFunction, ...Object.values(groupFunctions)]);

    const api = new KmsApi(this, 'KmsApi', {
      front: this.frontFunction,
      throttling: props.throttling ?? DEFAULT_THROTTLING,
      manageCloudWatchRole: props.manageApiGatewayCloudWatchRole ?? true,
      endpoint: deployment.apiEndpoint,
      allowedEndpointIds: allowedEndpoints.map((e) => e.vpcEndpointId),
    });
    if (deployment.customDomain !== undefined) {
      if (!privateApi) throw new Error('domainName and certificateArn make a private custom domain: use apiEndpoint private');
      new PrivateCustomDomain(this, 'CustomDomain', {
        ...deployment.customDomain, api: api.api, allowedEndpointIds: allowedEndpoints.map((e) => e.vpcEndpointId),
      });
      new CfnOutput(this, 'KmsCustomDomainEndpoint', {
        description: 'Endpoint URL on the private custom domain (clients sign for this host)',
        value: `https://${deployment.customDomain.domainName}/`,
      });
    }
    // The first credential: made at deploy time, its secret kept only in this secret.
    const firstCredentialSecret = new Secret(this, 'FirstCredentialSecret', {
      description: 'The first access key of the deployment account\'s root for the KMS service (JSON: accessKeyId, secretAccessKey)',
    });
    acknowledgeRule(firstCredentialSecret, 'SMG4',
      'It holds an access key of the service\'s own IAM (not an AWS credential), made once at deploy time and sealed into the table by the ' +
      'FirstCredential custom resource; a Secrets Manager rotation could not make a new key in the table. It is replaced through the ' +
      'service: iam CreateAccessKey, then UpdateAccessKey/DeleteAccessKey of the first one, against the KMS endpoint.');
    const credentialToken = tokenAccess();
    const firstCredentialFunction = createServiceFunction(this, 'FirstCredentialFunction', {
      ...reserved('firstCredential'),
      projectRoot,
      entry: FIRST_CREDENTIAL_FUNCTION.entry,
      description: 'KMS first credential: the deployment account root\'s first access key',
      memorySize: 512,
      timeout: Duration.minutes(2),
      environment: {
        ...environment, ...credentialToken.environment,
        [FIRST_CREDENTIAL_SECRET_ENV]: firstCredentialSecret.secretArn, [DEPLOYMENT_ACCOUNT_ENV]: this.account,
      },
      layers: credentialToken.layers,
      network: functionNetwork,
      ...('tokenFileSystem' in credentialToken && credentialToken.tokenFileSystem !== undefined ? { tokenFileSystem: credentialToken.tokenFileSystem } : {}),
    });
    grantTableAccess(firstCredentialFunction, table, FIRST_CREDENTIAL_FUNCTION.table);
    grantToken(firstCredentialFunction);
    firstCredentialSecret.grantRead(firstCredentialFunction);
    firstCredentialSecret.grantWrite(firstCredentialFunction);
    const firstCredentialProvider = new Provider(this, 'FirstCredentialProvider', { onEventHandler: firstCredentialFunction });
    new CustomResource(this, 'FirstCredential', {
      serviceToken: firstCredentialProvider.serviceToken,
      resourceType: 'Custom::KmsFirstCredential',
    });
    // The provider's framework function is aws-cdk-lib's own (custom-resources), outside the VPC.
    acknowledgeManagedPolicy(firstCredentialProvider, 'service-role/AWSLambdaBasicExecutionRole',
      'The role aws-cdk-lib gives the custom resource framework function of the FirstCredential provider, for writing its own logs; the ' +
      'framework function only relays CloudFormation\'s request to the first-credential function and touches no data of the service.');
    acknowledgeWildcardResource(firstCredentialProvider, `${firstCredentialFunction.functionArn}:*`,
      'The custom resource framework (aws-cdk-lib) may invoke the first-credential function and its versions and aliases (`:*`): ' +
      'one function of this stack, no other.');
    new CfnOutput(this, 'KmsFirstCredentialSecret', {
      description: 'Secret holding the first access key of the account root (aws secretsmanager get-secret-value)',
      value: firstCredentialSecret.secretArn,
    });

    const monitoring = new Monitoring(this, 'Monitoring', {
      api: api.api,
      front: this.frontFunction,
      functions: { ...groupFunctions, lifecycle: this.lifecycleFunction },
      table,
      deadLetterQueue: deadLetters,
      // The lifecycle function's too: its daily record check audits every record that fails.
      auditLogGroups: [this.frontFunction, ...Object.values(groupFunctions), this.lifecycleFunction].map((fn) => fn.logGroup),
    });
    new CfnOutput(this, 'KmsAlarmTopic', { description: 'SNS topic every alarm notifies (subscribe to it)', value: monitoring.topic.topicArn });
    new CfnOutput(this, 'KmsEndpoint', {
      description: 'Endpoint URL for AWS KMS clients (the SDK endpoint setting)',
      value: api.url,
    });
  }
}

const pascalCase = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
