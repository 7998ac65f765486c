/**
 * EventBridgeScheduler against a mocked SchedulerClient (no AWS here): the requests it sends for
 * each arrangement, and its answers to the races only the real service can produce.
 */
import {
  ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';
import { EventBridgeScheduler, atExpression, scheduleNameOf } from '../../../src/adapters/scheduler/eventbridge-scheduler.js';
import type { KeyLocator } from '../../../src/core/ports/index.js';
import { FakeClock } from '../../support/fake-clock.js';

const KEY: KeyLocator = { accountId: '111122223333', region: 'eu-west-1', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' };
const metadata = { $metadata: {} };

function given() {
  const client = new SchedulerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(client);
  const clock = new FakeClock();
  const runNow = vi.fn(async () => undefined);
  const scheduler = new EventBridgeScheduler({
    client, groupName: 'kms-lifecycle', targetArn: 'arn:aws:lambda:eu-west-1:111122223333:function:lifecycle',
    roleArn: 'arn:aws:iam::111122223333:role/scheduler', clock, runNow, deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:lifecycle-dlq',
  });
  return { mock, clock, runNow, scheduler };
}

describe('EventBridgeScheduler', () => {
  it('names a key\'s schedule by a digest of the key, within the 64 characters a name may have', () => {
    // Prepare / Act
    const name = scheduleNameOf(KEY);

    // Assess
    expect(name).toMatch(/^key-[0-9a-f]{56}$/);
    expect(name).not.toBe(scheduleNameOf({ ...KEY, region: 'us-east-1' }));
  });

  it('writes the due date as at() in UTC rounded up to the second', () => {
    expect(atExpression(Date.parse('2027-03-01T10:00:00.000Z'))).toBe('at(2027-03-01T10:00:00)');
    expect(atExpression(Date.parse('2027-03-01T10:00:00.001Z'))).toBe('at(2027-03-01T10:00:01)');
  });

  it('creates a one-time schedule that invokes the lifecycle function with the key and deletes itself, when the key has none yet', async () => {
    // Prepare
    const { mock, clock, scheduler } = given();
    mock.on(UpdateScheduleCommand).rejectsOnce(new ResourceNotFoundException({ message: 'none', Message: 'none', ...metadata }));
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    const dueAt = clock.now().getTime() + 7 * 86_400_000;

    // Act
    await scheduler.arrange(KEY, dueAt);

    // Assess
    expect(mock.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toEqual({
      Name: scheduleNameOf(KEY),
      GroupName: 'kms-lifecycle',
      ScheduleExpression: atExpression(dueAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: `Lifecycle work of arn:aws:kms:eu-west-1:111122223333:key/${KEY.keyId}`,
      Target: {
        Arn: 'arn:aws:lambda:eu-west-1:111122223333:function:lifecycle',
        RoleArn: 'arn:aws:iam::111122223333:role/scheduler',
        Input: JSON.stringify(KEY),
        DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:111122223333:lifecycle-dlq' },
      },
    });
  });

  it('moves an existing schedule, and updates it when another writer created it first', async () => {
    // Prepare
    const { mock, clock, scheduler } = given();
    mock.on(UpdateScheduleCommand).resolvesOnce({}).rejectsOnce(new ResourceNotFoundException({ message: 'none', Message: 'none', ...metadata })).resolves({});
    mock.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', ...metadata }));

    // Act
    await scheduler.arrange(KEY, clock.now().getTime() + 60_000);
    await scheduler.arrange(KEY, clock.now().getTime() + 120_000);

    // Assess
    expect(mock.commandCalls(UpdateScheduleCommand)).toHaveLength(3);
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(1);
  });

  it('deletes the schedule when the key has no work left, and a schedule already gone is no error', async () => {
    // Prepare
    const { mock, scheduler, runNow } = given();
    mock.on(DeleteScheduleCommand).rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', ...metadata }));

    // Act
    await scheduler.arrange(KEY, undefined);

    // Assess
    expect(mock.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({ Name: scheduleNameOf(KEY), GroupName: 'kms-lifecycle' });
    expect(runNow).not.toHaveBeenCalled();
  });

  it('hands work that is due already to the lifecycle function at once instead of scheduling it in the past', async () => {
    // Prepare
    const { mock, clock, scheduler, runNow } = given();
    mock.on(DeleteScheduleCommand).resolves({});

    // Act
    await scheduler.arrange(KEY, clock.now().getTime());

    // Assess
    expect(runNow).toHaveBeenCalledWith(KEY);
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(mock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('fails the arrangement when EventBridge Scheduler refuses for another reason (the sweep catches up later)', async () => {
    // Prepare
    const { mock, clock, scheduler } = given();
    mock.on(UpdateScheduleCommand).rejects(new Error('throttled'));

    // Act
    const result = scheduler.arrange(KEY, clock.now().getTime() + 60_000);

    // Assess
    await expect(result).rejects.toThrow('throttled');
  });
});
