#!/usr/bin/env python3
"""Send a folder of images to Lince: one ImageEvent per file, keyed by its id (the file name
without extension), in Avro single-object encoding; or, with --raw, the file's bytes as they are
(for a classifier run with lince.images.format=raw).

    python3 produce_images.py --bootstrap localhost:9092 photos/

Needs Debian's python3-confluent-kafka and python3-avro.
"""

import argparse
import datetime
import os
import sys

from confluent_kafka import Producer

from lince_avro import Contract

TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".bmp": "image/bmp"}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder")
    p.add_argument("--bootstrap", default="localhost:9092")
    p.add_argument("--topic", default="lince.images")
    p.add_argument("--source", default="python-example", help="which app sent them (ImageEvent.source)")
    p.add_argument("--label", help="a label you trust for every image (ImageEvent.knownLabel): straight to training")
    p.add_argument("--raw", action="store_true", help="send the bytes as they are, with headers, not an ImageEvent")
    p.add_argument("--claim-check", metavar="PREFIX",
                   help="send PREFIX + file name as the event's uri instead of its bytes, for images already in "
                        "object storage, e.g. s3://photos/incoming/ (the classifiers must allow it: lince.fetch.s3.allowed)")
    p.add_argument("--schemas", help="a folder with your own (newer) ImageEvent.avsc and Lince's other schemas; "
                   "classifiers must be given it too (lince.schemas.writers)")
    p.add_argument("--field", action="append", default=[], metavar="NAME=VALUE",
                   help="a string field your newer ImageEvent adds, e.g. --field deviceId=cam-7")
    args = p.parse_args()

    contract = Contract(args.schemas) if args.schemas else Contract()
    # Idempotent, acks=all: a retried send is not a duplicate image.
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "acks": "all"})
    failures = []

    def delivered(err, msg):
        if err is not None:
            failures.append("%s: %s" % (msg.key().decode(), err))

    sent = 0
    for name in sorted(os.listdir(args.folder)):
        stem, ext = os.path.splitext(name)
        if ext.lower() not in TYPES:
            continue
        with open(os.path.join(args.folder, name), "rb") as f:
            data = f.read()
        now = datetime.datetime.now(datetime.timezone.utc)  # python-avro writes timestamp-millis from a datetime
        if args.raw:
            headers = [("content-type", TYPES[ext.lower()]), ("lince-source", args.source)]
            if args.label:
                headers.append(("lince-known-label", args.label))
            producer.produce(args.topic, key=stem, value=data, headers=headers, timestamp=int(now.timestamp() * 1000), on_delivery=delivered)
        else:
            event = {"id": stem, "eventTime": now, "source": args.source, "contentType": TYPES[ext.lower()],
                     "bytes": None if args.claim_check else data,
                     "uri": args.claim_check + name if args.claim_check else None, "knownLabel": args.label}
            event.update(f.split("=", 1) for f in args.field)
            producer.produce(args.topic, key=stem, value=contract.encode("ImageEvent", event), on_delivery=delivered)
        producer.poll(0)
        sent += 1
    producer.flush(60)
    if failures:
        sys.exit("not delivered: " + "; ".join(failures))
    print("sent %d images to %s" % (sent, args.topic), file=sys.stderr)


if __name__ == "__main__":
    main()
