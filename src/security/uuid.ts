// Any version, either case: ids this service issues and ids callers send back (journey and step
// ids, correlation ids, cursor positions). Checked before one reaches a uuid column, where
// PostgreSQL would refuse it with an error rather than find nothing.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in its canonical 8-4-4-4-12 hex form. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
