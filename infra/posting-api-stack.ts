import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

import { POST_ID_ATTRIBUTE, POST_OWNER_ATTRIBUTE, POSTS_TABLE_VARIABLE } from '../functions/posts/posts-table.js';
import { WEBHOOK_SECRET_ARN_VARIABLE } from '../functions/webhook-settings.js';
import { HandlerFunction } from './handler-function.js';
import { IdempotencyTable } from './idempotency-table.js';
import { PublishQueue } from './publish-queue.js';
import { removalPolicyFromContext } from './removal-policy.js';
import { PostingRestApi } from './rest-api.js';
import { protectedTableSettings } from './table-settings.js';

/** Retention of every log group in the stack, the API access logs included. */
export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * Timeout of the API handlers. Each makes a few DynamoDB calls (the webhook one Secrets Manager call as well)
 * that take milliseconds, so 10 s leaves room for the SDK's retries with backoff. It stays under API Gateway's
 * 29 s integration timeout, so a stuck invocation ends as a Lambda error rather than a gateway timeout.
 */
export const API_TIMEOUT = Duration.seconds(10);

/** Timeout of the SQS consumer, which handles a batch of up to 10 messages one after another. */
export const CONSUMER_TIMEOUT = Duration.seconds(30);

/**
 * Memory of every function in MiB. An estimate for small bundles that keep no data in memory: Lambda's REPORT
 * log lines show the max memory used, so adjust it from those.
 */
export const MEMORY_SIZE = 256;

/**
 * The posting API: the idempotency and posts tables, a REST API with API keys, a webhook route, and an SQS queue
 * whose consumer publishes posts. The stack is environment-agnostic and makes no context lookups, so it
 * synthesizes without AWS credentials.
 */
export class PostingApiStack extends Stack {
  readonly idempotencyTable: IdempotencyTable;
  readonly postsTable: dynamodb.Table;
  readonly webhookSecret: secretsmanager.Secret;
  readonly restApi: PostingRestApi;
  readonly publishQueue: PublishQueue;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const removalPolicy = removalPolicyFromContext(this);

    // Data.

    this.idempotencyTable = new IdempotencyTable(this, 'Idempotency', { removalPolicy });

    this.postsTable = new dynamodb.Table(this, 'Posts', {
      ...protectedTableSettings(removalPolicy),
      partitionKey: { name: POST_OWNER_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
      sortKey: { name: POST_ID_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
    });

    this.webhookSecret = new secretsmanager.Secret(this, 'WebhookSecret', {
      description: 'Webhook HMAC secrets: a JSON object that maps each source name to its shared secret',
      // A random placeholder under the source name "example"; operators replace the whole value.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'example',
        passwordLength: 32,
        excludePunctuation: true,
      },
      removalPolicy,
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Each value is a secret shared with a webhook sender, which keeps its own copy. Scheduled rotation would ' +
        'change only this side and break signature checks, so operators rotate a value at the sender and here ' +
        'together.',
    });

    // Functions, each with only the actions it calls on the resources it uses.

    const postsEnvironment = { [POSTS_TABLE_VARIABLE]: this.postsTable.tableName };
    const commonSettings = { memorySize: MEMORY_SIZE, logRetention: LOG_RETENTION, removalPolicy };

    const createPost = new HandlerFunction(this, 'CreatePost', {
      ...commonSettings,
      handlerFile: 'create-post.ts',
      description: 'POST /v1/posts: publishes a post, once per Idempotency-Key',
      timeout: API_TIMEOUT,
      environment: postsEnvironment,
    });
    this.idempotencyTable.grantStore(createPost.function);
    this.postsTable.grant(createPost.function, 'dynamodb:PutItem');

    const listPosts = new HandlerFunction(this, 'ListPosts', {
      ...commonSettings,
      handlerFile: 'list-posts.ts',
      description: "GET /v1/posts: lists the caller's posts",
      timeout: API_TIMEOUT,
      environment: postsEnvironment,
    });
    this.postsTable.grant(listPosts.function, 'dynamodb:Query');

    const getPost = new HandlerFunction(this, 'GetPost', {
      ...commonSettings,
      handlerFile: 'get-post.ts',
      description: "GET /v1/posts/{id}: reads one of the caller's posts",
      timeout: API_TIMEOUT,
      environment: postsEnvironment,
    });
    this.postsTable.grant(getPost.function, 'dynamodb:GetItem');

    const webhook = new HandlerFunction(this, 'Webhook', {
      ...commonSettings,
      handlerFile: 'webhook.ts',
      description: 'POST /v1/webhooks/{source}: checks the HMAC signature and publishes a post once per delivery',
      timeout: API_TIMEOUT,
      environment: { ...postsEnvironment, [WEBHOOK_SECRET_ARN_VARIABLE]: this.webhookSecret.secretArn },
    });
    this.idempotencyTable.grantStore(webhook.function);
    this.postsTable.grant(webhook.function, 'dynamodb:PutItem');
    // Secret.grantRead would also allow secretsmanager:DescribeSecret, which the handler does not call.
    webhook.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.webhookSecret.secretArn],
      }),
    );

    const publishFromQueue = new HandlerFunction(this, 'PublishFromQueue', {
      ...commonSettings,
      handlerFile: 'publish-from-queue.ts',
      description: 'SQS consumer: publishes one post per message, once per message id',
      timeout: CONSUMER_TIMEOUT,
      environment: postsEnvironment,
    });
    this.idempotencyTable.grantStore(publishFromQueue.function);
    this.postsTable.grant(publishFromQueue.function, 'dynamodb:PutItem');

    // Entry points.

    this.restApi = new PostingRestApi(this, 'Api', {
      createPost: createPost.function,
      listPosts: listPosts.function,
      getPost: getPost.function,
      webhook: webhook.function,
      logRetention: LOG_RETENTION,
      removalPolicy,
    });

    this.publishQueue = new PublishQueue(this, 'Publish', { consumer: publishFromQueue.function });

    // Outputs.

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the posting API; the routes start with v1/',
      value: this.restApi.api.url,
    });
    new CfnOutput(this, 'ApiKeyId', {
      description: 'Id of the API key: aws apigateway get-api-key --api-key <id> --include-value prints its value',
      value: this.restApi.apiKey.keyId,
    });
    new CfnOutput(this, 'QueueUrl', {
      description: 'URL of the SQS queue whose messages the consumer publishes as posts',
      value: this.publishQueue.queue.queueUrl,
    });
    new CfnOutput(this, 'WebhookSecretArn', {
      description: 'ARN of the secret that maps each webhook source name to its HMAC secret',
      value: this.webhookSecret.secretArn,
    });
  }
}
