import * as path from 'node:path';

import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Root of this repository: the bundler resolves handlers, `node_modules` and the lock file from here. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Defines `require` for bundled CommonJS dependencies that load Node.js built-ins: esbuild's ES module output has
 * none, so without it such a call throws 'Dynamic require of "..." is not supported'.
 */
const REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export interface HandlerFunctionProps {
  /** Handler file, relative to `functions/` (for example `create-post.ts`); it must export `handler`. */
  readonly handlerFile: string;
  readonly description: string;
  readonly timeout: Duration;
  /** Memory in MiB; Lambda allocates CPU in proportion to it. */
  readonly memorySize: number;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly environment?: Record<string, string>;
}

/**
 * A handler from `functions/` as a Node.js 22 arm64 Lambda function, bundled by the local esbuild (never Docker),
 * with its own log group and an execution role that may write only to that log group. Callers add every
 * other permission with exact grants.
 */
export class HandlerFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // A role of our own in place of the AWSLambdaBasicExecutionRole managed policy, which allows writing to
    // every log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${id} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, 'functions', props.handlerFile),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...props.environment,
        // Stack traces then point into the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Node.js needs only the mappings to rewrite stack traces, so the map leaves out the sources.
        sourcesContent: false,
        // The runtime provides AWS SDK for JavaScript v3, so the bundle leaves it out.
        externalModules: ['@aws-sdk/*'],
        banner: REQUIRE_BANNER,
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The project pins Lambda to nodejs22.x, the runtime its bundle targets (esbuild target node22), so moving ' +
        'to a newer Node.js is a reviewed change rather than a side effect of a library upgrade.',
    });
  }
}
