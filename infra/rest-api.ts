import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Name of the API's only stage, the first path segment of its URL. */
export const STAGE_NAME = 'prod';

/** Header that carries the client's idempotency key. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Usage plan limits for each API key: steady rate in requests per second, and burst in requests. */
export const API_KEY_THROTTLE = { rateLimit: 10, burstLimit: 20 };

/**
 * Stage default limits, in the same units. API Gateway applies them to each method separately, shared by all
 * callers of that method. They are the only limits on the webhook route, which has no API key and so no usage plan.
 */
export const STAGE_THROTTLE = { rateLimit: 50, burstLimit: 100 };

export interface PostingRestApiProps {
  readonly createPost: lambda.IFunction;
  readonly listPosts: lambda.IFunction;
  readonly getPost: lambda.IFunction;
  readonly webhook: lambda.IFunction;
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the access log group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * REST API (API Gateway v1, for its API keys and usage plans) in front of the posting handlers:
 * `POST /v1/posts`, `GET /v1/posts` and `GET /v1/posts/{id}` require an API key, and
 * `POST /v1/webhooks/{source}` does not because the handler checks each delivery's HMAC signature.
 */
export class PostingRestApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly apiKey: apigateway.IApiKey;
  readonly usagePlan: apigateway.UsagePlan;
  readonly accessLogs: logs.LogGroup;
  readonly executionLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PostingRestApiProps) {
    super(scope, id);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.api = this.createApi();

    // API Gateway writes execution logs to a log group of this fixed name, and creates it without a retention
    // period when it does not exist. Creating it first, before the stage, gives it the stack's retention.
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);

    // Routes. Lambda proxy integrations pass every request header to the handler, Idempotency-Key included.
    // The API sets no CORS configuration, because its callers hold an API key and so are servers, not browsers.

    const v1 = this.api.root.addResource('v1');
    const posts = v1.addResource('posts');
    const post = posts.addResource('{id}');
    const webhookSource = v1.addResource('webhooks').addResource('{source}');

    const integrationOptions = { allowTestInvoke: false };

    const postsMethods = [
      // The header is optional here: the handler decides what a request without a key means.
      posts.addMethod('POST', new apigateway.LambdaIntegration(props.createPost, integrationOptions), {
        apiKeyRequired: true,
        requestParameters: { [`method.request.header.${IDEMPOTENCY_KEY_HEADER}`]: false },
      }),
      posts.addMethod('GET', new apigateway.LambdaIntegration(props.listPosts, integrationOptions), {
        apiKeyRequired: true,
      }),
      post.addMethod('GET', new apigateway.LambdaIntegration(props.getPost, integrationOptions), {
        apiKeyRequired: true,
      }),
    ];
    const webhookMethod = webhookSource.addMethod(
      'POST',
      new apigateway.LambdaIntegration(props.webhook, integrationOptions),
      { apiKeyRequired: false },
    );

    // API keys and the usage plan.

    this.usagePlan = this.api.addUsagePlan('UsagePlan', {
      description: 'Limits for each API key of the posting API',
      throttle: API_KEY_THROTTLE,
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    this.apiKey = this.api.addApiKey('ApiKey', { description: 'API key of the posting API' });
    this.usagePlan.addApiKey(this.apiKey);

    // cdk-nag findings that this design accepts.

    for (const method of postsMethods) {
      for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
        Validations.of(method).acknowledge({
          id: rule,
          reason:
            'Callers of the posts routes are servers identified by the API key that each method requires, and ' +
            "the handlers read and write only the posts owned by that key's id. The API has no end users to " +
            'authenticate with Cognito or an authorizer.',
        });
      }
    }
    for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      Validations.of(webhookMethod).acknowledge({
        id: rule,
        reason:
          'Webhook senders sign each delivery with a shared secret instead of sending a token or an API key. ' +
          'The handler authenticates every request by its HMAC signature before it acts on it.',
      });
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'The handlers validate headers and bodies and return the same problem details format for every error. ' +
        'API Gateway request validation would reject some requests before the handler, in a different format.',
    });
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAFv2 web ACL: its rules depend on the traffic of each deployment and it is billed per month. The ' +
        'usage plan and the per-method limits of the stage bound the request rate. Associate a web ACL with the ' +
        'stage when the API is exposed to untrusted traffic at scale.',
    });
    const cloudWatchRole = this.api.node.findChild('CloudWatchRole');
    Validations.of(cloudWatchRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-wide CloudWatch Logs role uses the AWS managed policy made for it: API Gateway " +
        'creates the execution log groups of every API in the region itself, so their names are not known here.',
    });
  }

  private createApi(): apigateway.RestApi {
    const api = new apigateway.RestApi(this, 'RestApi', {
      description: 'Posting API with idempotent POST requests',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // API Gateway writes execution and access logs only once the account's CloudWatch Logs role is set, so
      // the API creates that role. The role is retained on removal (the CDK default), because the setting is
      // shared by every API in the account and region.
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigateway.AccessLogField.contextRequestId(),
            requestTime: apigateway.AccessLogField.contextRequestTime(),
            ip: apigateway.AccessLogField.contextIdentitySourceIp(),
            httpMethod: apigateway.AccessLogField.contextHttpMethod(),
            resourcePath: apigateway.AccessLogField.contextResourcePath(),
            status: apigateway.AccessLogField.contextStatus(),
            responseLength: apigateway.AccessLogField.contextResponseLength(),
            responseLatency: apigateway.AccessLogField.contextResponseLatency(),
            integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
            // The key's id, never its value.
            apiKeyId: apigateway.AccessLogField.contextIdentityApiKeyId(),
            errorMessage: apigateway.AccessLogField.contextErrorMessage(),
          }),
        ),
        // Execution logs at ERROR level. Data tracing stays off, because it would log headers (the API key
        // among them) and bodies.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: STAGE_THROTTLE.rateLimit,
        throttlingBurstLimit: STAGE_THROTTLE.burstLimit,
      },
    });

    // RestApi adds an `Endpoint` output of its own, with a generated name; the stack outputs the URL as `ApiUrl`.
    api.node.tryRemoveChild('Endpoint');

    return api;
  }
}
