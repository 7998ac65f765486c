import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { FileSystem as LambdaFileSystem, ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeManagedPolicy, acknowledgeRule } from './acknowledgements.js';

/**
 * Native modules cannot be inlined by esbuild: they stay outside the bundle and come from the
 * PKCS#11 binding layer (lib/constructs/pkcs11.ts, layers/README.md), built for Lambda's arm64
 * Amazon Linux 2023 and committed, so `cdk synth` installs and compiles nothing. Lambda puts the
 * layer's `nodejs/node_modules` at `/opt/nodejs/node_modules`, which is on NODE_PATH; both
 * `require` and, since the nodejs18.x runtime, `import` resolve packages from there. graphene-pk11
 * is plain JavaScript over pkcs11js but stays beside them: its ES build imports pkcs11js's
 * constants by name, which Node cannot give it from CommonJS, so its CommonJS build is required
 * at run time (src/adapters/pkcs11/graphene.ts).
 */
export const NATIVE_MODULES = ['graphene-pk11', 'pkcs11js', 'koffi'] as const;

/**
 * esbuild settings shared by every function: an ESM bundle that still lets CommonJS
 * dependencies call `require`, which ESM scope does not define. `npm run cold-start` builds with
 * the same settings (scripts/cold-start/bundle-options.ts) and measures each bundle.
 */
export const BUNDLING: BundlingOptions = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  banner:
    "import { createRequire as __kmsCreateRequire } from 'node:module'; " +
    'const require = __kmsCreateRequire(import.meta.url);',
  // Only the native modules stay out (the layer has them, so nothing is installed with npm). The
  // AWS SDK is bundled rather than taken from the runtime so the deployed code runs the same SDK
  // versions the tests ran against.
  externalModules: [...NATIVE_MODULES],
  // Half the bytes to read and compile at a cold start. Our errors carry their wire name in a
  // `name` field, but the SDK compares some classes' `constructor.name` (smithy's NoOpLogger),
  // and stack traces name functions: names are kept (test/lib/bundling.test.ts).
  minify: true,
  keepNames: true,
  // Stack traces map back to the TypeScript files and lines; the sources themselves are in the
  // repository, not in every function's package (the map shrinks from 3.8 to 1.4 MB).
  sourceMap: true,
  sourcesContent: false,
};

/** The runtime of every service function; esbuild targets it (`node22`). */
export const SERVICE_RUNTIME = Runtime.NODEJS_22_X;

/** The architecture of every service function: the one the PKCS#11 layers are built for. */
export const SERVICE_ARCHITECTURE = Architecture.ARM_64;

/** `NODE_OPTIONS` of every service function: stack traces point into the TypeScript sources. */
export const SERVICE_NODE_OPTIONS = '--enable-source-maps';

export interface ServiceFunctionProps {
  /** Directory holding `package.json`, `package-lock.json` and the handler entries. */
  readonly projectRoot: string;
  /** Handler file relative to `projectRoot`; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly layers: ILayerVersion[];
  /** The VPC, subnets and security group the function runs in. */
  readonly network?: { readonly vpc: IVpc; readonly vpcSubnets: SubnetSelection; readonly securityGroups: ISecurityGroup[] };
  /** An EFS access point mounted at {@link TOKEN_MOUNT_PATH} (the SoftHSM token). */
  readonly tokenFileSystem?: LambdaFileSystem;
  /** A fixed name, for a function whose ARN must be known before it exists (its own environment names it). */
  readonly functionName?: string;
  /** Its share of the token clients (`hsm-clients.ts`), when the deployment limits them. */
  readonly reservedConcurrentExecutions?: number;
}

/** Where a function that uses a SoftHSM token on EFS finds it. */
export const TOKEN_MOUNT_PATH = '/mnt/token';

/**
 * A Node.js function with its own log group. Audit events go to the function's log, so the
 * log group outlives the stack and keeps a year of history.
 */
export const createServiceFunction = (
  scope: Construct,
  id: string,
  props: ServiceFunctionProps,
): NodejsFunction => {
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const fn = new NodejsFunction(scope, id, {
    entry: path.join(props.projectRoot, props.entry),
    handler: 'handler',
    projectRoot: props.projectRoot,
    depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
    runtime: SERVICE_RUNTIME,
    architecture: SERVICE_ARCHITECTURE,
    description: props.description,
    memorySize: props.memorySize,
    timeout: props.timeout,
    environment: { ...props.environment, NODE_OPTIONS: SERVICE_NODE_OPTIONS },
    layers: props.layers,
    logGroup,
    bundling: BUNDLING,
    ...(props.network === undefined ? {} : props.network),
    ...(props.tokenFileSystem === undefined ? {} : { filesystem: props.tokenFileSystem }),
    ...(props.functionName === undefined ? {} : { functionName: props.functionName }),
    ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
  });
  // cdk-nag findings that do not apply to the service functions (docs/deployment-checks.md).
  acknowledgeRule(fn, 'L1',
    'The runtime is pinned to nodejs22.x (Node.js 22 LTS), the Node.js the service is built for, bundled for (esbuild targets the runtime) ' +
    'and tested on (test/lib asserts nodejs22.x); moving to a newer runtime is an upgrade of the whole service, made and tested on purpose.');
  const role = fn.role;
  if (role === undefined) throw new Error(`${fn.node.path} has no role`);
  if (props.network !== undefined) {
    acknowledgeManagedPolicy(role, 'service-role/AWSLambdaBasicExecutionRole',
      'The policy Lambda attaches so a function can write its own CloudWatch logs (logs:CreateLogGroup, CreateLogStream, PutLogEvents). ' +
      'AWSLambdaVPCAccessExecutionRole, which a function in the VPC needs, grants the same log actions, so a customer copy scoped to the ' +
      'function\'s log group would narrow nothing.');
    acknowledgeManagedPolicy(role, 'service-role/AWSLambdaVPCAccessExecutionRole',
      'Every service function runs in the VPC, and this is the policy AWS documents and maintains for the ENIs Lambda makes with the ' +
      'execution role (ec2:CreateNetworkInterface, DescribeNetworkInterfaces, DescribeSubnets, DeleteNetworkInterface, Assign/UnassignPrivateIpAddresses). ' +
      'The Describe actions take no resource ARN, so a customer copy would keep Resource "*" and lose AWS\'s upkeep.');
  }
  return fn;
};
