/**
 * Local mode: group functions run in this process, through the same handlers Lambda runs and
 * with the same signed payloads, under a key made for this process.
 */
import type { Context } from 'aws-lambda';
import { API_GROUPS, type ApiGroup } from '../core/kms/api-groups.js';
import type { Clock } from '../core/ports/index.js';
import { systemClock } from '../adapters/system/system-clock.js';
import type { FunctionGroup, GroupInvoker, GroupRequest, GroupResponse } from '../pipeline/group-protocol.js';
import { GroupRequestSigner, GroupRequestVerifier, randomGroupRequestKey } from '../pipeline/group-request-auth.js';

/** A group function's handler: it takes the invoke payload, whatever was sent. */
export type GroupHandler = (event: unknown, context: Context) => Promise<GroupResponse>;

export class InProcessGroupInvoker implements GroupInvoker {
  readonly #handlers: ReadonlyMap<FunctionGroup, GroupHandler>;
  readonly #signer: GroupRequestSigner;

  /**
   * `makeHandler` is called once for each group that has a function of its own, with the
   * verifier that group's handler checks its payloads with.
   */
  constructor(makeHandler: (group: FunctionGroup, verifier: GroupRequestVerifier) => GroupHandler, options: { readonly clock?: Clock } = {}) {
    const key = randomGroupRequestKey();
    const clock = options.clock ?? systemClock;
    this.#signer = new GroupRequestSigner({ key, clock });
    const groups = (Object.keys(API_GROUPS) as ApiGroup[]).filter((group): group is FunctionGroup => group !== 'crypto');
    this.#handlers = new Map(groups.map((group) => [group, makeHandler(group, new GroupRequestVerifier({ key, clock }))]));
  }

  invoke(group: FunctionGroup, request: GroupRequest): Promise<GroupResponse> {
    const handler = this.#handlers.get(group);
    if (handler === undefined) throw new Error(`no handler for group ${group}`);
    return handler(this.#signer.sign(group, request), localContext(request.context.requestId));
  }
}

const LOCAL_DEADLINE_MS = 15 * 60 * 1000;

/** A Lambda context for handlers invoked outside Lambda. */
export function localContext(requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:local',
    memoryLimitInMB: '0',
    awsRequestId: requestId,
    logGroupName: 'local',
    logStreamName: 'local',
    // middy aborts a handler shortly before the Lambda deadline. Local mode has none, and a request
    // queued behind slow token work (RSA 4096 key generation under load) must not be cut off at an
    // invented one, so the deadline is Lambda's longest, 15 minutes, from every call.
    getRemainingTimeInMillis: () => LOCAL_DEADLINE_MS,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
