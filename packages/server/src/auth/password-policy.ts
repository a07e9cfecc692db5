/**
 * Which new passwords are refused (issue 11.6): besides the length rule of
 * the API schema (8–200), those that are commonly breached or trivially
 * guessable. The check is zxcvbn-ts with its common-password and keyboard
 * dictionaries, offline — a password never leaves the server. The refusal
 * says why ("one of the ten most common passwords") and what helps.
 *
 * The dictionaries cost about 20 MiB and a few hundred milliseconds to load,
 * so they load on the first password set, not at start-up; sign-in never
 * needs them.
 */
import type { ZxcvbnFactory, ZxcvbnResult } from '@zxcvbn-ts/core';

/** English texts for zxcvbn's feedback keys (the library gives keys, not texts). */
const WARNINGS: Record<string, string> = {
  straightRow: 'a straight row of keys is easy to guess',
  keyPattern: 'short keyboard patterns are easy to guess',
  simpleRepeat: 'repeated characters like "aaa" are easy to guess',
  extendedRepeat: 'repeated patterns like "abcabc" are easy to guess',
  sequences: 'sequences like "abc" or "6543" are easy to guess',
  recentYears: 'recent years are easy to guess',
  dates: 'dates are easy to guess',
  topTen: 'it is one of the ten most common passwords',
  topHundred: 'it is one of the hundred most common passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is very similar to a commonly used password',
  wordByItself: 'single words are easy to guess',
  namesByThemselves: 'names on their own are easy to guess',
  commonNames: 'common names are easy to guess',
  userInputs: 'it contains the username or other details of the account',
  pwned: 'it has appeared in a data breach',
};
const SUGGESTIONS: Record<string, string> = {
  l33t: 'avoid predictable letter substitutions like "@" for "a"',
  reverseWords: 'avoid reversed spellings of common words',
  allUppercase: 'capitalize some letters, not all',
  capitalization: 'capitalize more than the first letter',
  dates: 'avoid dates and years that are associated with you',
  recentYears: 'avoid recent years',
  associatedYears: 'avoid years that are associated with you',
  sequences: 'avoid common character sequences',
  repeated: 'avoid repeated words and characters',
  longerKeyboardPattern: 'use longer keyboard patterns and change typing direction several times',
  anotherWord: 'add more words that are less common',
  useWords: 'use several words, but avoid common phrases',
  noNeed: 'you can create strong passwords without symbols, numbers or uppercase letters',
};

let factory: Promise<ZxcvbnFactory> | undefined;

async function load(): Promise<ZxcvbnFactory> {
  const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
  // maxLength bounds the work per check (the API allows 200 characters; the first 100 decide).
  return new ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs, maxLength: 100 });
}

export interface PasswordVerdict {
  ok: boolean;
  /** 0 (too guessable) … 4 (very unguessable) */
  score: number;
  /** why it was refused, in words, with what helps */
  reason: string;
}

/**
 * Judges a new password. `minScore` is zxcvbn's 0–4 scale: 2 (the default)
 * refuses what falls to under about a million guesses — the breached-password
 * lists, keyboard rows, the account's own name.
 */
export async function judgePassword(password: string, userInputs: string[], minScore: number): Promise<PasswordVerdict> {
  factory ??= load();
  const r: ZxcvbnResult = (await factory).check(password, userInputs.filter(Boolean).map((s) => s.toLowerCase()));
  if (r.score >= minScore) return { ok: true, score: r.score, reason: '' };
  const why = (r.feedback.warning && WARNINGS[r.feedback.warning]) || 'it is too easy to guess';
  const help = r.feedback.suggestions.map((s) => SUGGESTIONS[s]).filter(Boolean);
  return {
    ok: false,
    score: r.score,
    reason: `This password is too easy to guess: ${why}. ${help.length ? help.join('; ').replace(/^./, (c) => c.toUpperCase()) + '.' : 'Use a few uncommon words together, or a password manager.'}`,
  };
}
