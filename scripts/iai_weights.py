#!/usr/bin/env python3
"""Read an iai model file (iai::saveModel / iai::saveModelFile) into NumPy arrays.

The byte layout is documented in docs/evaluation.md ("Model files"): magic "IAIMODEL", u32
version 1, u32 scalar size (4 or 8), the architecture string, then named column-major tensors,
then a CRC-32 of everything before it. Needs only NumPy (Debian: python3-numpy).

    from iai_weights import load
    arch, tensors = load("model.iai")      # tensors: dict name -> numpy array (rows, cols)
    theta = tensors["theta"][:, 0]

As a program it lists the tensors:  scripts/iai_weights.py model.iai
"""
import struct
import sys
import zlib

import numpy as np

MAGIC = b"IAIMODEL"
VERSION = 1
MAX_STRING = 65536
MAX_TENSORS = 1 << 20
MAX_DIM = (1 << 31) - 1


class ModelFileError(ValueError):
    """The file is not a valid iai model file (truncated, corrupted or another format)."""


def load(path):
    """Returns (architecture, {name: array}) with arrays of shape (rows, cols), float32/float64."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 36:
        raise ModelFileError(f"{path}: {len(data)} bytes, too short for an iai model file")
    if data[:8] != MAGIC:
        raise ModelFileError(f"{path}: magic {data[:8]!r}, not an iai model file")
    end = len(data) - 4
    stored = struct.unpack_from("<I", data, end)[0]
    if stored != zlib.crc32(data[:end]):
        raise ModelFileError(f"{path}: CRC-32 mismatch (the file is truncated or corrupted)")
    version, scalar = struct.unpack_from("<II", data, 8)
    if version != VERSION:
        raise ModelFileError(f"{path}: format version {version}, this reader knows {VERSION}")
    if scalar not in (4, 8):
        raise ModelFileError(f"{path}: scalar size {scalar}, must be 4 or 8")
    dtype = np.dtype("<f4" if scalar == 4 else "<f8")
    pos = 16

    def u64():
        nonlocal pos
        if end - pos < 8:
            raise ModelFileError(f"{path}: truncated at byte {pos}")
        (v,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        return v

    def string():
        nonlocal pos
        n = u64()
        if n > MAX_STRING or n > end - pos:
            raise ModelFileError(f"{path}: string length {n} at byte {pos} is too long")
        s = data[pos:pos + n].decode("utf-8")
        pos += n
        return s

    architecture = string()
    count = u64()
    if count > MAX_TENSORS or count > (end - pos) // 24:
        raise ModelFileError(f"{path}: tensor count {count} does not fit the file")
    tensors = {}
    for _ in range(count):
        name = string()
        if not name or name in tensors:
            raise ModelFileError(f"{path}: tensor name {name!r} is empty or repeated")
        rows, cols = u64(), u64()
        if rows > MAX_DIM or cols > MAX_DIM:
            raise ModelFileError(f"{path}: tensor '{name}' of {rows}x{cols} exceeds 2^31 - 1 rows or columns")
        nbytes = rows * cols * scalar
        if nbytes > end - pos:
            raise ModelFileError(f"{path}: tensor '{name}' of {rows}x{cols} does not fit the file")
        flat = np.frombuffer(data, dtype=dtype, count=rows * cols, offset=pos)
        tensors[name] = flat.reshape((rows, cols), order="F").astype(dtype.newbyteorder("="))
        pos += nbytes
    if pos != end:
        raise ModelFileError(f"{path}: {end - pos} bytes left after the tensors")
    return architecture, tensors


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    try:
        arch, tensors = load(argv[1])
    except (OSError, ModelFileError) as e:
        print(f"iai_weights: error: {e}", file=sys.stderr)
        return 2
    print(f"architecture: {arch}")
    for name, t in tensors.items():
        print(f"{name}: {t.shape[0]}x{t.shape[1]} {t.dtype}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
