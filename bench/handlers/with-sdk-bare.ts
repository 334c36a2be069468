import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { savePostWith } from './save-post.js';

export const handler = middy(savePostWith(new DynamoDBClient({})));
