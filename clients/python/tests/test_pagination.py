"""list_datasets and list_models follow next_page_token, against an in-process fake server (no hpl-server needed)."""
import os
import sys
import unittest
from concurrent import futures

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from hpl_client import HplClient  # noqa: E402
from hpl_client._stubs import pb, pb_grpc  # noqa: E402

PAGE = 2


class PagingFake(pb_grpc.RegressionServiceServicer):
    """Serves 5 datasets and 5 model versions, PAGE at a time; the token is the next index."""

    def __init__(self):
        self.requests = []

    def _page(self, request):
        self.requests.append(request)
        start = int(request.page_token or "0")
        end = min(start + PAGE, 5)
        return range(start, end), (str(end) if end < 5 else "")

    def ListDatasets(self, request, context):
        items, token = self._page(request)
        return pb.ListDatasetsResponse(datasets=[pb.DatasetInfo(id="ds-%d" % i) for i in items], next_page_token=token)

    def ListModels(self, request, context):
        items, token = self._page(request)
        return pb.ListModelsResponse(models=[pb.ModelInfo(name=request.name or "m", version=i + 1) for i in items],
                                     next_page_token=token)


class PaginationTest(unittest.TestCase):
    def setUp(self):
        self.fake = PagingFake()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        pb_grpc.add_RegressionServiceServicer_to_server(self.fake, self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.hpl = HplClient("127.0.0.1:%d" % port, timeout=10)

    def tearDown(self):
        self.server.stop(None)

    def test_list_datasets_follows_every_page(self):
        self.assertEqual(["ds-%d" % i for i in range(5)], [d.id for d in self.hpl.list_datasets()])
        self.assertEqual(["", "2", "4"], [r.page_token for r in self.fake.requests])

    def test_list_models_follows_every_page_keeping_the_name(self):
        self.assertEqual([1, 2, 3, 4, 5], [m.version for m in self.hpl.list_models("house")])
        self.assertEqual(["house"] * 3, [r.name for r in self.fake.requests])


if __name__ == "__main__":
    unittest.main()
