import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { idempotent } from '../../lib/index.js';
import { savePostWith } from './save-post.js';

export const handler = middy(savePostWith(new DynamoDBClient({}))).use(idempotent());
