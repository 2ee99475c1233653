/**
 * The only map from CIAM error code to HTTP status. Code throws `new CiamError(code)`; the HTTP
 * error handler turns it into `{ error_code, context_id? }` with the status below.
 */
export const ERROR_CATALOGUE = {
  // Authentication and credentials
  CIAM_E01_01_001: { status: 401, meaning: 'User not found or invalid credentials' },
  CIAM_E01_01_002: { status: 423, meaning: 'Password locked' },
  CIAM_E01_01_003: { status: 423, meaning: 'User disabled' },
  CIAM_E01_01_004: { status: 423, meaning: 'Enterprise credential block' },
  CIAM_E01_01_005: { status: 423, meaning: 'MFA locked' },
  CIAM_E01_01_006: { status: 423, meaning: 'User deceased' },
  CIAM_E01_01_008: { status: 423, meaning: 'Restricted by the bank or the customer' },
  CIAM_E01_01_009: { status: 400, meaning: 'Invalid MFA method' },
  CIAM_E01_01_010: { status: 403, meaning: 'Denied: IP on deny list or device risk deny' },
  CIAM_E01_01_016: { status: 401, meaning: 'Username contains a masked value' },
  CIAM_E01_01_017: { status: 400, meaning: 'Invalid one-time code' },
  CIAM_E01_01_018: { status: 400, meaning: 'Transaction not approved (push pending)' },
  CIAM_E01_01_019: {
    status: 400,
    meaning: 'This phone cannot receive one-time codes (invalid, opted out or unreachable); choose another phone or push (extension)',
  },
  // Journey steps (transactions)
  CIAM_E01_03_001: { status: 404, meaning: 'Transaction not found' },
  CIAM_E01_03_002: { status: 410, meaning: 'Transaction expired or rejected' },
  CIAM_E01_03_003: { status: 400, meaning: 'Transaction already processed' },
  // eSign
  CIAM_E01_04_001: { status: 404, meaning: 'Document not found' },
  CIAM_E01_04_002: { status: 400, meaning: 'No pending eSign step' },
  CIAM_E01_04_003: { status: 403, meaning: 'Mandatory document declined (extension)' },
  // Validation
  CIAM_E01_05_001: { status: 400, meaning: 'Invalid request parameters' },
  // Tokens and sessions
  CIAM_E04_00_001: { status: 401, meaning: 'Refresh token invalid or not found' },
  CIAM_E04_00_002: { status: 401, meaning: 'Refresh token expired or no longer valid' },
  CIAM_E04_00_003: { status: 401, meaning: 'Session not readable' },
  CIAM_E04_00_004: { status: 401, meaning: 'Session not active' },
  CIAM_E04_00_005: { status: 401, meaning: 'Session expired' },
  CIAM_E04_00_006: { status: 401, meaning: 'Access token missing' },
  CIAM_E04_00_007: { status: 401, meaning: 'Access token invalid or not found' },
  CIAM_E04_00_008: { status: 401, meaning: 'Refresh token missing' },
  CIAM_E04_00_009: { status: 401, meaning: 'Username not matched' },
  CIAM_E04_00_010: { status: 401, meaning: 'Invalid or missing API key' },
  // Extensions: client and agent authentication, abuse limits, unknown routes
  CIAM_E00_00_001: { status: 401, meaning: 'Unknown or missing x-client-id (extension)' },
  CIAM_E00_00_002: { status: 401, meaning: 'Agent authentication required (extension)' },
  CIAM_E00_00_003: { status: 403, meaning: 'Agent lacks the required role (extension)' },
  CIAM_E00_00_004: { status: 404, meaning: 'Resource not found (extension)' },
  CIAM_E00_00_005: { status: 429, meaning: 'Too many requests (extension)' },
  CIAM_E00_00_006: { status: 404, meaning: 'Route not found (extension)' },
  CIAM_E00_00_007: { status: 415, meaning: 'Unsupported media type (extension)' },
  CIAM_E00_00_008: { status: 408, meaning: 'Request not received in time (extension)' },
  CIAM_E00_00_009: { status: 431, meaning: 'Request headers too large (extension)' },
  // Server
  CIAM_E05_00_001: { status: 503, meaning: 'Server error' },
  CIAM_E05_00_002: { status: 503, meaning: 'Upstream information not available' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type CiamErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as CiamErrorCode[];

function statusOf(code: CiamErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

export class CiamError extends Error {
  override name = 'CiamError';
  readonly status: number;

  constructor(
    readonly code: CiamErrorCode,
    readonly details: {
      contextId?: string;
      /** Extra fields the contract puts in this error body (e.g. the retry step's transaction_id). */
      body?: Record<string, unknown>;
      /** Response headers, e.g. Retry-After. */
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(`${code}: ${ERROR_CATALOGUE[code].meaning}`, details.cause ? { cause: details.cause } : undefined);
    this.status = statusOf(code);
  }
}
