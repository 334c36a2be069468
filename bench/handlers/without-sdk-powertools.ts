import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import middy from '@middy/core';
import { POWERTOOLS_CONFIG, publishToApi } from './post-to-api.js';

const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.POWERTOOLS_TABLE_NAME as string });

export const handler = middy(publishToApi).use(
  makeHandlerIdempotent({ persistenceStore, config: new IdempotencyConfig(POWERTOOLS_CONFIG) }),
);
