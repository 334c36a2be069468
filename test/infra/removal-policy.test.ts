import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { PostingApiStack } from '../../infra/posting-api-stack.js';
import { REMOVAL_POLICY_CONTEXT, removalPolicyFromContext } from '../../infra/removal-policy.js';

// These checks read deletion policies only, so the functions are not bundled: the empty bundling-stacks list
// makes the Lambda assets placeholders and saves the esbuild runs.
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

const app = new App({ context: { ...SKIP_BUNDLING, removalPolicy: 'destroy' } });
const template = Template.fromStack(new PostingApiStack(app, 'Development'));

describe('removalPolicy=destroy', () => {
  test('tables are deleted with the stack', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));

    expect(tables).toHaveLength(2);
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.UpdateReplacePolicy).toBe('Delete');
    }
  });

  test('webhook secret is deleted with the stack', () => {
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('log groups are deleted with the stack', () => {
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));

    // One per function, and the API's access and execution logs.
    expect(logGroups).toHaveLength(7);
    for (const logGroup of logGroups) {
      expect(logGroup.DeletionPolicy).toBe('Delete');
    }
  });

  test('account CloudWatch role is still retained', () => {
    // The API Gateway account setting is shared by every API in the region.
    template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
  });
});

describe('removalPolicyFromContext', () => {
  test.each([
    [undefined, RemovalPolicy.RETAIN],
    ['retain', RemovalPolicy.RETAIN],
    ['destroy', RemovalPolicy.DESTROY],
  ])('%s selects %s', (value, expected) => {
    const context = value === undefined ? {} : { [REMOVAL_POLICY_CONTEXT]: value };

    expect(removalPolicyFromContext(new App({ context }))).toBe(expected);
  });

  test('unknown value is rejected', () => {
    const typoApp = new App({ context: { [REMOVAL_POLICY_CONTEXT]: 'delete' } });

    expect(() => removalPolicyFromContext(typoApp)).toThrow(
      'Invalid context value removalPolicy="delete": expected "retain" or "destroy".',
    );
  });
});
