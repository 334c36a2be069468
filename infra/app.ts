import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

import { PostingApiStack } from './posting-api-stack.js';

const app = new App();

// No `env`: the stack is environment-agnostic, so synthesis needs no AWS account, credentials or lookups.
// `cdk deploy` takes the account and region from the caller's AWS configuration.
new PostingApiStack(app, 'PostingApi', {
  description: 'Idempotent posting API: REST API, SQS consumer and DynamoDB tables',
});

// cdk-nag checks every resource against the AwsSolutions rules during synthesis, and an unacknowledged
// finding fails `cdk synth`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
