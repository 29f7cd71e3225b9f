"""Python client for hpl-server's gRPC API (hpl.v1.RegressionService).

    from hpl_client import HplClient
    with HplClient("localhost:9000") as hpl:
        dataset = hpl.upload_file("train.csv", target_column="y")
        model = hpl.train(dataset.id, "my-model", method="SUPERVISED", on_progress=print)
        print(hpl.predict("my-model", [{"a": 1.0, "c": "red"}]))
"""
from hpl_client.client import HplClient, HplError, Prediction

__all__ = ["HplClient", "HplError", "Prediction"]
