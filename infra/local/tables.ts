import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { POST_ID_ATTRIBUTE, POST_OWNER_ATTRIBUTE } from '../../functions/posts/posts-table.js';
import { RECORD_ID_ATTRIBUTE } from '../../lib/record.js';

/** Credentials for the local DynamoDB server: dynalite requires a signature but accepts any key pair. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

/** Creates an SDK client for a DynamoDB-compatible server on this machine. */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/** Creates the idempotency table, keyed like the one the CDK stack provisions; an existing table is kept. */
export async function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createTable(client, {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: RECORD_ID_ATTRIBUTE, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: RECORD_ID_ATTRIBUTE, KeyType: 'HASH' }],
  });
}

/** Creates the posts table, keyed like the one the CDK stack provisions; an existing table is kept. */
export async function createPostsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createTable(client, {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: POST_OWNER_ATTRIBUTE, AttributeType: 'S' },
      { AttributeName: POST_ID_ATTRIBUTE, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: POST_OWNER_ATTRIBUTE, KeyType: 'HASH' },
      { AttributeName: POST_ID_ATTRIBUTE, KeyType: 'RANGE' },
    ],
  });
}

async function createTable(client: DynamoDBClient, input: ConstructorParameters<typeof CreateTableCommand>[0]): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}
