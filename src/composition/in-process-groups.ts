/** Local mode: group functions run in this process, through the same handlers Lambda runs. */
import type { Context } from 'aws-lambda';
import { API_GROUPS, type ApiGroup } from '../core/kms/api-groups.js';
import type { GroupInvoker, GroupRequest, GroupResponse } from '../pipeline/group-protocol.js';

export type GroupHandler = (request: GroupRequest, context: Context) => Promise<GroupResponse>;
type FunctionGroup = Exclude<ApiGroup, 'crypto'>;

export class InProcessGroupInvoker implements GroupInvoker {
  readonly #handlers: ReadonlyMap<FunctionGroup, GroupHandler>;

  /** `makeHandler` is called once for each group that has a function of its own. */
  constructor(makeHandler: (group: FunctionGroup) => GroupHandler) {
    const groups = (Object.keys(API_GROUPS) as ApiGroup[]).filter((group): group is FunctionGroup => group !== 'crypto');
    this.#handlers = new Map(groups.map((group) => [group, makeHandler(group)]));
  }

  invoke(group: FunctionGroup, request: GroupRequest): Promise<GroupResponse> {
    const handler = this.#handlers.get(group);
    if (handler === undefined) throw new Error(`no handler for group ${group}`);
    return handler(request, localContext(request.context.requestId));
  }
}

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
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
