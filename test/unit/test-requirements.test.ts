import { afterEach, describe, expect, it, vi } from 'vitest';
import { available } from '../support/requirements.js';

/** The rule that lets `npm test` pass on a machine with Node.js alone, and never lets CI skip. */
describe('test servers that are missing', () => {
  const saved = process.env.CIAM_TEST_REQUIRE_ALL;
  afterEach(() => {
    if (saved === undefined) delete process.env.CIAM_TEST_REQUIRE_ALL;
    else process.env.CIAM_TEST_REQUIRE_ALL = saved;
    vi.restoreAllMocks();
  });

  it('are skipped with the reason printed', () => {
    delete process.env.CIAM_TEST_REQUIRE_ALL;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(available('OpenLDAP slapd', 'not installed')).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('OpenLDAP slapd is not available (not installed)'));
  });

  it('fail the run when CIAM_TEST_REQUIRE_ALL is set', () => {
    process.env.CIAM_TEST_REQUIRE_ALL = 'true';
    expect(() => available('Redis', 'nothing answers')).toThrow(/CIAM_TEST_REQUIRE_ALL/);
  });

  it('are not in the way when present', () => {
    process.env.CIAM_TEST_REQUIRE_ALL = 'true';
    expect(available('Redis', undefined)).toBe(true);
  });
});
