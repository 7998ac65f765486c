/** Raw AWS Query requests (IAM, STS): form-encoded, signed with SigV4 for the service unless unsigned. */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import { REGION } from './local-service.js';
import type { Credentials } from './identity-service.js';

/** The parameters of an IAM or STS call: its Action, the API's Version, and the call's own parameters. */
export const iamCall = (action: string, params: Record<string, string> = {}): Record<string, string> => ({ Action: action, Version: '2010-05-08', ...params });
export const stsCall = (action: string, params: Record<string, string> = {}): Record<string, string> => ({ Action: action, Version: '2011-06-15', ...params });

export interface QueryResponse {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  readonly xml: Record<string, unknown>;
}

/** Sends `params` form-encoded to `endpoint`, signed for `service` unless `credentials` is undefined. */
export async function sendQuery(endpoint: string, params: Record<string, string>, credentials: Credentials | undefined, service = 'iam'): Promise<QueryResponse> {
  const url = new URL(endpoint);
  const body = new URLSearchParams(params).toString();
  let headers: Record<string, string> = { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  if (credentials !== undefined) {
    const signer = new SignatureV4({ credentials, region: REGION, service, sha256: Sha256 });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers, body });
    headers = signed.headers;
  }
  const { host: _host, ...forFetch } = headers;
  const response = await fetch(url, { method: 'POST', headers: forFetch, body });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, xml: new XMLParser({ ignoreAttributes: false }).parse(text) as Record<string, unknown> };
}
