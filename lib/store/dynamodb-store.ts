import type { IdempotencyRecord, RecordStatus } from '../record.js';
import { EXPIRY_ATTRIBUTE, RECORD_ID_ATTRIBUTE, TABLE_NAME_VARIABLE } from '../record.js';
import { decodeResult, encodeResult, type EncodedResult } from '../result-codec.js';
import type { SavedResult } from '../saved-result.js';
import { HttpTransport, type HttpTransportOptions } from './http-transport.js';
import { LeaseLostError, TableNotFoundError, type ClaimInput, type ClaimOutcome, type RecordStore } from './record-store.js';
import { SdkTransport, type SdkClient } from './sdk-transport.js';
import {
  ConditionalCheckFailedError,
  type AttributeMap,
  type AttributeValue,
  type DynamoDBTransport,
  type StoreOperation,
} from './transport.js';

/**
 * DynamoDB's item size limit is 400 KB, counting attribute names and values. The other attributes of a
 * record take under 400 bytes, so a saved result may use the rest minus a safety margin.
 */
export const MAX_RESULT_BYTES = 400 * 1024 - 4 * 1024;

export interface DynamoDBStoreOptions {
  /** Table name. Default: the `IDEMPOTENCY_TABLE_NAME` environment variable. */
  tableName?: string;
  /**
   * Your own AWS SDK v3 `DynamoDBClient` or `DynamoDBDocumentClient`. Default: a lean transport that
   * signs requests with the Lambda's credentials from the environment and does not load the SDK.
   */
  client?: SdkClient;
  /** Options of the lean transport; ignored when `client` is set. */
  transport?: HttpTransportOptions;
}

const OPTION_NAMES = new Set(['tableName', 'client', 'transport']);

// Attribute names; the key and expiry names are shared with the CDK stack.
const ID = RECORD_ID_ATTRIBUTE;
const EXPIRES_AT = EXPIRY_ATTRIBUTE;
const STATUS = 'status';
const FINGERPRINT = 'fingerprint';
const LEASE_TOKEN = 'leaseToken';
const LEASE_EXPIRES_AT = 'leaseExpiresAt';
const RESULT = 'result';

/** Record store on a DynamoDB table whose partition key is the string attribute `id`. */
export class DynamoDBStore implements RecordStore {
  readonly tableName: string;
  private readonly transport: DynamoDBTransport;

  constructor(options: DynamoDBStoreOptions = {}, transport?: DynamoDBTransport) {
    for (const name of Object.keys(options)) {
      if (!OPTION_NAMES.has(name)) {
        throw new TypeError(`Unknown DynamoDBStore option "${name}"; valid options are ${[...OPTION_NAMES].join(', ')}.`);
      }
    }
    const tableName = options.tableName ?? process.env[TABLE_NAME_VARIABLE];
    if (!tableName) {
      throw new TypeError(
        `DynamoDBStore needs a table name: set the ${TABLE_NAME_VARIABLE} environment variable or pass { tableName }.`,
      );
    }
    this.tableName = tableName;
    this.transport = transport ?? (options.client ? new SdkTransport(options.client) : new HttpTransport(options.transport));
  }

  async claim(input: ClaimInput): Promise<ClaimOutcome> {
    try {
      await this.send('PutItem', {
        TableName: this.tableName,
        Item: {
          [ID]: { S: input.id },
          [STATUS]: { S: 'IN_PROGRESS' satisfies RecordStatus },
          [FINGERPRINT]: { S: input.fingerprint },
          [LEASE_TOKEN]: { S: input.leaseToken },
          [LEASE_EXPIRES_AT]: { N: String(input.leaseExpiresAt) },
          [EXPIRES_AT]: { N: String(input.expiresAt) },
        },
        // The record is free when it does not exist or has expired (TTL deletes late, so expiry is checked
        // here). It is also free when it is in progress for the same request and its invocation's lease ended.
        ConditionExpression:
          'attribute_not_exists(#id) OR #expiresAt <= :nowSeconds OR ' +
          '(#status = :inProgress AND #fingerprint = :fingerprint AND #leaseExpiresAt <= :nowMs)',
        ExpressionAttributeNames: {
          '#id': ID,
          '#expiresAt': EXPIRES_AT,
          '#status': STATUS,
          '#fingerprint': FINGERPRINT,
          '#leaseExpiresAt': LEASE_EXPIRES_AT,
        },
        ExpressionAttributeValues: {
          ':nowSeconds': { N: String(Math.floor(input.now / 1000)) },
          ':nowMs': { N: String(input.now) },
          ':inProgress': { S: 'IN_PROGRESS' },
          ':fingerprint': { S: input.fingerprint },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedError)) throw error;
      // DynamoDB returns the current item with the failure; servers that do not need one more read.
      const existing = error.item ? toRecord(error.item) : await this.get(input.id);
      return { claimed: false, existing };
    }
  }

  async get(id: string): Promise<IdempotencyRecord | undefined> {
    const output = await this.send('GetItem', {
      TableName: this.tableName,
      Key: { [ID]: { S: id } },
      ConsistentRead: true,
    });
    const item = output.Item as AttributeMap | undefined;
    return item ? toRecord(item) : undefined;
  }

  async complete(input: { id: string; leaseToken: string; result: SavedResult; expiresAt: number }): Promise<{ omitted: boolean }> {
    const { encoded, omitted } = encodeResult(input.result, MAX_RESULT_BYTES);
    await this.whileLeaseHeld(input.id, () =>
      this.send('UpdateItem', {
        TableName: this.tableName,
        Key: { [ID]: { S: input.id } },
        UpdateExpression: 'SET #status = :completed, #result = :result, #expiresAt = :expiresAt',
        ConditionExpression: '#leaseToken = :leaseToken',
        ExpressionAttributeNames: {
          '#status': STATUS,
          '#result': RESULT,
          '#expiresAt': EXPIRES_AT,
          '#leaseToken': LEASE_TOKEN,
        },
        ExpressionAttributeValues: {
          ':completed': { S: 'COMPLETED' satisfies RecordStatus },
          ':result': toResultAttribute(encoded),
          ':expiresAt': { N: String(input.expiresAt) },
          ':leaseToken': { S: input.leaseToken },
        },
      }),
    );
    return { omitted };
  }

  async release(input: { id: string; leaseToken: string }): Promise<void> {
    await this.whileLeaseHeld(input.id, () =>
      this.send('DeleteItem', {
        TableName: this.tableName,
        Key: { [ID]: { S: input.id } },
        // A record that is already gone counts as released, so a retried delete succeeds. A completed record
        // is never deleted, even with this invocation's token.
        ConditionExpression: 'attribute_not_exists(#id) OR (#leaseToken = :leaseToken AND #status = :inProgress)',
        ExpressionAttributeNames: { '#id': ID, '#leaseToken': LEASE_TOKEN, '#status': STATUS },
        ExpressionAttributeValues: { ':leaseToken': { S: input.leaseToken }, ':inProgress': { S: 'IN_PROGRESS' } },
      }),
    );
  }

  /** Sends one operation, turning a missing table into an error that names it. */
  private async send(operation: StoreOperation, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      return await this.transport.send(operation, input);
    } catch (error) {
      const code = (error as { code?: unknown }).code ?? (error as { name?: unknown }).name;
      if (code === 'ResourceNotFoundException') throw new TableNotFoundError(this.tableName, error);
      throw error;
    }
  }

  private async whileLeaseHeld(id: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedError) throw new LeaseLostError(id);
      throw error;
    }
  }
}

function toResultAttribute(encoded: EncodedResult): AttributeValue {
  return typeof encoded === 'string' ? { S: encoded } : { B: encoded };
}

function toRecord(item: AttributeMap): IdempotencyRecord {
  const record: IdempotencyRecord = {
    id: readString(item, ID),
    status: readString(item, STATUS) as RecordStatus,
    fingerprint: readString(item, FINGERPRINT),
    leaseToken: readString(item, LEASE_TOKEN),
    leaseExpiresAt: readNumber(item, LEASE_EXPIRES_AT),
    expiresAt: readNumber(item, EXPIRES_AT),
  };

  const result = item[RESULT];
  if (result && 'S' in result) record.result = decodeResult(result.S);
  // The JSON API carries binary values as base64 text; SDK clients return bytes.
  if (result && 'B' in result) {
    record.result = decodeResult(typeof result.B === 'string' ? Buffer.from(result.B, 'base64') : result.B);
  }
  return record;
}

function readString(item: AttributeMap, name: string): string {
  const value = item[name];
  if (value && 'S' in value) return value.S;
  throw new TypeError(`Idempotency record attribute "${name}" is missing or not a string. The table contains an item this library did not write; use a table of its own.`);
}

function readNumber(item: AttributeMap, name: string): number {
  const value = item[name];
  if (value && 'N' in value) return Number(value.N);
  throw new TypeError(`Idempotency record attribute "${name}" is missing or not a number. The table contains an item this library did not write; use a table of its own.`);
}
