import { createHash, createHmac } from 'node:crypto';

/** AWS credentials, as Lambda provides them in its environment. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigningInput {
  method: string;
  /** The Host header value: the endpoint's host name, with the port when it is not the default. */
  host: string;
  /** Request path, already URI-encoded. DynamoDB's is `/`. */
  path: string;
  /** Headers to sign and send, by lower-case name. The signer adds `host`, `x-amz-date` and the token. */
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  credentials: AwsCredentials;
  /** Signing time. Default: now. */
  date?: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * Signs requests with AWS Signature Version 4, in the Authorization header form, using synchronous
 * `node:crypto` hashing. The derived signing key depends only on the secret, the day, the region and
 * the service, so the last one is kept and reused until one of them changes.
 */
export class SigV4Signer {
  private cachedKey: { secret: string; scope: string; key: Buffer } | undefined;

  /** Signs a request and returns the headers to send: the input headers plus `host`, `x-amz-date`, the token and `authorization`. */
  sign(input: SigningInput): Record<string, string> {
    const amzDate = toAmzDate(input.date ?? new Date());
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${input.region}/${input.service}/aws4_request`;

    const headers: Record<string, string> = { ...input.headers, host: input.host, 'x-amz-date': amzDate };
    if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;

    const names = Object.keys(headers).sort();
    const canonicalHeaders = names.map((name) => `${name}:${normalizeHeaderValue(headers[name] as string)}\n`).join('');
    const signedHeaders = names.join(';');
    const canonicalRequest = [input.method, input.path, '', canonicalHeaders, signedHeaders, sha256Hex(input.body)].join('\n');
    const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const signature = createHmac('sha256', this.signingKey(input.credentials.secretAccessKey, scope, input)).update(stringToSign).digest('hex');

    headers.authorization =
      `${ALGORITHM} Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }

  private signingKey(secret: string, scope: string, input: SigningInput): Buffer {
    const cached = this.cachedKey;
    if (cached && cached.secret === secret && cached.scope === scope) return cached.key;

    const day = scope.slice(0, 8);
    const dayKey = hmac(`AWS4${secret}`, day);
    const regionKey = hmac(dayKey, input.region);
    const serviceKey = hmac(regionKey, input.service);
    const key = hmac(serviceKey, 'aws4_request');
    this.cachedKey = { secret, scope, key };
    return key;
  }
}

/** Formats a time as SigV4's basic ISO 8601 form, for example `20240102T030405Z`. */
function toAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Trims a header value and folds runs of spaces, as the canonical request requires. */
function normalizeHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
