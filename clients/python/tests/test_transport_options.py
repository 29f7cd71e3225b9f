"""Token and TLS options and deadlines, against an in-process fake server (no hpl-server needed)."""
import os
import shutil
import tempfile
import unittest

import grpc

from fake_server import pb, pb_grpc, self_signed, start
from hpl_client import HplClient, HplError


class Recorder(pb_grpc.RegressionServiceServicer):
    """Answers one call of each kind and records its metadata and remaining time."""

    def __init__(self):
        self.calls = {}

    def _record(self, name, context):
        remaining = context.time_remaining()  # about 2**63 ns when the call has no deadline
        self.calls[name] = (dict(context.invocation_metadata()), remaining if remaining < 1e9 else None)

    def ListModels(self, request, context):  # unary
        self._record("ListModels", context)
        return pb.ListModelsResponse()

    def UploadDataset(self, request_iterator, context):  # client streaming
        chunks = sum(1 for r in request_iterator if r.WhichOneof("part") == "chunk")
        self._record("UploadDataset", context)
        return pb.DatasetInfo(id="ds-%d" % chunks)

    def WatchJob(self, request, context):  # server streaming
        self._record("WatchJob", context)
        yield pb.TrainEvent(sequence=0, finished=pb.TrainFinished(job_id=request.job_id,
                                                                  model=pb.ModelInfo(name="m", version=1)))


class TokenAndDeadlineTest(unittest.TestCase):
    def setUp(self):
        self.fake = Recorder()
        self.server, port = start(self.fake)
        self.target = "127.0.0.1:%d" % port

    def tearDown(self):
        self.server.stop(None)

    def exercise(self, hpl):
        hpl.list_models()
        self.assertEqual("ds-3", hpl.upload([b"a,y\n", b"1,2\n", b"3,4\n"], "y").id)
        self.assertEqual(1, hpl.wait_for_model("job-1").version)

    def test_the_token_goes_on_every_kind_of_call(self):
        with HplClient(self.target, token="s3cret") as hpl:
            self.exercise(hpl)
        for name, (metadata, _) in self.fake.calls.items():
            self.assertEqual("Bearer s3cret", metadata.get("authorization"), name)

    def test_no_token_no_header(self):
        with HplClient(self.target) as hpl:
            self.exercise(hpl)
        for name, (metadata, _) in self.fake.calls.items():
            self.assertNotIn("authorization", metadata, name)

    def test_uploads_and_watches_have_no_deadline_unary_calls_have_the_clients(self):
        with HplClient(self.target, timeout=30) as hpl:
            self.exercise(hpl)
        self.assertIsNone(self.fake.calls["UploadDataset"][1])
        self.assertIsNone(self.fake.calls["WatchJob"][1])
        self.assertAlmostEqual(30, self.fake.calls["ListModels"][1], delta=1)

    def test_deadlines_per_client_and_per_call(self):
        with HplClient(self.target, upload_timeout=100, timeout=None) as hpl:
            hpl.upload([b"a,y\n"], "y")
            self.assertAlmostEqual(100, self.fake.calls["UploadDataset"][1], delta=1)
            hpl.list_models()
            self.assertIsNone(self.fake.calls["ListModels"][1])
            hpl.upload([b"a,y\n"], "y", timeout=None)
            self.assertIsNone(self.fake.calls["UploadDataset"][1])
            hpl.list_models(timeout=5)
            self.assertAlmostEqual(5, self.fake.calls["ListModels"][1], delta=1)


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command to make a certificate")
class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.key, cls.cert = self_signed("localhost")
        cls.fake = Recorder()
        cls.server, port = start(cls.fake, grpc.ssl_server_credentials([(cls.key, cls.cert)]))
        cls.target = "localhost:%d" % port
        cls.scratch = tempfile.mkdtemp()
        cls.ca = os.path.join(cls.scratch, "ca.pem")
        with open(cls.ca, "wb") as f:
            f.write(cls.cert)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop(None)
        shutil.rmtree(cls.scratch)

    def test_tls_with_a_root_certificate_file_and_a_token(self):
        with HplClient(self.target, root_certificates=self.ca, token="t0k") as hpl:
            self.exercise_one(hpl)

    def test_tls_with_root_certificate_bytes(self):
        with HplClient(self.target, root_certificates=self.cert, token="t0k") as hpl:
            self.exercise_one(hpl)

    def exercise_one(self, hpl):
        hpl.list_models()
        self.assertEqual("Bearer t0k", self.fake.calls["ListModels"][0]["authorization"])

    def test_plaintext_to_a_tls_server_fails_with_a_status(self):
        with HplClient(self.target, timeout=5) as hpl:
            with self.assertRaises(HplError) as caught:
                hpl.list_models()
        self.assertIn(caught.exception.code, ("UNAVAILABLE", "DEADLINE_EXCEEDED"))

    def test_an_untrusted_certificate_fails_with_a_status(self):
        _, other = self_signed("localhost")
        with HplClient(self.target, root_certificates=other, timeout=5) as hpl:
            with self.assertRaises(HplError) as caught:
                hpl.list_models()
        self.assertIn(caught.exception.code, ("UNAVAILABLE", "DEADLINE_EXCEEDED"))


if __name__ == "__main__":
    unittest.main()
