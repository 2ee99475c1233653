/**
 * Test servers the suites start or reach besides Node.js itself (slapd, Redis …). On a machine
 * that lacks one, its suites are skipped with the reason printed. CI sets
 * CIAM_TEST_REQUIRE_ALL=true, which turns every such skip into a failure, so CI always runs
 * everything.
 */
export function requireAll(): boolean {
  return process.env.CIAM_TEST_REQUIRE_ALL === 'true' || process.env.CIAM_TEST_REQUIRE_ALL === '1';
}

/** True when `what` is available; otherwise prints why its suites are skipped, or throws under CIAM_TEST_REQUIRE_ALL. */
export function available(what: string, missingBecause: string | undefined): boolean {
  if (missingBecause === undefined) return true;
  const message = `${what} is not available (${missingBecause}): its suites are skipped`;
  if (requireAll()) throw new Error(`${message} — refused because CIAM_TEST_REQUIRE_ALL is set`);
  console.warn(`[skip] ${message}`);
  return false;
}
