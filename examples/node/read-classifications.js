#!/usr/bin/env node
'use strict';
// Print Lince's classifications, one JSON line each, as they are committed.
//
//   node read-classifications.js --bootstrap localhost:9092 --count 50
//
// Reads lince.classifications read_committed (kafkajs reads uncommitted records unless told:
// Lince writes in transactions, and an uncommitted reader sees aborted duplicates), in either
// output format (Avro single-object or JSON).
const { parseArgs } = require('util');
const { Kafka, logLevel } = require('kafkajs');
const { Contract } = require('./lince-avro');

async function main() {
  const { values: opts } = parseArgs({
    options: {
      bootstrap: { type: 'string', default: 'localhost:9092' },
      topic: { type: 'string', default: 'lince.classifications' },
      group: { type: 'string', default: 'lince-node-example' },
      count: { type: 'string', default: '0' },
      timeout: { type: 'string', default: '0' },
    },
  });
  const count = Number(opts.count);
  const timeout = Number(opts.timeout);
  const contract = new Contract();
  const kafka = new Kafka({ clientId: 'lince-node-example', brokers: opts.bootstrap.split(','), logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId: opts.group, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
  let seen = 0;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value === null || (count && seen >= count)) return;
      const v = message.value;
      const record = v[0] === 0x7b ? JSON.parse(v.toString('utf8')) : contract.decode('Classification', v);
      console.log(JSON.stringify(record));
      seen += 1;
      if (count && seen >= count) finish();
    },
  });
  const timer = timeout ? setTimeout(finish, timeout * 1000) : null;
  await done;
  if (timer) clearTimeout(timer);
  await consumer.disconnect();
  if (count && seen < count) {
    console.error(`read ${seen} of ${count} classifications before the timeout`);
    process.exit(1);
  }
}

main().catch((e) => { console.error(e.message ?? e); process.exit(1); });
