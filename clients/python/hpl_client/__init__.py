"""Python client for hpl-server's gRPC API (hpl.v1.RegressionService), and the `hpl` command-line tool.

    from hpl_client import HplClient
    with HplClient("localhost:9000", token=os.environ.get("HPL_TOKEN")) as hpl:
        dataset = hpl.upload_file("train.csv", target_column="y")
        job = hpl.start_training(dataset.id, "my-model", method="SUPERVISED", request_id=None)
        model = hpl.wait_for_model(job.id, on_event=print)  # reattaches if the connection drops
        print(hpl.predict("my-model", [{"a": 1.0, "c": "red"}]))
        print(hpl.predict_columns("my-model", {"a": numpy.array([1.0, 2.0]), "c": ["red", "blue"]}))  # packed, fast
        print(hpl.predict_frame("my-model", frame))  # pandas in, pandas out: mean, variance, lower, upper
"""
from hpl_client.client import DEFAULT, HplClient, HplError, PackedPredictions, Prediction, open_channel

__all__ = ["DEFAULT", "HplClient", "HplError", "PackedPredictions", "Prediction", "open_channel"]
__version__ = "0.1.0"
