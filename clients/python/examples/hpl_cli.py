#!/usr/bin/env python3
"""A small command line over HplClient.

    export HPL_SERVER=localhost:9000
    examples/hpl_cli.py upload ../samples/house_lucas_train.csv log_price
    examples/hpl_cli.py train DATASET_ID house --method SUPERVISED -p iterations=1000 -p progress_every=250
    examples/hpl_cli.py predict house '{"yrbuilt": 1927, "stories": "one", ...}'
    examples/hpl_cli.py evaluate house DATASET_ID
    examples/hpl_cli.py models
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from google.protobuf.json_format import MessageToJson  # noqa: E402

from hpl_client import HplClient, HplError  # noqa: E402
from hpl_client._stubs import pb  # noqa: E402

Method = pb.Method


def main(argv=None):
    parser = argparse.ArgumentParser(description="hpl-server client")
    parser.add_argument("--server", default=os.environ.get("HPL_SERVER", "localhost:9000"),
                        help="host:port (default $HPL_SERVER or localhost:9000)")
    commands = parser.add_subparsers(dest="command", required=True)
    upload = commands.add_parser("upload", help="upload a CSV file")
    upload.add_argument("csv")
    upload.add_argument("target_column")
    upload.add_argument("--ignore", action="append", default=[], help="a column to ignore (repeatable)")
    train = commands.add_parser("train", help="train and show progress")
    train.add_argument("dataset_id")
    train.add_argument("model_name")
    train.add_argument("--method", default="METHOD_UNSPECIFIED")
    train.add_argument("--seed", type=int)
    train.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE")
    predict = commands.add_parser("predict", help="predict rows given as JSON objects")
    predict.add_argument("model_name")
    predict.add_argument("rows", nargs="+", help="one JSON object per row")
    evaluate = commands.add_parser("evaluate", help="score a model on a dataset's labelled rows")
    evaluate.add_argument("model_name")
    evaluate.add_argument("dataset_id")
    commands.add_parser("models", help="list models")
    args = parser.parse_args(argv)

    with HplClient(args.server) as hpl:
        try:
            if args.command == "upload":
                print(MessageToJson(hpl.upload_file(args.csv, args.target_column, ignore_columns=args.ignore)))
            elif args.command == "train":
                params = dict(p.split("=", 1) for p in args.param)
                model = hpl.train(args.dataset_id, args.model_name, method=args.method, hyperparameters=params,
                                  seed=args.seed, on_progress=lambda p: print(
                                      "iteration %d/%d  loss %.4f  validation MAE %.4f"
                                      % (p.iteration, p.total_iterations, p.train_loss, p.validation_mae)))
                print(MessageToJson(model))
            elif args.command == "predict":
                for p in hpl.predict(args.model_name, [json.loads(r) for r in args.rows]):
                    print(json.dumps({"mean": p.mean, "variance": p.variance}))
            elif args.command == "evaluate":
                print(MessageToJson(hpl.evaluate(args.model_name, dataset_id=args.dataset_id)))
            elif args.command == "models":
                for m in hpl.list_models():
                    print("%s v%d %s calibration MAE %.4f"
                          % (m.name, m.version, Method.Name(m.method), m.calibration_metrics.mae))
        except HplError as e:
            print("error: %s" % e, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
