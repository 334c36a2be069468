import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynalite, type DynaliteServer } from '../infra/local/dynalite-server.js';
import { createIdempotencyTable, createPostsTable, localClient } from '../infra/local/tables.js';
import { startCountingProxy, type CountingProxy } from './dynamodb-proxy.js';

/** Partition key Powertools' DynamoDB persistence layer uses unless `keyAttr` is set (version 2.35). */
export const POWERTOOLS_KEY_ATTRIBUTE = 'id';

/** Table names, the same on every DynamoDB server the benchmark starts. */
export const TABLES = {
  idempotentTable: 'bench-idempotent',
  powertoolsTable: 'bench-powertools',
  postsTable: 'bench-posts',
} as const;

export interface BenchDatabase {
  server: DynaliteServer;
  /** SDK client straight to dynalite. */
  client: DynamoDBClient;
  proxy: CountingProxy;
  /** SDK client through the counting proxy. */
  proxyClient: DynamoDBClient;
  close(): Promise<void>;
}

/** Creates the idempotency table of each middleware and the posts table of the cold-start handlers. */
export async function createBenchTables(client: DynamoDBClient): Promise<void> {
  await createIdempotencyTable(client, TABLES.idempotentTable);
  await client.send(
    new CreateTableCommand({
      TableName: TABLES.powertoolsTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: POWERTOOLS_KEY_ATTRIBUTE, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: POWERTOOLS_KEY_ATTRIBUTE, KeyType: 'HASH' }],
    }),
  );
  await createPostsTable(client, TABLES.postsTable);
}

/** Starts dynalite in this process with the benchmark's tables, and the counting proxy in front of it. */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const server = await startDynalite();
  const client = localClient(server.endpoint);
  await createBenchTables(client);

  const proxy = await startCountingProxy(server.endpoint);
  const proxyClient = localClient(proxy.endpoint);
  return {
    server,
    client,
    proxy,
    proxyClient,
    async close() {
      proxyClient.destroy();
      client.destroy();
      await proxy.close();
      await server.close();
    },
  };
}
