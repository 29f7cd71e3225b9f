"""watch() reattaching, and the hpl command line (predict in chunks, exit codes, Ctrl-C), against an in-process
fake server (no hpl-server needed)."""
import contextlib
import csv
import io
import os
import shutil
import tempfile
import threading
import unittest
import xml.etree.ElementTree as ElementTree
from unittest import mock

import grpc

from fake_server import house_schema, pb, pb_grpc, start
from hpl_client import HplClient, HplError, cli, reliability
from hpl_client.progress import ProgressBar, clock, eta_seconds

MAX_ROWS = 4


class FakeServer(pb_grpc.RegressionServiceServicer):
    """A job whose first WatchJob drops after two events, and a model that predicts mean = area."""

    def __init__(self):
        self.watch_from = []
        self.predict_sizes = []
        self.predict_rows = []
        self.fail_job = False
        self.cancel_job = False
        self.silent_first_watch = False
        self.started = []

    def StartTraining(self, request, context):
        self.started.append(request)
        return pb.JobInfo(id="job-1", request_id=request.request_id, state=pb.JOB_STATE_QUEUED)

    def WatchJob(self, request, context):
        self.watch_from.append(request.from_sequence)
        if self.silent_first_watch and len(self.watch_from) == 1:
            yield pb.TrainEvent(sequence=0, accepted=pb.TrainAccepted(job_id=request.job_id))
            ended = threading.Event()
            context.add_callback(ended.set)
            ended.wait(30)  # a connection gone quiet: no events, no heartbeats, until the client gives up
            return
        events = [pb.TrainEvent(sequence=0, accepted=pb.TrainAccepted(job_id=request.job_id)),
                  pb.TrainEvent(sequence=1, progress=pb.TrainProgress(iteration=10, total_iterations=30)),
                  pb.TrainEvent(sequence=1, heartbeat=pb.TrainHeartbeat(iteration=10, total_iterations=30)),
                  pb.TrainEvent(sequence=2, progress=pb.TrainProgress(iteration=20, total_iterations=30)),
                  pb.TrainEvent(sequence=3, progress=pb.TrainProgress(iteration=30, total_iterations=30))]
        if self.fail_job:
            events.append(pb.TrainEvent(sequence=4, failed=pb.TrainFailed(code="FAILED_PRECONDITION",
                                                                          message="no labelled rows")))
        elif self.cancel_job:
            events.append(pb.TrainEvent(sequence=4, cancelled=pb.TrainCancelled(message="cancelled by CancelJob")))
        else:
            events.append(pb.TrainEvent(sequence=4, finished=pb.TrainFinished(
                model=pb.ModelInfo(name="house", version=2))))
        for e in events:
            if e.sequence >= request.from_sequence:
                yield e
            if len(self.watch_from) == 1 and e.sequence == 1 and e.WhichOneof("event") == "heartbeat":
                context.abort(grpc.StatusCode.UNAVAILABLE, "server shutting down; job will resume")
        if self.fail_job:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "no labelled rows")
        if self.cancel_job:
            context.abort(grpc.StatusCode.CANCELLED, "job %s was cancelled" % request.job_id)

    def GetModel(self, request, context):
        if request.name != "house":
            context.abort(grpc.StatusCode.NOT_FOUND, "model '%s' not found" % request.name)
        return pb.ModelInfo(name="house", version=request.version or 2, schema=house_schema())

    def Predict(self, request, context):
        if len(request.rows) > MAX_ROWS:
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "too many rows")
        self.predict_sizes.append((len(request.rows), request.version))
        rows = [dict(r.items()) for r in request.rows]
        self.predict_rows.extend(rows)
        return pb.PredictResponse(predictions=[pb.Prediction(mean=r["area"], variance=1, lower=r["area"] - 1,
                                                             upper=r["area"] + 1) for r in rows])


class FakeServerTest(unittest.TestCase):
    SERVICER = FakeServer

    def setUp(self):
        self.fake = self.SERVICER()
        self.server, port = start(self.fake)
        self.target = "127.0.0.1:%d" % port
        self.hpl = HplClient(self.target, timeout=10)
        self.scratch = tempfile.mkdtemp()

    def tearDown(self):
        self.hpl.close()
        self.server.stop(None)
        shutil.rmtree(self.scratch)

    def hpl_cli(self, *argv):
        """Runs `hpl --server <fake> argv...`: (exit code, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["--server", self.target] + list(argv))
        return code, out.getvalue(), err.getvalue()

    def csv_file(self, name, rows):
        path = os.path.join(self.scratch, name)
        with open(path, "w", newline="") as f:
            csv.writer(f).writerows(rows)
        return path


class WatchTest(FakeServerTest):
    def test_a_dropped_stream_is_reattached_after_the_last_sequence_seen(self):
        seen, reattaches = [], []
        model = self.hpl.wait_for_model("job-1", on_event=seen.append, backoff=0,
                                        on_reattach=lambda e, n: reattaches.append((e.code, n)))
        self.assertEqual(2, model.version)
        self.assertEqual([0, 2], self.fake.watch_from)
        self.assertEqual([("UNAVAILABLE", 1)], reattaches)
        self.assertEqual([(0, "accepted"), (1, "progress"), (1, "heartbeat"), (2, "progress"), (3, "progress"),
                          (4, "finished")], [(e.sequence, e.WhichOneof("event")) for e in seen])

    def test_reattaching_gives_up_after_the_attempts_allowed(self):
        with self.assertRaises(HplError) as caught:
            self.hpl.watch("job-1", backoff=0, reattach=0)
        self.assertEqual("UNAVAILABLE", caught.exception.code)

    def test_a_failed_job_raises_its_code_and_message(self):
        self.fake.fail_job = True
        with self.assertRaises(HplError) as caught:
            self.hpl.wait_for_model("job-1", backoff=0)
        self.assertEqual(("FAILED_PRECONDITION", "no labelled rows"), (caught.exception.code, caught.exception.message))

    def test_a_stream_silent_past_idle_timeout_is_reattached(self):
        self.fake.silent_first_watch = True
        reattaches = []
        model = self.hpl.wait_for_model("job-1", backoff=0, idle_timeout=0.5,
                                        on_reattach=lambda e, n: reattaches.append(e.message))
        self.assertEqual(2, model.version)
        self.assertEqual([0, 1], self.fake.watch_from[:2])
        self.assertIn("no event from job job-1 for 0.5 s, not even a heartbeat", reattaches[0])

    def test_a_cancelled_job_raises_cancelled(self):
        self.fake.cancel_job = True
        with self.assertRaises(HplError) as caught:
            self.hpl.wait_for_model("job-1", backoff=0)
        self.assertEqual(("CANCELLED", "cancelled by CancelJob"), (caught.exception.code, caught.exception.message))


class TrainCliTest(FakeServerTest):
    def test_train_starts_a_job_draws_progress_reattaches_and_prints_the_model(self):
        with mock.patch("time.sleep"):  # the reattach backoff
            code, out, err = self.hpl_cli("train", "ds-1", "house", "--method", "SUPERVISED", "-p", "iterations=30")
        self.assertEqual(0, code, err)
        request = self.fake.started[0]
        self.assertEqual(("ds-1", "house", pb.SUPERVISED, {"iterations": "30"}),
                         (request.dataset_id, request.model_name, request.method, dict(request.hyperparameters)))
        self.assertEqual(32, len(request.request_id), "a fresh request id makes a retried start the same job")
        self.assertIn("connection lost (UNAVAILABLE: server shutting down; job will resume); reattaching, try 1", err)
        self.assertIn("100% 30/30", err)
        self.assertIn("model house v2", out)

    def test_detach_prints_the_job_id_only(self):
        code, out, _ = self.hpl_cli("train", "ds-1", "house", "--detach")
        self.assertEqual((0, "job-1\n"), (code, out))
        self.assertEqual([], self.fake.watch_from)

    def test_a_bad_hyperparameter_argument_exits_3(self):
        code, _, err = self.hpl_cli("train", "ds-1", "house", "-p", "iterations")
        self.assertEqual(cli.EXIT_LOCAL, code)
        self.assertIn("write KEY=VALUE", err)


class PredictCliTest(FakeServerTest):
    def test_a_csv_is_predicted_in_chunks_under_the_servers_limit_in_order(self):
        rows = [["area", "zone", "age", "y", "note"]] + [[i, "3" if i % 2 else "north", "" if i == 5 else 40, 1, "x"]
                                                        for i in range(10)]
        source, out = self.csv_file("in.csv", rows), os.path.join(self.scratch, "out.csv")
        code, _, err = self.hpl_cli("predict", "house", source, "-o", out, "--chunk-rows", str(MAX_ROWS))
        self.assertEqual(0, code, err)
        with open(out, newline="") as f:
            written = list(csv.DictReader(f))
        self.assertEqual([float(i) for i in range(10)], [float(r["mean"]) for r in written])
        self.assertEqual(["mean", "variance", "lower", "upper"], list(written[0]))
        self.assertEqual([(4, 2), (4, 2), (2, 2)], self.fake.predict_sizes, "chunks, all on the version fixed first")
        # cells typed by the schema: categorical "3" stays text, an empty numeric cell is null, others are left out
        self.assertEqual({"area": 1.0, "zone": "3", "age": 40.0}, self.fake.predict_rows[1])
        self.assertIsNone(self.fake.predict_rows[5]["age"])
        self.assertIn("10 rows predicted by house v2", err)

    def test_with_input_copies_the_input_columns(self):
        source = self.csv_file("in.csv", [["area", "zone", "age"], [7, "north", 1]])
        out = os.path.join(self.scratch, "out.csv")
        self.assertEqual(0, self.hpl_cli("predict", "house", source, "-o", out, "--with-input")[0])
        with open(out, newline="") as f:
            self.assertEqual([["area", "zone", "age", "mean", "variance", "lower", "upper"],
                              ["7", "north", "1", "7.0", "1.0", "6.0", "8.0"]], list(csv.reader(f)))

    def test_a_chunk_over_the_servers_limit_exits_1_with_the_status_and_no_traceback(self):
        source = self.csv_file("in.csv", [["area", "zone", "age"]] + [[i, "north", 1] for i in range(10)])
        code, _, err = self.hpl_cli("predict", "house", source, "-o", os.path.join(self.scratch, "o.csv"),
                                    "--chunk-rows", "5")
        self.assertEqual(cli.EXIT_SERVER, code)
        self.assertIn("error: RESOURCE_EXHAUSTED: too many rows", err)
        self.assertNotIn("Traceback", err)

    def test_an_unknown_model_exits_1_naming_the_status(self):
        code, _, err = self.hpl_cli("models", "get", "nope")
        self.assertEqual((cli.EXIT_SERVER, "error: NOT_FOUND: model 'nope' not found\n"), (code, err))

    def test_a_missing_file_and_a_bad_cell_exit_3(self):
        code, _, err = self.hpl_cli("predict", "house", os.path.join(self.scratch, "none.csv"))
        self.assertEqual(cli.EXIT_LOCAL, code)
        self.assertIn("none.csv", err)
        source = self.csv_file("bad.csv", [["area", "zone", "age"], ["big", "north", 1]])
        code, _, err = self.hpl_cli("predict", "house", source, "-o", os.path.join(self.scratch, "o.csv"))
        self.assertEqual(cli.EXIT_LOCAL, code)
        self.assertIn("column 'area' is numeric in the model's schema, but a row has 'big'", err)

    def test_an_unreachable_server_says_what_to_check(self):
        code, _, err = cli_main_capture(["--server", "127.0.0.1:1", "--timeout", "5", "models", "list"])
        self.assertEqual(cli.EXIT_SERVER, code)
        self.assertIn("error: UNAVAILABLE", err)
        self.assertIn("is hpl-server running at 127.0.0.1:1?", err)


def cli_main_capture(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


class InterruptTest(unittest.TestCase):
    """Ctrl-C while following a job: detach by default, cancel with --cancel-on-interrupt."""

    def follow(self, cancel_on_interrupt):
        hpl = mock.Mock()
        hpl.wait_for_model.side_effect = KeyboardInterrupt
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = cli._follow(hpl, mock.Mock(json=False), "job-7", cancel_on_interrupt)
        return code, hpl, err.getvalue()

    def test_ctrl_c_detaches_and_says_how_to_reattach(self):
        code, hpl, err = self.follow(False)
        self.assertEqual(cli.EXIT_INTERRUPTED, code)
        hpl.cancel_job.assert_not_called()
        self.assertIn("hpl jobs watch job-7", err)

    def test_ctrl_c_cancels_when_asked(self):
        code, hpl, err = self.follow(True)
        self.assertEqual(cli.EXIT_INTERRUPTED, code)
        hpl.cancel_job.assert_called_once_with("job-7")
        self.assertIn("cancelled job job-7", err)


class ProgressTest(unittest.TestCase):
    def test_eta_is_the_pace_so_far_times_what_is_left(self):
        self.assertEqual(30.0, eta_seconds(10, 100.0, 20, 110.0, 50))  # 1 s per iteration, 30 left
        self.assertIsNone(eta_seconds(10, 100.0, 10, 110.0, 50))  # no progress yet: unknown
        self.assertEqual("1:05", clock(65))
        self.assertEqual("2:00:00", clock(7200))
        self.assertEqual("--:--", clock(None))

    def test_a_log_gets_one_line_per_progress_event_with_the_eta(self):
        out, times = io.StringIO(), iter([0.0, 10.0, 20.0])
        bar = ProgressBar(out, now=lambda: next(times), interactive=False)
        for i in (10, 20, 30):
            bar.event(pb.TrainEvent(progress=pb.TrainProgress(iteration=i, total_iterations=50)))
        bar.event(pb.TrainEvent(heartbeat=pb.TrainHeartbeat(iteration=30, total_iterations=50)))
        lines = out.getvalue().splitlines()
        self.assertEqual(3, len(lines), lines)  # heartbeats redraw a terminal only
        self.assertIn(" 20% 10/50", lines[0])
        self.assertTrue(lines[0].endswith("ETA --:--"), lines[0])
        self.assertTrue(lines[2].endswith("ETA 0:20"), lines[2])  # 1 s per iteration, 20 left

    def test_a_restarted_attempt_or_a_reattach_measures_the_pace_again(self):
        out, times = io.StringIO(), iter([0.0, 10.0, 100.0, 104.0, 200.0, 202.0])
        bar = ProgressBar(out, now=lambda: next(times), interactive=False)
        for i in (10, 20, 10, 20):  # a server restart re-ran the job from 0 after iteration 20
            bar.event(pb.TrainEvent(progress=pb.TrainProgress(iteration=i, total_iterations=50)))
        bar.message("connection lost; reattaching")
        for i in (30, 40):
            bar.event(pb.TrainEvent(progress=pb.TrainProgress(iteration=i, total_iterations=50)))
        lines = [l for l in out.getvalue().splitlines() if "ETA" in l]
        self.assertTrue(lines[2].endswith("ETA --:--"), lines[2])
        self.assertTrue(lines[3].endswith("ETA 0:12"), lines[3])  # 0.4 s per iteration since the restart, 30 left
        self.assertTrue(lines[5].endswith("ETA 0:02"), lines[5])  # 0.2 s per iteration since the reattach, 10 left


class ReliabilityTest(unittest.TestCase):
    CURVE = [(0.1, 0.12), (0.5, 0.48), (0.9, 0.91), (0.95, 0.96)]

    def test_the_hand_written_svg_has_one_point_per_level(self):
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "r.svg")
            self.assertEqual("svg", reliability.write(path, self.CURVE, "m v1 <&>", use_matplotlib=False))
            root = ElementTree.parse(path).getroot()  # well-formed, title escaped
        circles = root.findall(".//{http://www.w3.org/2000/svg}circle")
        self.assertEqual([(0.1, 0.12), (0.5, 0.48), (0.9, 0.91), (0.95, 0.96)],
                         [(float(c.get("data-level")), float(c.get("data-coverage"))) for c in circles])
        # the point for level 0.5, coverage 0.48 sits at x = 50 + 0.5·300, y = 350 − 0.48·300
        self.assertEqual(("200.0", "206.0"), (circles[1].get("cx"), circles[1].get("cy")))

    def test_png_without_matplotlib_says_what_to_install(self):
        with self.assertRaises(reliability.NeedsMatplotlib) as caught:
            reliability.write("r.png", self.CURVE, "t", use_matplotlib=False)
        self.assertIn("python3-matplotlib", str(caught.exception))

    def test_no_curve_is_an_error_not_an_empty_picture(self):
        with self.assertRaises(ValueError):
            reliability.write("r.svg", [], "t", use_matplotlib=False)


if __name__ == "__main__":
    unittest.main()
