"""pandas DataFrames in and out, against an in-process fake server; skipped without pandas (optional)."""
import unittest

from fake_server import pb
from test_jobs_and_cli import FakeServer, FakeServerTest

try:
    import pandas
except ImportError:
    pandas = None


class UploadRecorder(FakeServer):
    def UploadDataset(self, request_iterator, context):
        requests = list(request_iterator)
        self.uploaded = (requests[0].header, b"".join(r.chunk for r in requests[1:]))
        return pb.DatasetInfo(id="ds-1", labelled_rows=2, unlabelled_rows=1)


@unittest.skipUnless(pandas, "pandas is optional (apt-get install python3-pandas)")
class FrameTest(FakeServerTest):
    SERVICER = UploadRecorder

    def test_predict_frame_keeps_the_index_and_types_cells_by_the_schema(self):
        frame = pandas.DataFrame({"area": [1.5, 2.5, 3.5, 4.5, 5.5], "zone": [3, None, 3, 3, 3],
                                  "age": [1, None, 2, 3, 4]}, index=list("abcde"))
        predicted = self.hpl.predict_frame("house", frame, chunk_rows=2)
        self.assertEqual(["mean", "variance", "lower", "upper"], list(predicted.columns))
        self.assertEqual(list("abcde"), list(predicted.index))
        self.assertEqual([1.5, 2.5, 3.5, 4.5, 5.5], list(predicted["mean"]))
        self.assertEqual([(2, 2), (2, 2), (1, 2)], self.fake.predict_sizes)
        # zone became float (3.0, NaN) in pandas: sent as the category "3" and null; age NaN as null
        self.assertEqual({"area": 1.5, "zone": "3", "age": 1.0}, self.fake.predict_rows[0])
        self.assertEqual({"area": 2.5, "zone": None, "age": None}, self.fake.predict_rows[1])

    def test_upload_frame_sends_csv_with_one_header_in_pieces(self):
        frame = pandas.DataFrame({"a": [1, 2, 3], "y": [0.5, None, 1.5]})
        info = self.hpl.upload_frame(frame, "y", name="f", chunk_rows=2)
        self.assertEqual("ds-1", info.id)
        header, body = self.fake.uploaded
        self.assertEqual(("f", "y"), (header.name, header.target_column))
        self.assertEqual(b"a,y\n1,0.5\n2,\n3,1.5\n", body)


if __name__ == "__main__":
    unittest.main()
