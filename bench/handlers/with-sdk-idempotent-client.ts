import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { DynamoDBStore, idempotent } from '../../lib/index.js';
import { savePostWith } from './save-post.js';

const client = new DynamoDBClient({});

export const handler = middy(savePostWith(client)).use(idempotent({ store: new DynamoDBStore({ client }) }));
