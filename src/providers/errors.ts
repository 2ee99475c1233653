/**
 * Thrown by any adapter when its outside system cannot answer (down, timed out, refused our
 * credentials, answered garbage, rate limited us). The journey maps it to 503 CIAM_E05_00_002 and
 * never to an answer about the customer. It is the only error a circuit breaker counts.
 */
export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
  }
}

/**
 * A delivery whose request may have reached the provider but whose answer never came (a timeout or
 * a dropped connection after the request was sent). Sending again could deliver twice, so the
 * adapter does not; the journey keeps the step, because the code may well arrive. Still an outage
 * signal, so the breaker counts it like any other unavailability.
 */
export class DeliveryUnconfirmedError extends ProviderUnavailableError {
  override name = 'DeliveryUnconfirmedError';
}

/**
 * Why a provider refused a request about one customer. `permanent`: asking again will not help —
 * the channel (that phone, for that customer) is closed until the customer's data changes.
 */
export type RefusalReason =
  /** The risk service does not know the action token the client sent. */
  | 'ACTION_TOKEN_REJECTED'
  /** The number is not a valid phone number (Twilio 21211, 21217, 13224). */
  | 'RECIPIENT_INVALID'
  /** The number cannot receive this channel: landline for SMS, unreachable (21612, 21614). */
  | 'RECIPIENT_UNREACHABLE'
  /** The customer opted out (replied STOP; Twilio 21610) or the destination blocks us (21216). */
  | 'RECIPIENT_OPTED_OUT'
  /** Our account may not send to the number's country or region (Twilio 21408, 21215). */
  | 'RECIPIENT_REGION_BLOCKED'
  /** A 4xx answer about this request that we do not know in detail. */
  | 'REQUEST_REFUSED'
  /** The customer's directory entry cannot be read safely (no CUPID, an unmapped state). */
  | 'ENTRY_UNREADABLE';

/**
 * Thrown by an adapter when the outside system answered, and its answer concerns this one request
 * or customer rather than its own health: an unknown action token, an invalid or opted-out phone
 * number, an unreadable directory entry. The outside system is working, so a circuit breaker never
 * counts it — one customer must never close a provider for everyone. The journey answers that
 * customer alone.
 */
export class ProviderRefusedError extends Error {
  override name = 'ProviderRefusedError';
  constructor(
    readonly provider: string,
    readonly reason: RefusalReason,
    readonly permanent: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
  }
}
