// Types of src/client.js, written by hand from proto/hpl/v1/hpl.proto. Field names are the proto's JSON names
// (lowerCamelCase, e.g. coverage_90 -> coverage90); int64 fields arrive as numbers, enums as their names.
/// <reference types="node" />

export type Method =
  | 'METHOD_UNSPECIFIED' | 'SUPERVISED' | 'PSEUDO_LABEL' | 'HPL_JOINT' | 'HPL' | 'MEAN_TEACHER' | 'GBDT' | 'HPL_GBDT'
  | 'AUTO';
export type JobState =
  | 'JOB_STATE_UNSPECIFIED' | 'JOB_STATE_QUEUED' | 'JOB_STATE_RUNNING' | 'JOB_STATE_SUCCEEDED' | 'JOB_STATE_FAILED'
  | 'JOB_STATE_CANCELLED';
export type ColumnKind = 'COLUMN_KIND_UNSPECIFIED' | 'COLUMN_KIND_NUMERIC' | 'COLUMN_KIND_CATEGORICAL';

export interface Column { name: string; kind: ColumnKind; categories: string[]; hasMissing: boolean }
export interface ImageShape { channels: number; height: number; width: number }
export interface Schema { targetColumn: string; features: Column[]; ignoredColumns: string[]; image: ImageShape | null;
  encodedInputs: string[] }

export interface DatasetInfo {
  id: string; name: string; labelledRows: number; unlabelledRows: number; schema: Schema | null; sha256: string;
  sizeBytes: number; createdAt: string;
}

export interface HyperParameterSpec { name: string; type: string; defaultValue: string; description: string; allowed: string;
  /** "tables and images", "tables" or "images" */
  appliesTo: string;
}
export interface MethodInfo { method: Method; description: string; hyperparameters: HyperParameterSpec[]; available: boolean }

export interface CoveragePoint { level: number; coverage: number }
export interface Metrics {
  rows: number; mae: number; rmse: number; r2: number; nll: number;
  /** Share of rows inside the Gaussian interval mean ± 1.6449·σ (proto field coverage_90). */
  coverage90: number;
  spearmanVarianceAbsError: number;
  intervalCoverage50: number; intervalCoverage80: number; intervalCoverage90: number; intervalCoverage95: number;
  /** Served intervals: nominal level (0.1 … 0.9, 0.95) -> observed coverage. */
  reliability: CoveragePoint[];
}

export interface SelectionCandidate {
  name: string; method: Method; calibrationMae: number; weight: number; seconds: number; status: string;
}
export interface Selection { candidates: SelectionCandidate[]; served: string; reason: string }

export interface ModelInfo {
  name: string; version: number; method: Method; hyperparameters: Record<string, string>; seed: number;
  datasetId: string; datasetSha256: string; schema: Schema | null; calibrationMetrics: Metrics | null;
  createdAt: string; onnxSha256: string; onnxSizeBytes: number; varianceDefinition: string;
  labelledRowsUsed: number; unlabelledRowsUsed: number; calibrationRows: number; trainingSeconds: number;
  uncertaintyNote: string; selection: Selection | null;
  /** the training job that published this version (empty for versions published before jobs named themselves) */
  jobId: string;
  /** the aliases pointing at this version; loaded: its ONNX session is loaded (a Predict pays no load) */
  aliases: string[]; loaded: boolean;
}

export interface TrainRequest {
  datasetId: string; method: Method; modelName: string; hyperparameters: Record<string, string>; seed: number;
  requestId: string; cancelOnDisconnect: boolean; promote: boolean;
}

export interface JobHistoryEntry { at: string; state: JobState; note: string }
export interface JobInfo {
  id: string; requestId: string; request: TrainRequest | null; method: Method; state: JobState; iteration: number;
  totalIterations: number; createdAt: string; startedAt: string; endedAt: string; modelVersion: number;
  failureCode: string; failureMessage: string; attempts: number; history: JobHistoryEntry[]; nextSequence: number;
}

export interface TrainProgress {
  jobId: string; iteration: number; totalIterations: number; trainLoss: number; validationMae: number;
  losses: Record<string, number>;
}
interface EventBase { sequence: number }
export type TrainEvent = EventBase & (
  | { event: 'accepted'; accepted: { jobId: string; queuePosition: number } }
  | { event: 'progress'; progress: TrainProgress }
  | { event: 'finished'; finished: { jobId: string; model: ModelInfo } }
  | { event: 'failed'; failed: { jobId: string; code: string; message: string } }
  | { event: 'cancelled'; cancelled: { jobId: string; message: string } }
  | { event: 'heartbeat'; heartbeat: { jobId: string; iteration: number; totalIterations: number; elapsedSeconds: number } }
);

export interface Prediction { mean: number; variance: number; lower: number; upper: number }
/** The answer to the columns and x forms: one value per row in each array, in row order. */
export interface PackedPredictions { version: number; mean: number[]; variance: number[]; lower: number[]; upper: number[] }
/** A table row: numbers for numeric columns, strings for categorical ones. */
export type Row = Record<string, number | string>;

/** A failed call: the gRPC status code name and the server's message (which says what to fix). */
export class HplError extends Error {
  constructor(code: string, message: string);
  code: string;
  details: string;
  /** watchJob: where to reattach (the last sequence seen + 1). */
  nextSequence?: number;
  /** watchJob: the job itself failed (not the stream). */
  jobFailed?: boolean;
}

export interface ClientOptions {
  /** Deadline of each unary call in ms (default 60000; null: none). */
  timeoutMs?: number | null;
  /** Deadline of a whole upload in ms (default null: none). */
  uploadTimeoutMs?: number | null;
  /** Sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** TLS with the system's root certificates. */
  tls?: boolean;
  /** TLS trusting these PEM root certificates: a file path or the bytes. */
  rootCerts?: string | Buffer;
  /** The name the server's certificate carries, if not the target's host. */
  tlsServerName?: string;
}

export interface TrainOptions {
  method?: Method; hyperparameters?: Record<string, string | number>; seed?: number;
  /** true: the "production" alias moves to the new version (it goes live); default false: no alias moves */
  promote?: boolean;
}

export class HplClient {
  constructor(target: string, options?: ClientOptions);
  timeoutMs: number | null;
  uploadTimeoutMs: number | null;
  close(): void;
  serving(service?: string): Promise<boolean>;

  upload(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, header: {
    targetColumn: string; name?: string; ignoreColumns?: string[]; categoricalColumns?: string[];
  }): Promise<DatasetInfo>;
  uploadFile(file: string, header: {
    targetColumn: string; name?: string; chunkBytes?: number; ignoreColumns?: string[]; categoricalColumns?: string[];
  }): Promise<DatasetInfo>;
  uploadImages(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, options: {
    channels: number; height: number; width: number; targetColumn?: string; name?: string; resize?: boolean;
    indexFile?: string; ignoreColumns?: string[];
  }): Promise<DatasetInfo>;
  listDatasets(): Promise<DatasetInfo[]>;
  listMethods(): Promise<MethodInfo[]>;

  train(datasetId: string, modelName: string, options?: TrainOptions & {
    onProgress?: (progress: TrainProgress) => void; signal?: AbortSignal;
  }): Promise<ModelInfo>;
  startTraining(datasetId: string, modelName: string, options?: TrainOptions & { requestId?: string }): Promise<JobInfo>;
  getJob(jobId: string): Promise<JobInfo>;
  listJobs(filter?: { state?: JobState; modelName?: string }): Promise<JobInfo[]>;
  cancelJob(jobId: string): Promise<JobInfo>;
  /** idleTimeoutMs: no event for that long (heartbeats included) ends the stream as UNAVAILABLE (default: none). */
  watchJob(jobId: string, options?: {
    fromSequence?: number; onEvent?: (event: TrainEvent) => void; signal?: AbortSignal; idleTimeoutMs?: number | null;
  }): Promise<TrainEvent>;
  /** idleTimeoutMs defaults to 60000 here: a silent connection is reattached. */
  waitForModel(jobId: string, options?: {
    onEvent?: (event: TrainEvent) => void; signal?: AbortSignal; reattach?: number; backoffMs?: number;
    onReattach?: (error: HplError, attempt: number) => void; idleTimeoutMs?: number | null;
  }): Promise<ModelInfo>;

  /** alias (or modelName "name@alias") instead of version; version 0: the "production" alias's version, else the latest */
  predict(modelName: string, rows: Row[], options?: { version?: number; alias?: string; intervalLevel?: number }): Promise<Prediction[]>;
  /** As predict, with the concrete version that scored the rows. */
  predictVersioned(modelName: string, rows: Row[], options?: { version?: number; alias?: string; intervalLevel?: number }):
    Promise<{ version: number; predictions: Prediction[] }>;
  predictColumns(modelName: string, columns: Record<string, Float32Array | Float64Array | number[] | string[]>,
    options?: { version?: number; alias?: string; intervalLevel?: number }): Promise<PackedPredictions>;
  predictEncoded(modelName: string, x: Float32Array | number[], width: number,
    options?: { version?: number; alias?: string; intervalLevel?: number }): Promise<PackedPredictions>;
  predictImages(modelName: string, images: Array<Buffer | number[]>, options?: {
    version?: number; resize?: boolean;
  }): Promise<Prediction[]>;
  evaluate(modelName: string, data: { datasetId: string; version?: number; alias?: string }
    | { rows: Row[]; version?: number; alias?: string }): Promise<Metrics>;
  listModels(name?: string): Promise<ModelInfo[]>;
  getModel(name: string, version?: number, alias?: string): Promise<ModelInfo>;
  /** Points alias at version (the server loads it first); resolves to where it pointed before, 0 if new. */
  setAlias(modelName: string, alias: string, version: number): Promise<number>;
  /** Removes alias; resolves to the version it pointed to. */
  deleteAlias(modelName: string, alias: string): Promise<number>;
  deleteModel(name: string, version?: number): Promise<number>;
}

/** A field name as the proto's JSON mapping makes it: coverage_90 -> coverage90. */
export function jsonName(name: string): string;
/** proto-loader's package definition of hpl.proto and health.proto (for servers in tests). */
export const definition: Record<string, unknown>;
export const FINAL_EVENTS: ReadonlyArray<'finished' | 'failed' | 'cancelled'>;
