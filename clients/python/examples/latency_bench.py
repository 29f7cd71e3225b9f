"""Bench for issue #12: Predict of one row against a grpc.health.v1 Check, side by side on one channel.

    /usr/bin/python3 clients/python/examples/latency_bench.py HOST:PORT [CALLS]

Uploads clients/samples/house_lucas_train.csv, trains a SUPERVISED MLP (256-256, the default) and an HPL
model on it (few iterations: latency does not depend on how well they fit), then alternates a health
Check, a one-row Predict on the SUPERVISED model and one on the HPL model, each in the row form (a Struct
per row), in the columns form (PredictRequest.columns, the fast path) and in the x form (the row already
encoded as the model's inputs, Schema.encoded_inputs: no parsing or encoding in the server), CALLS times
each (default 10000, after 200 warm-up rounds), and prints p50/p99 in ms and Predict's ratio to the Check.

With authentication on (the production default), give an admin token in HPL_TOKEN: every call, the Check
included, then carries `authorization: Bearer <token>`, as a client with call credentials sends it.
"""
import os
import sys
import time

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from hpl_client._stubs import health_grpc, health_pb, pb, pb_grpc  # noqa: E402
from hpl_client.client import _column_values  # noqa: E402
from google.protobuf import struct_pb2  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "..", "samples", "house_lucas_train.csv")
ROW = {"yrbuilt": 1927, "stories": "one", "TLA": 1137, "wall": "metlvnyl", "beds": 3, "baths": 1, "halfbaths": 1,
       "frontage": 40, "depth": 140, "garage": "detached", "garagesqft": 486, "rooms": 6, "lotsize": 5600,
       "syear": 1998}


TOKEN = os.environ.get("HPL_TOKEN")
METADATA = [("authorization", "Bearer " + TOKEN)] if TOKEN else None


def train(stub, dataset, method, name):
    request = pb.TrainRequest(dataset_id=dataset, method=pb.Method.Value(method), model_name=name,
                              hyperparameters={"iterations": "200"})
    for event in stub.Train(request, timeout=600, metadata=METADATA):
        if event.WhichOneof("event") in ("failed", "cancelled"):
            raise SystemExit("%s training ended: %s" % (method, event))
    return name


def encoded(row, model_input):
    """One model input of the row, as the server's encoder makes it (standardising is in the graph)."""
    if model_input.endswith("__missing"):
        return 0.0
    if "=" in model_input:
        column, category = model_input.split("=", 1)
        return 1.0 if str(row[column]) == category else 0.0
    return float(row[model_input])


def quantiles(samples):
    s = sorted(samples)
    return s[len(s) // 2] * 1e3, s[min(len(s) - 1, int(len(s) * 0.99))] * 1e3


def main(server, calls):
    channel = grpc.insecure_channel(server)
    stub = pb_grpc.RegressionServiceStub(channel)
    health = health_grpc.HealthStub(channel)
    with open(SAMPLE, "rb") as f:
        data = f.read()
    header = pb.DatasetHeader(name="latency-bench", target_column="log_price")
    dataset = stub.UploadDataset(iter([pb.UploadDatasetRequest(header=header),
                                       pb.UploadDatasetRequest(chunk=data)]), timeout=120, metadata=METADATA).id
    models = {"SUPERVISED": train(stub, dataset, "SUPERVISED", "latency-supervised"),
              "HPL": train(stub, dataset, "HPL", "latency-hpl")}
    row = struct_pb2.Struct()
    row.update(ROW)
    requests = {"Predict %s" % m: pb.PredictRequest(model_name=name, rows=[row]) for m, name in models.items()}
    for m, name in models.items():
        columns = pb.PredictRequest(model_name=name)
        for column, value in ROW.items():
            columns.columns.columns.append(_column_values(column, [value]))
        requests["Predict %s (columns)" % m] = columns
    for m, name in models.items():
        inputs = stub.GetModel(pb.GetModelRequest(name=name), timeout=10, metadata=METADATA).schema.encoded_inputs
        requests["Predict %s (x)" % m] = pb.PredictRequest(
            model_name=name, x=pb.EncodedMatrix(width=len(inputs), values=[encoded(ROW, i) for i in inputs]))
    check = health_pb.HealthCheckRequest()
    calls_by_label = {"health Check": lambda: health.Check(check, timeout=10, metadata=METADATA)}
    for label, request in requests.items():
        calls_by_label[label] = lambda request=request: stub.Predict(request, timeout=10, metadata=METADATA)
    times = {label: [] for label in calls_by_label}
    for i in range(200 + calls):
        for label, call in calls_by_label.items():
            start = time.perf_counter()
            call()
            if i >= 200:
                times[label].append(time.perf_counter() - start)
    base50, base99 = quantiles(times["health Check"])
    print("| call (one row, %d each, one channel, %s, auth %s) | p50 ms | p99 ms | p50 / Check | p99 / Check |"
          % (calls, server, "on" if TOKEN else "off"))
    print("|---|---|---|---|---|")
    for label, samples in times.items():
        p50, p99 = quantiles(samples)
        print("| %s | %.3f | %.3f | %.2f | %.2f |" % (label, p50, p99, p50 / base50, p99 / base99))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10000)
