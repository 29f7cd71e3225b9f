"""predict_dataset streams (row index, row id, Prediction) and maps the request, against an in-process fake server."""
import contextlib
import csv
import io
import os
import shutil
import sys
import tempfile
import unittest

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import fake_server  # noqa: E402
from hpl_client import HplClient, HplError, cli  # noqa: E402
from hpl_client._stubs import pb, pb_grpc  # noqa: E402


class DatasetFake(pb_grpc.RegressionServiceServicer):
    """Streams 5 rows, 2 a message, mean = row index; NOT_FOUND for any other dataset than ds-1."""

    def __init__(self):
        self.requests = []

    def PredictDataset(self, request, context):
        self.requests.append(request)
        if request.dataset_id != "ds-1":
            context.abort(grpc.StatusCode.NOT_FOUND, "dataset '%s' not found" % request.dataset_id)
        rows = [pb.DatasetPrediction(row_index=i, row_id="r%d" % i, mean=float(i), variance=0.5, lower=i - 1.0,
                                     upper=i + 1.0) for i in range(5)]
        for start in range(0, 5, 2):
            yield pb.PredictDatasetResponse(model_name=request.model_name, version=3, predictions=rows[start:start + 2])


class PredictDatasetTest(unittest.TestCase):
    def setUp(self):
        self.fake = DatasetFake()
        self.server, port = fake_server.start(self.fake)
        self.hpl = HplClient("127.0.0.1:%d" % port, timeout=10)

    def tearDown(self):
        self.server.stop(None)

    def test_every_row_with_its_index_id_and_prediction(self):
        rows = list(self.hpl.predict_dataset("house", "ds-1", unlabelled_only=True, chunk_rows=2, id_column="id",
                                             interval_level=0.8, alias="production"))
        self.assertEqual([0, 1, 2, 3, 4], [r[0] for r in rows])
        self.assertEqual(["r0", "r1", "r2", "r3", "r4"], [r[1] for r in rows])
        self.assertEqual(3.0, rows[3][2].mean)
        self.assertEqual(4.0, rows[3][2].upper)
        request = self.fake.requests[0]
        self.assertEqual(pb.ROW_SELECTION_UNLABELLED_ONLY, request.rows)
        self.assertEqual((2, "id", 0.8, "production"),
                         (request.chunk_rows, request.id_column, request.interval_level, request.alias))

    def test_a_failed_call_is_an_hpl_error_with_the_servers_message(self):
        with self.assertRaises(HplError) as raised:
            list(self.hpl.predict_dataset("house", "ds-nope"))
        self.assertEqual("NOT_FOUND", raised.exception.code)
        self.assertIn("ds-nope", raised.exception.message)


class PredictDatasetCliTest(unittest.TestCase):
    """`hpl predict-dataset` writes one CSV line per streamed row, in order; a server error exits 1."""

    def setUp(self):
        self.fake = DatasetFake()
        self.server, port = fake_server.start(self.fake)
        self.target = "127.0.0.1:%d" % port
        self.scratch = tempfile.mkdtemp()

    def tearDown(self):
        self.server.stop(None)
        shutil.rmtree(self.scratch)

    def hpl_cli(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["--server", self.target] + list(argv))
        return code, err.getvalue()

    def test_every_row_lands_in_the_csv_in_order(self):
        path = os.path.join(self.scratch, "scored.csv")
        code, err = self.hpl_cli("predict-dataset", "house@production", "ds-1", "--unlabelled-only",
                                 "--id-column", "id", "--chunk-rows", "2", "-o", path)
        self.assertEqual(0, code, err)
        with open(path, newline="") as f:
            lines = list(csv.reader(f))
        self.assertEqual(["row_index", "row_id", "mean", "variance", "lower", "upper"], lines[0])
        self.assertEqual([str(i) for i in range(5)], [line[0] for line in lines[1:]])
        self.assertEqual(["r3", 3.0, 4.0], [lines[4][1], float(lines[4][2]), float(lines[4][5])])
        self.assertIn("5 rows of dataset ds-1", err)
        request = self.fake.requests[0]
        self.assertEqual(("house@production", pb.ROW_SELECTION_UNLABELLED_ONLY, "id", 2),
                         (request.model_name, request.rows, request.id_column, request.chunk_rows))

    def test_an_unknown_dataset_exits_1_with_the_status(self):
        code, err = self.hpl_cli("predict-dataset", "house", "ds-nope", "-o", os.path.join(self.scratch, "x.csv"))
        self.assertEqual(1, code)
        self.assertIn("error: NOT_FOUND", err)


if __name__ == "__main__":
    unittest.main()
