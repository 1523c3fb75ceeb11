import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * Password strength: zxcvbn's estimate against the common-password and diceware lists
 * and keyboard patterns, plus what the user typed elsewhere (e-mail, names), on top of
 * the 8-character minimum of the request schema. Score 2 of 4 ("somewhat guessable":
 * more than 10^8 guesses) is the floor: log-ins are rate-limited and hashes are scrypt.
 */
const MIN_SCORE = 2;

let checker: Promise<ZxcvbnFactory> | undefined;
/** The dictionaries take a few hundred ms to load and build: at the first password set, not at every boot. */
function zxcvbn(): Promise<ZxcvbnFactory> {
  checker ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')])
    .then(([{ ZxcvbnFactory }, { adjacencyGraphs, dictionary }]) => new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs }));
  return checker;
}

const REASONS: Record<string, string> = {
  topTen: 'it is one of the ten most used passwords',
  topHundred: 'it is one of the hundred most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is very close to a commonly used password',
  simpleRepeat: 'it repeats one character',
  extendedRepeat: 'it repeats a short pattern',
  straightRow: 'it is a row of keys',
  keyPattern: 'it is a keyboard pattern',
  sequences: 'it is a sequence like abc or 123',
  recentYears: 'it is a recent year',
  dates: 'it is a date',
  userInputs: 'it contains your e-mail or name',
};

/** Why `password` is too weak (a sentence for the 400 detail), or null when it is fine. */
export async function passwordWeakness(password: string, userInputs: string[] = []): Promise<string | null> {
  // zxcvbn's cost grows with length; past 100 characters a password is not guessable anyway.
  const result = (await zxcvbn()).check(password.slice(0, 100), userInputs.flatMap((s) => [s, ...s.split(/[@\s.]+/)]).filter((s) => s.length >= 3));
  if (result.score >= MIN_SCORE) return null;
  const reason = (result.feedback.warning && REASONS[result.feedback.warning]) ?? 'it is too easy to guess';
  return `This password is too weak: ${reason}. Use a longer passphrase of several unrelated words, or a password manager.`;
}
