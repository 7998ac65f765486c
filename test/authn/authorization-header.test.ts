import { describe, expect, it } from 'vitest';
import { parseAuthorizationHeader } from '../../src/authn/authorization-header.js';
import { IncompleteSignatureException, InvalidSignatureException } from '../../src/models/kms/generated/errors.js';
import { caughtSync } from '../support/core.js';

const CREDENTIAL = 'AKIDEXAMPLE/20240501/us-east-1/kms/aws4_request';
const header = (parts: string) => `AWS4-HMAC-SHA256 ${parts}`;

describe('parseAuthorizationHeader', () => {
  it('returns every part when the header is complete', () => {
    // Prepare
    const value = header(`Credential=${CREDENTIAL}, SignedHeaders=Host;X-Amz-Date;x-amz-target, Signature=abc123`);

    // Act
    const parsed = parseAuthorizationHeader(value, true);

    // Assess
    expect(parsed).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      scopeDate: '20240501',
      region: 'us-east-1',
      service: 'kms',
      signedHeaders: ['host', 'x-amz-date', 'x-amz-target'],
      signature: 'abc123',
    });
  });

  it('returns the parts when they come in another order without spaces', () => {
    // Prepare
    const value = header(`Signature=ff,SignedHeaders=host,Credential=${CREDENTIAL}`);

    // Act
    const parsed = parseAuthorizationHeader(value, true);

    // Assess
    expect(parsed.signature).toBe('ff');
    expect(parsed.accessKeyId).toBe('AKIDEXAMPLE');
  });

  it.each([
    ['Credential', `SignedHeaders=host, Signature=ff`],
    ['Signature', `Credential=${CREDENTIAL}, SignedHeaders=host`],
    ['SignedHeaders', `Credential=${CREDENTIAL}, Signature=ff`],
  ])("throws IncompleteSignatureException naming '%s' when it is missing", (name, parts) => {
    // Prepare
    const value = header(parts);

    // Act
    const error = caughtSync(() => parseAuthorizationHeader(value, true));

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message).toBe(`Authorization header requires '${name}' parameter. Authorization=${value}`);
  });

  it('throws IncompleteSignatureException when a parameter is empty', () => {
    // Prepare
    const value = header(`Credential=${CREDENTIAL}, SignedHeaders=, Signature=ff`);

    // Act
    const error = caughtSync(() => parseAuthorizationHeader(value, true));

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message).toBe(`Authorization header requires 'SignedHeaders' parameter. Authorization=${value}`);
  });

  it('throws IncompleteSignatureException when there is no date header', () => {
    // Prepare
    const value = header(`Credential=${CREDENTIAL}, SignedHeaders=host, Signature=ff`);

    // Act
    const error = caughtSync(() => parseAuthorizationHeader(value, false));

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message).toBe(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${value}`);
  });

  it.each([
    ['the algorithm alone', 'AWS4-HMAC-SHA256', "Authorization header requires 'Credential' parameter."],
    ['another algorithm', 'AWS3 Credential=x', "Unsupported AWS 'algorithm': 'AWS3'"],
    ['a Basic credential', 'Basic dXNlcjpwYXNz', "Unsupported AWS 'algorithm': 'Basic'"],
  ])('throws IncompleteSignatureException when the header is %s', (_, value, start) => {
    // Act
    const error = caughtSync(() => parseAuthorizationHeader(value, true));

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message.startsWith(start)).toBe(true);
  });

  it.each([
    ['an empty part', 'AKIDEXAMPLE//us-east-1/kms/aws4_request'],
    ['six parts', 'AKIDEXAMPLE/20240501/us-east-1/kms/aws4_request/extra'],
  ])('throws IncompleteSignatureException when the credential has %s', (_, credential) => {
    // Prepare
    const value = header(`Credential=${credential}, SignedHeaders=host, Signature=ff`);

    // Act
    const error = caughtSync(() => parseAuthorizationHeader(value, true));

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message).toBe(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  });

  it.each([
    ['between the fields', `Credential=${CREDENTIAL}, FooBar, SignedHeaders=host, Signature=ff`, 'FooBar'],
    ['after the fields', `Credential=${CREDENTIAL}, SignedHeaders=host, Signature=ff, Extra`, 'Extra'],
  ])('throws IncompleteSignatureException because every part of the Authorization header after the algorithm is a key=value pair (a bare word %s)', (_, parts, field) => {
    // Prepare
    const value = header(parts);

    // Act
    const error = caughtSync(() => parseAuthorizationHeader(value, true));

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message).toBe(`'${field}' not a valid key=value pair (missing equal-sign) in Authorization header: '${value}'.`);
  });

  it('returns the parts when the header ends with a comma', () => {
    // Prepare
    const value = header(`Credential=${CREDENTIAL}, SignedHeaders=host, Signature=ff,`);

    // Act
    const parsed = parseAuthorizationHeader(value, true);

    // Assess
    expect(parsed.signature).toBe('ff');
  });

  it.each([
    ['terminator', 'AKIDEXAMPLE/20240501/us-east-1/kms/aws4_reqest', "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqest'."],
    ['service', 'AKIDEXAMPLE/20240501/us-east-1/sts/aws4_request', "Credential should be scoped to correct service: 'kms'. "],
    ['region', 'AKIDEXAMPLE/20240501/moon/kms/aws4_request', "Credential should be scoped to a valid region, not 'moon'. "],
    ['region of several kilobytes', `AKIDEXAMPLE/20240501/us-${'a'.repeat(4096)}-1/kms/aws4_request`,
      `Credential should be scoped to a valid region, not 'us-${'a'.repeat(4096)}-1'. `],
  ])('throws InvalidSignatureException when the credential has a wrong %s', (_, credential, message) => {
    // Prepare
    const value = header(`Credential=${credential}, SignedHeaders=host, Signature=ff`);

    // Act
    const error = caughtSync(() => parseAuthorizationHeader(value, true));

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe(message);
  });
});
