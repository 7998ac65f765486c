/**
 * IAM identifiers as AWS makes them: unique IDs with their type prefix (`AIDA` users, `AROA`
 * roles, `ANPA` managed policies; 21 characters), access key IDs (`AKIA` long-term, `ASIA`
 * temporary; 20 characters), secrets of 40 characters, and the ARNs of users, roles, policies and
 * role sessions.
 */
import { hexToBytes } from '../encoding.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export type UniqueIdPrefix = 'AIDA' | 'AROA' | 'ANPA';
export type AccessKeyPrefix = 'AKIA' | 'ASIA';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += BASE32[(bytes[i % bytes.length] ?? 0) & 31] ?? 'A';
  return out;
}

/** A unique ID from 32 random bytes given as 64 hex digits (`IdSource.hex64`). */
export function uniqueId(prefix: UniqueIdPrefix, randomHex64: string): string {
  return prefix + base32(hexToBytes(randomHex64), 17);
}

export function accessKeyId(prefix: AccessKeyPrefix, randomHex64: string): string {
  return prefix + base32(hexToBytes(randomHex64), 16);
}

/** 30 random bytes as 40 base64 characters, as AWS secret access keys look. */
export function secretAccessKey(randomHex64: string): string {
  return btoa(String.fromCharCode(...hexToBytes(randomHex64).slice(0, 30)));
}

/** A session token: base64 of the random bytes given (at least 64), never stored, only its hash. */
export function sessionToken(randomHex: readonly string[]): string {
  return btoa(String.fromCharCode(...randomHex.flatMap((hex) => [...hexToBytes(hex)])));
}

export function userArn(accountId: string, path: string, userName: string): string {
  return `arn:aws:iam::${accountId}:user${path}${userName}`;
}

export function roleArn(accountId: string, path: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role${path}${roleName}`;
}

export function policyArn(accountId: string, path: string, policyName: string): string {
  return `arn:aws:iam::${accountId}:policy${path}${policyName}`;
}

export function rootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

const ARN = /^arn:aws:iam::(\d{12}):(user|role|policy)((?:\/[\u0021-\u007e]*)?\/)([\w+=,.@-]+)$/;

/** The parts of an IAM user, role or policy ARN, or undefined when it is not one. */
export function parseIamArn(arn: string): { accountId: string; kind: 'user' | 'role' | 'policy'; path: string; name: string } | undefined {
  const match = ARN.exec(arn);
  if (match === null) return undefined;
  return { accountId: match[1] ?? '', kind: match[2] as 'user' | 'role' | 'policy', path: match[3] ?? '/', name: match[4] ?? '' };
}
