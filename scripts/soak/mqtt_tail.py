#!/usr/bin/env python3
"""Minimal MQTT 3.1.1 subscriber for scripts/soak.sh when mosquitto_sub is not installed.

Usage: mqtt_tail.py HOST PORT TOPIC [TOPIC...]
Prints one line per message, "topic<TAB>payload", flushed; QoS 1 (acknowledged). Standard library only.
Exits when the broker closes the connection.
"""
import os
import socket
import struct
import sys
import time


def remaining_length(n):
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def utf8(s):
    b = s.encode()
    return struct.pack("!H", len(b)) + b


def packet(kind, body):
    return bytes([kind]) + remaining_length(len(body)) + body


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_packet(sock):
    header = read_exact(sock, 1)[0]
    length, shift = 0, 0
    while True:
        byte = read_exact(sock, 1)[0]
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return header, read_exact(sock, length)


def main():
    host, port, topics = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    sock = socket.create_connection((host, port), timeout=60)
    client_id = "soak-tail-%d-%d" % (os.getpid(), int(time.time() * 1000))
    connect = utf8("MQTT") + bytes([4, 0x02]) + struct.pack("!H", 60) + utf8(client_id)  # clean session, keep-alive 60 s
    sock.sendall(packet(0x10, connect))
    read_packet(sock)  # CONNACK
    subscribe = struct.pack("!H", 1) + b"".join(utf8(t) + b"\x01" for t in topics)
    sock.sendall(packet(0x82, subscribe))
    last_ping = time.time()
    sock.settimeout(5)
    while True:
        if time.time() - last_ping > 30:
            sock.sendall(b"\xc0\x00")  # PINGREQ
            last_ping = time.time()
        try:
            header, body = read_packet(sock)
        except socket.timeout:
            continue
        except EOFError:
            return
        if header >> 4 == 3:  # PUBLISH
            qos = (header >> 1) & 3
            topic_len = struct.unpack("!H", body[:2])[0]
            topic = body[2:2 + topic_len].decode(errors="replace")
            at = 2 + topic_len
            if qos:
                sock.sendall(packet(0x40, body[at:at + 2]))  # PUBACK with the packet id
                at += 2
            print(topic + "\t" + body[at:].decode(errors="replace"), flush=True)


if __name__ == "__main__":
    main()
