#!/usr/bin/env python3
"""Consumer example: verify every EdgeAgent verdict's signature, then de-duplicate on its id.

The box signs each message with Ed25519 over the payload bytes exactly as published and sends the
signature as MQTT 5 user properties: sig = base64(signature), kid = key id. Verify first, de-duplicate
second: a message that does not verify is dropped before its id is looked at, so a spoof that reached
the broker first under a real verdict's id cannot take that id.

Debian: apt install python3-paho-mqtt python3-cryptography (paho-mqtt 1.6 API).

  verify_verdicts.py --host BROKER --root aoi/SITE/AREA/LINE/STATION/edgeagent/v1 --public-key BASE64
"""
import argparse
import base64
import hashlib
import json
import sys
import threading

import paho.mqtt.client as mqtt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def key_id(public_key):
    """First 8 bytes of SHA-256 over the key's SubjectPublicKeyInfo, hex: what `edgeagent keys show` prints."""
    spki = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()[:16]


def verified(public_key, message):
    """True when the message carries the box's valid signature over exactly its payload bytes."""
    props = dict(getattr(message.properties, "UserProperty", None) or [])
    try:
        if props.get("kid") != key_id(public_key):
            return False
        public_key.verify(base64.b64decode(props["sig"], validate=True), message.payload)
        return True
    except (KeyError, ValueError, InvalidSignature):
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--root", required=True, help="the box's topic root, up to edgeagent/v1")
    parser.add_argument("--public-key", required=True, help="the box's public key (base64, `edgeagent keys show`)")
    parser.add_argument("--count", type=int, default=0, help="stop after this many distinct verified verdicts")
    parser.add_argument("--timeout", type=float, default=0, help="give up after this many seconds (exit 1)")
    args = parser.parse_args()

    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(args.public_key))
    seen = set()
    done = threading.Event()

    def on_connect(client, userdata, flags, reason_code, properties):
        client.subscribe(args.root + "/verdict", qos=1)

    def on_subscribe(client, userdata, mid, reason_codes, properties):
        print("READY", flush=True)

    def on_message(client, userdata, message):
        if not verified(public_key, message):  # 1. verify: drop anything the box did not sign
            print("DROPPED unverified message on", message.topic, flush=True)
            return
        verdict = json.loads(message.payload)
        if verdict["id"] in seen:  # 2. then de-duplicate: at-least-once delivery repeats real verdicts
            return
        seen.add(verdict["id"])
        print("VERDICT", verdict["id"], verdict["verdict"], verdict.get("pairId"), flush=True)
        if args.count and len(seen) >= args.count:
            done.set()

    client = mqtt.Client(client_id="", protocol=mqtt.MQTTv5)
    client.on_connect, client.on_subscribe, client.on_message = on_connect, on_subscribe, on_message
    client.connect(args.host, args.port, clean_start=True)
    client.loop_start()
    finished = done.wait(args.timeout or None)
    client.disconnect()
    client.loop_stop()
    if not finished:
        print("TIMEOUT after", len(seen), "verdicts", flush=True)
        return 1
    return 0

if __name__ == "__main__":
    sys.exit(main())
