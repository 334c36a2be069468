import { RemovalPolicy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** Context key that sets the removal policy of the tables, the webhook secret and the log groups. */
export const REMOVAL_POLICY_CONTEXT = 'removalPolicy';

/**
 * Reads the removal policy from the `removalPolicy` context value: `retain` (the default) or `destroy`, which a
 * development stage passes as `-c removalPolicy=destroy` so `cdk destroy` deletes its data too.
 */
export function removalPolicyFromContext(scope: Construct): RemovalPolicy {
  const value: unknown = scope.node.tryGetContext(REMOVAL_POLICY_CONTEXT);

  if (value === undefined || value === 'retain') {
    return RemovalPolicy.RETAIN;
  }
  if (value === 'destroy') {
    return RemovalPolicy.DESTROY;
  }
  throw new Error(
    `Invalid context value ${REMOVAL_POLICY_CONTEXT}=${JSON.stringify(value)}: expected "retain" or "destroy".`,
  );
}
