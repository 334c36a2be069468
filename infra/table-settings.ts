import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

/** Data-safety settings shared by every table in this app. */
export interface ProtectedTableSettings {
  readonly billingMode: dynamodb.BillingMode;
  readonly pointInTimeRecoverySpecification: dynamodb.PointInTimeRecoverySpecification;
  readonly encryption: dynamodb.TableEncryption;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Returns the settings that every table gets: on-demand billing, point-in-time recovery and encryption with the
 * AWS-managed key (`aws/dynamodb`), so the functions need no KMS permissions.
 */
export function protectedTableSettings(removalPolicy: RemovalPolicy = RemovalPolicy.RETAIN): ProtectedTableSettings {
  return {
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy,
  };
}
