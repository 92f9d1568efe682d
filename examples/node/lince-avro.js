'use strict';
// Lince's wire format in Node.js: Avro single-object encoding with Lince's schemas (avsc).
//
// Every Lince value is  C3 01 | the writer schema's 8-byte fingerprint | the Avro binary record,
// the fingerprint being CRC-64-AVRO of the schema's parsing canonical form, little-endian
// (schemas/README.md). avsc gives the canonical form (type.schema()), but its fingerprint() is
// MD5 or SHA-256, never CRC-64-AVRO, so that is written out here from the Avro specification.

const fs = require('fs');
const path = require('path');
const avro = require('avsc');

const SCHEMAS = path.join(__dirname, '..', '..', 'schemas');
// The .avsc files name each other: load the named types first (schemas/README.md).
const LOAD_ORDER = ['RecordHeader', 'Prediction', 'ImageEvent', 'LabelEvent', 'Classification', 'RetrainingSample'];
const MAGIC = Buffer.from([0xc3, 0x01]);

const EMPTY = 0xc15d213aa4d7a795n;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp;
});

/** The Avro specification's 64-bit Rabin fingerprint (CRC-64-AVRO). */
function crc64Avro(bytes) {
  let fp = EMPTY;
  for (const b of bytes) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)];
  return fp & 0xffffffffffffffffn;
}

/** The 8 bytes that follow C3 01 on the wire for an avsc type. */
function fingerprint(type) {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(crc64Avro(Buffer.from(JSON.stringify(type.schema()), 'utf8')));
  return out;
}

/** Lince's schemas, parsed in the order they need, with their fingerprints. */
class Contract {
  constructor(schemasDir = SCHEMAS) {
    const registry = {};
    this.types = {};
    this.fingerprints = {};
    for (const name of LOAD_ORDER) {
      const schema = JSON.parse(fs.readFileSync(path.join(schemasDir, `${name}.avsc`), 'utf8'));
      // No logical types registered: timestamp-millis stays a long (epoch milliseconds).
      this.types[name] = avro.Type.forSchema(schema, { registry });
      this.fingerprints[name] = fingerprint(this.types[name]);
    }
  }

  /** A value for Lince: magic, fingerprint, binary record. */
  encode(name, record) {
    return Buffer.concat([MAGIC, this.fingerprints[name], this.types[name].toBuffer(record)]);
  }

  /** A record Lince wrote: checks the framing and that the writer schema is this one. */
  decode(name, value) {
    if (!value.subarray(0, 2).equals(MAGIC)) {
      throw new Error(`not Avro single-object encoding: starts with ${value.subarray(0, 2).toString('hex')}`);
    }
    const fp = value.subarray(2, 10);
    if (!fp.equals(this.fingerprints[name])) {
      throw new Error(`written with schema fingerprint ${fp.toString('hex')}, this client knows ${name} `
        + `${this.fingerprints[name].toString('hex')}: update schemas/`);
    }
    return this.types[name].fromBuffer(value.subarray(10));
  }
}

module.exports = { Contract, crc64Avro, fingerprint };
