/**
 * The response shape shared by API Gateway (REST and HTTP APIs), Lambda function URLs and ALB targets.
 */
export interface HttpResponse {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, Array<string | number | boolean>>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
  statusDescription?: string;
}

/** Tells whether a handler result is an HTTP response rather than some other value. */
export function isHttpResponse(value: unknown): value is HttpResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { statusCode?: unknown }).statusCode === 'number'
  );
}
