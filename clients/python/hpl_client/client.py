"""A typed wrapper over the generated stubs: plain Python values in, messages or plain values out."""
import collections
import io
import threading
import time
import uuid
from dataclasses import dataclass
from typing import (TYPE_CHECKING, Callable, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union)

import grpc
from google.protobuf import struct_pb2

from hpl_client._stubs import health_grpc, health_pb, pb, pb_grpc
from hpl_client.rows import Columns

if TYPE_CHECKING:  # pandas stays optional: imported only by the DataFrame methods
    import pandas

Cell = Union[float, int, str, None]
Row = Mapping[str, Cell]

CHUNK_BYTES = 1 << 20  # well under the server's 16 MiB message limit
PREDICT_CHUNK_ROWS = 1000  # rows per Predict in predict_frame: under the server's hpl.predict.max-rows (default 10000)
FINAL_EVENTS = ("finished", "failed", "cancelled")


class _Default:
    def __repr__(self):
        return "the client's default"


DEFAULT = _Default()  # timeout=DEFAULT: the client's timeout for that kind of call
Timeout = Union[float, None, _Default]


@dataclass(frozen=True)
class Prediction:
    mean: float
    variance: float  # sigma^2 in squared target units
    lower: float = float("nan")  # the prediction interval at the request's level (default 0.9), split-conformal
    upper: float = float("nan")


@dataclass
class PackedPredictions:
    """The answer to the columns and x forms: one value per row in each array, in row order."""
    mean: Sequence[float]
    variance: Sequence[float]
    lower: Sequence[float]
    upper: Sequence[float]


def _column_values(name: str, values) -> "pb.ColumnValues":
    dtype = getattr(values, "dtype", None)
    if dtype is not None and dtype.kind == "f" and dtype.itemsize == 4:
        return pb.ColumnValues(name=name, floats=values.tolist())
    if dtype is not None and dtype.kind in "fiub":
        return pb.ColumnValues(name=name, doubles=values.astype("float64").tolist())
    items = values.tolist() if hasattr(values, "tolist") else list(values)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
        return pb.ColumnValues(name=name, doubles=[float(v) for v in items])
    return pb.ColumnValues(name=name, texts=["" if v is None else str(v) for v in items])


def _packed(response) -> Tuple[int, PackedPredictions]:
    p = response.packed
    try:
        import numpy
        arrays = [numpy.asarray(a, dtype=numpy.float64) for a in (p.mean, p.variance, p.lower, p.upper)]
    except ImportError:
        arrays = [list(a) for a in (p.mean, p.variance, p.lower, p.upper)]
    return response.version, PackedPredictions(*arrays)


class HplError(Exception):
    """A failed call: the gRPC status code name and the server's message (which says what to fix)."""

    def __init__(self, code: str, message: str):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message


def _errors(call):
    """Runs a call, turning grpc.RpcError into HplError."""
    try:
        return call()
    except grpc.RpcError as e:
        raise HplError(e.code().name, e.details()) from None


def _struct(row: Row) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(dict(row))  # numbers stay numbers, strings stay strings, None is null: the server expects exactly that
    return s


def _image(image: Union[bytes, Sequence[float]]) -> pb.Image:
    if isinstance(image, (bytes, bytearray)):
        return pb.Image(encoded=bytes(image))
    return pb.Image(tensor=pb.FloatImage(values=list(image)))


class _Watchdog:
    """Calls `expire` once when reset() has not been called for `seconds`."""

    def __init__(self, seconds: float, expire: Callable[[], object]):
        self.seconds, self.expire, self.fired = seconds, expire, False
        self._lock = threading.Lock()
        self._timer = None
        self.reset()

    def _fire(self):
        self.fired = True
        self.expire()

    def reset(self):
        with self._lock:
            if self._timer:
                self._timer.cancel()
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def stop(self):
        with self._lock:
            if self._timer:
                self._timer.cancel()


class _CallDetails(collections.namedtuple("_CallDetails", ("method", "timeout", "metadata", "credentials",
                                                           "wait_for_ready", "compression")),
                   grpc.ClientCallDetails):
    pass


class _BearerToken(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                   grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds `authorization: Bearer <token>` to every call.

    An interceptor rather than call credentials: gRPC refuses call credentials on a plaintext channel,
    and a server on loopback behind no TLS may still check tokens.
    """

    def __init__(self, token: str):
        self._header = ("authorization", "Bearer " + token)

    def _with_token(self, details):
        metadata = list(details.metadata or []) + [self._header]
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._with_token(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._with_token(details), request)

    def intercept_stream_unary(self, continuation, details, requests):
        return continuation(self._with_token(details), requests)

    def intercept_stream_stream(self, continuation, details, requests):
        return continuation(self._with_token(details), requests)


def _read(path_or_bytes: Union[str, bytes, None]) -> Optional[bytes]:
    if path_or_bytes is None or isinstance(path_or_bytes, bytes):
        return path_or_bytes
    with open(path_or_bytes, "rb") as f:
        return f.read()


def open_channel(target: str, tls: bool = False, root_certificates: Union[str, bytes, None] = None,
                 tls_server_name: Optional[str] = None, token: Optional[str] = None) -> grpc.Channel:
    """A channel to target (host:port): plaintext, or TLS when tls or root_certificates (a PEM path or bytes) is
    given (the system's roots otherwise); token adds `authorization: Bearer <token>` to every call."""
    options = [("grpc.max_receive_message_length", 64 << 20)]
    if tls_server_name:
        options.append(("grpc.ssl_target_name_override", tls_server_name))
    if tls or root_certificates is not None:
        credentials = grpc.ssl_channel_credentials(root_certificates=_read(root_certificates))
        channel = grpc.secure_channel(target, credentials, options=options)
    else:
        channel = grpc.insecure_channel(target, options=options)
    return grpc.intercept_channel(channel, _BearerToken(token)) if token else channel


class HplClient:
    """Client for one hpl-server. Use as a context manager, or call close().

    timeout: seconds for each unary call (None: no deadline). upload_timeout: for a whole upload stream; None
    by default, because a large file takes as long as it takes (a fixed deadline failed uploads over ~180 MB).
    Each method's own timeout= overrides the client's. Streams that follow a job (train, watch_job) have none.
    """

    def __init__(self, target: str, timeout: Optional[float] = 60.0, *, upload_timeout: Optional[float] = None,
                 token: Optional[str] = None, tls: bool = False, root_certificates: Union[str, bytes, None] = None,
                 tls_server_name: Optional[str] = None, channel: Optional[grpc.Channel] = None):
        self._channel = channel or open_channel(target, tls=tls, root_certificates=root_certificates,
                                                tls_server_name=tls_server_name, token=token)
        self._stub = pb_grpc.RegressionServiceStub(self._channel)
        self._health = health_grpc.HealthStub(self._channel)
        self.timeout = timeout
        self.upload_timeout = upload_timeout

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._channel.close()

    def _unary(self, method, request, timeout: Timeout = DEFAULT):
        return _errors(lambda: method(request, timeout=self.timeout if timeout is DEFAULT else timeout))

    # ------------------------------------------------------------------ health

    def serving(self, service: str = "", timeout: Timeout = DEFAULT) -> bool:
        """grpc.health.v1 Check: True once the engines are loaded."""
        response = self._unary(self._health.Check, health_pb.HealthCheckRequest(service=service), timeout)
        return response.status == health_pb.HealthCheckResponse.SERVING

    # ------------------------------------------------------------------ datasets

    def upload(self, chunks: Iterable[bytes], target_column: str, name: str = "",
               ignore_columns: Sequence[str] = (), categorical_columns: Sequence[str] = (),
               timeout: Timeout = DEFAULT) -> pb.DatasetInfo:
        """Streams a header then the CSV bytes; the same bytes and header give the same dataset id."""
        return self._stream_upload(pb.DatasetHeader(name=name, target_column=target_column,
                                                    ignore_columns=list(ignore_columns),
                                                    categorical_columns=list(categorical_columns)), chunks, timeout)

    def upload_file(self, path: str, target_column: str, name: Optional[str] = None,
                    chunk_bytes: int = CHUNK_BYTES, **header) -> pb.DatasetInfo:
        """Uploads a CSV file in chunks of chunk_bytes, never holding it whole in memory."""
        def chunks() -> Iterator[bytes]:
            with open(path, "rb") as f:
                while True:
                    block = f.read(chunk_bytes)
                    if not block:
                        return
                    yield block

        return self.upload(chunks(), target_column, name=path if name is None else name, **header)

    def upload_frame(self, frame: "pandas.DataFrame", target_column: str, name: str = "",
                     chunk_rows: int = 10000, **header) -> pb.DatasetInfo:
        """Uploads a pandas DataFrame as CSV (its columns, not its index), chunk_rows rows per CSV piece.

        An unlabelled row has NaN (or None) in the target column.
        """
        def chunks() -> Iterator[bytes]:
            for start in range(0, max(len(frame), 1), chunk_rows):
                text = io.StringIO()
                frame.iloc[start:start + chunk_rows].to_csv(text, index=False, header=start == 0)
                yield text.getvalue().encode("utf-8")

        return self.upload(chunks(), target_column, name=name, **header)

    def upload_images(self, chunks: Iterable[bytes], channels: int, height: int, width: int,
                      target_column: str = "", name: str = "", resize: bool = False,
                      index_file: str = "", ignore_columns: Sequence[str] = (),
                      timeout: Timeout = DEFAULT) -> pb.DatasetInfo:
        """Streams an image archive (zip, tar or tar.gz of PNG/JPEG files plus an index CSV `file,<target>`).

        Images are decoded to channels x height x width; resize=True resizes other sizes instead of refusing them.
        """
        header = pb.DatasetHeader(name=name, format=pb.DATA_FORMAT_IMAGE_ARCHIVE, target_column=target_column,
                                  ignore_columns=list(ignore_columns),
                                  image=pb.ImageOptions(channels=channels, height=height, width=width,
                                                        resize=resize, index_file=index_file))
        return self._stream_upload(header, chunks, timeout)

    def _stream_upload(self, header: pb.DatasetHeader, chunks: Iterable[bytes], timeout: Timeout) -> pb.DatasetInfo:
        def messages() -> Iterator[pb.UploadDatasetRequest]:
            yield pb.UploadDatasetRequest(header=header)
            for chunk in chunks:
                yield pb.UploadDatasetRequest(chunk=chunk)

        deadline = self.upload_timeout if timeout is DEFAULT else timeout
        return _errors(lambda: self._stub.UploadDataset(messages(), timeout=deadline))

    def get_dataset(self, dataset_id: str, timeout: Timeout = DEFAULT) -> pb.DatasetInfo:
        return self._unary(self._stub.GetDataset, pb.GetDatasetRequest(id=dataset_id), timeout)

    def list_datasets(self, timeout: Timeout = DEFAULT) -> List[pb.DatasetInfo]:
        """Every dataset (oldest first), across pages."""
        datasets, token = [], ""
        while True:
            page = self._unary(self._stub.ListDatasets, pb.ListDatasetsRequest(page_token=token), timeout)
            datasets.extend(page.datasets)
            token = page.next_page_token
            if not token:
                return datasets

    def delete_dataset(self, dataset_id: str, timeout: Timeout = DEFAULT) -> None:
        self._unary(self._stub.DeleteDataset, pb.DeleteDatasetRequest(id=dataset_id), timeout)

    # ------------------------------------------------------------------ training

    def list_methods(self, timeout: Timeout = DEFAULT) -> List[pb.MethodInfo]:
        return list(self._unary(self._stub.ListMethods, pb.ListMethodsRequest(), timeout).methods)

    @staticmethod
    def _train_request(dataset_id, model_name, method, hyperparameters, seed, **extra) -> pb.TrainRequest:
        request = pb.TrainRequest(dataset_id=dataset_id, method=pb.Method.Value(method), model_name=model_name,
                                  hyperparameters={k: str(v) for k, v in (hyperparameters or {}).items()}, **extra)
        if seed is not None:
            request.seed = seed
        return request

    def train(self, dataset_id: str, model_name: str, method: str = "METHOD_UNSPECIFIED",
              hyperparameters: Optional[Mapping[str, object]] = None, seed: Optional[int] = None,
              on_progress: Optional[Callable[[pb.TrainProgress], None]] = None,
              timeout: Optional[float] = None, promote: bool = False) -> pb.ModelInfo:
        """Trains and waits: on_progress hears every progress event; returns the published model.

        Leaving early (an exception in on_progress, KeyboardInterrupt) closes the stream, which
        cancels the job on the server. timeout (seconds) bounds the whole job; None waits.
        For a job that survives a dropped connection, use start_training and wait_for_model.
        promote: True moves the "production" alias to the new version (it goes live); False (the default)
        moves no alias: a model with "production" keeps serving its target (see TrainRequest.promote).
        """
        # cancel_on_disconnect: this method owns the job, so leaving early still cancels it server-side
        # (the server's default since jobs became resources is to keep training).
        request = self._train_request(dataset_id, model_name, method, hyperparameters, seed,
                                      cancel_on_disconnect=True, promote=promote)

        def run() -> pb.ModelInfo:
            stream = self._stub.Train(request, timeout=timeout)
            model = None
            try:
                # Read to the end of the stream, past `finished`: cancelling a call the server is
                # closing makes the server drop the connection, failing other calls on the channel.
                for event in stream:
                    kind = event.WhichOneof("event")
                    if kind == "progress" and on_progress:
                        on_progress(event.progress)
                    elif kind == "finished":
                        model = event.finished.model
                    # `failed` is followed by the same status ending the stream: _errors raises it.
            except BaseException:
                stream.cancel()  # leaving early (callback error, Ctrl-C): cancel the job too
                raise
            if model is None:
                raise HplError("UNKNOWN", "the Train stream ended without a result")
            return model

        return _errors(run)

    # ------------------------------------------------------------------ jobs

    def start_training(self, dataset_id: str, model_name: str, method: str = "METHOD_UNSPECIFIED",
                       hyperparameters: Optional[Mapping[str, object]] = None, seed: Optional[int] = None,
                       request_id: Optional[str] = "", timeout: Timeout = DEFAULT,
                       promote: bool = False) -> pb.JobInfo:
        """Queues a training job and returns it at once; it runs whether or not anyone watches.

        The same request_id again returns the same job, so a retry after a lost answer is safe;
        request_id=None makes one up (a fresh UUID).
        """
        request = self._train_request(dataset_id, model_name, method, hyperparameters, seed,
                                      request_id=uuid.uuid4().hex if request_id is None else request_id,
                                      promote=promote)
        return self._unary(self._stub.StartTraining, request, timeout)

    def get_job(self, job_id: str, timeout: Timeout = DEFAULT) -> pb.JobInfo:
        return self._unary(self._stub.GetJob, pb.GetJobRequest(job_id=job_id), timeout)

    def list_jobs(self, state: str = "JOB_STATE_UNSPECIFIED", model_name: str = "",
                  timeout: Timeout = DEFAULT) -> List[pb.JobInfo]:
        """Every job (oldest first) in the state and of the model given, across pages."""
        jobs, token = [], ""
        while True:
            page = self._unary(self._stub.ListJobs, pb.ListJobsRequest(
                state=pb.JobState.Value(state), model_name=model_name, page_token=token), timeout)
            jobs.extend(page.jobs)
            token = page.next_page_token
            if not token:
                return jobs

    def cancel_job(self, job_id: str, timeout: Timeout = DEFAULT) -> pb.JobInfo:
        """Cancels a queued or running job (nothing is published); HplError FAILED_PRECONDITION if it already succeeded."""
        return self._unary(self._stub.CancelJob, pb.CancelJobRequest(job_id=job_id), timeout)

    def watch_job(self, job_id: str, from_sequence: int = 0,
                  idle_timeout: Optional[float] = None) -> Iterator[pb.TrainEvent]:
        """The job's events from from_sequence on, ending after its final one (finished, failed, cancelled).

        A dropped connection raises HplError UNAVAILABLE: call again with the last event's sequence + 1
        to catch up (watch() does that for you). So does a stream with no event for idle_timeout seconds:
        the server sends a heartbeat every hpl.training.heartbeat-every (10 s by default) while a job is
        quiet, so a longer silence means a connection that died without a word (a NAT, a half-open socket).
        Leaving the loop early never affects the job.
        """
        stream = self._stub.WatchJob(pb.WatchJobRequest(job_id=job_id, from_sequence=from_sequence))
        watchdog = _Watchdog(idle_timeout, stream.cancel) if idle_timeout else None
        try:
            for event in stream:
                if watchdog:
                    watchdog.reset()
                yield event
        except grpc.RpcError as e:
            if watchdog and watchdog.fired:
                raise HplError("UNAVAILABLE", "no event from job %s for %g s, not even a heartbeat: the connection "
                                              "looks dead" % (job_id, idle_timeout)) from None
            if e.code() == grpc.StatusCode.CANCELLED and e.details() and job_id in e.details():
                return  # the job was cancelled: the `cancelled` event came first
            raise HplError(e.code().name, e.details()) from None
        finally:
            if watchdog:
                watchdog.stop()
            stream.cancel()

    def watch(self, job_id: str, on_event: Optional[Callable[[pb.TrainEvent], None]] = None,
              from_sequence: int = 0, reattach: int = 10, backoff: float = 1.0,
              on_reattach: Optional[Callable[[HplError, int], None]] = None,
              idle_timeout: Optional[float] = 60.0) -> pb.TrainEvent:
        """Follows a job to its final event and returns it, reattaching after a dropped connection.

        on_event hears every event once (progress, heartbeats, the final one), none twice: a reattach
        resumes at the last sequence seen + 1. Up to `reattach` reattaches in a row (UNAVAILABLE: server
        restarting, network gone), waiting backoff, 2·backoff, … seconds (at most 30); any event resets
        the count. on_reattach(error, attempt) hears each. A failed job raises HplError with its code.
        idle_timeout: seconds without any event (heartbeats included) after which the stream counts as
        dropped (see watch_job); None waits forever.
        """
        next_sequence, attempts = from_sequence, 0
        while True:
            final = None
            try:
                # Read to the end of the stream, past the final event (see train()).
                for event in self.watch_job(job_id, next_sequence, idle_timeout):
                    attempts = 0
                    kind = event.WhichOneof("event")
                    if kind != "heartbeat":
                        next_sequence = event.sequence + 1
                    if kind in FINAL_EVENTS:
                        final = event
                    if on_event:
                        on_event(event)
            except HplError as e:
                # After `failed`, the stream ends with the failure's status: the event says it better.
                if final is None:
                    if e.code != "UNAVAILABLE" or attempts >= reattach:
                        raise
                    attempts += 1
                    if on_reattach:
                        on_reattach(e, attempts)
                    time.sleep(min(30.0, backoff * 2 ** (attempts - 1)))
                    continue
            if final is None:
                raise HplError("UNKNOWN", "the WatchJob stream of %s ended without a final event" % job_id)
            return self._final(final)

    @staticmethod
    def _final(event: pb.TrainEvent) -> pb.TrainEvent:
        if event.WhichOneof("event") == "failed":
            raise HplError(event.failed.code, event.failed.message)
        return event

    def wait_for_model(self, job_id: str, on_event: Optional[Callable[[pb.TrainEvent], None]] = None,
                       **watch_options) -> pb.ModelInfo:
        """watch() until the job ends: its published model, or HplError (the failure's code; CANCELLED)."""
        final = self.watch(job_id, on_event, **watch_options)
        if final.WhichOneof("event") == "cancelled":
            raise HplError("CANCELLED", final.cancelled.message or "job %s was cancelled" % job_id)
        return final.finished.model

    # ------------------------------------------------------------------ models

    def predict(self, model_name: str, rows: Sequence[Row], version: int = 0,
                interval_level: Optional[float] = None, timeout: Timeout = DEFAULT, alias: str = "") -> List[Prediction]:
        """Mean, sigma^2 and a prediction interval per row; interval_level in (0, 1), the server's default 0.9.

        Rows are sent as given: numbers for numeric columns, strings for categorical ones, None for missing.
        alias (or model_name "name@alias") serves the version the alias points to instead of version; version 0
        is the "production" alias's version if the model has it, else the latest. predict_versioned says which served.
        """
        return self.predict_versioned(model_name, rows, version, interval_level, timeout, alias)[1]

    def predict_versioned(self, model_name: str, rows: Sequence[Row], version: int = 0,
                          interval_level: Optional[float] = None, timeout: Timeout = DEFAULT,
                          alias: str = "") -> Tuple[int, List[Prediction]]:
        """As predict, with the concrete version that scored the rows: (version, predictions)."""
        request = pb.PredictRequest(model_name=model_name, version=version, alias=alias, rows=[_struct(r) for r in rows])
        if interval_level is not None:
            request.interval_level = interval_level
        response = self._unary(self._stub.Predict, request, timeout)
        return response.version, [Prediction(p.mean, p.variance, p.lower, p.upper) for p in response.predictions]

    def predict_columns(self, model_name: str, columns: Mapping[str, Sequence], version: int = 0,
                        interval_level: Optional[float] = None, timeout: Timeout = DEFAULT,
                        alias: str = "") -> Tuple[int, "PackedPredictions"]:
        """The fast form: rows given column by column (PredictRequest.columns), answered with packed arrays.

        columns maps each feature column to one value per row: a numpy float32 array is sent as packed float32,
        other numbers (numpy arrays, lists) as packed doubles (NaN = missing, for a column with has_missing),
        strings as texts (categories; "" = missing). A column with has_missing may be left out. Returns
        (version, PackedPredictions) whose arrays are numpy arrays when numpy is installed, else lists.
        """
        request = pb.PredictRequest(model_name=model_name, version=version, alias=alias)
        for name, values in columns.items():
            request.columns.columns.append(_column_values(name, values))
        if interval_level is not None:
            request.interval_level = interval_level
        return _packed(self._unary(self._stub.Predict, request, timeout))

    def predict_encoded(self, model_name: str, x, width: Optional[int] = None, version: int = 0,
                        interval_level: Optional[float] = None, timeout: Timeout = DEFAULT,
                        alias: str = "") -> Tuple[int, "PackedPredictions"]:
        """Rows already encoded as the model's input (PredictRequest.x): a 2-D array (rows x width), or flat
        values with width given; the columns follow the model's schema.encoded_inputs. Returns as predict_columns.
        """
        shape = getattr(x, "shape", None)
        if width is None:
            if shape is None or len(shape) != 2:
                raise ValueError("give x as a 2-D array (rows x width), or flat values and width")
            width = int(shape[1])
        values = x.reshape(-1).tolist() if shape is not None else list(x)
        request = pb.PredictRequest(model_name=model_name, version=version, alias=alias,
                                    x=pb.EncodedMatrix(width=width, values=values))
        if interval_level is not None:
            request.interval_level = interval_level
        return _packed(self._unary(self._stub.Predict, request, timeout))

    def predict_dataset(self, model_name: str, dataset_id: str, version: int = 0, unlabelled_only: bool = False,
                        interval_level: Optional[float] = None, chunk_rows: int = 0, id_column: str = "",
                        alias: str = "") -> Iterator[Tuple[int, str, Prediction]]:
        """Scores a stored dataset on the server (PredictDataset): yields (row index, row id, Prediction) for each
        row, in the file's order (the model addressed as by predict(), alias included); the row index is 0-based among the file's data rows, the row id the cell of
        id_column ("" without one). unlabelled_only scores only the rows with an empty target. chunk_rows
        (0 = the server's 1,000) rows arrive per message; the server reads as fast as this loop does. Leaving the
        loop early cancels the call.
        """
        request = pb.PredictDatasetRequest(model_name=model_name, dataset_id=dataset_id, version=version,
                                           chunk_rows=chunk_rows, id_column=id_column, alias=alias,
                                           rows=pb.ROW_SELECTION_UNLABELLED_ONLY if unlabelled_only
                                           else pb.ROW_SELECTION_ALL)
        if interval_level is not None:
            request.interval_level = interval_level
        stream = self._stub.PredictDataset(request)
        try:
            for message in stream:
                for p in message.predictions:
                    yield p.row_index, p.row_id, Prediction(p.mean, p.variance, p.lower, p.upper)
        except grpc.RpcError as e:
            raise HplError(e.code().name, e.details()) from None
        finally:
            stream.cancel()

    def predict_images(self, model_name: str, images: Sequence[Union[bytes, Sequence[float]]], version: int = 0,
                       resize: bool = False, timeout: Timeout = DEFAULT) -> List[Prediction]:
        """Scores images: PNG/JPEG bytes (decoded by the server), or C*H*W floats in [0, 1] (channel-major)."""
        request = pb.PredictRequest(model_name=model_name, version=version, resize_images=resize,
                                    images=[_image(i) for i in images])
        response = self._unary(self._stub.Predict, request, timeout)
        return [Prediction(p.mean, p.variance, p.lower, p.upper) for p in response.predictions]

    def predict_chunks(self, model_name: str, rows: Iterable[Mapping[str, object]], version: int = 0,
                       interval_level: Optional[float] = None, chunk_rows: int = PREDICT_CHUNK_ROWS
                       ) -> Iterator[Tuple[List[Mapping[str, object]], List[Prediction]]]:
        """Predicts any number of rows (e.g. csv.DictReader's), chunk_rows per Predict, typing each cell by the
        model's schema (numeric, categorical; "" or NaN is missing); yields (the chunk's rows as given, their
        predictions). Every chunk uses the same model version (the latest when version is 0, fixed at the
        start), even if a newer one is published meanwhile. Only one chunk is held at a time."""
        if chunk_rows < 1:
            raise ValueError("chunk_rows must be at least 1")
        model = self.get_model(model_name, version)
        columns = Columns(model.schema)
        chunk: List[Mapping[str, object]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == chunk_rows:
                yield chunk, self.predict(model.name, [columns.row(r) for r in chunk], model.version, interval_level)
                chunk = []
        if chunk:
            # model.name: model_name may be "name@alias"; the version was resolved once, above
            yield chunk, self.predict(model.name, [columns.row(r) for r in chunk], model.version, interval_level)

    def predict_rows(self, model_name: str, rows: Iterable[Mapping[str, object]], version: int = 0,
                     interval_level: Optional[float] = None, chunk_rows: int = PREDICT_CHUNK_ROWS
                     ) -> Iterator[Prediction]:
        """One prediction per row, in order (see predict_chunks)."""
        for _, predictions in self.predict_chunks(model_name, rows, version, interval_level, chunk_rows):
            yield from predictions

    def predict_frame(self, model_name: str, frame: "pandas.DataFrame", version: int = 0,
                      interval_level: Optional[float] = None, chunk_rows: int = PREDICT_CHUNK_ROWS
                      ) -> "pandas.DataFrame":
        """A DataFrame with columns mean, variance, lower, upper and the input's index (see predict_rows)."""
        import pandas

        predictions = list(self.predict_rows(model_name, frame.to_dict("records"), version, interval_level,
                                             chunk_rows))
        return pandas.DataFrame([p.__dict__ for p in predictions], index=frame.index,
                                columns=["mean", "variance", "lower", "upper"])

    def evaluate(self, model_name: str, dataset_id: Optional[str] = None, rows: Optional[Sequence[Row]] = None,
                 version: int = 0, timeout: Timeout = DEFAULT, alias: str = "") -> pb.Metrics:
        """Scores a model on a stored dataset's labelled rows, or on inline rows with the target column."""
        if (dataset_id is None) == (rows is None):
            raise ValueError("give exactly one of dataset_id and rows")
        request = pb.EvaluateRequest(model_name=model_name, version=version, alias=alias)
        if dataset_id is not None:
            request.dataset_id = dataset_id
        else:
            request.inline.rows.extend(_struct(r) for r in rows)
        return self._unary(self._stub.Evaluate, request, timeout).metrics

    def evaluate_frame(self, model_name: str, frame: "pandas.DataFrame", version: int = 0,
                       timeout: Timeout = DEFAULT) -> pb.Metrics:
        """Scores a model on a DataFrame's rows (target column included), sent inline: up to hpl.predict.max-rows
        rows; upload a larger set (upload_frame) and evaluate it by dataset_id."""
        columns = Columns(self.get_model(model_name, version).schema)
        rows = [columns.labelled_row(r) for r in frame.to_dict("records")]
        return self.evaluate(model_name, rows=rows, version=version, timeout=timeout)

    def list_models(self, name: str = "", timeout: Timeout = DEFAULT) -> List[pb.ModelInfo]:
        """Every version of every model (or of the one named), by name then version, across pages."""
        models, token = [], ""
        while True:
            page = self._unary(self._stub.ListModels, pb.ListModelsRequest(name=name, page_token=token), timeout)
            models.extend(page.models)
            token = page.next_page_token
            if not token:
                return models

    def get_model(self, name: str, version: int = 0, timeout: Timeout = DEFAULT, alias: str = "") -> pb.ModelInfo:
        """One version's metadata (with .aliases and .loaded); version 0: "production" if set, else the latest."""
        return self._unary(self._stub.GetModel, pb.GetModelRequest(name=name, version=version, alias=alias), timeout)

    def set_alias(self, model_name: str, alias: str, version: int, timeout: Timeout = DEFAULT) -> int:
        """Points alias at version (the server loads that version first); returns where it pointed before, 0 if new."""
        request = pb.SetAliasRequest(model_name=model_name, alias=alias, version=version)
        return self._unary(self._stub.SetAlias, request, timeout).previous_version

    def delete_alias(self, model_name: str, alias: str, timeout: Timeout = DEFAULT) -> int:
        """Removes alias; returns the version it pointed to."""
        request = pb.DeleteAliasRequest(model_name=model_name, alias=alias)
        return self._unary(self._stub.DeleteAlias, request, timeout).version

    def delete_model(self, name: str, version: int = 0, timeout: Timeout = DEFAULT) -> int:
        """Deletes one version, or every version when version is 0; returns how many went."""
        request = pb.DeleteModelRequest(name=name, version=version)
        return self._unary(self._stub.DeleteModel, request, timeout).versions_deleted
