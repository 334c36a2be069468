import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Post } from './post.js';
import { POST_ID_ATTRIBUTE, POST_OWNER_ATTRIBUTE, POSTS_TABLE_VARIABLE } from './posts-table.js';

/** One page of a caller's posts and the key to continue after it. */
export interface PostPage {
  posts: Post[];
  lastKey?: Record<string, unknown>;
}

let documentClient: DynamoDBDocumentClient | undefined;

/** Returns the container's document client, created on first use with the SDK's default configuration. */
function client(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return documentClient;
}

function tableName(): string {
  const name = process.env[POSTS_TABLE_VARIABLE];
  if (!name) throw new Error(`${POSTS_TABLE_VARIABLE} is not set; set it to the posts table name.`);
  return name;
}

/** Writes a new post; the condition keeps an id collision from overwriting another post. */
export async function insertPost(owner: string, post: Post): Promise<void> {
  await client().send(
    new PutCommand({
      TableName: tableName(),
      Item: { [POST_OWNER_ATTRIBUTE]: owner, ...post },
      ConditionExpression: 'attribute_not_exists(#id)',
      ExpressionAttributeNames: { '#id': POST_ID_ATTRIBUTE },
    }),
  );
}

/** Reads one of the owner's posts; another owner's post with the same id is never found. */
export async function findPost(owner: string, id: string): Promise<Post | undefined> {
  const output = await client().send(
    new GetCommand({ TableName: tableName(), Key: { [POST_OWNER_ATTRIBUTE]: owner, [POST_ID_ATTRIBUTE]: id } }),
  );
  return output.Item ? toPost(output.Item) : undefined;
}

/** Lists the owner's posts, oldest first, one page at a time. */
export async function listPosts(owner: string, limit: number, startKey?: Record<string, unknown>): Promise<PostPage> {
  const output = await client().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': POST_OWNER_ATTRIBUTE },
      ExpressionAttributeValues: { ':owner': owner },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  const page: PostPage = { posts: (output.Items ?? []).map(toPost) };
  if (output.LastEvaluatedKey) page.lastKey = output.LastEvaluatedKey;
  return page;
}

function toPost(item: Record<string, unknown>): Post {
  return { id: String(item.id), text: String(item.text), createdAt: String(item.createdAt) };
}
