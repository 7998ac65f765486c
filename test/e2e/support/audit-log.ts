/** Reads the local service's audit log: one CloudTrail-shaped JSON object a line. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AuditLine {
  readonly eventSource: string;
  readonly eventName: string;
  readonly requestID: string;
  readonly userIdentity: { readonly type: string; readonly arn?: string; readonly accountId?: string };
  readonly awsRegion: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Record<string, unknown> | null;
  readonly resources?: readonly { readonly accountId: string; readonly type: string; readonly ARN: string }[];
  readonly readOnly: boolean;
  readonly [member: string]: unknown;
}

export function auditLogPath(dataDir: string): string {
  return join(dataDir, 'audit.log');
}

export async function readAuditText(dataDir: string): Promise<string> {
  try {
    return await readFile(auditLogPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

export async function readAuditLines(dataDir: string): Promise<AuditLine[]> {
  const text = await readAuditText(dataDir);
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditLine);
}

/**
 * Waits until the (buffered) log holds a line for every one of `requestIds` and returns those
 * lines, in the order of `requestIds`.
 */
export async function waitForAuditLines(dataDir: string, requestIds: readonly string[], timeoutMs = 10_000): Promise<AuditLine[][]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = await readAuditLines(dataDir);
    const found = requestIds.map((id) => lines.filter((line) => line.requestID === id));
    if (found.every((matches) => matches.length > 0) || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
