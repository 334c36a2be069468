/**
 * Returns the shared secret of a webhook source, or undefined when no secret is configured for it.
 * A rejected promise means the secrets could not be loaded.
 */
export type WebhookSecrets = (source: string) => Promise<string | undefined>;

/** The part of an AWS SDK v3 `SecretsManagerClient` used here. */
export interface SecretsManagerClientLike {
  // The SDK's send() is overloaded per command; any command object is accepted here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send(command: any): Promise<{ SecretString?: string }>;
}

export interface SecretsManagerWebhookSecretsOptions {
  /** ARN or name of the secret whose value is a JSON object that maps each source name to its shared secret. */
  secretId: string;
  /** Your own `SecretsManagerClient`. Default: a client with the SDK's default configuration, created on first use. */
  client?: SecretsManagerClientLike;
}

/** Uses one secret for every source, for local development. */
export function sharedWebhookSecret(secret: string): WebhookSecrets {
  checkSecret(secret, 'sharedWebhookSecret() secret');
  return async () => secret;
}

/**
 * Reads the sources' secrets from one AWS Secrets Manager secret, for example `{"github": "..."}`. The
 * secret is read on the first delivery and kept for the life of the execution environment, so a changed
 * secret takes effect in new environments only. A failed read is not kept: the next delivery reads again.
 */
export function secretsManagerWebhookSecrets(options: SecretsManagerWebhookSecretsOptions): WebhookSecrets {
  if (typeof options?.secretId !== 'string' || options.secretId === '') {
    throw new TypeError('secretsManagerWebhookSecrets() needs { secretId }, the ARN or name of the secret that contains the webhook secrets.');
  }

  let client = options.client;
  const getClient = async (sdk: SecretsManagerModule): Promise<SecretsManagerClientLike> =>
    (client ??= new sdk.SecretsManagerClient({}));

  let loading: Promise<ReadonlyMap<string, string>> | undefined;
  const load = (): Promise<ReadonlyMap<string, string>> => {
    loading ??= readSecretMap(options.secretId, getClient).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  return async (source) => (await load()).get(source);
}

type SecretsManagerModule = typeof import('@aws-sdk/client-secrets-manager');

/** Reads and parses the secret. The SDK loads on first use, and `getClient` creates the client once. */
async function readSecretMap(
  secretId: string,
  getClient: (sdk: SecretsManagerModule) => Promise<SecretsManagerClientLike>,
): Promise<ReadonlyMap<string, string>> {
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const client = await getClient(sdk);
  const output = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
  return parseSecretMap(output.SecretString, secretId);
}

/**
 * Parses a secret value that maps source names to shared secrets. Error messages name the secret and
 * the source, never a secret value.
 */
export function parseSecretMap(secretString: string | undefined, secretId: string): ReadonlyMap<string, string> {
  if (secretString === undefined) {
    throw new TypeError(`The secret ${secretId} has no string value; store a JSON object such as {"github": "<shared secret>"}.`);
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new TypeError(`The secret ${secretId} is not valid JSON; store a JSON object such as {"github": "<shared secret>"}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(`The secret ${secretId} is not a JSON object; store one such as {"github": "<shared secret>"}.`);
  }

  const secrets = new Map<string, string>();
  for (const [source, secret] of Object.entries(parsed)) {
    checkSecret(secret, `The secret ${secretId}: the value of source ${JSON.stringify(source)}`);
    secrets.set(source, secret as string);
  }
  return secrets;
}

function checkSecret(secret: unknown, name: string): void {
  if (typeof secret !== 'string' || secret === '') {
    throw new TypeError(`${name} must be a non-empty string; received ${secret === '' ? 'an empty string' : typeof secret}.`);
  }
}
