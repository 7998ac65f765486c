/**
 * local-kms's `NextKeyRotation` in a seed file: the seeded key has automatic rotation enabled,
 * its older BackingKeys are listed as rotations, and a date already past is caught up at start.
 */
import { GetKeyRotationStatusCommand, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AES_KEYS, SEED_IDS, aesSeed } from './support/seed-fixtures.js';
import { useLocalService } from './support/local-service.js';

const DAY = 86_400_000;
const NEXT_ROTATION = '2019-09-12T15:19:21+00:00';

const e2e = useLocalService(async (dataDir) => {
  const seedPath = join(dataDir, 'seed.yaml');
  const text = aesSeed(SEED_IDS.aes, [AES_KEYS.old, AES_KEYS.current]).replace('        BackingKeys:', `        NextKeyRotation: ${NEXT_ROTATION}\n        BackingKeys:`);
  await writeFile(seedPath, text, { mode: 0o600 });
  return { seedPath };
});

describe('a seeded key with NextKeyRotation', () => {
  it('rotates every 365 days from that date, lists its seeded rotation and the one made at start', async () => {
    // Prepare
    const keyId = SEED_IDS.aes;

    // Act
    const status = await e2e.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    const rotations = await e2e.kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));

    // Assess
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    const next = status.NextRotationDate?.getTime() ?? 0;
    expect(next).toBeGreaterThan(Date.now());
    expect((next - Date.parse(NEXT_ROTATION)) % (365 * DAY)).toBe(0);
    expect(rotations.Rotations?.map((r) => [r.KeyMaterialState, r.RotationType])).toEqual([
      ['NON_CURRENT', undefined], ['NON_CURRENT', 'AUTOMATIC'], ['CURRENT', 'AUTOMATIC'],
    ]);
  });
});
