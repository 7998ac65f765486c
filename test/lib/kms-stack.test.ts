import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_FUNCTION_ENTRIES } from '../../lib/api-groups.js';
import type { DeployedGroup } from '../../lib/api-groups.js';
import { KmsServiceStack } from '../../lib/kms-stack.js';
import { groupFunctionEnvName } from '../../src/composition/group-environment.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GROUPS = Object.keys(GROUP_FUNCTION_ENTRIES) as DeployedGroup[];
const PIN_SECRET_ARN =
  'arn:aws:secretsmanager:eu-west-1:111122223333:secret:open-kms/pkcs11-pin-AbCdEf';
const LAYER_ARN = 'arn:aws:lambda:eu-west-1:111122223333:layer:cloudhsm-pkcs11:3';

type Json = Record<string, unknown>;

/**
 * A stand-in project with placeholder handlers, so the stack can be synthesized whether or not
 * the real handlers exist yet. Bundling is skipped, so nothing in it is ever compiled.
 */
let fixtureRoot = '';
beforeAll(() => {
  fixtureRoot = mkdtempSync(path.join(tmpdir(), 'kms-stack-'));
  mkdirSync(path.join(fixtureRoot, 'functions'));
  writeFileSync(path.join(fixtureRoot, 'package.json'), '{"type":"module"}');
  writeFileSync(path.join(fixtureRoot, 'package-lock.json'), '{}');
  for (const entry of ['functions/front.ts', ...Object.values(GROUP_FUNCTION_ENTRIES)]) {
    writeFileSync(path.join(fixtureRoot, entry), 'export const handler = async () => ({});\n');
  }
  synthesize();
}, 60_000);
afterAll(() => rmSync(fixtureRoot, { recursive: true, force: true }));

interface Synthesized {
  readonly stack: KmsServiceStack;
  readonly template: Template;
}

/**
 * Synthesizes the stack with the feature flags of `cdk.json` and without running esbuild.
 * Memoised: synthesis is read-only for the assertions and the first run is slow.
 */
let synthesized: Synthesized | undefined;
const synthesize = (): Synthesized => {
  if (synthesized !== undefined) return synthesized;
  const cdkJson = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')) as {
    context: Json;
  };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new KmsServiceStack(app, 'Test', {
    pkcs11: {
      modulePath: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',
      tokenLabel: 'hsm1',
      pinSecretArn: PIN_SECRET_ARN,
      layerArn: LAYER_ARN,
    },
    projectRoot: fixtureRoot,
  });
  synthesized = { stack, template: Template.fromStack(stack) };
  return synthesized;
};

const functionId = (stack: KmsServiceStack, fn: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(fn.node.defaultChild as CfnFunction);

/** The logical ID of the role of the function with logical ID `fnId`. */
const roleOf = (template: Template, fnId: string): string => {
  const fn = template.toJSON()['Resources'][fnId] as { Properties: { Role: Json } };
  return (fn.Properties.Role['Fn::GetAtt'] as string[])[0] ?? '';
};

/** Every policy statement attached to the role with logical ID `roleId`. */
const statementsOf = (template: Template, roleId: string): Json[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy['Properties']['Roles']).includes(`"${roleId}"`))
    .flatMap((policy) => policy['Properties']['PolicyDocument']['Statement'] as Json[]);

const actionsOf = (statement: Json): string[] => [statement['Action'] as string | string[]].flat();

/** Logical IDs mentioned in the resources of statements that allow `action`. */
const resourceIdsFor = (template: Template, statements: Json[], action: string): Set<string> => {
  const ids = Object.keys(template.toJSON()['Resources'] as Json);
  const allowing = statements.filter((s) => actionsOf(s).includes(action));
  const text = JSON.stringify(allowing.map((s) => s['Resource']));
  return new Set(ids.filter((id) => text.includes(`"${id}"`)));
};

describe('KmsServiceStack', () => {
  it('creates a retained table with the shared keys, gsi1, PITR and deletion protection', () => {
    // Prepare / Act
    const { template } = synthesize();

    // Assess
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
  });

  it('creates the front and one function per API group on nodejs22.x with the layer', () => {
    // Prepare / Act
    const { template } = synthesize();

    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 1 + GROUPS.length);
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Runtime: 'nodejs22.x',
        Architectures: ['x86_64'],
        Handler: 'index.handler',
        Layers: [LAYER_ARN],
        Environment: {
          Variables: Match.objectLike({
            TABLE_NAME: Match.anyValue(),
            PKCS11_MODULE: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',
            PKCS11_TOKEN_LABEL: 'hsm1',
            PKCS11_PIN_SECRET_ARN: PIN_SECRET_ARN,
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      },
      1 + GROUPS.length,
    );
  });

  it('gives the front the group function names and invoke rights on exactly those', () => {
    // Prepare
    const { stack, template } = synthesize();
    const frontId = functionId(stack, stack.frontFunction);
    const groupIds = GROUPS.map((group) => functionId(stack, stack.groupFunctions[group]));

    // Act
    const front = template.toJSON()['Resources'][frontId] as {
      Properties: { Environment: { Variables: Json } };
    };
    const invoked = resourceIdsFor(
      template,
      statementsOf(template, roleOf(template, frontId)),
      'lambda:InvokeFunction',
    );

    // Assess
    GROUPS.forEach((group, i) => {
      expect(front.Properties.Environment.Variables[groupFunctionEnvName(group)]).toEqual({
        Ref: groupIds[i],
      });
    });
    expect(invoked).toEqual(new Set(groupIds));
  });

  it('gives group functions table writes but no invoke rights', () => {
    // Prepare
    const { stack, template } = synthesize();

    for (const group of GROUPS) {
      // Act
      const fnId = functionId(stack, stack.groupFunctions[group]);
      const statements = statementsOf(template, roleOf(template, fnId));
      const actions = statements.flatMap(actionsOf);

      // Assess
      expect(actions).not.toContain('lambda:InvokeFunction');
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']));
      expect(actions).not.toContain('dynamodb:Scan');
    }
  });

  it('gives the front read-only table access', () => {
    // Prepare
    const { stack, template } = synthesize();

    // Act
    const actions = statementsOf(template, roleOf(template, functionId(stack, stack.frontFunction)))
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('dynamodb:'));

    // Assess
    expect(new Set(actions)).toEqual(
      new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']),
    );
  });

  it('lets every function read the PIN secret and only that secret', () => {
    // Prepare
    const { stack, template } = synthesize();
    const functions = [stack.frontFunction, ...GROUPS.map((g) => stack.groupFunctions[g])];

    for (const fn of functions) {
      // Act
      const statements = statementsOf(template, roleOf(template, functionId(stack, fn)));
      const secretStatements = statements.filter((s) =>
        actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
      );

      // Assess
      expect(secretStatements.flatMap(actionsOf)).toEqual(['secretsmanager:GetSecretValue']);
      expect(secretStatements.flatMap((s) => s['Resource'])).toEqual([
        PIN_SECRET_ARN,
        `${PIN_SECRET_ARN}-??????`,
      ]);
    }
  });

  it('creates a REGIONAL REST API that keeps binary bodies', () => {
    // Prepare / Act
    const { template } = synthesize();

    // Assess
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      BinaryMediaTypes: ['*/*'],
      DisableExecuteApiEndpoint: false,
    });
  });

  it('creates exactly one method, POST on the root, proxied to the front', () => {
    // Prepare
    const { stack, template } = synthesize();
    const frontId = functionId(stack, stack.frontFunction);
    const apiId = Object.keys(template.findResources('AWS::ApiGateway::RestApi'))[0];

    // Act
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));

    // Assess
    expect(methods).toHaveLength(1);
    template.resourceCountIs('AWS::ApiGateway::Resource', 0);
    const method = methods[0]?.['Properties'] as Json;
    expect(method['HttpMethod']).toBe('POST');
    expect(method['ResourceId']).toEqual({ 'Fn::GetAtt': [apiId, 'RootResourceId'] });
    expect(method['Integration']).toMatchObject({
      Type: 'AWS_PROXY',
      IntegrationHttpMethod: 'POST',
    });
    expect(JSON.stringify((method['Integration'] as Json)['Uri'])).toContain(`"${frontId}"`);
  });

  it('creates stage throttling, access logging and the endpoint output', () => {
    // Prepare / Act
    const { template } = synthesize();

    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 1000 }),
      ],
    });
    template.hasOutput('KmsEndpoint', { Value: Match.anyValue() });
    expect(Object.keys(template.findOutputs('*'))).toEqual(['KmsEndpoint']);
  });
});
