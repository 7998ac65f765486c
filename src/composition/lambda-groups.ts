/** In AWS: group functions are invoked synchronously with the authenticated request, signed. */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { API_GROUPS, type ApiGroup } from '../core/kms/api-groups.js';
import { groupFunctionEnvName } from './group-environment.js';
import { KMSInternalException } from '../models/kms/generated/errors.js';
import { say } from '../core/kms/messages.js';
import type { FunctionGroup, GroupInvoker, GroupRequest, GroupResponse } from '../pipeline/group-protocol.js';
import type { GroupRequestSigner } from '../pipeline/group-request-auth.js';

export class LambdaGroupInvoker implements GroupInvoker {
  readonly #client: LambdaClient;
  readonly #functionNames: Readonly<Partial<Record<ApiGroup, string>>>;
  readonly #signer: GroupRequestSigner;

  constructor(options: {
    functionNames: Readonly<Partial<Record<ApiGroup, string>>>;
    signer: GroupRequestSigner;
    client?: LambdaClient;
  }) {
    this.#client = options.client ?? new LambdaClient({});
    this.#functionNames = options.functionNames;
    this.#signer = options.signer;
  }

  async invoke(group: FunctionGroup, request: GroupRequest): Promise<GroupResponse> {
    const functionName = this.#functionNames[group];
    if (functionName === undefined) throw new KMSInternalException(say('internalError'));
    const result = await this.#client.send(new InvokeCommand({
      FunctionName: functionName,
      Payload: new TextEncoder().encode(JSON.stringify(this.#signer.sign(group, request))),
    }));
    if (result.FunctionError !== undefined || result.Payload === undefined) {
      throw new Error(`group function ${group} failed: ${result.FunctionError ?? 'no payload'}`);
    }
    return JSON.parse(new TextDecoder().decode(result.Payload)) as GroupResponse;
  }
}

/** Reads `GROUP_FUNCTION_<GROUP>` environment variables (set by the CDK stack). */
export function groupFunctionNamesFromEnv(env: NodeJS.ProcessEnv): Partial<Record<ApiGroup, string>> {
  const names: Partial<Record<ApiGroup, string>> = {};
  for (const group of Object.keys(API_GROUPS) as ApiGroup[]) {
    if (group === 'crypto') continue;
    const value = env[groupFunctionEnvName(group)];
    if (value !== undefined && value !== '') names[group] = value;
  }
  return names;
}
