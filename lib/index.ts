export { idempotent, type IdempotencyState, type Outcome } from './middleware.js';
export type { IdempotentOptions } from './options.js';
export {
  IdempotencyError,
  IdempotencyConflictError,
  IdempotencyInProgressError,
  IdempotencyKeyInvalidError,
  IdempotencyKeyMissingError,
  IdempotencyOptionError,
  IdempotencyUnavailableError,
} from './errors.js';
export { DynamoDBStore, type DynamoDBStoreOptions } from './store/dynamodb-store.js';
export type { RecordStore, ClaimInput, ClaimOutcome } from './store/record-store.js';
export { LeaseLostError, TableNotFoundError } from './store/record-store.js';
export type { DynamoDBTransport } from './store/transport.js';
export { HttpTransport, type HttpTransportOptions } from './store/http-transport.js';
export { deriveKey } from './hashing.js';
export type { HttpRequest } from './http-request.js';
export type { Logger } from './logger.js';
export { EXPIRY_ATTRIBUTE, RECORD_ID_ATTRIBUTE, STORE_ACTIONS, TABLE_NAME_VARIABLE } from './record.js';
export { idempotentRecords, type SqsBatchHandler } from './sqs.js';
export type { IdempotentRecordsOptions } from './sqs-options.js';
export type { RecordHandler, RecordOutcome } from './sqs-record.js';
export { webhookSignature, type WebhookSignatureOptions } from './webhook.js';
export { webhookDeliveryId, webhookSourceScope, type DeliveryIdLocation } from './webhook-delivery-id.js';
export {
  secretsManagerWebhookSecrets,
  sharedWebhookSecret,
  type SecretsManagerClientLike,
  type SecretsManagerWebhookSecretsOptions,
  type WebhookSecrets,
} from './webhook-secrets.js';
export { signWebhookBody } from './webhook-signature.js';
export {
  WebhookDeliveryIdMissingError,
  WebhookSecretUnavailableError,
  WebhookSignatureInvalidError,
  WebhookSourceUnknownError,
} from './webhook-errors.js';
