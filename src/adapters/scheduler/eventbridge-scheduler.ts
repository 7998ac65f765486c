/**
 * The Scheduler of the deployment: one EventBridge Scheduler one-time schedule (`at(...)`) per key
 * with lifecycle work, named after the key, targeting the lifecycle function with the key's
 * locator; it deletes itself after it runs. Work that is due already is not scheduled (a schedule
 * cannot be in the past) but handed to the lifecycle function at once, asynchronously. The key's
 * metadata stays the durable record: the lifecycle function also sweeps the due-date index on a
 * fixed rate, so a schedule that was never written (a failure after the metadata write) only
 * delays the work until the next sweep.
 */
import { createHash } from 'node:crypto';
import {
  ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, UpdateScheduleCommand,
  type CreateScheduleCommandInput, type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { Clock, KeyLocator, Scheduler } from '../../core/ports/index.js';

export interface EventBridgeSchedulerOptions {
  readonly client: SchedulerClient;
  /** The schedule group the service's schedules live in. */
  readonly groupName: string;
  /** The lifecycle function's ARN, which each schedule invokes. */
  readonly targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  readonly roleArn: string;
  /** The queue a schedule whose invocation failed after its retries sends its event to. */
  readonly deadLetterQueueArn?: string;
  /** The real clock: schedules fire on real time. */
  readonly clock: Clock;
  /** Hands due work to the lifecycle function now (an asynchronous invocation). */
  readonly runNow: (locator: KeyLocator) => Promise<void>;
}

/** The name of a key's schedule: schedule names are at most 64 characters, so a digest of the key. */
export function scheduleNameOf(locator: KeyLocator): string {
  return `key-${createHash('sha256').update(`${locator.accountId}:${locator.region}:${locator.keyId}`).digest('hex').slice(0, 56)}`;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the second so that it never fires early. */
export function atExpression(dueAt: number): string {
  return `at(${new Date(Math.ceil(dueAt / 1000) * 1000).toISOString().slice(0, 19)})`;
}

export class EventBridgeScheduler implements Scheduler {
  readonly #options: EventBridgeSchedulerOptions;

  constructor(options: EventBridgeSchedulerOptions) {
    this.#options = options;
  }

  async arrange(locator: KeyLocator, dueAt: number | undefined): Promise<void> {
    const { client, groupName } = this.#options;
    const name = scheduleNameOf(locator);
    if (dueAt === undefined || dueAt <= this.#options.clock.now().getTime()) {
      await client.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName })).catch((error: unknown) => {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      });
      if (dueAt !== undefined) await this.#options.runNow(locator);
      return;
    }
    const schedule: CreateScheduleCommandInput = {
      Name: name,
      GroupName: groupName,
      ScheduleExpression: atExpression(dueAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: `Lifecycle work of arn:aws:kms:${locator.region}:${locator.accountId}:key/${locator.keyId}`,
      Target: {
        Arn: this.#options.targetArn,
        RoleArn: this.#options.roleArn,
        Input: JSON.stringify({ accountId: locator.accountId, region: locator.region, keyId: locator.keyId }),
        ...(this.#options.deadLetterQueueArn === undefined ? {} : { DeadLetterConfig: { Arn: this.#options.deadLetterQueueArn } }),
      },
    };
    try {
      await client.send(new UpdateScheduleCommand(schedule));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      // First schedule of the key; another writer may create it in between.
      await client.send(new CreateScheduleCommand(schedule)).catch(async (created: unknown) => {
        if (!(created instanceof ConflictException)) throw created;
        await client.send(new UpdateScheduleCommand(schedule));
      });
    }
  }
}
