/**
 * Enough of IAM's policy evaluation to check a role's statements against the DynamoDB requests
 * the store really sends: actions, resources (CloudFormation intrinsics resolved to names), the
 * `ForAllValues` condition operators the stack uses, and the request context DynamoDB gives
 * them (`dynamodb:LeadingKeys` is the partition key of the table or index addressed,
 * `dynamodb:Attributes` the attribute names a request writes or names). Any other operator
 * fails loudly, so an unmodelled policy cannot pass by accident.
 */
import { DUE_INDEX, GSI1, KEY_LIST_INDEX, TABLE_KEY } from '../../src/adapters/dynamodb/table-definition.js';
import type { Json } from './synth.js';

/** One authorization IAM makes: a transaction is one per item. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, readonly string[]>>;
  /** What the request was, for failure messages. */
  readonly label: string;
}

/** Intrinsics as names: `{Fn::GetAtt: [T, Arn]}` → `T.Arn`, `{Ref: X}` → `X`, joins joined. */
export function resolved(value: unknown): string {
  if (typeof value === 'string') return value;
  const json = value as Json;
  if (Array.isArray(json['Fn::GetAtt'])) return (json['Fn::GetAtt'] as string[]).join('.');
  if (typeof json['Ref'] === 'string') return json['Ref'];
  if (Array.isArray(json['Fn::Join'])) {
    const [separator, parts] = json['Fn::Join'] as [string, unknown[]];
    return parts.map(resolved).join(separator);
  }
  throw new Error(`unmodelled intrinsic ${JSON.stringify(value)}`);
}

const globToRegExp = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
const like = (value: string, pattern: string): boolean => globToRegExp(pattern).test(value);

const OPERATORS: Readonly<Record<string, (values: readonly string[], patterns: readonly string[]) => boolean>> = {
  'ForAllValues:StringLike': (values, patterns) => values.every((value) => patterns.some((pattern) => like(value, pattern))),
  'ForAllValues:StringNotEquals': (values, patterns) => values.every((value) => !patterns.includes(value)),
  'ForAllValues:StringEquals': (values, patterns) => values.every((value) => patterns.includes(value)),
};

function conditionsHold(condition: Json | undefined, context: IamRequest['context']): boolean {
  if (condition === undefined) return true;
  return Object.entries(condition).every(([operator, keys]) => {
    const test = OPERATORS[operator];
    if (test === undefined) throw new Error(`unmodelled condition operator ${operator}`);
    return Object.entries(keys as Json).every(([key, expected]) => test(context[key] ?? [], [expected as string | string[]].flat()));
  });
}

function matches(statement: Json, request: IamRequest): boolean {
  const actions = [statement['Action'] as string | string[]].flat();
  const resources = [statement['Resource']].flat().map(resolved);
  return actions.some((action) => like(request.action, action))
    && resources.some((resource) => like(request.resource, resource))
    && conditionsHold(statement['Condition'] as Json | undefined, request.context);
}

/** Whether the statements allow the request: some Allow matches and no Deny does. */
export function allows(statements: readonly Json[], request: IamRequest): boolean {
  const matching = statements.filter((statement) => matches(statement, request));
  return matching.some((s) => s['Effect'] === 'Allow') && !matching.some((s) => s['Effect'] === 'Deny');
}

type Attribute = { readonly S?: string };
type Item = Readonly<Record<string, Attribute>>;
interface ItemInput {
  readonly Key?: Item;
  readonly Item?: Item;
  readonly IndexName?: string;
  readonly KeyConditionExpression?: string;
  readonly ExpressionAttributeNames?: Readonly<Record<string, string>>;
  readonly ExpressionAttributeValues?: Item;
  readonly ProjectionExpression?: string;
}

/**
 * The IAM requests DynamoDB makes of one command the store sent, `table` being the resolved
 * table resource (`<logical ID>.Arn`).
 */
export function iamRequestsOf(command: string, input: unknown, table: string): IamRequest[] {
  const operation = command.replace(/Command$/, '');
  if (operation === 'TransactWriteItems') {
    const items = (input as { TransactItems: Record<string, ItemInput>[] }).TransactItems;
    const itemActions: Readonly<Record<string, string>> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };
    return items.flatMap((item) => Object.entries(item).map(([kind, itemInput]) =>
      itemRequest(itemActions[kind] ?? `Transact${kind}`, itemInput, table)));
  }
  return [itemRequest(operation, input as ItemInput, table)];
}

/** The partition key of each index the functions query. */
const INDEX_KEYS: Readonly<Record<string, string>> = {
  [GSI1.indexName]: GSI1.partitionKey, [KEY_LIST_INDEX.indexName]: KEY_LIST_INDEX.partitionKey, [DUE_INDEX.indexName]: DUE_INDEX.partitionKey,
};

function itemRequest(operation: string, input: ItemInput, table: string): IamRequest {
  const index = input.IndexName;
  const names = Object.values(input.ExpressionAttributeNames ?? {});
  const projection = input.ProjectionExpression?.split(',').map((name) => name.trim()) ?? [];
  const indexKey = index === undefined ? TABLE_KEY.partitionKey : INDEX_KEYS[index];
  if (indexKey === undefined) throw new Error(`unmodelled index ${String(index)}`);
  const leadingKey = operation === 'Query'
    ? queriedPartition(input, indexKey)
    : (input.Item ?? input.Key)?.[TABLE_KEY.partitionKey]?.S;
  return {
    action: `dynamodb:${operation}`,
    resource: index === undefined ? table : `${table}/index/${index}`,
    context: {
      'dynamodb:LeadingKeys': leadingKey === undefined ? [] : [leadingKey],
      'dynamodb:Attributes': [...new Set([...Object.keys(input.Item ?? {}), ...names, ...projection])],
    },
    label: `${operation}${index === undefined ? '' : ` on ${index}`} ${leadingKey ?? '(no partition)'}`,
  };
}

/** The value the key condition sets the partition key attribute to (`#n = :v`). */
function queriedPartition(input: ItemInput, partitionKey: string): string | undefined {
  const placeholder = Object.entries(input.ExpressionAttributeNames ?? {}).find(([, name]) => name === partitionKey)?.[0];
  if (placeholder === undefined) return undefined;
  const value = new RegExp(`${placeholder}\\s*=\\s*(:\\w+)`).exec(input.KeyConditionExpression ?? '')?.[1];
  return value === undefined ? undefined : input.ExpressionAttributeValues?.[value]?.S;
}
