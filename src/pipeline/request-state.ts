/** What the front function learns about one request as it moves through the pipeline. */
import type { Context } from 'aws-lambda';
import type { SignedHttpRequest, VerifiedCaller } from '../authn/sigv4-verifier.js';
import type { OperationName } from '../models/kms/generated/operations.js';
import type { RequestContext } from '../core/request-context.js';
import { TouchedResources } from '../core/kms/service.js';

export interface KmsRequestState {
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly http: SignedHttpRequest;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly vpcEndpointId?: string;
  /** The VPC of that endpoint, from the deployment's endpoint-to-VPC configuration. */
  readonly vpcId?: string;
  /** Whether the request arrived over TLS (aws:SecureTransport). */
  readonly secureTransport?: boolean;
  /** The raw `X-Amz-Target` header. */
  readonly target: string | undefined;
  operation?: OperationName;
  caller?: VerifiedCaller;
  /** The decoded input, once it validated. */
  input?: unknown;
  readonly touched: TouchedResources;
}

/** The Lambda context with the request state middleware attaches to it. */
export type KmsLambdaContext = Context & { kms?: KmsRequestState };

export function stateOf(context: KmsLambdaContext): KmsRequestState {
  if (context.kms === undefined) throw new Error('request state missing: parseKmsRequest middleware not installed');
  return context.kms;
}

export function requestContextOf(state: KmsRequestState): RequestContext {
  if (state.caller === undefined) throw new Error('request is not authenticated');
  return {
    requestId: state.requestId,
    principal: state.caller.principal,
    region: state.caller.region,
    sourceIp: state.sourceIp,
    userAgent: state.userAgent,
    ...(state.vpcEndpointId === undefined ? {} : { vpcEndpointId: state.vpcEndpointId }),
    ...(state.vpcId === undefined ? {} : { vpcId: state.vpcId }),
    secureTransport: state.secureTransport === true,
  };
}
