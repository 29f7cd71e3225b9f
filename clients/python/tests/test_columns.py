"""predict_columns and predict_encoded: the request's columns and x forms, and the packed answer, against a fake server."""
import math
import unittest

from fake_server import pb
from test_jobs_and_cli import FakeServer, FakeServerTest

try:
    import numpy
except ImportError:
    numpy = None


class ColumnsRecorder(FakeServer):
    """Answers mean = the first value of each row (column 'area', or x's first input), packed."""

    def Predict(self, request, context):
        self.request = request
        if request.HasField("x"):
            w = request.x.width
            means = [request.x.values[i] for i in range(0, len(request.x.values), w)]
        else:
            area = [c for c in request.columns.columns if c.name == "area"][0]
            means = list(area.floats) or list(area.doubles)
        return pb.PredictResponse(version=3, packed=pb.PackedPredictions(
            mean=means, variance=[1.0] * len(means), lower=[m - 1 for m in means], upper=[m + 1 for m in means]))


class ColumnsTest(FakeServerTest):
    SERVICER = ColumnsRecorder

    def test_lists_go_as_doubles_and_texts(self):
        version, packed = self.hpl.predict_columns("house", {"area": [1.5, float("nan")], "zone": ["a", None]})
        self.assertEqual(3, version)
        self.assertEqual(1.5, packed.mean[0])
        self.assertTrue(math.isnan(packed.mean[1]))
        self.assertEqual([2.5], list(packed.upper[:1]))
        columns = {c.name: c for c in self.fake.request.columns.columns}
        self.assertEqual([1.5], list(columns["area"].doubles)[:1])
        self.assertEqual(["a", ""], list(columns["zone"].texts))
        self.assertFalse(self.fake.request.rows)

    @unittest.skipUnless(numpy, "numpy is optional")
    def test_numpy_float32_goes_as_floats_and_x_as_rows(self):
        version, packed = self.hpl.predict_columns("house", {"area": numpy.array([2.0, 3.0], dtype=numpy.float32),
                                                             "age": numpy.array([1, 2])})
        columns = {c.name: c for c in self.fake.request.columns.columns}
        self.assertEqual([2.0, 3.0], list(columns["area"].floats))
        self.assertEqual([1.0, 2.0], list(columns["age"].doubles))
        self.assertEqual([2.0, 3.0], list(packed.mean))
        _, packed = self.hpl.predict_encoded("house", numpy.array([[4.0, 0.0], [5.0, 1.0]], dtype=numpy.float32))
        self.assertEqual(2, self.fake.request.x.width)
        self.assertEqual([4.0, 5.0], list(packed.mean))


if __name__ == "__main__":
    unittest.main()
