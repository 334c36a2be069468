/**
 * The lean transport's earlier name, kept so existing imports work. It used `fetch` and aws4fetch until
 * measurements showed Node 20's `fetch` costing tens of milliseconds at its first call and WebCrypto
 * signing about a millisecond per request. `HttpTransport` replaced both (see docs/benchmarks.md).
 */
export {
  HttpTransport as FetchTransport,
  DynamoDBRequestError,
  DynamoDBTimeoutError,
  type HttpTransportOptions as FetchTransportOptions,
  type AwsCredentials,
} from './http-transport.js';
