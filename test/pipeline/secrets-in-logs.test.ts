/**
 * A recognisable secret sent through every secret member of every operation, malformed and well
 * formed, is found nowhere in the audit events or in any service log line (front and groups).
 */
import { describe, expect, it, vi } from 'vitest';
import { InProcessGroupInvoker } from '../../src/composition/in-process-groups.js';
import { TouchedResources } from '../../src/core/kms/service.js';
import { buildAuditEvent } from '../../src/pipeline/audit-record.js';
import { createGroupHandler } from '../../src/pipeline/group-handler.js';
import { REDACTED } from '../../src/pipeline/redaction.js';
import { seedKey } from '../support/core.js';
import { RecordingLogger, makeFrontHarness, makeLambdaContext, makeProxyEvent } from '../support/pipeline.js';
import { SECRET, SECRET_MEMBERS, secretBodies, secretForms, type SecretMember } from '../support/secret-members.js';
import { signRequest } from '../support/sigv4.js';

function harnessWithGroups() {
  const groupLogger = new RecordingLogger();
  const harness = makeFrontHarness({
    groups: (core) => new InProcessGroupInvoker((group, verifier) => createGroupHandler({ group, core: core.deps, logger: groupLogger, verifier })),
  });
  /** Everything written to the audit log and to the service log. */
  const recorded = () => JSON.stringify([harness.audit.events, harness.logger.entries, groupLogger.entries]);
  return { harness, recorded };
}

async function send(harness: ReturnType<typeof makeFrontHarness>, operation: string, body: string) {
  const signed = await signRequest({ target: `TrentService.${operation}`, body });
  return harness.handler(makeProxyEvent(signed), makeLambdaContext());
}

describe('secrets and the logs', () => {
  it('derives secret members from the schema, nested ones included', () => {
    // Act
    const names = SECRET_MEMBERS.map((member) => `${member.operation}.${member.path.join('.')}`);

    // Assess
    expect(names).toEqual(expect.arrayContaining([
      'Encrypt.Plaintext', 'Decrypt.CiphertextBlob', 'Decrypt.Recipient.AttestationDocument', 'GenerateMac.Message', 'VerifyMac.Mac',
      'Sign.Message', 'Verify.Signature', 'DeriveSharedSecret.PublicKey', 'ImportKeyMaterial.EncryptedKeyMaterial',
      'CreateCustomKeyStore.KeyStorePassword', 'CreateCustomKeyStore.XksProxyAuthenticationCredential.RawSecretAccessKey',
    ]));
  });

  it.each(SECRET_MEMBERS.map((member) => [`${member.operation}.${member.path.join('.')}`, member] as const))(
    'returns audit events and log lines without the secret when it is sent through %s in every form',
    async (_, member) => {
      // Prepare
      const { harness, recorded } = harnessWithGroups();
      await seedKey(harness.core);
      const bodies = secretBodies(member);

      // Act
      for (const { body } of bodies) await send(harness, member.operation, body);

      // Assess
      expect(harness.audit.events).toHaveLength(bodies.length);
      for (const secret of bodies.flatMap((body) => body.secrets)) expect(recorded()).not.toContain(secret);
    },
  );

  it("answers AWS's message quoting the value while the audit event records it redacted", async () => {
    // Prepare
    const { harness, recorded } = harnessWithGroups();

    // Act
    const response = await send(harness, 'Encrypt', JSON.stringify({ KeyId: 'alias/app', Plaintext: SECRET }));

    // Assess
    expect(JSON.parse(response.body)).toEqual({
      __type: 'SerializationException',
      message: `'${SECRET}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${SECRET.length}`,
    });
    expect(harness.audit.events[0]?.errorMessage).toBe(
      `'${REDACTED}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${SECRET.length}`,
    );
    expect(recorded()).not.toContain(SECRET);
  });

  it.each([...new Set(SECRET_MEMBERS.map((member) => member.operation))])(
    'returns requestParameters without any secret member of a decoded %s input',
    (operation) => {
      // Prepare: every secret member set, as decoding leaves them (bytes for blobs).
      const input: Record<string, unknown> = {};
      for (const member of SECRET_MEMBERS.filter((candidate: SecretMember) => candidate.operation === operation)) {
        let parent = input;
        for (const name of member.path.slice(0, -1)) parent = (parent[name] ??= {}) as Record<string, unknown>;
        parent[member.path.at(-1) ?? ''] = member.type === 'blob' ? new TextEncoder().encode(SECRET) : SECRET;
      }
      const state = {
        requestId: 'r', receivedAt: new Date(0), http: { method: 'POST', path: '/', query: {}, headers: {}, body: new Uint8Array() },
        sourceIp: '', userAgent: '', target: `TrentService.${operation}`, operation, input, touched: new TouchedResources(),
      };

      // Act
      const event = buildAuditEvent(state, undefined, 'e');

      // Assess
      for (const member of SECRET_MEMBERS.filter((candidate) => candidate.operation === operation)) {
        const recordedPath = member.path.map((name) => name.charAt(0).toLowerCase() + name.slice(1));
        const recorded = recordedPath.reduce<unknown>((value, name) => (value as Record<string, unknown> | undefined)?.[name], event.requestParameters);
        expect(recorded, recordedPath.join('.')).toBeUndefined();
      }
      expect(JSON.stringify(event)).not.toContain(SECRET);
    },
  );

  it('returns log lines without the secret when an unexpected failure quotes the plaintext', async () => {
    // Prepare
    const { harness, recorded } = harnessWithGroups();
    await seedKey(harness.core);
    vi.spyOn(harness.core.material, 'encrypt').mockImplementation(async (_key, plaintext) => {
      throw new Error(`device refused '${new TextDecoder().decode(plaintext)}' and ${new TextDecoder().decode(plaintext)}`);
    });
    const plaintext = Buffer.from(SECRET).toString('base64');

    // Act
    const response = await send(harness, 'Encrypt', JSON.stringify({ KeyId: '1234abcd-12ab-34cd-56ef-000000000001', Plaintext: plaintext }));

    // Assess
    expect(response.statusCode).toBe(500);
    expect(harness.logger.entries.map((entry) => entry.message)).toEqual(['unhandled error']);
    for (const secret of secretForms(SECRET)) expect(recorded()).not.toContain(secret);
  });

  it('returns an audit event whose error message is capped when the message is huge', async () => {
    // Prepare
    const { harness } = harnessWithGroups();

    // Act
    await send(harness, 'CreateKey', JSON.stringify({ Description: 'd'.repeat(9000), KeyUsage: 'x'.repeat(9000) }));

    // Assess
    expect(harness.audit.events[0]?.errorCode).toBe('ValidationException');
    expect(harness.audit.events[0]?.errorMessage?.length).toBeLessThanOrEqual(2048);
  });
});
