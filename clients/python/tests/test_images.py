"""Image datasets through HplClient against a live hpl-server at $HPL_SERVER (skipped when unset)."""
import io
import os
import random
import struct
import sys
import unittest
import uuid
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from hpl_client import HplClient, HplError  # noqa: E402

SERVER = os.environ.get("HPL_SERVER")
SIZE = 10


def png(pixels):
    """An 8-bit grey PNG of a list of rows (values 0-255), written with zlib alone."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)
    ihdr = struct.pack(">IIBBBBB", len(pixels[0]), len(pixels), 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def square(rng):
    """A bright square of side 2..6 on a dark background; the target is the side."""
    side = rng.randint(2, 6)
    top, left = rng.randint(0, SIZE - side), rng.randint(0, SIZE - side)
    rows = [[200 if top <= y < top + side and left <= x < left + side else rng.randint(0, 20)
             for x in range(SIZE)] for y in range(SIZE)]
    return rows, side


@unittest.skipUnless(SERVER, "set HPL_SERVER=host:port of a running hpl-server")
class ImageTest(unittest.TestCase):
    def test_upload_train_and_predict_png_bytes_and_tensors(self):
        rng = random.Random(5)
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as z:
            index = ["file,side"]
            for i in range(120):
                rows, side = square(rng)
                z.writestr(f"img/{i}.png", png(rows))
                index.append(f"img/{i}.png,{side if i < 60 else ''}")
            z.writestr("labels.csv", "\n".join(index) + "\n")
        data = archive.getvalue()
        model = "py-img-" + uuid.uuid4().hex[:8]
        with HplClient(SERVER) as hpl:
            info = hpl.upload_images([data[i:i + 4096] for i in range(0, len(data), 4096)], channels=1,
                                     height=SIZE, width=SIZE, target_column="side", name="squares")
            self.assertEqual((60, 60), (info.labelled_rows, info.unlabelled_rows))
            self.assertEqual(SIZE, info.schema.image.width)
            trained = hpl.train(info.id, model, method="PSEUDO_LABEL",
                                hyperparameters={"iterations": 40, "batch_size": 16}, timeout=300)
            self.assertEqual("small_cnn", trained.hyperparameters["backbone"])
            try:
                rows, _ = square(rng)
                by_bytes = hpl.predict_images(model, [png(rows)])
                by_tensor = hpl.predict_images(model, [[v / 255 for row in rows for v in row]])
                self.assertGreater(by_bytes[0].variance, 0)
                self.assertAlmostEqual(by_bytes[0].mean, by_tensor[0].mean, places=5)
                with self.assertRaises(HplError) as caught:
                    hpl.predict_images(model, [png([[0] * 4] * 4)])
                self.assertEqual("INVALID_ARGUMENT", caught.exception.code)
                self.assertIn("4x4", caught.exception.message)
            finally:
                hpl.delete_model(model)


if __name__ == "__main__":
    unittest.main()
