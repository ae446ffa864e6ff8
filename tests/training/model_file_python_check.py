#!/usr/bin/env python3
"""Checks scripts/iai_weights.py on a model file written by tests/training/model_file_test.cpp:
tensor "a" is 3x4 with a[i, j] = i + 10 j + 0.5 (float32 or float64), "v" is 5x1 with v[i] = -i,
and the architecture is "python round trip". Exit 0 when everything matches."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import numpy as np  # noqa: E402
from iai_weights import ModelFileError, load  # noqa: E402

path, dtype = sys.argv[1], sys.argv[2]
arch, tensors = load(path)
assert arch == "python round trip", arch
assert list(tensors) == ["a", "v"], list(tensors)
a, v = tensors["a"], tensors["v"]
assert a.dtype == np.dtype(dtype) and v.dtype == np.dtype(dtype), (a.dtype, v.dtype)
assert a.shape == (3, 4) and v.shape == (5, 1), (a.shape, v.shape)
i, j = np.meshgrid(np.arange(3), np.arange(4), indexing="ij")
assert np.array_equal(a, (i + 10 * j + 0.5).astype(dtype)), a
assert np.array_equal(v[:, 0], -np.arange(5, dtype=dtype)), v
# a damaged copy is refused
with open(path, "rb") as f:
    data = bytearray(f.read())
data[20] ^= 0xFF
damaged = path + ".damaged"
with open(damaged, "wb") as f:
    f.write(data)
try:
    load(damaged)
    sys.exit("a damaged file was accepted")
except ModelFileError:
    pass
print("python reader: ok")
