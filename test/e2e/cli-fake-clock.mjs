/**
 * Preload (`node --import`) for CLI end-to-end tests: shifts `Date.now` so
 * the process believes it is `DNSMESH_TEST_NOW_MS` (milliseconds since the
 * epoch) at start-up, then lets time run on. The golden send vectors are
 * pinned to 2030; this is how the real CLI binary is made to receive them
 * without any test hook in the CLI itself. Without the variable it does
 * nothing.
 */
const target = Number(process.env.DNSMESH_TEST_NOW_MS);
if (process.env.DNSMESH_TEST_NOW_MS !== undefined && Number.isFinite(target)) {
  const realNow = Date.now.bind(Date);
  const offset = target - realNow();
  Date.now = () => realNow() + offset;
}
