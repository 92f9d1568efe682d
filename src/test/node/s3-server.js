'use strict';
// An S3-compatible server for Lince's tests (s3rver, files under the directory given): prints
// "listening PORT" once it accepts requests, and stops when its standard input closes, so it
// never outlives the test that started it.
const S3rver = require('s3rver');

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
server.run().then(({ port }) => {
  console.log(`listening ${port}`);
  process.stdin.on('end', () => server.close().then(() => process.exit(0)));
  process.stdin.resume();
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
