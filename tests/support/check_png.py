#!/usr/bin/env python3
"""Checks PNG files written by the examples (examples/common/png.hpp) with Python's own zlib:
signature, chunk order and CRCs, 8-bit grey or RGB, a zlib stream that inflates to exactly
height rows of (1 + width·channels) bytes with filter 0, and not a blank image. An .svg file is
checked for the PNGs it embeds as base64 data URIs (svg::heatMap): at least one, each valid.
  check_png.py FILE...     exit 0 and one line per file when all are valid"""
import base64
import re
import struct
import sys
import zlib


def check(path):
    data = open(path, "rb").read()
    if path.endswith(".svg"):
        uris = re.findall(rb"href='data:image/png;base64,([A-Za-z0-9+/=]+)'", data)
        if not uris:
            raise ValueError("no embedded PNG")
        return f"{path}: " + "; ".join(checkPng(base64.b64decode(u, validate=True)) for u in uris)
    return f"{path}: " + checkPng(data)


def checkPng(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no PNG signature")
    pos, chunks = 8, []
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ValueError(f"bad CRC in chunk {kind!r}")
        chunks.append((kind, body))
        pos += 12 + n
    kinds = [k for k, _ in chunks]
    if kinds[0] != b"IHDR" or kinds[-1] != b"IEND" or b"IDAT" not in kinds:
        raise ValueError(f"chunks {kinds}")
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    channels = {0: 1, 2: 3}[colour]
    if depth != 8:
        raise ValueError(f"bit depth {depth}")
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    row = 1 + width * channels
    if len(raw) != height * row or any(raw[y * row] != 0 for y in range(height)):
        raise ValueError("pixel data of the wrong size or filter")
    pixels = bytes(b for y in range(height) for b in raw[y * row + 1:(y + 1) * row])
    if len(set(pixels)) < 2:
        raise ValueError("a blank image")
    return f"{width}x{height}, {channels} channel(s), {len(data)} bytes"


ok = True
for p in sys.argv[1:]:
    try:
        print(check(p))
    except Exception as e:  # noqa: BLE001 - one line per bad file
        print(f"{p}: invalid PNG: {e}")
        ok = False
sys.exit(0 if ok and len(sys.argv) > 1 else 1)
