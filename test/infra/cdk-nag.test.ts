import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';

import { PostingApiStack } from '../../infra/posting-api-stack.js';

// cdk-nag checks resource properties, not bundle contents, so the functions are not bundled here.
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new PostingApiStack(app, 'Nag');

// Synthesize first, so the tree contains everything that synthesis adds (the API deployment, the stage and the
// Lambda permissions) when cdk-nag walks it.
Template.fromStack(stack);
const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(stack);

/** Lists every acknowledged cdk-nag rule in the stack with its construct path and written reason. */
function acknowledgements(): Array<{ path: string; id: string; reason: string }> {
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  test('no unacknowledged errors', () => {
    const errors = report.violations.filter((violation) => violation.severity === 'error');

    expect(errors).toEqual([]);
  });

  test('no unacknowledged warnings', () => {
    const warnings = report.violations.filter((violation) => violation.severity !== 'error');

    expect(warnings).toEqual([]);
  });

  test('pack reports success', () => {
    expect(report.success).toBe(true);
  });

  test('every acknowledgement has a written reason', () => {
    const withoutReason = acknowledgements()
      .filter(({ reason }) => reason.length < 80)
      .map(({ path, id }) => `${id} at ${path}`);

    expect(withoutReason).toEqual([]);
  });

  test('acknowledgements sit on the resources they cover', () => {
    const scopes = acknowledgements().map(({ path, id }) => `${id} at ${path.replace(/^Nag\//, '')}`);

    expect(scopes.sort()).toEqual(
      [
        'AwsSolutions-SMG4 at WebhookSecret',
        'AwsSolutions-L1 at CreatePost/Function',
        'AwsSolutions-L1 at ListPosts/Function',
        'AwsSolutions-L1 at GetPost/Function',
        'AwsSolutions-L1 at Webhook/Function',
        'AwsSolutions-L1 at PublishFromQueue/Function',
        'AwsSolutions-APIG2 at Api/RestApi',
        'AwsSolutions-APIG3 at Api/RestApi/DeploymentStage.prod',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs] at Api/RestApi/CloudWatchRole',
        'AwsSolutions-APIG4 at Api/RestApi/Default/v1/posts/POST',
        'AwsSolutions-COG4 at Api/RestApi/Default/v1/posts/POST',
        'AwsSolutions-APIG4 at Api/RestApi/Default/v1/posts/GET',
        'AwsSolutions-COG4 at Api/RestApi/Default/v1/posts/GET',
        'AwsSolutions-APIG4 at Api/RestApi/Default/v1/posts/{id}/GET',
        'AwsSolutions-COG4 at Api/RestApi/Default/v1/posts/{id}/GET',
        'AwsSolutions-APIG4 at Api/RestApi/Default/v1/webhooks/{source}/POST',
        'AwsSolutions-COG4 at Api/RestApi/Default/v1/webhooks/{source}/POST',
      ].sort(),
    );
  });
});
