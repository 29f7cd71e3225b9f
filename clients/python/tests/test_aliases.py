"""set_alias, delete_alias, alias on predict/evaluate/get_model and promote on train, against an in-process fake
server (no hpl-server needed): the fake records each request, so the fields sent are checked."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import fake_server  # noqa: E402
from hpl_client import HplClient  # noqa: E402
from hpl_client._stubs import pb, pb_grpc  # noqa: E402


class AliasFake(pb_grpc.RegressionServiceServicer):
    """One model "m" with versions 1 and 2; aliases in a dict; Predict answers with the version it resolved."""

    def __init__(self):
        self.aliases = {}
        self.requests = []

    def _resolve(self, name, version, alias):
        if "@" in name:
            name, alias = name.split("@", 1)
        if alias:
            return name, self.aliases[alias]
        return name, version or self.aliases.get("production", 2)

    def SetAlias(self, request, context):
        self.requests.append(request)
        before = self.aliases.get(request.alias, 0)
        self.aliases[request.alias] = request.version
        return pb.SetAliasResponse(model_name=request.model_name, alias=request.alias, version=request.version,
                                   previous_version=before)

    def DeleteAlias(self, request, context):
        self.requests.append(request)
        return pb.DeleteAliasResponse(version=self.aliases.pop(request.alias))

    def GetModel(self, request, context):
        self.requests.append(request)
        name, version = self._resolve(request.name, request.version, request.alias)
        return pb.ModelInfo(name=name, version=version, schema=fake_server.house_schema(),
                            aliases=[a for a, v in sorted(self.aliases.items()) if v == version], loaded=True)

    def Predict(self, request, context):
        self.requests.append(request)
        name, version = self._resolve(request.model_name, request.version, request.alias)
        if request.alias and request.version:
            context.abort(3, "set either version or alias, not both")
        return pb.PredictResponse(model_name=name, version=version,
                                  predictions=[pb.Prediction(mean=float(version))] * len(request.rows))

    def Evaluate(self, request, context):
        self.requests.append(request)
        return pb.EvaluateResponse(version=self._resolve(request.model_name, request.version, request.alias)[1])

    def StartTraining(self, request, context):
        self.requests.append(request)
        return pb.JobInfo()


class AliasesTest(unittest.TestCase):
    def setUp(self):
        self.fake = AliasFake()
        self.server, port = fake_server.start(self.fake)
        self.hpl = HplClient("127.0.0.1:%d" % port, timeout=10)

    def tearDown(self):
        self.hpl.close()
        self.server.stop(None)

    def test_set_predict_by_alias_roll_back_and_delete(self):
        self.assertEqual(0, self.hpl.set_alias("m", "production", 1))
        self.assertEqual(pb.SetAliasRequest(model_name="m", alias="production", version=1), self.fake.requests[-1])
        self.assertEqual((1, [1.0]), tuple((v, [p.mean for p in ps]) for v, ps in
                                           [self.hpl.predict_versioned("m", [{"area": 1}], alias="production")])[0])
        self.assertEqual("production", self.fake.requests[-1].alias)
        self.assertEqual(1, self.hpl.set_alias("m", "production", 2))
        self.assertEqual(2.0, self.hpl.predict("m@production", [{"area": 1}])[0].mean)
        self.assertEqual(["production"], list(self.hpl.get_model("m", alias="production").aliases))
        self.assertEqual(2, self.hpl.delete_alias("m", "production"))
        self.assertEqual(pb.DeleteAliasRequest(model_name="m", alias="production"), self.fake.requests[-1])

    def test_evaluate_sends_the_alias(self):
        self.fake.aliases["candidate"] = 1
        self.hpl.evaluate("m", rows=[{"area": 1, "y": 2}], alias="candidate")
        self.assertEqual("candidate", self.fake.requests[-1].alias)

    def test_predict_rows_by_name_at_alias_resolves_once_and_pins_the_version(self):
        self.fake.aliases["candidate"] = 1
        rows = [{"area": "1", "zone": "north", "age": ""}] * 3
        means = [p.mean for p in self.hpl.predict_rows("m@candidate", rows, chunk_rows=2)]
        self.assertEqual([1.0, 1.0, 1.0], means)
        predicts = [r for r in self.fake.requests if isinstance(r, pb.PredictRequest)]
        self.assertEqual([("m", 1, "")] * 2, [(r.model_name, r.version, r.alias) for r in predicts])

    def test_promote_is_false_unless_asked(self):
        self.hpl.start_training("ds-1", "m")
        self.assertFalse(self.fake.requests[-1].promote)
        self.hpl.start_training("ds-1", "m", promote=True)
        self.assertTrue(self.fake.requests[-1].promote)


if __name__ == "__main__":
    unittest.main()
