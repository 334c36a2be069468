import { ConditionalCheckFailedError, type AttributeMap, type DynamoDBTransport, type StoreOperation } from './transport.js';

/**
 * An AWS SDK v3 `DynamoDBClient` or `DynamoDBDocumentClient`. Both accept the low-level commands this
 * transport sends, so the client's own configuration (region, retries, credentials, middleware) applies.
 */
export interface SdkClient {
  // The SDK's send() is overloaded per command; any command object is accepted here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send(command: any): Promise<any>;
}

type CommandModule = typeof import('@aws-sdk/client-dynamodb');

let commands: Promise<CommandModule> | undefined;

/**
 * Loads the SDK's command classes. In a CommonJS bundle, the default of CDK's NodejsFunction,
 * `require` resolves through NODE_PATH, which is where Lambda keeps its copy of the SDK. `import()`
 * ignores NODE_PATH, so it is only the fallback for ES modules, where `require` does not exist.
 */
function loadCommands(): Promise<CommandModule> {
  commands ??=
    typeof require === 'function'
      ? Promise.resolve(require('@aws-sdk/client-dynamodb') as CommandModule)
      : import('@aws-sdk/client-dynamodb');
  return commands;
}

/** Transport over your own SDK client. The SDK's command classes load on first use, not at import. */
export class SdkTransport implements DynamoDBTransport {
  constructor(private readonly client: SdkClient) {
    if (typeof client?.send !== 'function') {
      throw new TypeError('The DynamoDB client has no send() method; pass an AWS SDK v3 DynamoDBClient or DynamoDBDocumentClient.');
    }
  }

  async send(operation: StoreOperation, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const sdk = await loadCommands();
    const command = createCommand(sdk, operation, input);

    try {
      return (await this.client.send(command)) as Record<string, unknown>;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        throw new ConditionalCheckFailedError((error as { Item?: AttributeMap }).Item, { cause: error });
      }
      throw error;
    }
  }
}

function createCommand(sdk: CommandModule, operation: StoreOperation, input: Record<string, unknown>): unknown {
  // The inputs are built by the record store in the exact DynamoDB JSON shape each command expects.
  switch (operation) {
    case 'PutItem':
      return new sdk.PutItemCommand(input as never);
    case 'GetItem':
      return new sdk.GetItemCommand(input as never);
    case 'UpdateItem':
      return new sdk.UpdateItemCommand(input as never);
    case 'DeleteItem':
      return new sdk.DeleteItemCommand(input as never);
  }
}
