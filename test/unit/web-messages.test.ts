import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors/catalogue.js';
import { errorMessage, errors, JOURNEY_ENDING_CODES } from '../../web/src/messages.js';

describe('the hosted pages’ message bundle', () => {
  it('has a human sentence for every code of the error catalogue, and nothing else', () => {
    expect(ERROR_CODES.filter((code) => !errors[code])).toEqual([]);
    expect(Object.keys(errors).filter((code) => code !== 'NETWORK' && !(ERROR_CODES as string[]).includes(code))).toEqual([]);
    for (const code of ERROR_CODES) {
      const sentence = errors[code]!;
      expect(sentence, code).toMatch(/^[A-Z].*[.!]$/);
      expect(sentence, `${code} shows no code to the customer`).not.toMatch(/CIAM_|E0\\d/);
    }
  });

  it('says the same for an unknown user and a wrong password (no user enumeration)', () => {
    // One code covers both, and its sentence blames the pair, never the username alone.
    expect(errors.CIAM_E01_01_001).toMatch(/username or password/);
    expect(Object.values(errors).filter((s) => /(user|account)\w* (was )?(not found|does not exist|is unknown)|unknown (user|username)|no such user/i.test(s))).toEqual([]);
  });

  it('falls back to a generic sentence for a code it does not know', () => {
    expect(errorMessage('SOMETHING_NEW')).toBe('Something went wrong. Please try again.');
    expect(errorMessage(undefined)).toBe('Something went wrong. Please try again.');
  });

  it('ends the journey only on codes of the catalogue', () => {
    for (const code of JOURNEY_ENDING_CODES) expect(ERROR_CODES).toContain(code);
  });
});
