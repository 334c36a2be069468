import middy from '@middy/core';

// Guards the Middy 7 run: jest.middy7.config.js maps @middy/core to Middy 7, and this file runs in both.
test('middy exposes earlyResponse short-circuit', async () => {
  const handler = middy(async () => 'handler ran').use({
    before: (request) => {
      request.earlyResponse = undefined;
    },
  });

  expect(await handler({}, {} as never)).toBeUndefined();
});
