#!/usr/bin/python3
"""32 x 32 x 3 patches of real photographs that Debian ships (python3-skimage 0.19.3-8's data
folder), written in CIFAR-10's binary format so that iai's CIFAR-10 reader reads them.

  patches32.py <skimage data folder> <destination folder>

Sources (licences from skimage/data/_fetchers.py; only CC0 / public-domain photographs; the CC
BY 2.0 sample images of python3-sklearn are not used; SHA-256 of the files Debian 12 ships):
  label 0 astronaut.png          NASA, public domain             88431cd9653c...
  label 1 chelsea.png            CC0 (Stefan van der Walt)       596aa1e7cb87...
  label 2 coffee.png             CC0 (Rachel Michetti)           cc02f8ca188b...
  label 3 hubble_deep_field.jpg  NASA, public domain             3a19c5dd8a92...
  label 4 retina.jpg             CC0 1.0 (Hafner et al.)         38a07f36f27f...
  label 5 rocket.jpg             SpaceX, public domain           c2dd0de7c538...
Recipe (deterministic; decoded with python3-pil, RGB 8-bit):
  each image's rows are cut into three bands: rows [0, 0.7 H) for train, [0.7 H, 0.85 H) for
  validation, [0.85 H, H) for test (integer rows, floor), so no pixel is shared across splits;
  from each band, patches of 32 x 32 at uniformly random top-left corners fully inside the band,
  drawn with Python's random.Random(2018) in the order image 0..5, split train, validation, test:
  4000 train, 500 validation and 500 test patches per image, i.e. 24,000 / 3,000 / 3,000.
Files: data_batch_1.bin (train), validation_batch.bin, test_batch.bin; each record is the label
byte (the image) and the 3072 pixel bytes (R plane, G plane, B plane, each row-major 32 x 32).
"""
import os
import random
import sys

from PIL import Image

SOURCES = ["astronaut.png", "chelsea.png", "coffee.png", "hubble_deep_field.jpg", "retina.jpg",
           "rocket.jpg"]
COUNTS = {"train": 4000, "validation": 500, "test": 500}
BANDS = {"train": (0.0, 0.7), "validation": (0.7, 0.85), "test": (0.85, 1.0)}
FILES = {"train": "data_batch_1.bin", "validation": "validation_batch.bin", "test": "test_batch.bin"}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dest = sys.argv[1], sys.argv[2]
    rng = random.Random(2018)
    out = {s: bytearray() for s in COUNTS}
    for label, name in enumerate(SOURCES):
        im = Image.open(os.path.join(src, name)).convert("RGB")
        w, h = im.size
        planes = [bytes(c.tobytes()) for c in im.split()]  # R, G, B, each row-major h x w
        for split in ("train", "validation", "test"):
            lo, hi = (int(f * h) for f in BANDS[split])
            if hi - lo < 32 or w < 32:
                sys.exit("patches32: %s is too small for 32 x 32 patches in its %s band" % (name, split))
            for _ in range(COUNTS[split]):
                top = rng.randrange(lo, hi - 32 + 1)
                left = rng.randrange(0, w - 32 + 1)
                record = bytearray([label])
                for p in planes:
                    for r in range(top, top + 32):
                        record += p[r * w + left:r * w + left + 32]
                out[split] += record
    os.makedirs(dest, exist_ok=True)
    for split, data in out.items():
        path = os.path.join(dest, FILES[split])
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
        print("get-data: patches-32: %s: %d patches -> %s" % (split, len(data) // 3073, path))


if __name__ == "__main__":
    main()
