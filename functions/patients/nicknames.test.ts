import assert from 'node:assert/strict';
import { test } from 'node:test';
import { areNicknames, foldName, NICKNAMES, nicknamesOf } from './nicknames.js';

test('the table holds at least thirty names with their nicknames', () => {
  assert.ok(Object.keys(NICKNAMES).length >= 30);
});

test('a nickname and its formal name are nicknames of one another, in either order', () => {
  assert.ok(areNicknames('William', 'Bill'));
  assert.ok(areNicknames('Peggy', 'Margaret'));
  assert.ok(areNicknames('José', 'Pepe'));
});

test('two nicknames of the same name count as the same name', () => {
  assert.ok(areNicknames('Bill', 'Will'));
  assert.ok(areNicknames('Liz', 'Beth'));
});

test('case and accents do not matter', () => {
  assert.ok(areNicknames('JOSE', 'pepe'));
  assert.ok(areNicknames('Malgorzata', 'Gosia'));
});

test('different names are not nicknames, and a name is not its own nickname', () => {
  assert.equal(areNicknames('William', 'Robert'), false);
  assert.equal(areNicknames('Bill', 'Bob'), false);
  assert.equal(areNicknames('Maria', 'Maria'), false);
});

test('nicknamesOf gives the nicknames of a formal name and the formal names of a nickname', () => {
  assert.deepEqual(nicknamesOf('margaret'), ['Peggy', 'Maggie', 'Meg', 'Marge', 'Greta']);
  assert.deepEqual(nicknamesOf('Steve'), ['Steven', 'Stephen']);
  assert.deepEqual(nicknamesOf('Zoë'), []);
});

test('folding removes accents and case, the Polish ł included', () => {
  assert.equal(foldName('Łukasz Müller'), 'lukasz muller');
});
