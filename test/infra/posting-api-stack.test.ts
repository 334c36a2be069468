import * as fs from 'node:fs';
import * as path from 'node:path';

import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';

import { POST_ID_ATTRIBUTE, POST_OWNER_ATTRIBUTE, POSTS_TABLE_VARIABLE } from '../../functions/posts/posts-table.js';
import type { HandlerFunction } from '../../infra/handler-function.js';
import {
  API_TIMEOUT,
  CONSUMER_TIMEOUT,
  MEMORY_SIZE,
  PostingApiStack,
} from '../../infra/posting-api-stack.js';
import { WEBHOOK_SECRET_ARN_VARIABLE } from '../../functions/webhook-settings.js';
import { MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_FACTOR } from '../../infra/publish-queue.js';
import { API_KEY_THROTTLE, STAGE_NAME, STAGE_THROTTLE } from '../../infra/rest-api.js';
import { EXPIRY_ATTRIBUTE, RECORD_ID_ATTRIBUTE, STORE_ACTIONS, TABLE_NAME_VARIABLE } from '../../lib/record.js';

// One synthesis for the whole file, with the functions bundled by the local esbuild as `cdk synth` does.
const app = new App();
const stack = new PostingApiStack(app, 'Test');
const template = Template.fromStack(stack);

const FUNCTION_IDS = ['CreatePost', 'ListPosts', 'GetPost', 'Webhook', 'PublishFromQueue'] as const;
type FunctionId = (typeof FUNCTION_IDS)[number];

function logicalId(element: CfnElement): string {
  return stack.getLogicalId(element);
}

function handler(id: FunctionId): HandlerFunction {
  return stack.node.findChild(id) as HandlerFunction;
}

function functionLogicalId(id: FunctionId): string {
  return logicalId(handler(id).function.node.defaultChild as CfnElement);
}

/** Returns the statements of the function's execution role, the only policy attached to that role. */
function roleStatements(id: FunctionId): unknown[] {
  const roleId = logicalId(handler(id).role.node.defaultChild as CfnElement);
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
  );
  expect(policies).toHaveLength(1);
  return (policies[0] as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
    .Statement;
}

const idempotencyTableId = logicalId(stack.idempotencyTable.table.node.defaultChild as CfnElement);
const postsTableId = logicalId(stack.postsTable.node.defaultChild as CfnElement);
const secretId = logicalId(stack.webhookSecret.node.defaultChild as CfnElement);
const queueId = logicalId(stack.publishQueue.queue.node.defaultChild as CfnElement);
const deadLetterQueueId = logicalId(stack.publishQueue.deadLetterQueue.node.defaultChild as CfnElement);

function tableArn(tableId: string): unknown {
  return { 'Fn::GetAtt': [tableId, 'Arn'] };
}

function logWriteStatement(id: FunctionId): unknown {
  const logGroupId = logicalId(handler(id).logGroup.node.defaultChild as CfnElement);
  return {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
  };
}

const storeStatement = { Effect: 'Allow', Action: [...STORE_ACTIONS], Resource: [tableArn(idempotencyTableId)] };

function postsStatement(action: string): unknown {
  return { Effect: 'Allow', Action: action, Resource: [tableArn(postsTableId)] };
}

describe('idempotency table', () => {
  const table = template.findResources('AWS::DynamoDB::Table')[idempotencyTableId];

  test('keys records by id string', () => {
    expect(table?.Properties.KeySchema).toEqual([{ AttributeName: RECORD_ID_ATTRIBUTE, KeyType: 'HASH' }]);
    expect(table?.Properties.AttributeDefinitions).toEqual([
      { AttributeName: RECORD_ID_ATTRIBUTE, AttributeType: 'S' },
    ]);
  });

  test('expires records on the library attribute', () => {
    expect(table?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: EXPIRY_ATTRIBUTE, Enabled: true });
  });
});

describe('posts table', () => {
  test('keys posts by owner then id', () => {
    const table = template.findResources('AWS::DynamoDB::Table')[postsTableId];

    expect(table?.Properties.KeySchema).toEqual([
      { AttributeName: POST_OWNER_ATTRIBUTE, KeyType: 'HASH' },
      { AttributeName: POST_ID_ATTRIBUTE, KeyType: 'RANGE' },
    ]);
    expect(table?.Properties.AttributeDefinitions).toEqual([
      { AttributeName: POST_OWNER_ATTRIBUTE, AttributeType: 'S' },
      { AttributeName: POST_ID_ATTRIBUTE, AttributeType: 'S' },
    ]);
    expect(table?.Properties.TimeToLiveSpecification).toBeUndefined();
  });
});

describe('both tables', () => {
  const tables = template.findResources('AWS::DynamoDB::Table');

  test('stack has exactly two tables', () => {
    expect(Object.keys(tables).sort()).toEqual([idempotencyTableId, postsTableId].sort());
  });

  test.each([
    ['idempotency', idempotencyTableId],
    ['posts', postsTableId],
  ])('%s table bills on demand', (_name, id) => {
    expect(tables[id]?.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  test.each([
    ['idempotency', idempotencyTableId],
    ['posts', postsTableId],
  ])('%s table has point-in-time recovery', (_name, id) => {
    expect(tables[id]?.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  test.each([
    ['idempotency', idempotencyTableId],
    ['posts', postsTableId],
  ])('%s table uses the AWS-managed key', (_name, id) => {
    // SSEEnabled without a key ARN selects the AWS-managed key aws/dynamodb.
    expect(tables[id]?.Properties.SSESpecification).toEqual({ SSEEnabled: true });
  });

  test.each([
    ['idempotency', idempotencyTableId],
    ['posts', postsTableId],
  ])('%s table is retained by default', (_name, id) => {
    expect(tables[id]?.DeletionPolicy).toBe('Retain');
    expect(tables[id]?.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('data retention by default', () => {
  test('webhook secret is retained', () => {
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('every log group is retained for 30 days', () => {
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));

    // One per function, and the API's access and execution logs.
    expect(logGroups).toHaveLength(FUNCTION_IDS.length + 2);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.RetentionInDays).toBe(30);
      expect(logGroup.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('functions', () => {
  const functions = template.findResources('AWS::Lambda::Function');

  test('stack has one function per handler', () => {
    expect(Object.keys(functions).sort()).toEqual(FUNCTION_IDS.map(functionLogicalId).sort());
  });

  test.each(FUNCTION_IDS)('%s runs nodejs22.x on arm64', (id) => {
    const properties = functions[functionLogicalId(id)]?.Properties;

    expect(properties.Runtime).toBe('nodejs22.x');
    expect(properties.Architectures).toEqual(['arm64']);
  });

  test.each(FUNCTION_IDS)('%s logs JSON to its own group', (id) => {
    const properties = functions[functionLogicalId(id)]?.Properties;
    const logGroupId = logicalId(handler(id).logGroup.node.defaultChild as CfnElement);

    expect(properties.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: logGroupId } });
  });

  test.each(FUNCTION_IDS)('%s enables source maps', (id) => {
    const properties = functions[functionLogicalId(id)]?.Properties;

    expect(properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  test.each(FUNCTION_IDS)('%s has the stated memory', (id) => {
    expect(functions[functionLogicalId(id)]?.Properties.MemorySize).toBe(MEMORY_SIZE);
  });

  test.each([
    ['CreatePost', API_TIMEOUT.toSeconds()],
    ['ListPosts', API_TIMEOUT.toSeconds()],
    ['GetPost', API_TIMEOUT.toSeconds()],
    ['Webhook', API_TIMEOUT.toSeconds()],
    ['PublishFromQueue', CONSUMER_TIMEOUT.toSeconds()],
  ] as const)('%s times out after %d s', (id, seconds) => {
    expect(functions[functionLogicalId(id)]?.Properties.Timeout).toBe(seconds);
  });

  test.each(['CreatePost', 'Webhook', 'PublishFromQueue'] as const)('%s gets the idempotency table name', (id) => {
    const variables = functions[functionLogicalId(id)]?.Properties.Environment.Variables;

    expect(variables[TABLE_NAME_VARIABLE]).toEqual({ Ref: idempotencyTableId });
  });

  test.each(['ListPosts', 'GetPost'] as const)('%s has no idempotency table', (id) => {
    const variables = functions[functionLogicalId(id)]?.Properties.Environment.Variables;

    expect(variables[TABLE_NAME_VARIABLE]).toBeUndefined();
  });

  test.each(FUNCTION_IDS)('%s gets the posts table name', (id) => {
    const variables = functions[functionLogicalId(id)]?.Properties.Environment.Variables;

    expect(variables[POSTS_TABLE_VARIABLE]).toEqual({ Ref: postsTableId });
  });

  test('webhook gets the secret ARN', () => {
    const variables = functions[functionLogicalId('Webhook')]?.Properties.Environment.Variables;

    expect(variables[WEBHOOK_SECRET_ARN_VARIABLE]).toEqual({ Ref: secretId });
  });


  test('handler is index.handler', () => {
    for (const id of FUNCTION_IDS) {
      expect(functions[functionLogicalId(id)]?.Properties.Handler).toBe('index.handler');
    }
  });
});

describe('bundles', () => {
  const assemblyDirectory = app.synth().directory;
  const assetDirectories = fs
    .readdirSync(assemblyDirectory)
    .filter((name) => name.startsWith('asset.'))
    .map((name) => path.join(assemblyDirectory, name));

  test('one bundle per function', () => {
    expect(assetDirectories).toHaveLength(FUNCTION_IDS.length);
  });

  test('bundles are ES modules with source maps', () => {
    for (const directory of assetDirectories) {
      expect(fs.readdirSync(directory).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const bundle = fs.readFileSync(path.join(directory, 'index.mjs'), 'utf8');

      expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\n?$/);
    }
  });

  test('bundles leave out the AWS SDK', () => {
    for (const directory of assetDirectories) {
      const sourceMap = JSON.parse(fs.readFileSync(path.join(directory, 'index.mjs.map'), 'utf8'));

      expect(sourceMap.sources.filter((source: string) => source.includes('@aws-sdk/'))).toEqual([]);
    }
  });
});

describe('execution roles', () => {
  test('create-post writes posts and idempotency records', () => {
    expect(roleStatements('CreatePost')).toEqual([
      logWriteStatement('CreatePost'),
      storeStatement,
      postsStatement('dynamodb:PutItem'),
    ]);
  });

  test('list-posts only queries posts', () => {
    expect(roleStatements('ListPosts')).toEqual([logWriteStatement('ListPosts'), postsStatement('dynamodb:Query')]);
  });

  test('get-post only reads one post', () => {
    expect(roleStatements('GetPost')).toEqual([logWriteStatement('GetPost'), postsStatement('dynamodb:GetItem')]);
  });

  test('webhook also reads its secret', () => {
    expect(roleStatements('Webhook')).toEqual([
      logWriteStatement('Webhook'),
      storeStatement,
      postsStatement('dynamodb:PutItem'),
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } },
    ]);
  });

  test('queue consumer also consumes the queue', () => {
    expect(roleStatements('PublishFromQueue')).toEqual([
      logWriteStatement('PublishFromQueue'),
      storeStatement,
      postsStatement('dynamodb:PutItem'),
      {
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      },
    ]);
  });

  test.each(FUNCTION_IDS)('%s role has no managed policies', (id) => {
    const roleId = logicalId(handler(id).role.node.defaultChild as CfnElement);
    const role = template.findResources('AWS::IAM::Role')[roleId];

    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('REST API', () => {
  const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
  const resources = template.findResources('AWS::ApiGateway::Resource');

  /** Rebuilds a method's full path from the resource tree, for example `/v1/posts/{id}`. */
  function resourcePath(resourceId: string): string {
    const resource = resources[resourceId];
    if (!resource) {
      return '';
    }
    const parent = resource.Properties.ParentId;
    const parentPath = parent.Ref ? resourcePath(parent.Ref) : '';
    return `${parentPath}/${resource.Properties.PathPart}`;
  }

  function method(httpMethod: string, path: string): Record<string, any> {
    const found = methods.filter(
      (candidate) =>
        candidate.Properties.HttpMethod === httpMethod && resourcePath(candidate.Properties.ResourceId.Ref) === path,
    );
    expect(found).toHaveLength(1);
    return found[0]?.Properties;
  }

  test('API has exactly the four routes', () => {
    const routes = methods.map((m) => `${m.Properties.HttpMethod} ${resourcePath(m.Properties.ResourceId.Ref)}`);

    expect(routes.sort()).toEqual(
      ['GET /v1/posts', 'GET /v1/posts/{id}', 'POST /v1/posts', 'POST /v1/webhooks/{source}'].sort(),
    );
  });

  test.each([
    ['POST', '/v1/posts', 'CreatePost'],
    ['GET', '/v1/posts', 'ListPosts'],
    ['GET', '/v1/posts/{id}', 'GetPost'],
  ] as const)('%s %s requires an API key', (httpMethod, path, id) => {
    const properties = method(httpMethod, path);

    expect(properties.ApiKeyRequired).toBe(true);
    expect(properties.Integration.Type).toBe('AWS_PROXY');
    expect(JSON.stringify(properties.Integration.Uri)).toContain(functionLogicalId(id));
  });

  test('webhook route takes no API key', () => {
    const properties = method('POST', '/v1/webhooks/{source}');

    expect(properties.ApiKeyRequired).toBe(false);
    expect(properties.Integration.Type).toBe('AWS_PROXY');
    expect(JSON.stringify(properties.Integration.Uri)).toContain(functionLogicalId('Webhook'));
  });

  test('POST /v1/posts declares the optional Idempotency-Key header', () => {
    const properties = method('POST', '/v1/posts');

    expect(properties.RequestParameters).toEqual({ 'method.request.header.Idempotency-Key': false });
  });

  test('API has no CORS preflight to filter headers', () => {
    expect(methods.filter((m) => m.Properties.HttpMethod === 'OPTIONS')).toEqual([]);
  });

  test('usage plan throttles each key', () => {
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: API_KEY_THROTTLE.rateLimit, BurstLimit: API_KEY_THROTTLE.burstLimit },
      ApiStages: [Match.objectLike({ ApiId: { Ref: logicalId(stack.restApi.api.node.defaultChild as CfnElement) } })],
    });
  });

  test('usage plan includes the API key', () => {
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyId: { Ref: logicalId(stack.restApi.apiKey.node.defaultChild as CfnElement) },
      KeyType: 'API_KEY',
    });
  });

  test('stage writes JSON access logs', () => {
    const accessLogsId = logicalId(stack.restApi.accessLogs.node.defaultChild as CfnElement);
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    const setting = stage?.Properties.AccessLogSetting;

    expect(setting.DestinationArn).toEqual({ 'Fn::GetAtt': [accessLogsId, 'Arn'] });
    expect(JSON.parse(setting.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      apiKeyId: '$context.identity.apiKeyId',
    });
  });

  test('execution log group exists before the stage', () => {
    const executionLogsId = logicalId(stack.restApi.executionLogs.node.defaultChild as CfnElement);
    const restApiId = logicalId(stack.restApi.api.node.defaultChild as CfnElement);
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    const logGroup = template.findResources('AWS::Logs::LogGroup')[executionLogsId];

    expect(logGroup?.Properties.LogGroupName).toEqual({
      'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: restApiId }, `/${STAGE_NAME}`]],
    });
    expect(stage?.Properties.StageName).toBe(STAGE_NAME);
    expect(stage?.DependsOn).toContain(executionLogsId);
  });

  test('stage throttles and logs errors', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: STAGE_THROTTLE.rateLimit,
          ThrottlingBurstLimit: STAGE_THROTTLE.burstLimit,
        },
      ],
    });
  });
});

describe('publish queue', () => {
  const queues = template.findResources('AWS::SQS::Queue');

  test('redrives to the dead-letter queue', () => {
    expect(queues[queueId]?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueueId, 'Arn'] },
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
  });

  test('visibility timeout is six consumer timeouts', () => {
    const visibilityTimeout = queues[queueId]?.Properties.VisibilityTimeout;

    expect(VISIBILITY_TIMEOUT_FACTOR).toBe(6);
    expect(visibilityTimeout).toBe(CONSUMER_TIMEOUT.toSeconds() * 6);
  });

  test('dead-letter queue outlives the source retention', () => {
    const retention = queues[queueId]?.Properties.MessageRetentionPeriod;
    const deadLetterRetention = queues[deadLetterQueueId]?.Properties.MessageRetentionPeriod;

    expect(deadLetterRetention).toBe(14 * 24 * 3600);
    expect(deadLetterRetention).toBeGreaterThan(retention);
  });

  test.each([
    ['queue', queueId],
    ['dead-letter queue', deadLetterQueueId],
  ])('%s uses SQS-managed encryption', (_name, id) => {
    expect(queues[id]?.Properties.SqsManagedSseEnabled).toBe(true);
  });

  test.each([
    ['queue', queueId],
    ['dead-letter queue', deadLetterQueueId],
  ])('%s denies requests without TLS', (_name, id) => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('consumer reports batch item failures', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: functionLogicalId('PublishFromQueue') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('alarm fires on any dead-lettered message', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterQueueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('outputs', () => {
  const outputs = template.findOutputs('*');

  test('stack outputs exactly four values', () => {
    expect(Object.keys(outputs).sort()).toEqual(['ApiKeyId', 'ApiUrl', 'QueueUrl', 'WebhookSecretArn']);
  });

  test('API URL points at the stage', () => {
    const stageId = logicalId(stack.restApi.api.deploymentStage.node.defaultChild as CfnElement);

    expect(JSON.stringify(outputs.ApiUrl?.Value)).toContain(stageId);
  });

  test('API key id is the key reference', () => {
    expect(outputs.ApiKeyId?.Value).toEqual({ Ref: logicalId(stack.restApi.apiKey.node.defaultChild as CfnElement) });
  });

  test('queue URL is the queue reference', () => {
    expect(outputs.QueueUrl?.Value).toEqual({ Ref: queueId });
  });

  test('secret ARN is the secret reference', () => {
    expect(outputs.WebhookSecretArn?.Value).toEqual({ Ref: secretId });
  });
});
