/**
 * Client JSON read without recursion: a body nested thousands of levels deep must be a fast 400, never a
 * stack overflow in whatever walks it next (our Unicode check, Ajv, the logger). The nesting is measured on
 * the text before it is parsed, and the parsed value is walked with an explicit stack.
 */
import type { FieldError } from './errors.js';

/** Deeper than any body openapi.yaml describes (patients, users and invoices nest 2 levels) by far. */
export const MAX_JSON_DEPTH = 32;

/** Whether `text` opens more than `limit` objects or arrays inside one another (strings are skipped). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}

/** U+FFFD (what invalid UTF-8 decodes to) or a surrogate without its pair: text that cannot be stored faithfully. */
const GARBLED = /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface UnreadableText {
  /** Some string holds a NUL character, which PostgreSQL text cannot store. */
  nul: boolean;
  /** Strings that are not valid Unicode, by JSON pointer, at most `maxFields`. */
  fields: FieldError[];
}

/** Finds strings (keys included) that PostgreSQL cannot store faithfully, walking the value without recursion. */
export function findUnreadableText(value: unknown, maxFields: number): UnreadableText {
  const found: UnreadableText = { nul: false, fields: [] };
  const check = (text: string, pointer: string) => {
    if (text.includes('\0')) found.nul = true;
    else if (GARBLED.test(text) && found.fields.length < maxFields) {
      found.fields.push({ field: pointer || '/', message: 'must be valid Unicode text (no U+FFFD replacement characters or unpaired surrogates)' });
    }
  };
  // Breadth first over a growing list: no recursion, and fields are reported in the order they were written.
  const pending: [unknown, string][] = [[value, '']];
  for (let i = 0; i < pending.length && !found.nul; i += 1) {
    const [item, pointer] = pending[i]!;
    if (typeof item === 'string') check(item, pointer);
    else if (item && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        check(key, `${pointer}/${key}`);
        pending.push([child, `${pointer}/${key}`]);
      }
    }
  }
  return found;
}
