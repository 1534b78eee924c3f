/**
 * One-edit typing mistakes in a name, the four kinds the Damerau–Levenshtein distance counts: a letter left
 * out, one typed twice or with its neighbour, a neighbouring key hit instead, two letters swapped.
 */
import type { Random } from './random.js';

export const TYPO_EDITS = ['insertion', 'deletion', 'substitution', 'transposition'] as const;
export type TypoEdit = (typeof TYPO_EDITS)[number];

const QWERTY_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** The keys touching a letter's key on a QWERTY keyboard (same row and the rows above and below). */
export function adjacentKeys(letter: string): string[] {
  const lower = letter.toLowerCase();
  const row = QWERTY_ROWS.findIndex((keys) => keys.includes(lower));
  if (row < 0) return [];
  const column = QWERTY_ROWS[row]!.indexOf(lower);
  const near: string[] = [];
  for (const r of [row - 1, row, row + 1]) {
    const keys = QWERTY_ROWS[r];
    if (!keys) continue;
    // Rows are staggered: the row below sits half a key to the right, so its neighbours are column-1 and column.
    const columns = r === row ? [column - 1, column + 1] : r < row ? [column, column + 1] : [column - 1, column];
    for (const c of columns) if (keys[c]) near.push(keys[c]!);
  }
  return near;
}

const sameCase = (replacement: string, original: string) => (original === original.toUpperCase() ? replacement.toUpperCase() : replacement);
/** The base letter of an accented one, for its key ("é" is typed near "e"). */
const baseLetter = (letter: string) => letter.normalize('NFD').replace(/\p{M}/gu, '');

/**
 * The word with one edit at a letter position; the first letter only one time in ten, because people rarely
 * get the start of a name wrong (and matchers that block on it should be tested by the rare case, not flooded).
 * Null when the word is too short for the edit.
 */
export function typo(word: string, random: Random, edit: TypoEdit = random.pick(TYPO_EDITS)): string | null {
  const chars = [...word];
  const letters = chars.map((c, i) => (/\p{L}/u.test(c) ? i : -1)).filter((i) => i >= 0);
  if (letters.length < 3) return null;
  const later = letters.slice(1);
  const at = random.chance(0.1) ? letters[0]! : random.pick(later);
  const char = chars[at]!;
  const near = adjacentKeys(baseLetter(char));
  switch (edit) {
    case 'deletion':
      chars.splice(at, 1);
      break;
    case 'insertion':
      chars.splice(at + 1, 0, random.chance(0.5) || near.length === 0 ? char.toLowerCase() : random.pick(near));
      break;
    case 'substitution':
      if (near.length === 0) return null;
      chars[at] = sameCase(random.pick(near), char);
      break;
    case 'transposition': {
      const next = chars[at + 1];
      if (next === undefined || next.toLowerCase() === char.toLowerCase() || !/\p{L}/u.test(next)) return null;
      // The capital stays first: "Ümller" for "Müller", not "üMller".
      chars[at] = sameCase(next.toLowerCase(), char);
      chars[at + 1] = char.toLowerCase();
      break;
    }
  }
  const result = chars.join('');
  return result === word ? null : result;
}
