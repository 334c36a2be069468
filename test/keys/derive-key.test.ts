import { deriveKey } from '../../lib/index.js';

test('same parts give the same key', () => {
  expect(deriveKey('order-42', 'charge')).toBe(deriveKey('order-42', 'charge'));
  expect(deriveKey('order-42', 'charge')).toMatch(/^[0-9a-f]{64}$/);
});

test('part boundaries are unambiguous', () => {
  expect(deriveKey('a:b', 'c')).not.toBe(deriveKey('a', 'b:c'));
  expect(deriveKey('ab', 'c')).not.toBe(deriveKey('a', 'bc'));
  expect(deriveKey('1:a', '')).not.toBe(deriveKey('1:a'));
  expect(deriveKey('a', '')).not.toBe(deriveKey('a'));
});

test('order of parts matters', () => {
  expect(deriveKey('charge', 'order-42')).not.toBe(deriveKey('order-42', 'charge'));
});

test('multi-byte parts are unambiguous', () => {
  // "é" is 2 UTF-8 bytes but 1 UTF-16 unit, so a length prefix must count bytes.
  expect(deriveKey('é', 'x')).not.toBe(deriveKey('éx'));
  expect(deriveKey('é')).not.toBe(deriveKey('e\u0301'));
});

test('key is a valid idempotency key', () => {
  const key = deriveKey('workflow-7', 'step', 'attempt-independent');

  expect(key.length).toBeLessThanOrEqual(255);
  expect(key).toMatch(/^[!-~]+$/);
});

test('no parts is an error', () => {
  expect(() => deriveKey()).toThrow('deriveKey() needs at least one part, for example deriveKey(workflowId, stepName).');
});

test.each([
  [[42], 'deriveKey() part 0 is number; pass strings only.'],
  [['a', undefined], 'deriveKey() part 1 is undefined; pass strings only.'],
  [['a', 'b', null], 'deriveKey() part 2 is null; pass strings only.'],
])('non-string part %j is an error', (parts, message) => {
  expect(() => deriveKey(...(parts as string[]))).toThrow(message);
});
