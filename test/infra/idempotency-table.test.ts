import { App, type CfnElement, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';

import { IdempotencyTable } from '../../infra/idempotency-table.js';
import { EXPIRY_ATTRIBUTE, RECORD_ID_ATTRIBUTE, STORE_ACTIONS, TABLE_NAME_VARIABLE } from '../../lib/record.js';

// A user's own stack: one function of theirs, plus the two lines that add the table.
const stack = new Stack(new App(), 'UserStack');
const userFunction = new lambda.Function(stack, 'UserFunction', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 204 });'),
});

const idempotency = new IdempotencyTable(stack, 'Idempotency');
idempotency.grantStore(userFunction);

// A second table with the optional settings, to check that they reach the template.
const named = new IdempotencyTable(stack, 'Named', {
  tableName: 'orders-idempotency',
  removalPolicy: RemovalPolicy.DESTROY,
});

const template = Template.fromStack(stack);
const tableId = stack.getLogicalId(idempotency.table.node.defaultChild as CfnElement);
const namedTableId = stack.getLogicalId(named.table.node.defaultChild as CfnElement);
const tables = template.findResources('AWS::DynamoDB::Table');

describe('IdempotencyTable', () => {
  test('partition key is the record id', () => {
    expect(tables[tableId]?.Properties.KeySchema).toEqual([{ AttributeName: RECORD_ID_ATTRIBUTE, KeyType: 'HASH' }]);
    expect(tables[tableId]?.Properties.AttributeDefinitions).toEqual([
      { AttributeName: RECORD_ID_ATTRIBUTE, AttributeType: 'S' },
    ]);
  });

  test('TTL is the library expiry attribute', () => {
    expect(tables[tableId]?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: EXPIRY_ATTRIBUTE,
      Enabled: true,
    });
  });

  test('data-safety settings by default', () => {
    const table = tables[tableId];

    expect(table?.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table?.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table?.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.Properties.TableName).toBeUndefined();
  });

  test('table name and removal policy are settable', () => {
    const table = tables[namedTableId];

    expect(table?.Properties.TableName).toBe('orders-idempotency');
    expect(table?.DeletionPolicy).toBe('Delete');
  });
});

describe('IdempotencyTable.grantStore', () => {
  test('grants exactly the store actions on the table', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));

    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: [...STORE_ACTIONS], Resource: [{ 'Fn::GetAtt': [tableId, 'Arn'] }] },
    ]);
  });

  test('sets the table name variable', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [TABLE_NAME_VARIABLE]: { Ref: tableId } } },
    });
  });
});
