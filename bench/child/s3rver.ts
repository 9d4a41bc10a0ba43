/**
 * `node --import tsx bench/child/s3rver.ts BUCKET`: s3rver on 127.0.0.1 (test/s3/s3rver.ts, the
 * test servers' code) in a process of its own, for bench/remote.ts. It writes one line of JSON,
 * `{"endpoint": …}`, once it listens, and stops (removing its folder) when its stdin ends, so
 * it never outlives the bench that started it.
 */
import { startS3rver } from '../../test/s3/s3rver.ts';

const bucket = process.argv[2];
if (!bucket) {
  console.error('usage: node --import tsx bench/child/s3rver.ts BUCKET');
  process.exit(2);
}
const server = await startS3rver([{ name: bucket }]);
process.stdout.write(JSON.stringify({ endpoint: server.endpoint }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void server.stop().then(() => process.exit(0));
});
