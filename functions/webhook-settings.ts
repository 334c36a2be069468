/**
 * Configuration names of the webhook function, shared with the CDK stack. This module has no side
 * effects, so the stack can import it without loading the handler.
 */

/** Environment variable with the ARN of the secret that maps each source name to its shared secret. */
export const WEBHOOK_SECRET_ARN_VARIABLE = 'WEBHOOK_SECRET_ARN';

/** Environment variable with the one shared secret every source uses when there is no secret ARN. */
export const WEBHOOK_SECRET_VARIABLE = 'WEBHOOK_SECRET';

/** Shared secret for local development when neither variable is set; never used inside Lambda. */
export const LOCAL_WEBHOOK_SECRET = 'local-webhook-secret';
