/**
 * CDK entry point. Settings come from context (`cdk deploy -c key=value` or `cdk.json`):
 *
 * | context key                | default                                                      |
 * | -------------------------- | ------------------------------------------------------------ |
 * | `pkcs11ModulePath`         | `/opt/cloudhsm/lib/libcloudhsm_pkcs11.so` (CloudHSM SDK 5)   |
 * | `pkcs11TokenLabel`         | `hsm1` (the token label of CloudHSM Client SDK 5)            |
 * | `pkcs11PinSecretArn`       | secret `open-kms/pkcs11-pin` in the deployment account/Region |
 * | `pkcs11LayerArn`           | none: softhsm-efs uses the stack's SoftHSM layer (layers/);  |
 * |                            | cloudhsm needs the user's CloudHSM layer                     |
 * | `apiGatewayCloudWatchRole` | `true`: the stack sets the Region's API Gateway logging role |
 * | `stackName`                | `OpenKms`                                                    |
 * | `apiEndpoint`              | `private` (or `regional`; never edge-optimized)              |
 * | `vpcEndpointIds`           | none: the stack creates a VPC and one execute-api endpoint   |
 * |                            | (`vpce-ID` or `vpce-ID=vpc-ID`, comma-separated)             |
 * | `keyBackend`               | `softhsm-efs` (or `cloudhsm`, with the six keys below)       |
 * | `vpcId`, `subnetIds`       | CloudHSM: the cluster's VPC and subnets (comma-separated)    |
 * | `routeTableIds`            | CloudHSM: the subnets' route tables for the DynamoDB gateway |
 * |                            | endpoint (one, or one per subnet), or `none` if it exists    |
 * | `cloudHsmClusterId`        | CloudHSM: `cluster-…`                                        |
 * | `cloudHsmSecurityGroupId`  | CloudHSM: the cluster's security group                       |
 * | `hsmPinSecretArn`          | CloudHSM: the crypto user's PIN secret (as pkcs11PinSecretArn) |
 * | `domainName`, `certificateArn` | none: a private custom domain when both are given        |
 * | `hsmClientLimit`           | none: the most token clients all functions may hold together |
 * |                            | (reserved concurrency: half for the front, the rest shared)  |
 * | `account`, `region`        | none: environment-agnostic                                   |
 *
 * A layer's contents are unpacked under `/opt`, so a layer holding the CloudHSM client's
 * `cloudhsm/lib/libcloudhsm_pkcs11.so` matches the default module path.
 *
 * The PIN secret holds the PIN as its string value (`<user>:<password>` for CloudHSM).
 *
 * Without `account`/`region` the stack is environment-agnostic and deploys into the account and
 * Region of the CLI's credentials and profile. The CLI's own `CDK_DEFAULT_REGION` is not used
 * to pin the stack: the CLI fills it in (falling back to us-east-1) even when nobody chose one.
 */
import { App, Aws } from 'aws-cdk-lib';
import { KmsServiceStack } from './kms-stack.js';
import { deploymentFromContext, SOFTHSM_DEFAULTS } from './constructs/deployment-context.js';
import { addDeploymentChecks } from './deployment-checks.js';

const DEFAULT_MODULE_PATH = '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so';
const DEFAULT_TOKEN_LABEL = 'hsm1';
const DEFAULT_PIN_SECRET_NAME = 'open-kms/pkcs11-pin';

const app = new App();
// cdk-nag's AwsSolutions pack on every synth (docs/deployment-checks.md).
addDeploymentChecks(app);

const contextString = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context ${key} must be a string`);
  return value;
};

const contextFlag = (key: string, fallback: boolean): boolean => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return fallback;
  // `-c key=false` arrives as the string "false".
  return value === true || value === 'true';
};

const account = contextString('account');
const region = contextString('region');
const layerArn = contextString('pkcs11LayerArn');
const deployment = deploymentFromContext(contextString);
const softhsm = deployment.keyBackend.kind === 'softhsm-efs';

new KmsServiceStack(app, contextString('stackName') ?? 'OpenKms', {
  description: 'Self-hosted key management service that speaks the AWS KMS API',
  ...(account !== undefined || region !== undefined ? { env: { account, region } } : {}),
  pkcs11: {
    modulePath: contextString('pkcs11ModulePath') ?? (softhsm ? SOFTHSM_DEFAULTS.modulePath : DEFAULT_MODULE_PATH),
    tokenLabel: contextString('pkcs11TokenLabel') ?? (softhsm ? SOFTHSM_DEFAULTS.tokenLabel : DEFAULT_TOKEN_LABEL),
    pinSecretArn:
      contextString('hsmPinSecretArn') ??
      contextString('pkcs11PinSecretArn') ??
      `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:` +
        DEFAULT_PIN_SECRET_NAME,
    ...(layerArn !== undefined ? { layerArn } : {}),
  },
  manageApiGatewayCloudWatchRole: contextFlag('apiGatewayCloudWatchRole', true),
  deployment,
});
