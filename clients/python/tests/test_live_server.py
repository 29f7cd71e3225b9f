"""HplClient against a live hpl-server whose host:port is in $HPL_SERVER (skipped when unset).

    cd clients/python && HPL_SERVER=localhost:9000 /usr/bin/python3 -m unittest discover -v tests
"""
import os
import subprocess
import sys
import tempfile
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from hpl_client import HplClient, HplError  # noqa: E402

SERVER = os.environ.get("HPL_SERVER")
SAMPLES = os.path.join(HERE, "..", "..", "samples")
TRAIN_CSV = os.path.join(SAMPLES, "house_lucas_train.csv")
TEST_CSV = os.path.join(SAMPLES, "house_lucas_test.csv")
HOUSE = {"yrbuilt": 1927, "stories": "one", "TLA": 1137, "wall": "metlvnyl", "beds": 3, "baths": 1,
         "halfbaths": 1, "frontage": 40, "depth": 140, "garage": "detached", "garagesqft": 486, "rooms": 6,
         "lotsize": 5600, "syear": 1998}


@unittest.skipUnless(SERVER, "set HPL_SERVER=host:port of a running hpl-server")
class LiveServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hpl = HplClient(SERVER)
        cls.model = "py-" + uuid.uuid4().hex[:8]
        # Small chunks on purpose: the upload must reassemble many messages.
        cls.train_set = cls.hpl.upload_file(TRAIN_CSV, "log_price", name="house train", chunk_bytes=16 * 1024)
        cls.progress = []
        cls.trained = cls.hpl.train(cls.train_set.id, cls.model, method="SUPERVISED", seed=3,
                                    hyperparameters={"iterations": 60, "hidden_layers": "16",
                                                     "progress_every": 20},
                                    on_progress=cls.progress.append, timeout=300)

    @classmethod
    def tearDownClass(cls):
        cls.hpl.delete_model(cls.model)
        cls.hpl.close()

    def test_health(self):
        self.assertTrue(self.hpl.serving())
        self.assertTrue(self.hpl.serving("hpl.v1.RegressionService"))

    def test_upload_in_chunks(self):
        self.assertEqual(300, self.train_set.labelled_rows)
        self.assertEqual(2700, self.train_set.unlabelled_rows)
        again = self.hpl.upload_file(TRAIN_CSV, "log_price", name="house train", chunk_bytes=1 << 20)
        self.assertEqual(self.train_set.id, again.id, "content-addressed: chunking does not change the id")

    def test_train_reports_progress(self):
        self.assertEqual([20, 40, 60], [p.iteration for p in self.progress])
        self.assertEqual(1, self.trained.version)
        self.assertEqual("60", self.trained.hyperparameters["iterations"])
        self.assertEqual(3, self.trained.seed)

    def test_predict(self):
        predictions = self.hpl.predict(self.model, [HOUSE, dict(HOUSE, TLA=2400)])
        self.assertEqual(2, len(predictions))
        for p in predictions:
            self.assertTrue(9 < p.mean < 14, p)  # log prices
            self.assertGreater(p.variance, 0)
            self.assertTrue(p.lower < p.mean < p.upper, p)  # the 90% interval by default
        narrow = self.hpl.predict(self.model, [HOUSE], interval_level=0.5)[0]
        self.assertLess(narrow.upper - narrow.lower, predictions[0].upper - predictions[0].lower)

    def test_evaluate_on_a_dataset_and_inline(self):
        test_set = self.hpl.upload_file(TEST_CSV, "log_price")
        metrics = self.hpl.evaluate(self.model, dataset_id=test_set.id)
        self.assertEqual(500, metrics.rows)
        self.assertLess(metrics.mae, 1.0)
        inline = self.hpl.evaluate(self.model, rows=[dict(HOUSE, log_price=11.3)])
        self.assertEqual(1, inline.rows)

    def test_list_models(self):
        names = [(m.name, m.version) for m in self.hpl.list_models(self.model)]
        self.assertEqual([(self.model, 1)], names)

    def test_errors_carry_the_status_and_message(self):
        with self.assertRaises(HplError) as caught:
            self.hpl.predict(self.model, [dict(HOUSE, stories="three")])
        self.assertEqual("INVALID_ARGUMENT", caught.exception.code, caught.exception.message)
        self.assertIn("unknown category 'three'", caught.exception.message)
        with self.assertRaises(HplError) as missing:
            self.hpl.get_model("no-such-model-" + uuid.uuid4().hex[:6])
        self.assertEqual("NOT_FOUND", missing.exception.code)

    def test_hpl_command_line(self):
        # python -m hpl_client is the `hpl` console script of an installed package
        hpl = [sys.executable, "-m", "hpl_client", "--server", SERVER]
        cwd = os.path.join(HERE, "..")
        out = subprocess.run(hpl + ["models", "list", self.model], check=True, capture_output=True, text=True,
                             timeout=60, cwd=cwd).stdout
        self.assertEqual([self.model, "v1", "SUPERVISED"], out.split("\t")[:3])
        with tempfile.TemporaryDirectory() as scratch:
            predictions, diagram = os.path.join(scratch, "p.csv"), os.path.join(scratch, "r.svg")
            subprocess.run(hpl + ["predict", self.model, TEST_CSV, "-o", predictions, "--chunk-rows", "128"],
                           check=True, capture_output=True, timeout=120, cwd=cwd)
            with open(predictions) as f:
                self.assertEqual(501, sum(1 for _ in f))  # a header and the 500 rows
            evaluated = subprocess.run(hpl + ["evaluate", self.model, TEST_CSV, "--reliability", diagram],
                                       check=True, capture_output=True, text=True, timeout=120, cwd=cwd)
            self.assertIn(": 500 rows", evaluated.stdout)
            self.assertTrue(os.path.getsize(diagram) > 0)
        missing = subprocess.run(hpl + ["models", "get", "no-such-model"], capture_output=True, text=True,
                                 timeout=60, cwd=cwd)
        self.assertEqual(1, missing.returncode)
        self.assertEqual("error: NOT_FOUND: model 'no-such-model' not found\n", missing.stderr)

if __name__ == "__main__":
    unittest.main()
