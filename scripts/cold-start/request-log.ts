/**
 * When the local endpoints were called, on the clock every process on the machine shares (epoch
 * milliseconds with the sub-millisecond part), so requests can be placed between a child's marks.
 */

export interface LoggedRequest {
  /** When the request arrived. */
  readonly at: number;
  /** Its `X-Amz-Target` (`DynamoDB_20120810.GetItem`, `secretsmanager.GetSecretValue`). */
  readonly target: string;
}

export type RequestLog = LoggedRequest[];

/** Now, on the shared clock. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** The requests that arrived in [from, to). */
export function between(log: readonly LoggedRequest[], from: number, to: number): LoggedRequest[] {
  return log.filter((request) => request.at >= from && request.at < to);
}
