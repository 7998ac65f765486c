/** Synthesizes the stack once per test file, offline, and reads roles and policies out of it. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { FIRST_CREDENTIAL_FUNCTION, FRONT_FUNCTION, GROUP_FUNCTIONS, LIFECYCLE_FUNCTION, deployedGroups } from '../../lib/api-groups.js';
import { KmsServiceStack } from '../../lib/kms-stack.js';
import type { DeploymentSettings, Pkcs11Settings } from '../../lib/kms-stack.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const GROUPS = deployedGroups();
export const PIN_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:open-kms/pkcs11-pin-AbCdEf';
export const LAYER_ARN = 'arn:aws:lambda:eu-west-1:111122223333:layer:cloudhsm-pkcs11:3';

export type Json = Record<string, unknown>;

const CLOUDHSM_CONTEXT = {
  keyBackend: 'cloudhsm',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  routeTableIds: 'rtb-0123456789abcdef0',
  cloudHsmClusterId: 'cluster-abcdefghijk',
  cloudHsmSecurityGroupId: 'sg-0123456789abcdef0',
  hsmPinSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:pin-AbCdEf',
};
export const CUSTOM_DOMAIN = { domainName: 'kms.internal.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/0f0e0d0c-0b0a-0908-0706-050403020100' };

/** Every configuration the README documents, as the CDK context a user passes (`deploymentFromContext`). */
export const CONFIGURATIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  default: {},
  regional: { apiEndpoint: 'regional' },
  'existing endpoints': { vpcEndpointIds: 'vpce-0123456789abcdef0=vpc-0123456789abcdef0,vpce-0fedcba9876543210' },
  cloudhsm: CLOUDHSM_CONTEXT,
  'custom domain': CUSTOM_DOMAIN,
};

export interface SynthOptions {
  /** Called with the app before the stack is made, as lib/app.ts does (e.g. to add its checks). */
  readonly prepareApp?: (app: App) => void;
  /** PKCS#11 settings to change (`layerArn: undefined` for none); by default the CloudHSM defaults and {@link LAYER_ARN}. */
  readonly pkcs11?: Partial<Pkcs11Settings>;
}

export interface Synthesized {
  readonly stack: KmsServiceStack;
  readonly template: Template;
}

/**
 * Synthesizes the stack with the feature flags of `cdk.json` and without running esbuild, over a
 * stand-in project with placeholder handlers (bundling is skipped, so nothing is compiled).
 */
export function synthesize(deployment?: DeploymentSettings, options: SynthOptions = {}): Synthesized {
  const fixtureRoot = mkdtempSync(path.join(tmpdir(), 'kms-stack-'));
  try {
    mkdirSync(path.join(fixtureRoot, 'functions'));
    // The native modules' versions come from the project's package.json, as in a real synth
    // (koffi's package exports do not let CDK read its version from node_modules).
    const { dependencies } = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { dependencies: Json };
    writeFileSync(path.join(fixtureRoot, 'package.json'), JSON.stringify({ type: 'module', dependencies }));
    writeFileSync(path.join(fixtureRoot, 'package-lock.json'), '{}');
    for (const { entry } of [FRONT_FUNCTION, LIFECYCLE_FUNCTION, FIRST_CREDENTIAL_FUNCTION, ...Object.values(GROUP_FUNCTIONS)]) {
      writeFileSync(path.join(fixtureRoot, entry), 'export const handler = async () => ({});\n');
    }
    const cdkJson = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')) as { context: Json };
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    options.prepareApp?.(app);
    const stack = new KmsServiceStack(app, 'Test', {
      pkcs11: { modulePath: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so', tokenLabel: 'hsm1', pinSecretArn: PIN_SECRET_ARN, layerArn: LAYER_ARN, ...options.pkcs11 },
      projectRoot: fixtureRoot,
      ...(deployment === undefined ? {} : { deployment }),
    });
    return { stack, template: Template.fromStack(stack) };
  } finally {
    rmSync(fixtureRoot, { recursive: true, force: true });
  }
}

let synthesized: Synthesized | undefined;

/** The synthesized stack, made on first use (slow) and shared by the tests of a file (read-only). */
export function stackUnderTest(): Synthesized {
  synthesized ??= synthesize();
  return synthesized;
}

export const resourcesOf = (template: Template): Record<string, Json> => template.toJSON()['Resources'] as Record<string, Json>;

export const functionId = (stack: KmsServiceStack, fn: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(fn.node.defaultChild as CfnFunction);

/** The logical ID of the role of the function with logical ID `fnId`. */
export const roleOf = (template: Template, fnId: string): string => {
  const fn = resourcesOf(template)[fnId] as { Properties: { Role: Json } };
  return (fn.Properties.Role['Fn::GetAtt'] as string[])[0] ?? '';
};

/** Every policy statement attached to the role with logical ID `roleId`. */
export const statementsOf = (template: Template, roleId: string): Json[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy['Properties']['Roles']).includes(`"${roleId}"`))
    .flatMap((policy) => policy['Properties']['PolicyDocument']['Statement'] as Json[]);

export const actionsOf = (statement: Json): string[] => [statement['Action'] as string | string[]].flat();

export const resourceList = (statement: Json): unknown[] => [statement['Resource']].flat();
