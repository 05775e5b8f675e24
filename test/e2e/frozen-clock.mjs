/**
 * Preload (`node --import`) that stops the wall clock: `Date.now()` returns
 * `DNSMESH_TEST_FROZEN_MS` for the life of the process. Timers are not
 * affected (they run on the monotonic clock). The TSIG vector replay uses it
 * so a case signed exactly at the fudge edge (RFC 8945 §5.2.3) is judged at
 * the second the test chose, however long a loaded machine takes to deliver
 * it. Without the variable it does nothing.
 */
const frozen = Number(process.env.DNSMESH_TEST_FROZEN_MS);
if (process.env.DNSMESH_TEST_FROZEN_MS !== undefined && Number.isFinite(frozen)) {
  Date.now = () => frozen;
}
