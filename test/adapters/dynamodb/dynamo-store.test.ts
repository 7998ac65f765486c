/**
 * Failures DynamoDB Local cannot produce on demand: throttling, timeouts, service faults and a
 * transaction losing to a concurrent one. Everything else is covered against the real thing in
 * dynamo-store.integ.test.ts.
 */
import { Readable } from 'node:stream';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  PutItemCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DynamoStore } from '../../../src/adapters/dynamodb/dynamo-store.js';
import { keyToItem } from '../../../src/adapters/dynamodb/item-mapping.js';
import {
  ConflictException,
  DependencyTimeoutException,
  KMSInternalException,
} from '../../../src/models/kms/generated/errors.js';
import { REGION, makeAlias, makeKey } from './fixtures.js';
import { testIntegrity } from '../../support/fake-record-authenticator.js';

const metadata = { httpStatusCode: 400 };

/**
 * An HTTP handler that answers every request with the same DynamoDB error, so the client's real
 * retry strategy runs (aws-sdk-client-mock replaces `send` and with it the retries).
 */
function failingHttpHandler(errorType: string) {
  const handler = {
    calls: 0,
    async handle() {
      handler.calls += 1;
      const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${errorType}`, message: 'Rate of requests exceeds the allowed throughput for table kms.' });
      return {
        response: {
          statusCode: 400,
          reason: 'Bad Request',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r1' },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return handler;
}

function clientWith(requestHandler: ReturnType<typeof failingHttpHandler>, maxAttempts: number): DynamoDBClient {
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
    requestHandler,
  });
}

function mockedStore() {
  const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return { mock: mockClient(client), store: new DynamoStore({ tableName: 'kms', client, integrity: testIntegrity() }) };
}

describe('DynamoStore under throttling', () => {
  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException'])(
    'retries %s with the SDK retry strategy, then throws DependencyTimeoutException',
    async (errorType) => {
      // Prepare
      const http = failingHttpHandler(errorType);
      const store = new DynamoStore({ tableName: 'kms', client: clientWith(http, 2), integrity: testIntegrity() });

      // Act
      const result = store.getKey({ accountId: '111122223333', region: REGION, keyId: 'k' });

      // Assess
      await expect(result).rejects.toThrow(DependencyTimeoutException);
      await expect(result).rejects.not.toThrow(/throughput|kms/);
      expect(http.calls).toBe(2);
    },
    20_000,
  );

  it('throws DependencyTimeoutException when a transaction item was throttled', async () => {
    // Prepare
    const { mock, store } = mockedStore();
    const key = makeKey('111122223333');
    mock.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: metadata, CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }] }),
    );

    // Act
    const result = store.createAlias(makeAlias(key, 'alias/app'));

    // Assess
    await expect(result).rejects.toThrow(new DependencyTimeoutException('The request could not be completed in time because the key store is busy. Retry the request.'));
  });
});

describe('DynamoStore service failures', () => {
  it('throws DependencyTimeoutException when the request timed out', async () => {
    // Prepare
    const { mock, store } = mockedStore();
    mock.on(GetItemCommand).rejects(Object.assign(new Error('socket hang up after 5000 ms'), { name: 'TimeoutError', code: 'ETIMEDOUT' }));

    // Act
    const result = store.getAlias('111122223333', REGION, 'alias/app');

    // Assess
    await expect(result).rejects.toThrow(DependencyTimeoutException);
  });

  it('throws KMSInternalException without the SDK message when DynamoDB fails otherwise', async () => {
    // Prepare
    const { mock, store } = mockedStore();
    const cause = new InternalServerError({ message: 'Internal failure on table kms, key KEY#1', $metadata: { httpStatusCode: 500 } });
    mock.on(GetItemCommand).rejects(cause);

    // Act
    const error: unknown = await store.getAccessKey('AKIAEXAMPLE').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(KMSInternalException);
    expect(JSON.stringify(error)).not.toMatch(/table|KEY#/);
    expect((error as Error).cause).toBe(cause);
  });
});

describe('DynamoStore races', () => {
  it('throws ConflictException when another writer bumped the revision between read and write', async () => {
    // Prepare
    const { mock, store } = mockedStore();
    const key = makeKey('111122223333');
    const winner = keyToItem({ ...key, description: 'winner', revision: 1 });
    mock.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: metadata, Item: winner }));

    // Act
    const result = store.updateKey({ ...key, revision: 1 }, 0);

    // Assess
    await expect(result).rejects.toThrow(new ConflictException(`${key.arn} was changed by another request. Retry the request.`));
  });

  it('throws ConflictException when the alias transaction lost to a concurrent transaction', async () => {
    // Prepare
    const { mock, store } = mockedStore();
    const key = makeKey('111122223333');
    mock.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
        $metadata: metadata,
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }],
      }),
    );

    // Act
    const result = store.updateAlias(makeAlias(key, 'alias/app'));

    // Assess
    await expect(result).rejects.toThrow(new ConflictException('The request conflicted with a concurrent change. Retry the request.'));
  });
});
