/**
 * Which request members are secret, read from the model: blobs (plaintext, ciphertext, messages,
 * signatures, key material, attestation documents), strings the model marks `sensitive`
 * (passwords, proxy credentials), and structures made only of such members. Their values never
 * enter the audit log or the service log, not even when they fail to decode.
 */
import type { OperationName } from '../../models/kms/generated/operations.js';
import { OPERATIONS } from '../../models/kms/generated/schema.js';
import { shapeSchema } from './validate-input.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const secretShapes = new Map<string, boolean>();

/** Whether values of the shape named `shapeName` are secret. */
export function isSecretShape(shapeName: string): boolean {
  let secret = secretShapes.get(shapeName);
  if (secret === undefined) {
    const shape = shapeSchema(shapeName);
    const members = Object.values(shape.members ?? {});
    secret = shape.type === 'blob' || shape.sensitive === true
      || (shape.type === 'structure' && members.length > 0 && members.every(isSecretShape));
    secretShapes.set(shapeName, secret);
  }
  return secret;
}

/**
 * Every string a request body carries at a secret member of `operation`'s input, read from the
 * JSON as it is, whether or not the body would decode, and for a blob also the text its base64
 * decodes to: these are the texts an error message may have quoted back. An unreadable body
 * yields none (nothing can have quoted it).
 */
export function secretStringsIn(operation: OperationName | undefined, body: Uint8Array | string): string[] {
  if (operation === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : utf8.decode(body));
  } catch {
    return [];
  }
  const found: string[] = [];
  collectSecrets(OPERATIONS[operation].input, parsed, found);
  return found;
}

function collectSecrets(shapeName: string, value: unknown, found: string[]): void {
  if (isSecretShape(shapeName)) {
    if (typeof value === 'string' && shapeSchema(shapeName).type === 'blob') found.push(value, decodedText(value));
    else collectStrings(value, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const shape = shapeSchema(shapeName);
  if (shape.type === 'structure' && !Array.isArray(value)) {
    for (const [member, target] of Object.entries(shape.members ?? {})) collectSecrets(target, (value as Record<string, unknown>)[member], found);
  } else if (shape.type === 'list' && shape.member !== undefined && Array.isArray(value)) {
    for (const element of value) collectSecrets(shape.member, element, found);
  } else if (shape.type === 'map' && shape.value !== undefined) {
    for (const entry of Object.values(value)) collectSecrets(shape.value, entry, found);
  }
}

/** What a base64 text decodes to, read as UTF-8 (an invalid base64 text decodes to what Node makes of it). */
function decodedText(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}

/** Every string inside a JSON value, at any depth (a secret member may hold the wrong JSON type). */
function collectStrings(value: unknown, found: string[]): void {
  if (typeof value === 'string') found.push(value);
  else if (value !== null && typeof value === 'object') for (const inner of Object.values(value)) collectStrings(inner, found);
}
