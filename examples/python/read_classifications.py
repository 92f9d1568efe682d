#!/usr/bin/env python3
"""Print Lince's classifications, one JSON line each, as they are committed.

    python3 read_classifications.py --bootstrap localhost:9092 --count 50

Reads lince.classifications read_committed (Lince writes in transactions: a read_uncommitted
consumer sees aborted duplicates), in either output format (Avro single-object or JSON).
Needs Debian's python3-confluent-kafka and python3-avro.
"""

import argparse
import datetime
import json
import sys
import time

from confluent_kafka import Consumer

from lince_avro import Contract


def plain(value):
    """Avro's Python types as JSON: timestamps back to epoch milliseconds."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bootstrap", default="localhost:9092")
    p.add_argument("--topic", default="lince.classifications")
    p.add_argument("--group", default="lince-python-example")
    p.add_argument("--count", type=int, default=0, help="stop after this many (0: run until interrupted)")
    p.add_argument("--timeout", type=float, default=0, help="give up after this many seconds (0: never)")
    args = p.parse_args()

    contract = Contract()
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                         "isolation.level": "read_committed", "auto.offset.reset": "earliest"})
    consumer.subscribe([args.topic])
    seen = 0
    deadline = time.monotonic() + args.timeout if args.timeout else None
    try:
        while (not args.count or seen < args.count) and (deadline is None or time.monotonic() < deadline):
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                print("kafka: %s" % msg.error(), file=sys.stderr)
                continue
            if msg.value() is None:
                continue
            value = msg.value()
            record = json.loads(value) if value[:1] == b"{" else plain(contract.decode("Classification", value))
            print(json.dumps(record, separators=(",", ":")), flush=True)
            seen += 1
    finally:
        consumer.close()
    if args.count and seen < args.count:
        sys.exit("read %d of %d classifications before the timeout" % (seen, args.count))


if __name__ == "__main__":
    main()
