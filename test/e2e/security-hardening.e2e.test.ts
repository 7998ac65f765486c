/**
 * The attacks of the security review, each replayed against the real local server: secrets in
 * the logs, a body swapped under UNSIGNED-PAYLOAD, an operation swapped under an unsigned
 * X-Amz-Target, rolled-over timestamps, a forged VPC endpoint, colliding and oversized
 * encryption contexts, and a fuzz pass over the headers that reach authentication.
 */
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateMacCommand, KMSClient, SignCommand,
  VerifyCommand, VerifyMacCommand,
} from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalService, type LocalService } from '../../src/local/local-service.js';
import { formatAmzDate } from '../../src/authn/amz-date.js';
import { RecordingLogger } from '../support/pipeline.js';
import { SECRET, SECRET_MEMBERS, secretBodies, secretForms } from '../support/secret-members.js';
import { authorizationByHand } from '../support/sigv4-by-hand.js';
import { headerMutation, withAuthorizationField, type HeaderMutation } from '../support/header-fuzz.js';
import { readAuditText, waitForAuditLines } from './support/audit-log.js';
import { REGION } from './support/local-service.js';
import { requestIdOf, sendRaw, type RawResponse } from './support/raw-request.js';

const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided. '
  + 'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const logger = new RecordingLogger();
let service: LocalService;
let dataDir: string;
let kms: KMSClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kms-e2e-security-'));
  // The service logger is captured: no line of it may carry a secret.
  service = await startLocalService({ dataDir, port: 0, logger });
  kms = new KMSClient({ endpoint: service.endpoint, region: REGION, credentials: service.credentials, maxAttempts: 1 });
});

afterAll(async () => {
  kms.destroy();
  await service.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface HandRequest {
  readonly target: string;
  readonly body: string;
  /** Sent instead of `body` (the signature covers `body`). */
  readonly sentBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signedHeaders?: readonly string[];
  readonly payloadHash?: string;
  /** Sent instead of `target` (the signature covers `target` when it is signed). */
  readonly sentTarget?: string;
  readonly amzDate?: string;
}

/** A request signed by hand over exactly what `request` says, sent with fetch. */
async function sendByHand(request: HandRequest): Promise<RawResponse> {
  const url = new URL(service.endpoint);
  const amzDate = request.amzDate ?? formatAmzDate(new Date());
  const headers = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-date': amzDate,
    'x-amz-target': request.target,
    ...request.headers,
  };
  const authorization = authorizationByHand({
    accessKeyId: service.credentials.accessKeyId,
    secretAccessKey: service.credentials.secretAccessKey,
    region: REGION,
    amzDate,
    headers,
    body: request.body,
    ...(request.signedHeaders === undefined ? {} : { signedHeaders: request.signedHeaders }),
    ...(request.payloadHash === undefined ? {} : { payloadHash: request.payloadHash }),
  });
  const { host: _host, ...sent } = { ...headers, 'x-amz-target': request.sentTarget ?? request.target, authorization };
  const response = await fetch(url, { method: 'POST', headers: sent, body: request.sentBody ?? request.body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function createKey(spec: { KeySpec?: 'HMAC_256' | 'ECC_NIST_P256'; KeyUsage?: 'GENERATE_VERIFY_MAC' | 'SIGN_VERIFY' } = {}): Promise<string> {
  const created = await kms.send(new CreateKeyCommand(spec));
  const keyId = created.KeyMetadata?.KeyId;
  if (keyId === undefined) throw new Error('CreateKey returned no key ID');
  return keyId;
}

describe('secrets never reach the audit log or the service log', () => {
  it.each(SECRET_MEMBERS.map((member) => [`${member.operation}.${member.path.join('.')}`, member] as const))(
    'returns logs without the secret sent through %s, malformed and well formed',
    async (_, member) => {
      // Prepare
      const bodies = secretBodies(member);

      // Act
      const ids: string[] = [];
      for (const { body } of bodies) {
        ids.push(requestIdOf(await sendRaw({ endpoint: service.endpoint, credentials: service.credentials, target: `TrentService.${member.operation}`, body })));
      }

      // Assess
      const lines = await waitForAuditLines(dataDir, ids);
      expect(lines.map((found) => found.length)).toEqual(ids.map(() => 1));
      const recorded = `${await readAuditText(dataDir)}\n${JSON.stringify(logger.entries)}`;
      for (const secret of bodies.flatMap((body) => body.secrets)) expect(recorded).not.toContain(secret);
    },
  );

  it('returns logs without the secret when it is the plaintext, message, MAC or signature of requests that succeed', async () => {
    // Prepare
    const secret = new TextEncoder().encode(SECRET);
    const symmetric = await createKey();
    const hmac = await createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const signing = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });

    // Act
    const encrypted = await kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: secret }));
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
    const mac = await kms.send(new GenerateMacCommand({ KeyId: hmac, MacAlgorithm: 'HMAC_SHA_256', Message: secret }));
    await kms.send(new VerifyMacCommand({ KeyId: hmac, MacAlgorithm: 'HMAC_SHA_256', Message: secret, Mac: mac.Mac }));
    const signed = await kms.send(new SignCommand({ KeyId: signing, SigningAlgorithm: 'ECDSA_SHA_256', Message: secret }));
    await kms.send(new VerifyCommand({ KeyId: signing, SigningAlgorithm: 'ECDSA_SHA_256', Message: secret, Signature: signed.Signature }));

    // Assess
    await waitForAuditLines(dataDir, [decrypted.$metadata.requestId ?? '']);
    const recorded = `${await readAuditText(dataDir)}\n${JSON.stringify(logger.entries)}`;
    const blobs = [encrypted.CiphertextBlob, mac.Mac, signed.Signature].map((blob) => Buffer.from(blob ?? new Uint8Array()).toString('base64'));
    for (const text of [...secretForms(SECRET), ...blobs]) expect(recorded).not.toContain(text);
    expect(Buffer.from(decrypted.Plaintext ?? new Uint8Array()).toString()).toBe(SECRET);
  });
});

describe('a signature covers the body and the operation', () => {
  it('returns InvalidSignatureException and no plaintext when a Decrypt signed over {} with UNSIGNED-PAYLOAD is replayed with a ciphertext', async () => {
    // Prepare: the replayed body decrypts a real ciphertext.
    const keyId = await createKey();
    const { CiphertextBlob: blob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: new TextEncoder().encode(SECRET) }));
    const replayedBody = JSON.stringify({ CiphertextBlob: Buffer.from(blob ?? new Uint8Array()).toString('base64') });

    // Act
    const response = await sendRaw({
      endpoint: service.endpoint, credentials: service.credentials, target: 'TrentService.Decrypt',
      signedBody: '{}', body: replayedBody, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ __type: 'InvalidSignatureException', message: SIGNATURE_MISMATCH });
  });

  it('returns InvalidSignatureException and leaves the key enabled when a DescribeKey signed over host;x-amz-date is sent as DisableKey', async () => {
    // Prepare
    const keyId = await createKey();
    const body = JSON.stringify({ KeyId: keyId });

    // Act
    const response = await sendByHand({
      target: 'TrentService.DescribeKey', sentTarget: 'TrentService.DisableKey', body, signedHeaders: ['host', 'x-amz-date'],
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ __type: 'InvalidSignatureException', message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization." });
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('Enabled');
  });

  it('returns 200 for the same DescribeKey when X-Amz-Target is signed too', async () => {
    // Prepare
    const keyId = await createKey();

    // Act
    const response = await sendByHand({ target: 'TrentService.DescribeKey', body: JSON.stringify({ KeyId: keyId }), signedHeaders: ['host', 'x-amz-date', 'x-amz-target'] });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ KeyMetadata: { KeyId: keyId } });
  });

  it.each(['20261201T304218Z', '20261301T120000Z', '20261232T120000Z', '20260230T120000Z'])(
    'returns IncompleteSignatureException when X-Amz-Date is %s, which names no real instant',
    async (amzDate) => {
      // Act
      const response = await sendByHand({ target: 'TrentService.ListKeys', body: '{}', amzDate });

      // Assess
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        __type: 'IncompleteSignatureException',
        message: `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      });
    },
  );
});

describe('the VPC endpoint of a request', () => {
  it('returns an audit event without vpcEndpointId when the client sends x-amzn-vpce-id', async () => {
    // Act
    const response = await sendRaw({ endpoint: service.endpoint, credentials: service.credentials, headers: { 'x-amzn-vpce-id': 'vpce-0spoofed0000000' } });

    // Assess
    expect(response.status).toBe(200);
    const [lines] = await waitForAuditLines(dataDir, [requestIdOf(response)]);
    expect(lines).toHaveLength(1);
    expect(lines?.[0]).not.toHaveProperty('vpcEndpointId');
  });
});

describe('encryption contexts', () => {
  it('returns ValidationException for {"tenant":"\\ud83d"}, so it can no longer make a blob that decrypts with {"tenant":"\\udc00"}', async () => {
    // Prepare
    const keyId = await createKey();
    const body = `{"KeyId":"${keyId}","Plaintext":"c2VjcmV0","EncryptionContext":{"tenant":"\\ud83d"}}`;

    // Act
    const response = await sendRaw({ endpoint: service.endpoint, credentials: service.credentials, target: 'TrentService.Encrypt', body });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      __type: 'ValidationException',
      message: "The encryption context in 'encryptionContext' must be well-formed Unicode: the value of 'tenant' contains an unpaired surrogate.",
    });
  });

  it('returns ValidationException for an encryption context of 848 KB', async () => {
    // Prepare
    const keyId = await createKey();
    const context = { big: 'x'.repeat(848 * 1024) };

    // Act
    const response = await sendRaw({
      endpoint: service.endpoint, credentials: service.credentials, target: 'TrentService.Encrypt',
      body: JSON.stringify({ KeyId: keyId, Plaintext: 'c2VjcmV0', EncryptionContext: context }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      __type: 'ValidationException',
      message: `The encryption context in 'encryptionContext' is ${3 + 848 * 1024} bytes long; its keys and values may take at most 8192 bytes of UTF-8 together.`,
    });
  });
});

describe('headers that reach authentication, through the real server', () => {
  /** Writes a raw HTTP/1.1 request (header lines in Latin-1, a header repeated if asked) and reads the whole answer. */
  function sendRawHttp(lines: readonly (readonly [string, string])[], body: string): Promise<{ status: number; errorType: string | undefined; body: string }> {
    const url = new URL(service.endpoint);
    const head = ['POST / HTTP/1.1', ...lines.map(([name, value]) => `${name}: ${value}`), `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
    return new Promise((resolve, reject) => {
      // Written, not ended: a half-closed client makes Node's server abort a request still in progress.
      const socket = connect(Number(url.port), url.hostname, () => socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)])));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const split = text.indexOf('\r\n\r\n');
        const headers = text.slice(0, split).split('\r\n');
        const errorType = headers.find((line) => line.toLowerCase().startsWith('x-amzn-errortype:'))?.slice('x-amzn-errortype:'.length).trim();
        resolve({ status: Number(headers[0]?.split(' ')[1] ?? 0), errorType, body: text.slice(split + 4) });
      });
    });
  }

  /** Sends a signed ListKeys with `mutation` applied. */
  async function sendMutated(mutation: HeaderMutation): Promise<{ status: number; errorType: string | undefined; body: string }> {
    const url = new URL(service.endpoint);
    const amzDate = formatAmzDate(new Date());
    const headers: Record<string, string> = {
      host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-date': amzDate, 'x-amz-target': 'TrentService.ListKeys',
    };
    const signedValue = mutation.kind === 'header' && mutation.signed && !mutation.duplicate && mutation.header !== 'authorization' && mutation.header !== 'x-amz-date';
    if (signedValue) headers[mutation.header] = mutation.value;
    const authorization = authorizationByHand({
      accessKeyId: service.credentials.accessKeyId, secretAccessKey: service.credentials.secretAccessKey, region: REGION, amzDate, headers, body: '{}',
    });
    const lines: (readonly [string, string])[] = Object.entries({ ...headers, authorization });
    if (mutation.kind === 'field') {
      lines.splice(lines.findIndex(([name]) => name === 'authorization'), 1, ['authorization', withAuthorizationField(authorization, mutation.field, mutation.value, mutation.duplicate)]);
    } else if (!signedValue) {
      const at = lines.findIndex(([name]) => name === mutation.header);
      if (mutation.duplicate) lines.push([mutation.header, mutation.value]);
      else if (at === -1) lines.push([mutation.header, mutation.value]);
      else lines.splice(at, 1, [mutation.header, mutation.value]);
    }
    return sendRawHttp(lines, '{}');
  }

  it('answers every mutated request with an AWS-style 4xx (or 200 when the odd value was signed), never a 5xx', async () => {
    // Act / Assess
    await fc.assert(
      fc.asyncProperty(headerMutation({ charset: 'http', maxOversized: 6_000 }), async (mutation) => {
        const response = await sendMutated(mutation);
        expect(response.status, response.body.slice(0, 300)).toBeLessThan(500);
        if (response.status === 200) return;
        expect(response.status, response.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
        const body = JSON.parse(response.body) as { __type?: string; message?: unknown };
        expect(response.errorType).toBe(body.__type);
        // A message, or none at all as AWS sends some errors (UnknownOperationException); never an empty one.
        expect(body.message === undefined || (typeof body.message === 'string' && body.message !== '')).toBe(true);
      }),
      { numRuns: 150 },
    );
    expect(logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });

  it('answers UnrecognizedClientException for an access key ID of several kilobytes', async () => {
    // Act
    const response = await sendMutated({ kind: 'field', field: 'accessKeyId', value: `AKIA${'A'.repeat(4096)}`, duplicate: false });

    // Assess
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
  });
});
