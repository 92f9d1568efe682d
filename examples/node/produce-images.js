#!/usr/bin/env node
'use strict';
// Send a folder of images to Lince: one ImageEvent per file, keyed by its id (the file name without
// extension), in Avro single-object encoding; or, with --raw, the file's bytes as they are (for a
// classifier run with lince.images.format=raw).
//
//   node produce-images.js --bootstrap localhost:9092 photos/
const fs = require('fs');
const path = require('path');
const { parseArgs } = require('util');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { Contract } = require('./lince-avro');

const TYPES = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.bmp': 'image/bmp' };

async function main() {
  const { values: opts, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      bootstrap: { type: 'string', default: 'localhost:9092' },
      topic: { type: 'string', default: 'lince.images' },
      source: { type: 'string', default: 'node-example' },
      label: { type: 'string' },
      raw: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new Error('usage: produce-images.js [--bootstrap B] [--topic T] [--label L] [--raw] FOLDER');
  const folder = positionals[0];
  const contract = new Contract();
  const kafka = new Kafka({ clientId: 'lince-node-example', brokers: opts.bootstrap.split(','), logLevel: logLevel.WARN });
  // Idempotent (acks=all): a retried send is not a duplicate image. The Java client's partitioner,
  // so an image id lands where a Java producer would put it.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = [];
  for (const name of fs.readdirSync(folder).sort()) {
    const ext = path.extname(name).toLowerCase();
    if (!TYPES[ext]) continue;
    const id = path.basename(name, path.extname(name));
    const data = fs.readFileSync(path.join(folder, name));
    const now = Date.now();
    if (opts.raw) {
      const headers = { 'content-type': TYPES[ext], 'lince-source': opts.source };
      if (opts.label) headers['lince-known-label'] = opts.label;
      messages.push({ key: id, value: data, headers, timestamp: String(now) });
    } else {
      const event = { id, eventTime: now, source: opts.source, contentType: TYPES[ext], bytes: data, uri: null,
        knownLabel: opts.label ?? null };
      messages.push({ key: id, value: contract.encode('ImageEvent', event) });
    }
  }
  await producer.send({ topic: opts.topic, acks: -1, messages });
  await producer.disconnect();
  console.error(`sent ${messages.length} images to ${opts.topic}`);
}

main().catch((e) => { console.error(e.message ?? e); process.exit(1); });
