"""Bench for issue #10's connection drop: leaves the Train stream right after `finished` N times on one
channel while another thread calls ListMethods on the same channel; prints how many calls failed.

    /usr/bin/python3 clients/python/examples/leave_after_finished.py localhost:9000 500

It uploads a small generated table and trains GBDT on it N times (model "leave-after-finished"). A
client that leaves this way is the natural `for ev in stream: if finished: break` loop.
"""
import os
import random
import sys
import threading
import time

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from hpl_client._stubs import pb, pb_grpc  # noqa: E402


def generated_csv(rows=300, seed=5):
    r = random.Random(seed)
    lines = ["id,a,b,y"]
    for i in range(rows):
        a, b = r.uniform(-1, 1), r.uniform(0, 2)
        lines.append(f"{i},{a:.4f},{b:.4f},{2 * a - b + r.gauss(0, 0.1):.4f}")
    return ("\n".join(lines) + "\n").encode()


def main(server, n):
    stub = pb_grpc.RegressionServiceStub(grpc.insecure_channel(server))
    header = pb.DatasetHeader(name="leave-after-finished", target_column="y", ignore_columns=["id"])
    dataset = stub.UploadDataset(iter([pb.UploadDatasetRequest(header=header),
                                       pb.UploadDatasetRequest(chunk=generated_csv())]), timeout=60).id
    stop = threading.Event()
    other_ok, other_failed = [0], []

    def other_calls():
        while not stop.is_set():
            try:
                stub.ListMethods(pb.ListMethodsRequest(), timeout=30)
                other_ok[0] += 1
            except grpc.RpcError as e:
                other_failed.append(f"{e.code()}: {e.details()}")

    others = threading.Thread(target=other_calls)
    others.start()
    failed = []
    start = time.time()
    for _ in range(n):
        try:
            stream = stub.Train(pb.TrainRequest(dataset_id=dataset, method=pb.Method.Value("GBDT"),
                                                model_name="leave-after-finished"), timeout=120)
            for event in stream:
                if event.WhichOneof("event") == "finished":
                    break
            stream.cancel()
        except grpc.RpcError as e:
            failed.append(f"{e.code()}: {e.details()}")
    stop.set()
    others.join()
    print(f"{server}: {n} Train streams left right after finished in {time.time() - start:.0f} s: {len(failed)} failed"
          f" (first: {failed[:1]}); other calls: {other_ok[0]} ok, {len(other_failed)} failed (first: {other_failed[:1]})")
    return 1 if failed or other_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 500))
