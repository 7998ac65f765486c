import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { DUE_INDEX, GSI1, KEY_LIST_INDEX, TABLE_KEY, TIME_TO_LIVE_ATTRIBUTE } from '../../src/adapters/dynamodb/table-definition.js';

/**
 * The single table holding keys, backing keys, aliases and access keys. It holds wrapped key
 * material, so it survives stack deletion and cannot be deleted by accident.
 */
export const createKmsTable = (scope: Construct, id: string): TableV2 =>
  new TableV2(scope, id, {
    partitionKey: { name: TABLE_KEY.partitionKey, type: AttributeType.STRING },
    sortKey: { name: TABLE_KEY.sortKey, type: AttributeType.STRING },
    globalSecondaryIndexes: [
      {
        indexName: GSI1.indexName,
        partitionKey: { name: GSI1.partitionKey, type: AttributeType.STRING },
        sortKey: { name: GSI1.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      },
      {
        // ListKeys reads only each key's listing and its MAC (table-design.md).
        indexName: KEY_LIST_INDEX.indexName,
        partitionKey: { name: KEY_LIST_INDEX.partitionKey, type: AttributeType.STRING },
        sortKey: { name: KEY_LIST_INDEX.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...KEY_LIST_INDEX.included],
      },
      {
        // The key lifecycle's sparse due-date index (table-design.md); only keys with due work are in it.
        indexName: DUE_INDEX.indexName,
        partitionKey: { name: DUE_INDEX.partitionKey, type: AttributeType.STRING },
        sortKey: { name: DUE_INDEX.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.KEYS_ONLY,
      },
    ],
    billing: Billing.onDemand(),
    // Temporary credentials (AssumeRole) are removed some time after they expire.
    timeToLiveAttribute: TIME_TO_LIVE_ATTRIBUTE,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
