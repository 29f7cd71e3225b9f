'use strict';
// Client for hpl-server's gRPC API on @grpc/grpc-js. The .proto files are loaded at run time: from the
// package's own proto/ (npm pack copies them there: scripts/copy-protos.js), else from the repository's
// proto/ and clients/proto/ (a checkout), so nothing generated is committed and nothing can drift.
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const CHUNK_BYTES = 1 << 20; // well under the server's 16 MiB message limit
const FINAL_EVENTS = ['finished', 'failed', 'cancelled'];

/** The folders holding hpl/v1/hpl.proto and health.proto: $HPL_PROTO_DIR first, then the packed proto/ or the repository's. */
function protoDirs() {
  const packed = path.join(__dirname, '..', 'proto');
  const found = fs.existsSync(path.join(packed, 'hpl', 'v1', 'hpl.proto'))
    ? [packed]
    : [path.join(__dirname, '..', '..', '..', 'proto'), path.join(__dirname, '..', '..', 'proto')];
  return process.env.HPL_PROTO_DIR ? [process.env.HPL_PROTO_DIR, ...found] : found;
}

/**
 * A field's JSON name as protoc makes it (each `_` dropped, the next character upper-cased): coverage_90 ->
 * coverage90, interval_coverage_50 -> intervalCoverage50, as in the proto's JSON mapping, grpcurl and the
 * Python client's MessageToDict. protobufjs upper-cases only letters after `_`, which gave coverage_90 and
 * intervalCoverage_50 in this client alone.
 */
function jsonName(name) {
  return name.replace(/_+([^_])?/g, (_, next) => (next ? next.toUpperCase() : ''));
}

/** proto-loader's loadSync with protoc's JSON names for fields (protobufjs's camelCase swapped for the call). */
function loadWithJsonNames(files, options) {
  const protobufPath = require.resolve('protobufjs', { paths: [path.dirname(require.resolve('@grpc/proto-loader'))] });
  const { util } = require(protobufPath);
  const camelCase = util.camelCase;
  util.camelCase = jsonName; // read by protobufjs's parser at each parse; restored at once (loading is synchronous)
  try {
    return protoLoader.loadSync(files, options);
  } finally {
    util.camelCase = camelCase;
  }
}

const definition = loadWithJsonNames(['hpl/v1/hpl.proto', 'health.proto'], {
  includeDirs: protoDirs(),
  longs: Number, // int64 counts fit a double comfortably
  enums: String,
  defaults: true,
  oneofs: true,
});
const loaded = grpc.loadPackageDefinition(definition);

/** A failed call: the gRPC status code name and the server's message (which says what to fix). */
class HplError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
    this.details = message;
  }

  static from(err) {
    const name = Object.keys(grpc.status).find((k) => grpc.status[k] === err.code) || String(err.code);
    return new HplError(name, err.details || err.message);
  }
}

// google.protobuf.Struct as proto-loader sees it, from a plain row object.
function toStruct(row) {
  const fields = {};
  for (const [k, v] of Object.entries(row)) {
    fields[k] = typeof v === 'number' ? { numberValue: v } : { stringValue: String(v) };
  }
  return { fields };
}

/** One column of PredictRequest.columns: float32 for a Float32Array, doubles for other numbers, else texts. */
function columnValues(name, values) {
  if (values instanceof Float32Array) return { name, floats: Array.from(values) }; // protobufjs takes arrays only
  const list = Array.from(values);
  if (list.every((v) => typeof v === 'number')) return { name, doubles: list };
  return { name, texts: list.map((v) => (v === null || v === undefined ? '' : String(v))) };
}

/** PredictResponse.packed as plain arrays, with the version that scored them. */
function packedAnswer(response) {
  const { mean = [], variance = [], lower = [], upper = [] } = response.packed || {};
  return { version: response.version, mean, variance, lower, upper };
}

/** An interceptor adding `authorization: Bearer <token>` to every call (call credentials need TLS; this does not). */
function bearerToken(token) {
  return (options, nextCall) => new grpc.InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      metadata.set('authorization', `Bearer ${token}`);
      next(metadata, listener);
    },
  });
}

function readPem(pem) {
  return Buffer.isBuffer(pem) ? pem : fs.readFileSync(pem);
}

class HplClient {
  /**
   * @param {string} target host:port
   * @param {object} [options]
   * @param {number|null} [options.timeoutMs] deadline of each unary call (default 60000; null: none)
   * @param {number|null} [options.uploadTimeoutMs] deadline of a whole upload (default null: none, a large file
   *   takes as long as it takes)
   * @param {string} [options.token] sent as `authorization: Bearer <token>` on every call
   * @param {boolean} [options.tls] TLS with the system's root certificates
   * @param {string|Buffer} [options.rootCerts] TLS trusting these PEM root certificates (a path or the bytes)
   * @param {string} [options.tlsServerName] the name the server's certificate carries, if not the target's host
   */
  constructor(target, { timeoutMs = 60000, uploadTimeoutMs = null, token, tls = false, rootCerts, tlsServerName } = {}) {
    const credentials = tls || rootCerts
      ? grpc.credentials.createSsl(rootCerts ? readPem(rootCerts) : null)
      : grpc.credentials.createInsecure();
    const options = { 'grpc.max_receive_message_length': 64 << 20 };
    if (tlsServerName) options['grpc.ssl_target_name_override'] = tlsServerName;
    if (token) options.interceptors = [bearerToken(token)];
    this.stub = new loaded.hpl.v1.RegressionService(target, credentials, options);
    this.health = new loaded.grpc.health.v1.Health(target, credentials, options);
    this.timeoutMs = timeoutMs;
    this.uploadTimeoutMs = uploadTimeoutMs;
  }

  close() {
    this.stub.close();
    this.health.close();
  }

  /** Call options with a deadline timeoutMs from now (the client's unary one by default); none for null. */
  deadline(timeoutMs = this.timeoutMs) {
    return timeoutMs == null ? {} : { deadline: Date.now() + timeoutMs };
  }

  unary(stub, method, request, timeoutMs) {
    return new Promise((resolve, reject) => {
      stub[method](request, this.deadline(timeoutMs), (err, response) => (err ? reject(HplError.from(err)) : resolve(response)));
    });
  }

  /** grpc.health.v1 Check: true once the engines are loaded. */
  async serving(service = '') {
    return (await this.unary(this.health, 'Check', { service })).status === 'SERVING';
  }

  /** Streams a header then the chunks (Buffers); the same bytes and header give the same dataset id. */
  upload(chunks, { targetColumn, name = '', ignoreColumns = [], categoricalColumns = [] }) {
    return this.streamUpload({ name, targetColumn, ignoreColumns, categoricalColumns }, chunks);
  }

  /**
   * Streams an image archive (zip, tar or tar.gz of PNG/JPEG files plus an index CSV `file,<target>`).
   * Images are decoded to channels x height x width; resize: true resizes other sizes instead of refusing them.
   */
  uploadImages(chunks, { channels, height, width, targetColumn = '', name = '', resize = false, indexFile = '', ignoreColumns = [] }) {
    return this.streamUpload({
      name, targetColumn, ignoreColumns, format: 'DATA_FORMAT_IMAGE_ARCHIVE',
      image: { channels, height, width, resize, indexFile },
    }, chunks);
  }

  streamUpload(header, chunks) {
    return new Promise((resolve, reject) => {
      const call = this.stub.UploadDataset(this.deadline(this.uploadTimeoutMs), (err, info) => (err ? reject(HplError.from(err)) : resolve(info)));
      call.write({ header });
      (async () => {
        for await (const chunk of chunks) {
          if (!call.write({ chunk })) await new Promise((r) => call.once('drain', r)); // respect flow control
        }
        call.end();
      })().catch((e) => { call.cancel(); reject(e); });
    });
  }

  /** Uploads a CSV file in chunks of chunkBytes, never holding it whole in memory. */
  uploadFile(file, { chunkBytes = CHUNK_BYTES, name = file, ...header }) {
    return this.upload(fs.createReadStream(file, { highWaterMark: chunkBytes }), { name, ...header });
  }

  /** Every dataset (oldest first), across pages. */
  async listDatasets() {
    return this.allPages('ListDatasets', {}, 'datasets');
  }

  /** Calls a paginated List RPC until next_page_token is empty; the items of every page, in order. */
  async allPages(method, request, field) {
    const items = [];
    let pageToken = '';
    do {
      const page = await this.unary(this.stub, method, { ...request, pageToken });
      items.push(...page[field]);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return items;
  }

  async listMethods() {
    return (await this.unary(this.stub, 'ListMethods', {})).methods;
  }

  /**
   * Trains and waits for the published model; onProgress hears every progress event.
   * An AbortSignal (signal) cancels the stream, which cancels the job on the server.
   */
  train(datasetId, modelName, { method = 'METHOD_UNSPECIFIED', hyperparameters = {}, seed, promote = false, onProgress, signal } = {}) {
    // cancelOnDisconnect: this method owns the job, so an abort still cancels it on the server
    // (the server's default since jobs became resources is to keep training).
    const request = {
      datasetId, method, modelName, cancelOnDisconnect: true, promote,
      hyperparameters: Object.fromEntries(Object.entries(hyperparameters).map(([k, v]) => [k, String(v)])),
    };
    if (seed !== undefined) request.seed = seed;
    return new Promise((resolve, reject) => {
      const call = this.stub.Train(request);
      let model;
      let failed;
      if (signal) signal.addEventListener('abort', () => call.cancel(), { once: true });
      call.on('data', (event) => {
        if (event.event === 'progress' && onProgress) onProgress(event.progress);
        else if (event.event === 'finished') model = event.finished.model;
        else if (event.event === 'failed') failed = new HplError(event.failed.code, event.failed.message);
      });
      call.on('error', (err) => reject(failed || HplError.from(err)));
      call.on('end', () => (model ? resolve(model) : reject(failed || new HplError('UNKNOWN', 'the Train stream ended without a result'))));
    });
  }

  // ---------------------------------------------------------------- jobs

  /**
   * Queues a training job and resolves to it (JobInfo, state JOB_STATE_QUEUED) at once; it runs whether or not
   * anyone watches. The same requestId again resolves to the same job, so a retry after a lost answer is safe.
   */
  startTraining(datasetId, modelName, { method = 'METHOD_UNSPECIFIED', hyperparameters = {}, seed, requestId = '', promote = false } = {}) {
    const request = {
      datasetId, method, modelName, requestId, promote,
      hyperparameters: Object.fromEntries(Object.entries(hyperparameters).map(([k, v]) => [k, String(v)])),
    };
    if (seed !== undefined) request.seed = seed;
    return this.unary(this.stub, 'StartTraining', request);
  }

  /** A job's state, progress, attempts and history (JobInfo). */
  getJob(jobId) {
    return this.unary(this.stub, 'GetJob', { jobId });
  }

  /** Every job, oldest first, of one state (e.g. 'JOB_STATE_RUNNING') and one model if given, across pages. */
  async listJobs({ state = 'JOB_STATE_UNSPECIFIED', modelName = '' } = {}) {
    const jobs = [];
    let pageToken = '';
    do {
      const page = await this.unary(this.stub, 'ListJobs', { state, modelName, pageToken });
      jobs.push(...page.jobs);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return jobs;
  }

  /** Cancels a queued or running job (nothing is published); rejects FAILED_PRECONDITION if it already succeeded. */
  cancelJob(jobId) {
    return this.unary(this.stub, 'CancelJob', { jobId });
  }

  /**
   * Watches a job from fromSequence on (0: every event the server holds) until its final event. onEvent hears
   * every event: `accepted`, `progress`, `heartbeat` (liveness while nothing else happens; it repeats the latest
   * sequence) and the final one. Resolves to the final event when the job finished or was cancelled; rejects with
   * HplError when it failed (the failure's code) or the stream broke (e.g. UNAVAILABLE on a dropped connection or
   * a server shutting down). The error's `nextSequence` is where to reattach: watchJob(jobId, { fromSequence:
   * err.nextSequence }) catches up without loss or repeats. An AbortSignal (signal) detaches; the job goes on.
   */
  watchJob(jobId, { fromSequence = 0, onEvent, signal, idleTimeoutMs = null } = {}) {
    return new Promise((resolve, reject) => {
      const call = this.stub.WatchJob({ jobId, fromSequence });
      let next = fromSequence;
      let final;
      let idle;
      let silent = false;
      // No event for idleTimeoutMs, not even a heartbeat (the server sends one every hpl.training.heartbeat-every,
      // 10 s by default, while a job is quiet): the connection died without a word; end the stream as dropped.
      const watchdog = () => {
        clearTimeout(idle);
        if (idleTimeoutMs != null) idle = setTimeout(() => { silent = true; call.cancel(); }, idleTimeoutMs);
      };
      const fail = (err) => { clearTimeout(idle); reject(Object.assign(err, { nextSequence: next })); };
      if (signal) signal.addEventListener('abort', () => call.cancel(), { once: true });
      watchdog();
      call.on('data', (event) => {
        watchdog();
        if (event.event !== 'heartbeat') next = event.sequence + 1;
        if (FINAL_EVENTS.includes(event.event)) final = event;
        if (onEvent) onEvent(event);
      });
      call.on('error', (err) => {
        clearTimeout(idle);
        if (final && final.event === 'cancelled') resolve(final); // the status CANCELLED that follows `cancelled`
        else if (final && final.event === 'failed') fail(Object.assign(new HplError(final.failed.code, final.failed.message), { jobFailed: true }));
        else if (silent) fail(new HplError('UNAVAILABLE', `no event from job ${jobId} for ${idleTimeoutMs} ms, not even a heartbeat: the connection looks dead`));
        else fail(HplError.from(err));
      });
      call.on('end', () => {
        clearTimeout(idle);
        if (final) resolve(final);
        else fail(new HplError('UNKNOWN', `the WatchJob stream of ${jobId} ended without a final event`));
      });
    });
  }

  /**
   * Follows a job to its end, reattaching after a dropped connection: resolves to the published model (ModelInfo),
   * rejects with the job's failure (its code), CANCELLED, or the stream's error once `reattach` reattaches in a
   * row failed (UNAVAILABLE: a server restarting, a network gone, or no event for idleTimeoutMs; waits backoffMs,
   * 2·backoffMs, … up to 30 s between them; any event resets the count). onEvent hears every event once;
   * onReattach(err, attempt) each try.
   */
  async waitForModel(jobId, { onEvent, signal, reattach = 10, backoffMs = 1000, onReattach, idleTimeoutMs = 60000 } = {}) {
    let fromSequence = 0;
    let attempts = 0;
    for (;;) {
      let final;
      try {
        final = await this.watchJob(jobId, {
          fromSequence, signal, idleTimeoutMs, onEvent: (e) => { attempts = 0; if (onEvent) onEvent(e); },
        });
      } catch (err) {
        if (err.jobFailed || err.code !== 'UNAVAILABLE' || attempts >= reattach || (signal && signal.aborted)) throw err;
        attempts += 1;
        fromSequence = err.nextSequence;
        if (onReattach) onReattach(err, attempts);
        await new Promise((r) => setTimeout(r, Math.min(30000, backoffMs * 2 ** (attempts - 1))));
        continue;
      }
      if (final.event === 'cancelled') throw new HplError('CANCELLED', final.cancelled.message || `job ${jobId} was cancelled`);
      return final.finished.model;
    }
  }

  /**
   * Mean, σ² and a prediction interval per row; intervalLevel in (0, 1), the server's default 0.9.
   * @returns {Promise<{mean: number, variance: number, lower: number, upper: number}[]>}
   */
  async predict(modelName, rows, options = {}) {
    return (await this.predictVersioned(modelName, rows, options)).predictions;
  }

  /**
   * As predict, with the concrete version that scored the rows. alias (or modelName "name@alias") serves the
   * version the alias points to; version 0 is the "production" alias's version if set, else the latest.
   * @returns {Promise<{version: number, predictions: {mean: number, variance: number, lower: number, upper: number}[]}>}
   */
  async predictVersioned(modelName, rows, { version = 0, alias = '', intervalLevel } = {}) {
    const request = { modelName, version, alias, rows: rows.map(toStruct) };
    if (intervalLevel !== undefined) request.intervalLevel = intervalLevel;
    const response = await this.unary(this.stub, 'Predict', request);
    return {
      version: response.version,
      predictions: response.predictions.map(({ mean, variance, lower, upper }) => ({ mean, variance, lower, upper })),
    };
  }

  /**
   * The fast form: rows given column by column, answered with packed arrays (no object per row on either side).
   * columns maps each feature column to its values, one per row: a Float32Array (sent as packed float32), a
   * Float64Array or an array of numbers (packed doubles; NaN = missing, for a column with hasMissing), or an
   * array of strings (categories; '' = missing). A column with hasMissing may be left out.
   * @returns {Promise<{version: number, mean: number[], variance: number[], lower: number[], upper: number[]}>}
   */
  async predictColumns(modelName, columns, { version = 0, alias = '', intervalLevel } = {}) {
    const request = {
      modelName, version, alias,
      columns: { columns: Object.entries(columns).map(([name, values]) => columnValues(name, values)) },
    };
    if (intervalLevel !== undefined) request.intervalLevel = intervalLevel;
    return packedAnswer(await this.unary(this.stub, 'Predict', request));
  }

  /**
   * Rows already encoded as the model's input: x holds rows × width float32 values, row-major, width the
   * count of the model's schema.encodedInputs (whose order it follows). @returns as predictColumns
   */
  async predictEncoded(modelName, x, width, { version = 0, alias = '', intervalLevel } = {}) {
    const request = { modelName, version, alias, x: { width, values: Array.from(x) } };
    if (intervalLevel !== undefined) request.intervalLevel = intervalLevel;
    return packedAnswer(await this.unary(this.stub, 'Predict', request));
  }

  /**
   * Scores images: each a Buffer of PNG/JPEG bytes (decoded by the server) or an array of C*H*W numbers in
   * [0, 1], channel-major. @returns {Promise<{mean: number, variance: number}[]>}
   */
  async predictImages(modelName, images, { version = 0, resize = false } = {}) {
    const request = {
      modelName, version, resizeImages: resize,
      images: images.map((i) => (Buffer.isBuffer(i) ? { encoded: i } : { tensor: { values: i } })),
    };
    const response = await this.unary(this.stub, 'Predict', request);
    return response.predictions.map(({ mean, variance, lower, upper }) => ({ mean, variance, lower, upper }));
  }

  /** Scores a model on a stored dataset ({datasetId}) or on inline rows with the target column ({rows}). */
  async evaluate(modelName, { datasetId, rows, version = 0, alias = '' }) {
    if ((datasetId === undefined) === (rows === undefined)) throw new Error('give exactly one of datasetId and rows');
    const request = datasetId !== undefined
      ? { modelName, version, alias, datasetId }
      : { modelName, version, alias, inline: { rows: rows.map(toStruct) } };
    return (await this.unary(this.stub, 'Evaluate', request)).metrics;
  }

  /** Every version of every model (or of the one named), by name then version, across pages. */
  async listModels(name = '') {
    return this.allPages('ListModels', { name }, 'models');
  }

  /** One version's metadata (with aliases and loaded); an alias instead of a version if given. */
  getModel(name, version = 0, alias = '') {
    return this.unary(this.stub, 'GetModel', { name, version, alias });
  }

  /** Points alias at version (the server loads that version first); resolves to where it pointed before, 0 if new. */
  async setAlias(modelName, alias, version) {
    return (await this.unary(this.stub, 'SetAlias', { modelName, alias, version })).previousVersion;
  }

  /** Removes alias; resolves to the version it pointed to. */
  async deleteAlias(modelName, alias) {
    return (await this.unary(this.stub, 'DeleteAlias', { modelName, alias })).version;
  }

  /** Deletes one version, or every version when version is 0; resolves to how many went. */
  async deleteModel(name, version = 0) {
    return (await this.unary(this.stub, 'DeleteModel', { name, version })).versionsDeleted;
  }
}

module.exports = { HplClient, HplError, jsonName, definition, FINAL_EVENTS };
