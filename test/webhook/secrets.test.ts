import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManagerWebhookSecrets, type SecretsManagerClientLike } from '../../lib/index.js';
import { parseSecretMap } from '../../lib/webhook-secrets.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhooks-AbCdEf';

/** A Secrets Manager client that returns the listed results, one per call, and records the calls. */
function scriptedClient(results: Array<string | Error>) {
  const calls: GetSecretValueCommand[] = [];
  const client: SecretsManagerClientLike = {
    send: async (command: GetSecretValueCommand) => {
      calls.push(command);
      const result = results[Math.min(calls.length - 1, results.length - 1)] as string | Error;
      if (result instanceof Error) throw result;
      return { SecretString: result };
    },
  };
  return { client, calls };
}

test('reads the secret once', async () => {
  const { client, calls } = scriptedClient(['{"github":"gh-secret","stripe":"st-secret"}']);
  const secrets = secretsManagerWebhookSecrets({ secretId: SECRET_ARN, client });

  const results = await Promise.all([secrets('github'), secrets('stripe'), secrets('gitlab')]);
  const later = await secrets('github');

  expect(results).toEqual(['gh-secret', 'st-secret', undefined]);
  expect(later).toBe('gh-secret');
  expect(calls).toHaveLength(1);
  expect(calls[0]).toBeInstanceOf(GetSecretValueCommand);
  expect(calls[0]?.input).toEqual({ SecretId: SECRET_ARN });
});

test('failed read is retried next time', async () => {
  const { client, calls } = scriptedClient([new Error('AccessDeniedException'), '{"github":"gh-secret"}']);
  const secrets = secretsManagerWebhookSecrets({ secretId: SECRET_ARN, client });

  await expect(secrets('github')).rejects.toThrow('AccessDeniedException');
  await expect(secrets('github')).resolves.toBe('gh-secret');
  await expect(secrets('github')).resolves.toBe('gh-secret');
  expect(calls).toHaveLength(2);
});

test('invalid secret value is retried next time', async () => {
  const { client, calls } = scriptedClient(['not json', '{"github":"gh-secret"}']);
  const secrets = secretsManagerWebhookSecrets({ secretId: SECRET_ARN, client });

  await expect(secrets('github')).rejects.toThrow(`The secret ${SECRET_ARN} is not valid JSON`);
  await expect(secrets('github')).resolves.toBe('gh-secret');
  expect(calls).toHaveLength(2);
});

test('source names are not inherited properties', async () => {
  const { client } = scriptedClient(['{"github":"gh-secret"}']);
  const secrets = secretsManagerWebhookSecrets({ secretId: SECRET_ARN, client });

  await expect(secrets('constructor')).resolves.toBeUndefined();
  await expect(secrets('__proto__')).resolves.toBeUndefined();
});

describe('secret value checks', () => {
  test.each([
    [undefined, /has no string value; store a JSON object such as \{"github": "<shared secret>"\}/],
    ['["a"]', /is not a JSON object/],
    ['"gh-secret"', /is not a JSON object/],
    ['null', /is not a JSON object/],
    ['{"github":""}', /the value of source "github" must be a non-empty string; received an empty string/],
    ['{"github":42}', /the value of source "github" must be a non-empty string; received number/],
  ])('rejects %j', (value, message) => {
    expect(() => parseSecretMap(value, SECRET_ARN)).toThrow(message);
  });

  test('messages never contain secret values', () => {
    expect(() => parseSecretMap('{"github":"gh-secret","stripe":7}', SECRET_ARN)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('gh-secret') }),
    );
  });
});

test('rejects a missing secret id', () => {
  expect(() => secretsManagerWebhookSecrets({ secretId: '' })).toThrow(
    'secretsManagerWebhookSecrets() needs { secretId }, the ARN or name of the secret that contains the webhook secrets.',
  );
});
