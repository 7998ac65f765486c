/**
 * DynamoIdentityStore's answers to races a real table cannot be brought to lose on demand: a
 * generated access key ID that is taken, and a transaction that lost to a concurrent one.
 */
import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DynamoIdentityStore } from '../../../src/adapters/dynamodb/identity-store.js';
import type { AccessKeyRecord, ManagedPolicyRecord } from '../../../src/core/iam/records.js';
import { ConcurrentModificationException } from '../../../src/models/iam/generated/errors.js';
import { testIntegrity } from '../../support/fake-record-authenticator.js';

const ACCOUNT = '111122223333';
const metadata = { httpStatusCode: 400 };

function mockedStore() {
  const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(client);
  return { mock, store: new DynamoIdentityStore({ tableName: 'kms', client, integrity: testIntegrity() }) };
}

const cancelled = (...codes: string[]) => new TransactionCanceledException({
  message: 'Transaction cancelled', $metadata: metadata, CancellationReasons: codes.map((Code) => ({ Code })),
});

describe('DynamoIdentityStore races', () => {
  it('throws ConcurrentModificationException when the generated access key ID is already in use', async () => {
    // Prepare
    const { mock, store } = mockedStore();
    mock.on(TransactWriteItemsCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    const key: AccessKeyRecord & { userName: string } = {
      accessKeyId: 'AKIAEXAMPLE00000001', sealedSecret: { iv: new Uint8Array(12), ciphertext: new Uint8Array(16) }, accountId: ACCOUNT,
      principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`, principalId: 'AIDAEXAMPLE', status: 'Active', creationDate: 0, userName: 'alice',
    };

    // Act
    const result = store.createUserAccessKey(key);

    // Assess
    await expect(result).rejects.toThrow(new ConcurrentModificationException('The access key ID is already in use. Retry the request.'));
  });

  it('throws ConcurrentModificationException when an attachment lost to a concurrent one', async () => {
    // Prepare
    const { mock, store } = mockedStore();
    mock.on(GetItemCommand).resolves({});
    mock.on(TransactWriteItemsCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    const policy: ManagedPolicyRecord = {
      accountId: ACCOUNT, policyName: 'p', path: '/', policyId: 'ANPAEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:policy/p`, document: '{}',
      defaultVersionId: 'v1', createDate: 0, updateDate: 0, tags: [], attachmentCount: 0,
    };

    // Act
    const result = store.attachPolicy({ accountId: ACCOUNT, kind: 'user', name: 'alice' }, policy);

    // Assess
    await expect(result).rejects.toThrow(new ConcurrentModificationException(
      'The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.'));
  });
});
