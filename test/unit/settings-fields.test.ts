import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { flag, httpsUrl, oneOf, optionalText, positiveInt, readEnv, requiredText, SettingsError, wholeNumber } from '../../src/config/fields.js';

const Schema = z.object({
  FLAG: flag(false),
  COUNT: positiveInt(5),
  RANGE: wholeNumber(10, { min: 1, max: 100 }),
  WORD: oneOf(['none', 'transaction'], 'none'),
  SECRET: optionalText({ minLength: 16 }),
  NAME: requiredText(),
  PEER: httpsUrl('https://peer.bank.test'),
});

const read = (env: Record<string, string | undefined>) => readEnv(Schema, { NAME: 'x', ...env });

function refusal(env: Record<string, string | undefined>): string {
  try {
    read(env);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('settings field types', () => {
  it('takes an empty or blank variable as unset', () => {
    expect(read({ FLAG: '', COUNT: ' ', WORD: '', SECRET: '', PEER: '' })).toEqual({
      FLAG: false,
      COUNT: 5,
      RANGE: 10,
      WORD: 'none',
      SECRET: undefined,
      NAME: 'x',
      PEER: 'https://peer.bank.test',
    });
  });

  it('reads flags and words in any case, trimmed', () => {
    expect(read({ FLAG: ' TRUE ', WORD: 'Transaction' })).toMatchObject({ FLAG: true, WORD: 'transaction' });
  });

  it('takes numbers in decimal digits only', () => {
    expect(read({ COUNT: '007' }).COUNT).toBe(7);
    for (const bad of ['0', '-1', '1.5', '1e3', '0x10', '+5', 'five']) expect(refusal({ COUNT: bad })).toBe(`COUNT must be a positive whole number, got "${bad}".`);
    expect(refusal({ RANGE: '101' })).toBe('RANGE must be a whole number from 1 to 100, got "101".');
  });

  it('names the variable, and never shows the value of a text', () => {
    expect(refusal({ NAME: undefined })).toBe('NAME is required.');
    expect(refusal({ SECRET: 'short-secret' })).toBe('SECRET must be at least 16 characters.');
    expect(refusal({ WORD: 'session' })).toBe('WORD must be one of none, transaction, got "session".');
    expect(refusal({ FLAG: 'yes' })).toBe('FLAG must be true or false, got "yes".');
  });

  it('wants https for a peer, plain http only to this machine, and no credentials in the URL', () => {
    expect(read({ PEER: 'http://127.0.0.1:9/' }).PEER).toBe('http://127.0.0.1:9');
    expect(refusal({ PEER: 'http://peer.bank.test' })).toBe('PEER must be an https:// URL.');
    expect(refusal({ PEER: 'https://user:pw@peer.bank.test' })).toBe('PEER must not carry credentials in the URL.');
    expect(refusal({ PEER: 'peer.bank.test' })).toBe('PEER must be an absolute URL.');
  });
});
