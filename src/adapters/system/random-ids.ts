import { randomBytes, randomUUID } from 'node:crypto';
import type { IdSource } from '../../core/ports/index.js';

/** Identifiers from Node's CSPRNG (they are not secrets, so the token's RNG is not needed). */
export const randomIds: IdSource = {
  uuid: () => randomUUID(),
  hex64: () => randomBytes(32).toString('hex'),
};
