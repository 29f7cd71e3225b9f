"""`hpl`: hpl-server from the command line.

    hpl datasets upload train.csv --target log_price
    hpl train DATASET_ID house --method SUPERVISED -p iterations=1000
    hpl predict house input.csv -o predictions.csv
    hpl predict-dataset house DATASET_ID --unlabelled-only --id-column id -o predictions.csv
    hpl evaluate house test.csv --reliability reliability.svg

Exit codes: 0 done; 1 the server refused or failed (the gRPC status code and its message are printed);
2 a usage error; 3 a local problem (a file, a CSV cell); 130 interrupted (Ctrl-C: a training job goes on
unless --cancel-on-interrupt).
"""
import argparse
import csv
import json
import os
import sys
from typing import List, Optional

from google.protobuf.json_format import MessageToDict

from hpl_client import __version__, reliability
from hpl_client.client import PREDICT_CHUNK_ROWS, HplClient, HplError
from hpl_client.progress import ProgressBar, clock
from hpl_client._stubs import pb

EXIT_SERVER, EXIT_USAGE, EXIT_LOCAL, EXIT_INTERRUPTED = 1, 2, 3, 130
PREDICTION_COLUMNS = ["mean", "variance", "lower", "upper"]

# What a person can do about a status, beyond the server's own message.
HINTS = {
    "UNAVAILABLE": "is hpl-server running at {server}? (--server or $HPL_SERVER; --tls-ca for a TLS server)",
    "UNAUTHENTICATED": "pass a token: --token or $HPL_TOKEN",
    "PERMISSION_DENIED": "the token is valid but may not do this: ask for one that may",
    "DEADLINE_EXCEEDED": "the call took longer than --timeout seconds: raise it (0: no deadline)",
}


class LocalError(Exception):
    """A problem on this side (a file, a cell): exit 3 with its message."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="hpl", description="hpl-server from the command line (gRPC).")
    top.add_argument("--server", default=os.environ.get("HPL_SERVER", "localhost:9000"),
                     help="host:port of the gRPC API (default $HPL_SERVER or localhost:9000)")
    top.add_argument("--token", default=os.environ.get("HPL_TOKEN"),
                     help="bearer token, sent as `authorization: Bearer <token>` (default $HPL_TOKEN)")
    top.add_argument("--tls-ca", metavar="PEM", help="use TLS, trusting these root certificates")
    top.add_argument("--tls", action="store_true", help="use TLS with the system's root certificates")
    top.add_argument("--tls-server-name", help="the name the server's certificate carries, if not the host's")
    top.add_argument("--timeout", type=float, default=60.0,
                     help="seconds per call, 0 for none (uploads and job streams never have one; default 60)")
    top.add_argument("--json", action="store_true", help="print results as JSON (proto JSON names)")
    top.add_argument("--version", action="version", version="hpl (hpl-client) " + __version__)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    datasets = commands.add_parser("datasets", help="upload, list, delete datasets").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    upload = datasets.add_parser("upload", help="upload a CSV file (streamed in 1 MiB chunks)")
    upload.add_argument("csv")
    upload.add_argument("--target", required=True, help="the target column (empty cells: unlabelled rows)")
    upload.add_argument("--name", help="a name for people (default: the file's)")
    upload.add_argument("--ignore", action="append", default=[], metavar="COLUMN", help="a column to leave out")
    upload.add_argument("--categorical", action="append", default=[], metavar="COLUMN",
                        help="a column to read as categories even if its cells are numbers")
    datasets.add_parser("list", help="every dataset")
    get = datasets.add_parser("get", help="one dataset")
    get.add_argument("dataset_id")
    delete = datasets.add_parser("delete", help="delete a dataset")
    delete.add_argument("dataset_id")

    train = commands.add_parser("train", help="start a training job and follow it with a progress bar")
    train.add_argument("dataset_id")
    train.add_argument("model_name")
    train.add_argument("--method", default="METHOD_UNSPECIFIED", help="e.g. SUPERVISED, HPL, GBDT, AUTO")
    train.add_argument("--seed", type=int)
    train.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                       help="a hyperparameter (repeatable); ListMethods has them")
    train.add_argument("--request-id", help="makes a retried start return the same job (default: a fresh id)")
    train.add_argument("--detach", action="store_true", help="print the job id and return at once")
    train.add_argument("--cancel-on-interrupt", action="store_true",
                       help="Ctrl-C cancels the job (default: it goes on; reattach with `hpl jobs watch`)")

    jobs = commands.add_parser("jobs", help="list, get, cancel, watch training jobs").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    jobs_list = jobs.add_parser("list", help="jobs, oldest first")
    jobs_list.add_argument("--state", help="QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED")
    jobs_list.add_argument("--model", default="", help="jobs of this model name only")
    for action, text in (("get", "one job"), ("cancel", "cancel a queued or running job"),
                         ("watch", "follow a job to its end (reattaches; Ctrl-C detaches)")):
        jobs.add_parser(action, help=text).add_argument("job_id")

    models = commands.add_parser("models", help="list, get, delete models").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    models.add_parser("list", help="every version of every model").add_argument("name", nargs="?", default="")
    for action, text in (("get", "one version (default: the latest)"),
                         ("delete", "one version, or every version when --version is not given")):
        sub = models.add_parser(action, help=text)
        sub.add_argument("name")
        sub.add_argument("--version", type=int, default=0)

    predict = commands.add_parser("predict", help="predict a CSV file's rows into a CSV file")
    predict.add_argument("model_name")
    predict.add_argument("csv", help="rows with the model's feature columns (others are ignored)")
    predict.add_argument("-o", "--output", default="-", help="the CSV to write (default: standard output)")
    predict.add_argument("--version", type=int, default=0, help="default: the latest, fixed at the start")
    predict.add_argument("--interval-level", type=float, help="of lower/upper, in (0, 1); server default 0.9")
    predict.add_argument("--chunk-rows", type=int, default=PREDICT_CHUNK_ROWS,
                         help="rows per request: at most the server's hpl.predict.max-rows (default %(default)s)")
    predict.add_argument("--with-input", action="store_true", help="copy the input columns before the predictions")

    scored = commands.add_parser("predict-dataset",
                                 help="score a stored dataset on the server (PredictDataset) into a CSV file")
    scored.add_argument("model_name", help="a model name, or name@alias")
    scored.add_argument("dataset_id")
    scored.add_argument("-o", "--output", default="-", help="the CSV to write (default: standard output)")
    scored.add_argument("--version", type=int, default=0, help="default: the model's production alias, else latest")
    scored.add_argument("--alias", default="", help="serve the version this alias points to")
    scored.add_argument("--unlabelled-only", action="store_true", help="only the rows whose target is empty")
    scored.add_argument("--id-column", default="",
                        help="a column of the uploaded CSV copied into the output's row_id column")
    scored.add_argument("--interval-level", type=float, help="of lower/upper, in (0, 1); server default 0.9")
    scored.add_argument("--chunk-rows", type=int, default=0, help="rows per streamed message (0: server default)")

    evaluate = commands.add_parser("evaluate", help="score a model on labelled rows; draw its reliability diagram")
    evaluate.add_argument("model_name")
    evaluate.add_argument("csv", nargs="?", help="a CSV with the target column (uploaded as a dataset first)")
    evaluate.add_argument("--dataset", help="a stored dataset's id instead of a CSV")
    evaluate.add_argument("--version", type=int, default=0)
    evaluate.add_argument("--reliability", metavar="FILE",
                          help="write the reliability diagram: .svg (always), .png/.pdf (needs matplotlib)")
    return top


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    hpl = HplClient(args.server, timeout=args.timeout or None, token=args.token, tls=args.tls,
                    root_certificates=args.tls_ca, tls_server_name=args.tls_server_name)
    try:
        return COMMANDS[args.command](hpl, args) or 0
    except HplError as e:
        print("error: %s: %s" % (e.code, e.message), file=sys.stderr)
        if e.code in HINTS:
            print("hint: " + HINTS[e.code].format(server=args.server), file=sys.stderr)
        return EXIT_SERVER
    except (LocalError, OSError, ValueError, reliability.NeedsMatplotlib) as e:
        print("error: %s" % e, file=sys.stderr)
        return EXIT_LOCAL
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        hpl.close()


# ---------------------------------------------------------------------- output

def _emit(args, messages, table) -> None:
    """JSON (with --json) or a tab-separated table: table(message) -> the row's cells."""
    if args.json:
        print(json.dumps([MessageToDict(m) for m in messages], indent=2))
    else:
        for m in messages:
            print("\t".join(str(c) for c in table(m)))


def _emit_one(args, message, text: str) -> None:
    print(json.dumps(MessageToDict(message), indent=2) if args.json else text)


def _dataset_row(d):
    return d.id, d.labelled_rows, d.unlabelled_rows, d.size_bytes, d.created_at, d.name


def _job_row(j):
    done = "%d/%d" % (j.iteration, j.total_iterations) if j.total_iterations else "-"
    return (j.id, pb.JobState.Name(j.state).replace("JOB_STATE_", ""), j.request.model_name, done,
            j.created_at, ("v%d" % j.model_version) if j.model_version else (j.failure_code or "-"))


def _model_row(m):
    return (m.name, "v%d" % m.version, pb.Method.Name(m.method), "%.4f" % m.calibration_metrics.mae,
            m.dataset_id, m.created_at)


def _model_text(m) -> str:
    return ("model %s v%d (%s): calibration MAE %.4f, 90%% coverage %.3f, trained in %s on %d labelled + %d "
            "unlabelled rows" % (m.name, m.version, pb.Method.Name(m.method), m.calibration_metrics.mae,
                                 m.calibration_metrics.interval_coverage_90, _duration(m.training_seconds),
                                 m.labelled_rows_used, m.unlabelled_rows_used))


def _duration(seconds: float) -> str:
    return "%.1f s" % seconds if seconds < 60 else clock(seconds)


# ---------------------------------------------------------------------- datasets

def datasets(hpl: HplClient, args) -> None:
    if args.action == "upload":
        if not os.path.isfile(args.csv):
            raise LocalError("%s: no such file" % args.csv)
        info = hpl.upload_file(args.csv, args.target, name=args.name or os.path.basename(args.csv),
                               ignore_columns=args.ignore, categorical_columns=args.categorical)
        _emit_one(args, info, "\t".join(str(c) for c in _dataset_row(info)))
    elif args.action == "list":
        _emit(args, hpl.list_datasets(), _dataset_row)
    elif args.action == "get":
        info = hpl.get_dataset(args.dataset_id)
        _emit_one(args, info, "\t".join(str(c) for c in _dataset_row(info)))
    elif args.action == "delete":
        hpl.delete_dataset(args.dataset_id)
        print("deleted %s" % args.dataset_id, file=sys.stderr)


# ---------------------------------------------------------------------- training and jobs

def train(hpl: HplClient, args) -> int:
    params = {}
    for p in args.param:
        if "=" not in p:
            raise LocalError("-p %s: write KEY=VALUE, e.g. -p iterations=1000" % p)
        key, value = p.split("=", 1)
        params[key] = value
    job = hpl.start_training(args.dataset_id, args.model_name, method=args.method, hyperparameters=params,
                             seed=args.seed, request_id=args.request_id)
    print("job %s" % job.id, file=sys.stderr)
    if args.detach:
        _emit_one(args, job, job.id)
        return 0
    return _follow(hpl, args, job.id, cancel_on_interrupt=args.cancel_on_interrupt)


def _follow(hpl: HplClient, args, job_id: str, cancel_on_interrupt: bool) -> int:
    """A progress bar until the job ends; reattaches after a dropped connection; Ctrl-C detaches (or cancels)."""
    bar = ProgressBar()
    try:
        model = hpl.wait_for_model(job_id, on_event=bar.event, on_reattach=lambda e, n: bar.message(
            "connection lost (%s: %s); reattaching, try %d" % (e.code, e.message, n)))
    except KeyboardInterrupt:
        bar.close()
        if cancel_on_interrupt:
            hpl.cancel_job(job_id)
            print("cancelled job %s" % job_id, file=sys.stderr)
        else:
            print("detached: job %s goes on; follow it with `hpl jobs watch %s`, stop it with `hpl jobs cancel %s`"
                  % (job_id, job_id, job_id), file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        bar.close()
    _emit_one(args, model, _model_text(model))
    return 0


def jobs(hpl: HplClient, args) -> int:
    if args.action == "list":
        state = "JOB_STATE_" + args.state.upper() if args.state else "JOB_STATE_UNSPECIFIED"
        if state not in pb.JobState.keys():
            raise LocalError("--state %s: one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED" % args.state)
        _emit(args, hpl.list_jobs(state=state, model_name=args.model), _job_row)
    elif args.action == "get":
        _emit(args, [hpl.get_job(args.job_id)], _job_row)
    elif args.action == "cancel":
        _emit(args, [hpl.cancel_job(args.job_id)], _job_row)
    elif args.action == "watch":
        return _follow(hpl, args, args.job_id, cancel_on_interrupt=False)
    return 0


# ---------------------------------------------------------------------- models

def models(hpl: HplClient, args) -> None:
    if args.action == "list":
        _emit(args, hpl.list_models(args.name), _model_row)
    elif args.action == "get":
        model = hpl.get_model(args.name, args.version)
        _emit_one(args, model, _model_text(model))
    elif args.action == "delete":
        deleted = hpl.delete_model(args.name, args.version)
        print("deleted %d version(s) of %s" % (deleted, args.name), file=sys.stderr)


def predict(hpl: HplClient, args) -> None:
    if args.chunk_rows < 1:
        raise LocalError("--chunk-rows must be at least 1")
    model = hpl.get_model(args.model_name, args.version)  # fixes the version for every chunk
    with open(args.csv, newline="", encoding="utf-8") as source, \
            _open_output(args.output) as sink:
        reader = csv.DictReader(source)
        if not reader.fieldnames:
            raise LocalError("%s: empty, no header row" % args.csv)
        inputs = list(reader.fieldnames) if args.with_input else []
        clash = set(inputs) & set(PREDICTION_COLUMNS)
        if clash:
            raise LocalError("--with-input: the input already has column(s) %s" % ", ".join(sorted(clash)))
        writer = csv.writer(sink)
        writer.writerow(inputs + PREDICTION_COLUMNS)
        count = 0
        for chunk, predictions in hpl.predict_chunks(model.name, _checked(reader), model.version,
                                                     args.interval_level, args.chunk_rows):
            for row, p in zip(chunk, predictions):
                writer.writerow([row[c] for c in inputs] + [repr(p.mean), repr(p.variance), repr(p.lower),
                                                           repr(p.upper)])
            count += len(chunk)
    print("%d rows predicted by %s v%d -> %s" % (count, model.name, model.version, args.output), file=sys.stderr)


def predict_dataset(hpl: HplClient, args) -> None:
    # The server reads the rows from its store and streams them in file order: nothing is uploaded here.
    with _open_output(args.output) as sink:
        writer = csv.writer(sink)
        writer.writerow(["row_index", "row_id"] + PREDICTION_COLUMNS)
        count = 0
        for index, row_id, p in hpl.predict_dataset(args.model_name, args.dataset_id, version=args.version,
                                                    unlabelled_only=args.unlabelled_only,
                                                    interval_level=args.interval_level, chunk_rows=args.chunk_rows,
                                                    id_column=args.id_column, alias=args.alias):
            writer.writerow([index, row_id, repr(p.mean), repr(p.variance), repr(p.lower), repr(p.upper)])
            count += 1
    print("%d rows of dataset %s predicted by %s -> %s" % (count, args.dataset_id, args.model_name, args.output),
          file=sys.stderr)


def _checked(reader):
    for row in reader:
        if None in row:  # DictReader's key for cells past the header
            raise LocalError("line %d has more cells than the header" % reader.line_num)
        yield row


def _open_output(path: str):
    if path == "-":
        return open(sys.stdout.fileno(), "w", newline="", encoding="utf-8", closefd=False)
    return open(path, "w", newline="", encoding="utf-8")


def evaluate(hpl: HplClient, args) -> None:
    if (args.csv is None) == (args.dataset is None):
        raise LocalError("give a CSV file or --dataset ID (one of them)")
    model = hpl.get_model(args.model_name, args.version)
    dataset_id = args.dataset
    if args.csv:
        if not os.path.isfile(args.csv):
            raise LocalError("%s: no such file" % args.csv)
        # Stored first (content-addressed: the same file again is the same dataset), so a file of any size is
        # scored whole, in one Evaluate: its metrics (R², Spearman, coverage) do not add up across chunks.
        schema = model.schema
        categorical = [c.name for c in schema.features if c.kind == pb.COLUMN_KIND_CATEGORICAL]
        info = hpl.upload_file(args.csv, schema.target_column, name=os.path.basename(args.csv),
                               ignore_columns=list(schema.ignored_columns), categorical_columns=categorical)
        print("uploaded %s as dataset %s (%d labelled rows)" % (args.csv, info.id, info.labelled_rows),
              file=sys.stderr)
        dataset_id = info.id
    metrics = hpl.evaluate(model.name, dataset_id=dataset_id, version=model.version)
    if args.json:
        print(json.dumps(MessageToDict(metrics), indent=2))
    else:
        print("%s v%d on %s: %d rows" % (model.name, model.version, dataset_id, metrics.rows))
        for label, value in (("MAE", metrics.mae), ("RMSE", metrics.rmse), ("R²", metrics.r2),
                             ("NLL", metrics.nll), ("Gaussian 90% coverage", metrics.coverage_90),
                             ("interval coverage 50/80/90/95%", "%.3f / %.3f / %.3f / %.3f" % (
                                 metrics.interval_coverage_50, metrics.interval_coverage_80,
                                 metrics.interval_coverage_90, metrics.interval_coverage_95))):
            print("  %-31s %s" % (label, value if isinstance(value, str) else "%.4f" % value))
    if args.reliability:
        title = "%s v%d: interval reliability (%d rows)" % (model.name, model.version, metrics.rows)
        drawer = reliability.write(args.reliability, reliability.points(metrics), title)
        print("reliability diagram (%s) -> %s" % (drawer, args.reliability), file=sys.stderr)


COMMANDS = {"datasets": datasets, "train": train, "jobs": jobs, "models": models, "predict": predict,
            "predict-dataset": predict_dataset, "evaluate": evaluate}

if __name__ == "__main__":
    sys.exit(main())
