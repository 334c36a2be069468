import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { POWERTOOLS_CONFIG } from './post-to-api.js';
import { savePostWith } from './save-post.js';

// Powertools' awsSdkV3Client option reuses the function's own client, so it builds no second one.
const client = new DynamoDBClient({});
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.POWERTOOLS_TABLE_NAME as string, awsSdkV3Client: client });

export const handler = middy(savePostWith(client)).use(
  makeHandlerIdempotent({ persistenceStore, config: new IdempotencyConfig(POWERTOOLS_CONFIG) }),
);
