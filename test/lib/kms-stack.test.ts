import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeployedGroup } from '../../lib/api-groups.js';
import type { KmsServiceStack } from '../../lib/kms-stack.js';
import { GROUP_REQUEST_SECRET_ENV, groupFunctionEnvName } from '../../src/composition/group-environment.js';
import {
  GROUPS, LAYER_ARN, PIN_SECRET_ARN, actionsOf, functionId, resourceList, resourcesOf, roleOf, stackUnderTest, statementsOf,
  type Json, type Synthesized,
} from './synth.js';

beforeAll(() => {
  stackUnderTest();
}, 60_000);

/** Logical IDs mentioned in the resources of statements that allow `action`. */
const resourceIdsFor = (template: Synthesized['template'], statements: Json[], action: string): Set<string> => {
  const ids = Object.keys(resourcesOf(template));
  const allowing = statements.filter((s) => actionsOf(s).includes(action));
  const text = JSON.stringify(allowing.map((s) => s['Resource']));
  return new Set(ids.filter((id) => text.includes(`"${id}"`)));
};

/** `front` and the deployed groups whose functions do (or do not) use the token, per lib/api-groups.ts. */
/** Every function opens the token: for key material, and to check the records it reads (docs/table-integrity.md). */
const SERVICE_FUNCTIONS: readonly string[] = ['front', ...GROUPS];

const functionNamed = (stack: KmsServiceStack, name: string) =>
  name === 'front' ? stack.frontFunction : stack.groupFunctions[name as DeployedGroup];

/** Logical ID of the stack's one secret, the group-request key. */
const secretId = (template: Synthesized['template']): string => Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0] ?? '';

describe('KmsServiceStack', () => {
  it('creates a retained table with the shared keys, gsi1, the ListKeys index (its listing only), the due-date index, PITR and deletion protection', () => {
    // Prepare / Act
    const { template } = stackUnderTest();

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
          {
            IndexName: 'keyList',
            KeySchema: [
              { AttributeName: 'listPk', KeyType: 'HASH' },
              { AttributeName: 'listSk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['keyState', 'deletionDate', 'listMac'] },
          },
          {
            IndexName: 'due',
            KeySchema: [
              { AttributeName: 'duePk', KeyType: 'HASH' },
              { AttributeName: 'dueSk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
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

  it('creates the front, one function per API group and the lifecycle function on nodejs22.x', () => {
    // Prepare / Act
    const { template } = stackUnderTest();

    // Assess
    // Besides them and the first-credential function, only the VPC's custom resource that empties
    // the default security group and the custom resource provider's framework function.
    template.resourceCountIs('AWS::Lambda::Function', 1 + GROUPS.length + 1 + 1 + 2);
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: { Variables: Match.objectLike({ TABLE_NAME: Match.anyValue(), NODE_OPTIONS: '--enable-source-maps' }) },
      },
      1 + GROUPS.length + 2,
    );
  });

  it('makes the first credential at deploy time with a function that may read and write only its secret and write only access keys and the account record', () => {
    // Prepare
    const { template } = stackUnderTest();
    const [functionId] = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('first credential') } }));

    // Act
    const statements = statementsOf(template, roleOf(template, functionId ?? ''));

    // Assess
    template.resourceCountIs('Custom::KmsFirstCredential', 1);
    const dynamo = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(dynamo.map((statement) => [actionsOf(statement), JSON.stringify(statement['Condition'])])).toEqual([
      [['dynamodb:GetItem', 'dynamodb:PutItem'], expect.stringContaining('ACCESSKEY#*')],
      [['dynamodb:PutItem'], expect.stringContaining('IAM#*')],
    ]);
    const secretActions = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('secretsmanager:')));
    expect(secretActions.flatMap(actionsOf)).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('first credential'),
      Environment: { Variables: Match.objectLike({ FIRST_CREDENTIAL_SECRET_ARN: Match.anyValue(), KMS_DEPLOYMENT_ACCOUNT_ID: Match.anyValue(), PKCS11_MODULE: Match.anyValue() }) },
    });
  });

  it.each(SERVICE_FUNCTIONS)('gives the PKCS#11 settings and layer to %s, which checks records under the token (and may use key material)', (name) => {
    // Prepare
    const { stack, template } = stackUnderTest();

    // Act
    const fn = resourcesOf(template)[functionId(stack, functionNamed(stack, name))] as { Properties: Json & { Environment: { Variables: Json } } };

    // Assess
    // The PKCS#11 binding layer the stack ships, then the given PKCS#11 library layer (test/lib/pkcs11-layers.test.ts).
    const bindingLayer = Object.keys(template.findResources('AWS::Lambda::LayerVersion', { Properties: { Description: Match.stringLikeRegexp('pkcs11js') } }));
    expect(fn.Properties['Layers']).toEqual([{ Ref: bindingLayer[0] }, LAYER_ARN]);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      PKCS11_MODULE: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',
      PKCS11_TOKEN_LABEL: 'hsm1',
      PKCS11_PIN_SECRET_ARN: PIN_SECRET_ARN,
    });
  });

  it('gives the front the group function names and invoke rights on exactly those', () => {
    // Prepare
    const { stack, template } = stackUnderTest();
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

  it('lets only the front\'s role invoke a group function, through a resource-based policy on each', () => {
    // Prepare
    const { stack, template } = stackUnderTest();
    const frontRoleArn = { 'Fn::GetAtt': [roleOf(template, functionId(stack, stack.frontFunction)), 'Arn'] };
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => p['Properties'] as Json);

    for (const group of GROUPS) {
      // Act
      const fnId = functionId(stack, stack.groupFunctions[group]);
      const onGroup = permissions.filter((p) => JSON.stringify(p['FunctionName']).includes(`"${fnId}"`));

      // Assess
      expect(onGroup).toEqual([{ Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: frontRoleArn }]);
    }
  });

  it('grants invocation of the front to API Gateway only, and of nothing else to anyone else', () => {
    // Prepare
    const { stack, template } = stackUnderTest();
    const groupIds = new Set(GROUPS.map((group) => functionId(stack, stack.groupFunctions[group])));
    const frontId = functionId(stack, stack.frontFunction);

    // Act
    const others = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((p) => p['Properties'] as Json)
      .filter((p) => ![...groupIds].some((id) => JSON.stringify(p['FunctionName']).includes(`"${id}"`)));

    // Assess
    expect(others.length).toBeGreaterThan(0);
    for (const permission of others) {
      expect(JSON.stringify(permission['FunctionName'])).toContain(`"${frontId}"`);
      expect(permission['Principal']).toBe('apigateway.amazonaws.com');
    }
  });

  it('gives group functions no invoke rights, but the one that schedules key lifecycle work may hand due work to the lifecycle function', () => {
    // Prepare
    const { stack, template } = stackUnderTest();

    for (const group of GROUPS) {
      // Act
      const statements = statementsOf(template, roleOf(template, functionId(stack, stack.groupFunctions[group])));

      // Assess
      const invokes = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('lambda:')));
      if (group === 'keys') {
        expect(invokes.map((statement) => [actionsOf(statement), JSON.stringify(statement['Resource'])])).toEqual([[['lambda:InvokeFunction'], expect.stringContaining('-lifecycle')]]);
      } else {
        expect(invokes).toEqual([]);
      }
    }
  });

  it('alarms on API 5xx, function errors and throttles, internal errors, table throttles and lifecycle dead letters, to one SNS topic, with a dashboard', () => {
    // Prepare / Act
    const { template } = stackUnderTest();

    // Assess
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: Record<string, unknown> }[];
    const descriptions = alarms.map((alarm) => String(alarm.Properties['AlarmDescription']));
    for (const expected of [/answered 5xx/, /front function was throttled/, /front function failed/, /lifecycle function failed/, /KMSInternalException/, /table throttled/, /dead-letter queue/]) {
      expect(descriptions.some((description) => expected.test(description)), String(expected)).toBe(true);
    }
    for (const group of GROUPS) expect(descriptions).toContain(`The ${group} function failed.`);
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    for (const alarm of alarms) expect(alarm.Properties['AlarmActions']).toEqual([{ Ref: topics[0] }]);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.auditEvent.errorCode = "KMSInternalException" }', MetricTransformations: [Match.objectLike({ MetricName: 'InternalErrors' })] });
    expect(descriptions.some((description) => description.startsWith('A record of the table failed its integrity check'))).toBe(true);
  });

  it('counts IntegrityCheckFailed audit events in the log of every function that reads records, the lifecycle function\'s included', () => {
    // Prepare / Act
    const { stack, template } = stackUnderTest();
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter', {
      Properties: { FilterPattern: '{ $.auditEvent.eventName = "IntegrityCheckFailed" }', MetricTransformations: [Match.objectLike({ MetricName: 'IntegrityFailures' })] },
    })) as { Properties: { LogGroupName: unknown } }[];
    const logGroups = [stack.frontFunction, ...Object.values(stack.groupFunctions), stack.lifecycleFunction]
      .map((fn) => stack.resolve((fn.logGroup.node.defaultChild as unknown as { ref: string }).ref) as unknown);

    // Assess
    expect(filters.map((filter) => filter.Properties.LogGroupName)).toEqual(expect.arrayContaining(logGroups));
    expect(filters).toHaveLength(logGroups.length);
  });

  it('sends lifecycle events EventBridge Scheduler could not deliver to an encrypted dead-letter queue its role may write to', () => {
    // Prepare / Act
    const { template } = stackUnderTest();

    // Assess
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(1);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { Target: Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queues[0], 'Arn'] } } }) });
  });

  it('schedules key lifecycle work in its own schedule group, invoking the lifecycle function through a role only EventBridge Scheduler of the account assumes, and sweeps hourly', () => {
    // Prepare
    const { stack, template } = stackUnderTest();
    const lifecycle = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('lifecycle') } });
    const [lifecycleId] = Object.keys(lifecycle);

    // Act
    const statements = statementsOf(template, roleOf(template, functionId(stack, stack.lifecycleFunction)));

    // Assess
    expect(lifecycleId).toBe(functionId(stack, stack.lifecycleFunction));
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({ Input: '{"sweep":true}' }),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'EventBridge Scheduler invokes the KMS lifecycle function',
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } } })],
      }),
    });
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'iam:PassRole']));
    expect(statements.find((statement) => actionsOf(statement).includes('iam:PassRole'))?.['Condition']).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    expect([...new Set(actions.filter((action) => action.startsWith('dynamodb:')))].sort())
      .toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:UpdateItem']);
  });

  it('checks every record of the table daily through the lifecycle function, in the same group, role and dead-letter queue as the sweep', () => {
    // Prepare
    const { stack, template } = stackUnderTest();
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as { Properties: Record<string, { [key: string]: unknown }> }[];
    const sweep = schedules.find((schedule) => schedule.Properties['Target']?.['Input'] === '{"sweep":true}');

    // Act
    const verification = schedules.filter((schedule) => schedule.Properties['Target']?.['Input'] === '{"verifyRecords":true}');

    // Assess
    expect(verification).toHaveLength(1);
    expect(verification[0]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 day)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Description: 'Checks every record of the table under the token\'s integrity key',
      GroupName: sweep?.Properties['GroupName'],
      Target: {
        Arn: sweep?.Properties['Target']?.['Arn'],
        RoleArn: sweep?.Properties['Target']?.['RoleArn'],
        DeadLetterConfig: sweep?.Properties['Target']?.['DeadLetterConfig'],
      },
    });
    expect(sweep).toBeDefined();
    expect(JSON.stringify(verification[0]?.Properties['Target']?.['Arn'])).toContain(`function:${stack.stackName}-lifecycle`);
  });

  it.each<[string, string[]]>([
    ['front', ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']],
    ['keys', ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']],
    ['aliases', ['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']],
    ['tags', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']],
    ['policies', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']],
    ['grants', ['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']],
  ])('gives %s only the table actions its operations use', (name, expected) => {
    // Prepare
    const { stack, template } = stackUnderTest();

    // Act
    const actions = statementsOf(template, roleOf(template, functionId(stack, functionNamed(stack, name))))
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('dynamodb:'));

    // Assess
    expect([...new Set(actions)].sort()).toEqual(expected);
  });

  it('limits the tags function\'s writes to key partitions and to items without key material', () => {
    // Prepare
    const { stack, template } = stackUnderTest();
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0];

    // Act
    const writes = statementsOf(template, roleOf(template, functionId(stack, stack.groupFunctions.tags)))
      .filter((statement) => actionsOf(statement).includes('dynamodb:PutItem'));

    // Assess
    expect(writes).toEqual([{
      Action: 'dynamodb:PutItem',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      Condition: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['KEY#*'] },
        'ForAllValues:StringNotEquals': { 'dynamodb:Attributes': ['wrappedMaterial', 'publicKey', 'sealedSecretIv', 'sealedSecretCiphertext'] },
      },
    }]);
  });

  it.each(SERVICE_FUNCTIONS)('lets %s read the group-request key, the PIN secret, and no other secret', (name) => {
    // Prepare
    const { stack, template } = stackUnderTest();
    const fn = functionNamed(stack, name);

    // Act
    const statements = statementsOf(template, roleOf(template, functionId(stack, fn)));
    const secretStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));

    // Assess
    expect(new Set(secretStatements.flatMap(actionsOf))).toEqual(new Set(['secretsmanager:GetSecretValue']));
    expect(new Set(secretStatements.flatMap(resourceList).map((resource) => JSON.stringify(resource)))).toEqual(new Set([
      JSON.stringify({ Ref: secretId(template) }),
      JSON.stringify(PIN_SECRET_ARN), JSON.stringify(`${PIN_SECRET_ARN}-??????`),
    ]));
  });

  describe('the group-request key', () => {
    it('is generated by Secrets Manager at deploy time, so its value is in no template', () => {
      // Prepare / Act
      const { template } = stackUnderTest();

      // Assess: it and the first credential's secret, neither with a value in the template.
      template.resourceCountIs('AWS::SecretsManager::Secret', 2);
      for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
        expect((secret as { Properties: Record<string, unknown> }).Properties['SecretString']).toBeUndefined();
      }
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
        SecretString: Match.absent(),
      });
    });

    it('is named to every function through GROUP_REQUEST_SECRET_ARN', () => {
      // Prepare
      const { stack, template } = stackUnderTest();
      const functions = [stack.frontFunction, ...GROUPS.map((g) => stack.groupFunctions[g])];

      for (const fn of functions) {
        // Act
        const variables = (resourcesOf(template)[functionId(stack, fn)] as { Properties: { Environment: { Variables: Json } } })
          .Properties.Environment.Variables;

        // Assess
        expect(variables[GROUP_REQUEST_SECRET_ENV]).toEqual({ Ref: secretId(template) });
      }
    });

    it('denies reading it to every principal but the roles of the front and the group functions', () => {
      // Prepare
      const { stack, template } = stackUnderTest();
      const roleArns = [stack.frontFunction, ...GROUPS.map((g) => stack.groupFunctions[g])]
        .map((fn) => ({ 'Fn::GetAtt': [roleOf(template, functionId(stack, fn)), 'Arn'] }));

      // Act
      const policies = Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy'));

      // Assess
      expect(policies).toHaveLength(1);
      expect(policies[0]?.['Properties']).toEqual({
        SecretId: { Ref: secretId(template) },
        ResourcePolicy: {
          Version: '2012-10-17',
          Statement: [{
            Sid: 'OnlyTheServiceFunctionsReadTheKey',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
            Condition: { StringNotEquals: { 'aws:PrincipalArn': roleArns } },
          }],
        },
      });
    });
  });

  it('creates a PRIVATE REST API (by default), callable only through the stack\'s execute-api endpoint, that keeps binary bodies', () => {
    // Prepare / Act
    const { template } = stackUnderTest();

    // Assess
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: [{ Ref: Match.stringLikeRegexp('^NetworkExecuteApi') }] },
      Policy: Match.objectLike({
        Statement: [
          Match.objectLike({ Effect: 'Allow', Action: 'execute-api:Invoke', Condition: { StringEquals: { 'aws:SourceVpce': [{ Ref: Match.stringLikeRegexp('^NetworkExecuteApi') }] } } }),
          Match.objectLike({ Effect: 'Deny', Action: 'execute-api:Invoke', Condition: { StringNotEquals: { 'aws:SourceVpce': [{ Ref: Match.stringLikeRegexp('^NetworkExecuteApi') }] } } }),
        ],
      }),
      BinaryMediaTypes: ['*/*'],
      DisableExecuteApiEndpoint: false,
    });
  });

  it('creates exactly one method, POST on the root, proxied to the front', () => {
    // Prepare
    const { stack, template } = stackUnderTest();
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
    const { template } = stackUnderTest();

    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 1000 }),
      ],
    });
    template.hasOutput('KmsEndpoint', { Value: Match.anyValue() });
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['KmsAlarmTopic', 'KmsEndpoint', 'KmsFirstCredentialSecret']);
  });
});
