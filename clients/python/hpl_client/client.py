"""A typed wrapper over the generated stubs: plain Python values in, messages or plain values out."""
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

import grpc
from google.protobuf import struct_pb2

from hpl_client._stubs import health_grpc, health_pb, pb, pb_grpc

Cell = Union[float, int, str]
Row = Mapping[str, Cell]

CHUNK_BYTES = 1 << 20  # well under the server's 16 MiB message limit


@dataclass(frozen=True)
class Prediction:
    mean: float
    variance: float  # sigma^2 in squared target units
    lower: float = float("nan")  # the prediction interval at the request's level (default 0.9), split-conformal
    upper: float = float("nan")


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
    s.update(dict(row))  # numbers stay numbers, strings stay strings: the server expects exactly that
    return s


def _image(image: Union[bytes, Sequence[float]]) -> pb.Image:
    if isinstance(image, (bytes, bytearray)):
        return pb.Image(encoded=bytes(image))
    return pb.Image(tensor=pb.FloatImage(values=list(image)))


class HplClient:
    """Client for one hpl-server. Use as a context manager, or call close()."""

    def __init__(self, target: str, timeout: float = 60.0, channel: Optional[grpc.Channel] = None):
        self._channel = channel or grpc.insecure_channel(
            target, options=[("grpc.max_receive_message_length", 64 << 20)])
        self._stub = pb_grpc.RegressionServiceStub(self._channel)
        self._health = health_grpc.HealthStub(self._channel)
        self.timeout = timeout  # seconds, for every call but Train

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._channel.close()

    # ------------------------------------------------------------------ health

    def serving(self, service: str = "") -> bool:
        """grpc.health.v1 Check: True once the engines are loaded."""
        response = _errors(lambda: self._health.Check(health_pb.HealthCheckRequest(service=service),
                                                      timeout=self.timeout))
        return response.status == health_pb.HealthCheckResponse.SERVING

    # ------------------------------------------------------------------ datasets

    def upload(self, chunks: Iterable[bytes], target_column: str, name: str = "",
               ignore_columns: Sequence[str] = (), categorical_columns: Sequence[str] = ()) -> pb.DatasetInfo:
        """Streams a header then the CSV bytes; the same bytes and header give the same dataset id."""
        return self._stream_upload(pb.DatasetHeader(name=name, target_column=target_column,
                                                    ignore_columns=list(ignore_columns),
                                                    categorical_columns=list(categorical_columns)), chunks)

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

    def upload_images(self, chunks: Iterable[bytes], channels: int, height: int, width: int,
                      target_column: str = "", name: str = "", resize: bool = False,
                      index_file: str = "", ignore_columns: Sequence[str] = ()) -> pb.DatasetInfo:
        """Streams an image archive (zip, tar or tar.gz of PNG/JPEG files plus an index CSV `file,<target>`).

        Images are decoded to channels x height x width; resize=True resizes other sizes instead of refusing them.
        """
        header = pb.DatasetHeader(name=name, format=pb.DATA_FORMAT_IMAGE_ARCHIVE, target_column=target_column,
                                  ignore_columns=list(ignore_columns),
                                  image=pb.ImageOptions(channels=channels, height=height, width=width,
                                                        resize=resize, index_file=index_file))
        return self._stream_upload(header, chunks)

    def _stream_upload(self, header: pb.DatasetHeader, chunks: Iterable[bytes]) -> pb.DatasetInfo:
        def messages() -> Iterator[pb.UploadDatasetRequest]:
            yield pb.UploadDatasetRequest(header=header)
            for chunk in chunks:
                yield pb.UploadDatasetRequest(chunk=chunk)

        return _errors(lambda: self._stub.UploadDataset(messages(), timeout=self.timeout))

    def list_datasets(self) -> List[pb.DatasetInfo]:
        """Every dataset (oldest first), across pages."""
        datasets, token = [], ""
        while True:
            page = _errors(lambda: self._stub.ListDatasets(pb.ListDatasetsRequest(page_token=token),
                                                           timeout=self.timeout))
            datasets.extend(page.datasets)
            token = page.next_page_token
            if not token:
                return datasets

    def delete_dataset(self, dataset_id: str) -> None:
        _errors(lambda: self._stub.DeleteDataset(pb.DeleteDatasetRequest(id=dataset_id), timeout=self.timeout))

    # ------------------------------------------------------------------ training

    def list_methods(self) -> List[pb.MethodInfo]:
        return list(_errors(lambda: self._stub.ListMethods(pb.ListMethodsRequest(), timeout=self.timeout)).methods)

    def train(self, dataset_id: str, model_name: str, method: str = "METHOD_UNSPECIFIED",
              hyperparameters: Optional[Mapping[str, object]] = None, seed: Optional[int] = None,
              on_progress: Optional[Callable[[pb.TrainProgress], None]] = None,
              timeout: Optional[float] = None) -> pb.ModelInfo:
        """Trains and waits: on_progress hears every progress event; returns the published model.

        Leaving early (an exception in on_progress, KeyboardInterrupt) closes the stream, which
        cancels the job on the server. timeout (seconds) bounds the whole job; None waits.
        """
        # cancel_on_disconnect: this method owns the job, so leaving early still cancels it server-side
        # (the server's default since jobs became resources is to keep training).
        request = pb.TrainRequest(dataset_id=dataset_id, method=pb.Method.Value(method), model_name=model_name,
                                  hyperparameters={k: str(v) for k, v in (hyperparameters or {}).items()},
                                  cancel_on_disconnect=True)
        if seed is not None:
            request.seed = seed

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
                       request_id: str = "") -> pb.JobInfo:
        """Queues a training job and returns it at once; it runs whether or not anyone watches.

        The same request_id again returns the same job, so a retry after a lost answer is safe.
        """
        request = pb.TrainRequest(dataset_id=dataset_id, method=pb.Method.Value(method), model_name=model_name,
                                  hyperparameters={k: str(v) for k, v in (hyperparameters or {}).items()},
                                  request_id=request_id)
        if seed is not None:
            request.seed = seed
        return _errors(lambda: self._stub.StartTraining(request, timeout=self.timeout))

    def get_job(self, job_id: str) -> pb.JobInfo:
        return _errors(lambda: self._stub.GetJob(pb.GetJobRequest(job_id=job_id), timeout=self.timeout))

    def list_jobs(self, state: str = "JOB_STATE_UNSPECIFIED", model_name: str = "") -> List[pb.JobInfo]:
        """Every job (oldest first) in the state and of the model given, across pages."""
        jobs, token = [], ""
        while True:
            page = _errors(lambda: self._stub.ListJobs(pb.ListJobsRequest(
                state=pb.JobState.Value(state), model_name=model_name, page_token=token), timeout=self.timeout))
            jobs.extend(page.jobs)
            token = page.next_page_token
            if not token:
                return jobs

    def cancel_job(self, job_id: str) -> pb.JobInfo:
        """Cancels a queued or running job (nothing is published); HplError FAILED_PRECONDITION if it already succeeded."""
        return _errors(lambda: self._stub.CancelJob(pb.CancelJobRequest(job_id=job_id), timeout=self.timeout))

    def watch_job(self, job_id: str, from_sequence: int = 0) -> Iterator[pb.TrainEvent]:
        """The job's events from from_sequence on, ending after its final one (finished, failed, cancelled).

        A dropped connection raises HplError UNAVAILABLE: call again with the last event's sequence + 1
        to catch up. Leaving the loop early never affects the job.
        """
        stream = self._stub.WatchJob(pb.WatchJobRequest(job_id=job_id, from_sequence=from_sequence))
        try:
            for event in stream:
                yield event
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.CANCELLED and e.details() and job_id in e.details():
                return  # the job was cancelled: the `cancelled` event came first
            raise HplError(e.code().name, e.details()) from None
        finally:
            stream.cancel()

    # ------------------------------------------------------------------ models

    def predict(self, model_name: str, rows: Sequence[Row], version: int = 0,
                interval_level: Optional[float] = None) -> List[Prediction]:
        """Mean, sigma^2 and a prediction interval per row; interval_level in (0, 1), the server's default 0.9."""
        request = pb.PredictRequest(model_name=model_name, version=version, rows=[_struct(r) for r in rows])
        if interval_level is not None:
            request.interval_level = interval_level
        response = _errors(lambda: self._stub.Predict(request, timeout=self.timeout))
        return [Prediction(p.mean, p.variance, p.lower, p.upper) for p in response.predictions]

    def predict_images(self, model_name: str, images: Sequence[Union[bytes, Sequence[float]]], version: int = 0,
                       resize: bool = False) -> List[Prediction]:
        """Scores images: PNG/JPEG bytes (decoded by the server), or C*H*W floats in [0, 1] (channel-major)."""
        request = pb.PredictRequest(model_name=model_name, version=version, resize_images=resize,
                                    images=[_image(i) for i in images])
        response = _errors(lambda: self._stub.Predict(request, timeout=self.timeout))
        return [Prediction(p.mean, p.variance, p.lower, p.upper) for p in response.predictions]

    def evaluate(self, model_name: str, dataset_id: Optional[str] = None, rows: Optional[Sequence[Row]] = None,
                 version: int = 0) -> pb.Metrics:
        """Scores a model on a stored dataset's labelled rows, or on inline rows with the target column."""
        if (dataset_id is None) == (rows is None):
            raise ValueError("give exactly one of dataset_id and rows")
        request = pb.EvaluateRequest(model_name=model_name, version=version)
        if dataset_id is not None:
            request.dataset_id = dataset_id
        else:
            request.inline.rows.extend(_struct(r) for r in rows)
        return _errors(lambda: self._stub.Evaluate(request, timeout=self.timeout)).metrics

    def list_models(self, name: str = "") -> List[pb.ModelInfo]:
        """Every version of every model (or of the one named), by name then version, across pages."""
        models, token = [], ""
        while True:
            page = _errors(lambda: self._stub.ListModels(pb.ListModelsRequest(name=name, page_token=token),
                                                         timeout=self.timeout))
            models.extend(page.models)
            token = page.next_page_token
            if not token:
                return models

    def get_model(self, name: str, version: int = 0) -> pb.ModelInfo:
        return _errors(lambda: self._stub.GetModel(pb.GetModelRequest(name=name, version=version),
                                                   timeout=self.timeout))

    def delete_model(self, name: str, version: int = 0) -> int:
        """Deletes one version, or every version when version is 0; returns how many went."""
        request = pb.DeleteModelRequest(name=name, version=version)
        return _errors(lambda: self._stub.DeleteModel(request, timeout=self.timeout)).versions_deleted
