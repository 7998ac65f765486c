/**
 * Acknowledgements of cdk-nag AwsSolutions findings that do not apply to this service (lib/app.ts
 * applies the pack; docs/deployment-checks.md lists every finding, fixed or acknowledged).
 *
 * Each is recorded with CDK's `Validations.of(construct).acknowledge`, which cdk-nag 3 reads, on
 * the construct the finding is about, so it covers that resource and what is inside it, nothing
 * else. The granular rules (IAM4, IAM5) are acknowledged one finding at a time: the managed policy
 * or wildcard resource is named in the form cdk-nag names it (`Policy::…`, `Resource::…`, with
 * CloudFormation references as `<LogicalId.Attribute>` and pseudo parameters as `<AWS::Region>`),
 * so another wildcard on the same policy is still reported.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** The AwsSolutions rules acknowledged whole: each reports one finding per resource. */
export type WholeRule = 'APIG2' | 'APIG3' | 'APIG4' | 'COG4' | 'EC23' | 'L1' | 'SMG4' | 'SQS3';

const PACK = 'AwsSolutions';

/** Acknowledges `rule` on `scope` (the resource it is reported on, or the construct holding it). */
export function acknowledgeRule(scope: IConstruct, rule: WholeRule, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${PACK}-${rule}`, reason });
}

/** Acknowledges IAM4 for one AWS managed policy of the role `scope`, e.g. `service-role/AWSLambdaBasicExecutionRole`. */
export function acknowledgeManagedPolicy(scope: IConstruct, policyName: string, reason: string): void {
  const arn = ManagedPolicy.fromAwsManagedPolicyName(policyName).managedPolicyArn;
  Validations.of(scope).acknowledge({ id: `${PACK}-IAM4[Policy::${findingText(scope, arn)}]`, reason });
}

/** Acknowledges IAM5 for one wildcard resource, given as the policy statement gives it (a string or a token). */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${PACK}-IAM5[Resource::${findingText(scope, resource)}]`, reason });
}

/** A value as cdk-nag writes it into a finding's ID: resolved in the stack, intrinsics flattened. */
const findingText = (scope: IConstruct, value: string): string => flatten(Stack.of(scope).resolve(value));

function flatten(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const intrinsic = value as Record<string, unknown>;
  if (Array.isArray(intrinsic['Fn::Join'])) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  if (intrinsic['Fn::Sub'] !== undefined) return flatten(intrinsic['Fn::Sub']);
  if (Array.isArray(intrinsic['Fn::GetAtt'])) {
    const [resource, attribute] = intrinsic['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (intrinsic['Fn::ImportValue'] !== undefined) return flatten(intrinsic['Fn::ImportValue']);
  if (intrinsic['Ref'] !== undefined) return `<${flatten(intrinsic['Ref'])}>`;
  return JSON.stringify(value);
}
