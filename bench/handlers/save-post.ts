// The work of the cold-start handlers that already use the AWS SDK: save the post with their own client.
import { randomUUID } from 'node:crypto';
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readText, type PostEvent, type PostResponse } from './post-to-api.js';

/** Returns a handler that saves the post in the posts table with the function's own DynamoDB client. */
export function savePostWith(client: DynamoDBClient): (event: PostEvent) => Promise<PostResponse> {
  return async (event) => {
    const id = randomUUID();
    await client.send(
      new PutItemCommand({
        TableName: process.env.POSTS_TABLE_NAME,
        Item: { owner: { S: 'bench' }, id: { S: id }, text: { S: readText(event) } },
      }),
    );
    return { statusCode: 201, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id }) };
  };
}
