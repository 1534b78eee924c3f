import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findUnreadableText, nestsDeeperThan } from './json-body.js';

describe('JSON nesting measured on the text', () => {
  test('a body exactly at the limit passes and one level more does not', () => {
    assert.equal(nestsDeeperThan(`${'['.repeat(3)}${']'.repeat(3)}`, 3), false);
    assert.equal(nestsDeeperThan(`${'['.repeat(4)}${']'.repeat(4)}`, 3), true);
    assert.equal(nestsDeeperThan('{"a":{"b":{"c":{}}}}', 3), true);
  });

  test('brackets inside strings, escaped quotes included, do not count', () => {
    assert.equal(nestsDeeperThan('{"name":"[[[[{{{{\\"[[[["}', 1), false);
    assert.equal(nestsDeeperThan('["\\\\",[[]]]', 2), true);
  });

  test('siblings do not add up: depth is how far inside, not how many', () => {
    assert.equal(nestsDeeperThan(`[${'[],'.repeat(1000)}[]]`, 2), false);
  });

  test('a million levels is answered without a stack overflow', () => {
    assert.equal(nestsDeeperThan('['.repeat(1_000_000), 32), true);
  });
});

describe('text PostgreSQL cannot store', () => {
  test('NUL anywhere, in a value or a key, is found', () => {
    assert.equal(findUnreadableText({ a: ['x', { b: 'y\0' }] }, 20).nul, true);
    assert.equal(findUnreadableText({ 'k\0': 1 }, 20).nul, true);
    assert.equal(findUnreadableText({ a: '\\u0000 written as text' }, 20).nul, false);
  });

  test('garbled text is reported by pointer, in the order written, at most the limit', () => {
    const found = findUnreadableText({ name: 'ok', email: '\uD800x', nested: { address: 'bad \uFFFD' } }, 20);
    assert.deepEqual(found.fields.map((f) => f.field), ['/email', '/nested/address']);
    assert.equal(findUnreadableText(Array.from({ length: 50 }, () => '\uDC00'), 5).fields.length, 5);
  });

  test('a paired surrogate (an emoji) is valid text', () => {
    assert.deepEqual(findUnreadableText({ name: 'Zoë 👩‍⚕️' }, 20).fields, []);
  });

  test('a value nested a hundred thousand levels deep is walked without recursion', () => {
    let deep: unknown = 'bottom\0';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    assert.equal(findUnreadableText(deep, 20).nul, true);
  });
});
