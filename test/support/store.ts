import { QueryCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { POST_OWNER_ATTRIBUTE } from '../../functions/posts/posts-table.js';
import { startDynalite, type DynaliteServer } from '../../infra/local/dynalite-server.js';
import { createIdempotencyTable, createPostsTable, LOCAL_CREDENTIALS, LOCAL_REGION, localClient } from '../../infra/local/tables.js';
import { DynamoDBStore } from '../../lib/store/dynamodb-store.js';
import { HttpTransport } from '../../lib/store/http-transport.js';
import type { DynamoDBTransport } from '../../lib/store/transport.js';
import { FaultInjectingTransport } from './faults.js';

export interface TestDatabase {
  server: DynaliteServer;
  client: DynamoDBClient;
  /** A lean transport aimed at this server. */
  transport(): HttpTransport;
  /** Creates a fresh idempotency table and a store on it. */
  newStore(transport?: DynamoDBTransport): Promise<DynamoDBStore>;
  /** Creates a fresh idempotency table and a store whose calls go through a fault-injecting wrapper. */
  newFaultyStore(options?: { returnOldItem?: boolean }): Promise<{ store: DynamoDBStore; transport: FaultInjectingTransport }>;
  /** Reads every item of the store's table, as the SDK returns them. */
  items(store: DynamoDBStore): Promise<Array<Record<string, AttributeValue>>>;
  /** Creates a fresh posts table and returns its name. */
  newPostsTable(): Promise<string>;
  /** Reads the texts of an owner's posts, sorted, with a consistent read. */
  postTexts(tableName: string, owner: string): Promise<string[]>;
}

let tableCount = 0;

/** Starts an in-memory dynalite for the current test file and stops it after the file's tests. */
export function useTestDatabase(): TestDatabase {
  const database = {} as TestDatabase;

  beforeAll(async () => {
    const server = await startDynalite();
    const client = localClient(server.endpoint);
    Object.assign(database, {
      server,
      client,
      transport: () => new HttpTransport({ endpoint: server.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
      newStore: async (transport?: DynamoDBTransport) => {
        const tableName = `idempotency-${++tableCount}`;
        await createIdempotencyTable(client, tableName);
        return new DynamoDBStore({ tableName }, transport ?? database.transport());
      },
      newFaultyStore: async (options = {}) => {
        const transport = new FaultInjectingTransport(database.transport(), options.returnOldItem);
        return { store: await database.newStore(transport), transport };
      },
      items: async (store: DynamoDBStore) => {
        const output = await client.send(new ScanCommand({ TableName: store.tableName, ConsistentRead: true }));
        return output.Items ?? [];
      },
      newPostsTable: async () => {
        const tableName = `posts-${++tableCount}`;
        await createPostsTable(client, tableName);
        return tableName;
      },
      postTexts: async (tableName: string, owner: string) => {
        const output = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': POST_OWNER_ATTRIBUTE },
            ExpressionAttributeValues: { ':owner': { S: owner } },
            ConsistentRead: true,
          }),
        );
        return (output.Items ?? []).map((item) => item.text?.S as string).sort();
      },
    } satisfies TestDatabase);
  });

  afterAll(async () => {
    database.client?.destroy();
    await database.server?.close();
  });

  return database;
}
