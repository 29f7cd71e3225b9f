package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.hpl.server.api.GeneratedCsv;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.metrics.TrainingMetrics;
import io.hpl.server.store.DatasetHeaderSpec;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.DatasetUpload;
import io.hpl.server.store.JobHistoryEntry;
import io.hpl.server.store.JobRecord;
import io.hpl.server.store.JobState;
import io.hpl.server.store.JobStore;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingRun;
import io.hpl.server.training.checkpoint.Checkpoint;
import io.hpl.server.training.checkpoint.CheckpointPolicy;
import io.hpl.server.training.method.SupervisedMethod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes executor against fabric8's mock API server (crud mode: it keeps what it is sent):
 * the Job it creates, cancel, a failed pod retried from the checkpoint (the "pods" are
 * {@link TrainingWorker}s run in this JVM over the same store), and a Job out of retries.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesJobExecutorTest {
    private static final String NAMESPACE = "training";
    private static final String IMAGE = "registry.example/hpl-server:1.2.3";
    private static final TrainingJobs.Settings SETTINGS = new TrainingJobs.Settings(4, Duration.ofDays(7),
            Duration.ofSeconds(30), Duration.ZERO, new CheckpointPolicy(10, Duration.ZERO));
    private static final Map<String, String> HP = Map.of("iterations", "200", "progress_every", "10",
            "hidden_layers", "16", "batch_size", "16");

    KubernetesClient client;
    KubernetesMockServer server;

    @TempDir
    Path root;
    private String datasetId;
    private JobStore store;
    private KubernetesJobExecutor executor;
    private TrainingJobs jobs;
    private final List<TrainingJobs> started = new ArrayList<>();

    @BeforeEach
    void uploadDataset() {
        DatasetStore datasets = new DatasetStore(root);
        try (DatasetUpload upload = datasets.begin(new DatasetHeaderSpec("t", "y", List.of("id"), List.of()))) {
            upload.append(GeneratedCsv.make(80, 0, 3).getBytes(StandardCharsets.UTF_8));
            datasetId = upload.finish().id();
        }
        store = new JobStore(root);
    }

    @AfterEach
    void stop() {
        started.forEach(TrainingJobs::shutdown);
    }

    private static KubernetesJobExecutor.Settings settings(boolean gpuJobs, Optional<String> template) {
        return new KubernetesJobExecutor.Settings(NAMESPACE, IMAGE, "hpl-worker", 3, "2", "8Gi", 2, gpuJobs,
                Duration.ofHours(1), Optional.of("hpl-s3"), template);
    }

    /** The server side: TrainingJobs on the Kubernetes executor, polled by hand ({@link KubernetesJobExecutor#poll()}). */
    private TrainingJobs server(KubernetesJobExecutor.Settings settings) {
        jobs = new TrainingJobs(new DatasetStore(root), new ModelStore(root), new MethodRegistry(List.of(new Hooked(it -> { }))),
                store, SETTINGS, Device::cpu, new TrainingMetrics(new SimpleMeterRegistry()), attempt -> {
                    executor = new KubernetesJobExecutor(client, settings, store, new ModelStore(root), null);
                    return executor;
                });
        started.add(jobs);
        return jobs;
    }

    /** A worker pod's process, in this JVM, over the same store, training with {@code onProgress} hooked in. */
    private int workerPod(String jobId, LongConsumer onProgress) {
        JobStore own = new JobStore(root);
        TrainingAttempt attempt = new TrainingAttempt(new DatasetStore(root), new ModelStore(root),
                new MethodRegistry(List.of(new Hooked(onProgress))), own, SETTINGS.checkpoints(), Device::cpu,
                new TrainingMetrics(new SimpleMeterRegistry()), TrainingLimits.DEFAULTS, TrainingAttempt::retriedInWorker);
        return new TrainingWorker(own, attempt, () -> { }, Duration.ofSeconds(5)).run(jobId);
    }

    private TrainJobSpec spec() {
        return new TrainJobSpec(datasetId, MethodName.SUPERVISED, "k8s-model", HP, 5);
    }

    private Job k8sJob(String jobId) {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).withName(KubernetesJobExecutor.jobName(jobId)).get();
    }

    private static Container worker(Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("worker")).findFirst().orElseThrow();
    }

    private static Map<String, String> env(Container c) {
        return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> String.valueOf(e.getValue())));
    }

    private static List<String> notes(JobRecord r) {
        return r.history().stream().map(JobHistoryEntry::note).toList();
    }

    @Test
    void theJobItCreatesRunsTheWorkerImageWithTheJobsIdResourcesAndServiceAccount() {
        String id = server(settings(false, Optional.empty())).start(spec(), null).id();

        Job job = k8sJob(id);
        assertNotNull(job, "no Job " + KubernetesJobExecutor.jobName(id));
        assertEquals("hpl-train-" + id, job.getMetadata().getName());
        Map<String, String> labels = Map.of("app.kubernetes.io/name", "hpl-server",
                "app.kubernetes.io/component", "training-worker", "hpl.io/job-id", id);
        assertEquals(labels, job.getMetadata().getLabels());
        assertTrue(job.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(labels.entrySet()));
        assertEquals(3, job.getSpec().getBackoffLimit());
        assertEquals(3600, job.getSpec().getTtlSecondsAfterFinished());
        assertEquals("hpl-worker", job.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertEquals("Never", job.getSpec().getTemplate().getSpec().getRestartPolicy());
        var rule = job.getSpec().getPodFailurePolicy().getRules().get(0);
        assertEquals("Ignore", rule.getAction());
        assertEquals("DisruptionTarget", rule.getOnPodConditions().get(0).getType(), "an eviction is not a failure");
        Container c = worker(job);
        assertEquals(IMAGE, c.getImage());
        assertNull(c.getArgs() == null || c.getArgs().isEmpty() ? null : c.getArgs(), "the image's own entry point runs the jar");
        assertEquals(Map.of("HPL_MODE", "worker", "HPL_WORKER_JOB_ID", id), env(c));
        assertEquals("hpl-s3", c.getEnvFrom().get(0).getSecretRef().getName());
        assertEquals(Map.of("cpu", new Quantity("2"), "memory", new Quantity("8Gi")), c.getResources().getRequests());
        assertEquals(Map.of("cpu", new Quantity("2"), "memory", new Quantity("8Gi")), c.getResources().getLimits(),
                "a CPU job asks for no GPU");
        assertEquals(JobState.QUEUED, jobs.get(id).state(), "the worker marks it running");
    }

    @Test
    void aGpuJobAsksForItsGpus() {
        String id = server(settings(true, Optional.empty())).start(spec(), null).id();

        Container c = worker(k8sJob(id));
        assertEquals(new Quantity("2"), c.getResources().getLimits().get("nvidia.com/gpu"));
        assertEquals(new Quantity("8Gi"), c.getResources().getLimits().get("memory"));
    }

    @Test
    void aJobTemplateKeepsItsSchedulingAndSidecarsAndGetsTheWorkerFilledIn() {
        String template = """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  labels:
                    team: ml
                spec:
                  backoffLimit: 9
                  template:
                    spec:
                      nodeSelector:
                        pool: gpu
                      tolerations:
                        - key: nvidia.com/gpu
                          operator: Exists
                          effect: NoSchedule
                      containers:
                        - name: log-shipper
                          image: example/shipper:1
                        - name: worker
                          image: placeholder
                          env:
                            - name: HPL_TRAINING_THREADS
                              value: "4"
                          volumeMounts:
                            - name: scratch
                              mountPath: /scratch
                      volumes:
                        - name: scratch
                          emptyDir: {}
                """;
        String id = server(settings(true, Optional.of(template))).start(spec(), null).id();

        Job job = k8sJob(id);
        assertEquals("ml", job.getMetadata().getLabels().get("team"));
        assertEquals(id, job.getMetadata().getLabels().get("hpl.io/job-id"));
        assertEquals(3, job.getSpec().getBackoffLimit(), "the setting wins over the template");
        var pod = job.getSpec().getTemplate().getSpec();
        assertEquals(Map.of("pool", "gpu"), pod.getNodeSelector());
        assertEquals("nvidia.com/gpu", pod.getTolerations().get(0).getKey());
        assertEquals("scratch", pod.getVolumes().get(0).getName());
        assertEquals("hpl-worker", pod.getServiceAccountName());
        assertEquals(List.of("log-shipper", "worker"), pod.getContainers().stream().map(Container::getName).toList());
        Container c = worker(job);
        assertEquals(IMAGE, c.getImage());
        assertEquals(Map.of("HPL_TRAINING_THREADS", "4", "HPL_MODE", "worker", "HPL_WORKER_JOB_ID", id), env(c));
        assertEquals("/scratch", c.getVolumeMounts().get(0).getMountPath());
        assertEquals(new Quantity("2"), c.getResources().getLimits().get("nvidia.com/gpu"));
    }

    @Test
    void cancellingAJobDeletesItsKubernetesJob() throws InterruptedException {
        TrainingJobs jobs = server(settings(false, Optional.empty()));
        String id = jobs.start(spec(), null).id();
        assertNotNull(k8sJob(id));
        Events events = new Events();
        jobs.watch(id, 0, events);

        jobs.cancel(id);

        var delete = server.getLastRequest();
        assertEquals("DELETE", delete.getMethod());
        assertTrue(delete.getPath().endsWith("/namespaces/" + NAMESPACE + "/jobs/hpl-train-" + id), delete.getPath());
        assertTrue(delete.getUtf8Body().contains("\"propagationPolicy\":\"Background\""), delete.getUtf8Body());
        assertNull(k8sJob(id), "the Kubernetes Job is deleted");
        assertInstanceOf(JobEvent.Cancelled.class, events.awaitEnd());
        assertEquals(JobState.CANCELLED, store.find(id).orElseThrow().state());
        assertEquals(0, jobs.pending(), "a cancelled job no longer counts against hpl.training.max-queued");
        // a worker pod that still starts (deleted late) finds the job ended and trains nothing
        assertEquals(TrainingWorker.DONE, workerPod(id, it -> { }));
        assertEquals(JobState.CANCELLED, store.find(id).orElseThrow().state());
    }

    @Test
    void aFailedPodIsRetriedFromItsCheckpointAndTheServerRelaysEveryAttemptsProgressAndTheEnd() throws InterruptedException {
        TrainingJobs jobs = server(settings(false, Optional.empty()));
        String id = jobs.start(spec(), null).id();
        Events events = new Events();
        jobs.watch(id, 0, events);

        // Attempt 1: the pod dies at iteration 50, after its report and before that iteration's checkpoint.
        int exit = workerPod(id, it -> {
            if (it == 50) {
                throw new IllegalStateException("pod killed at iteration 50");
            }
        });
        assertEquals(TrainingWorker.RETRY, exit, "a failed attempt exits non-zero, so the Job's backoffLimit retries it");
        assertEquals(40, Checkpoint.decode(store.checkpoint(id).orElseThrow()).iteration(), "attempt 1's checkpoint");
        executor.poll();
        assertEquals(JobState.RUNNING, jobs.get(id).state());
        assertEquals(50, jobs.get(id).iteration(), "relayed from the worker's record");

        // Attempt 2, the retried pod: reads attempt 1's checkpoint and continues from it.
        assertEquals(TrainingWorker.DONE, workerPod(id, it -> { }));
        executor.poll();

        List<Object> seen = List.copyOf(events.received); // poll() relays synchronously: all of them are here
        JobEvent.Finished finished = assertInstanceOf(JobEvent.Finished.class, seen.get(seen.size() - 1));
        JobRecord r = jobs.get(id);
        assertEquals(JobState.SUCCEEDED, r.state());
        assertEquals(2, r.attempts());
        List<String> notes = notes(r);
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("attempt 1 failed (IllegalStateException: pod killed at iteration 50)")),
                notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("resumed from iteration 40 of 200")), notes.toString());
        ModelRecord model = new ModelStore(root).find("k8s-model", finished.version()).orElseThrow();
        assertEquals(id, model.jobId());

        // What the watcher saw: accepted, attempt 1's progress to 50, then attempt 2's from 50 (not from 10): it resumed.
        List<Long> progress = new ArrayList<>();
        List<Long> sequences = new ArrayList<>();
        for (Object o : seen) {
            JobEvent e = (JobEvent) o;
            sequences.add(e.sequence());
            if (e instanceof JobEvent.Progress p) {
                progress.add(p.progress().iteration());
            }
        }
        List<Long> expected = new ArrayList<>(List.of(10L, 20L, 30L, 40L, 50L));
        for (long it = 50; it <= 200; it += 10) {
            expected.add(it);
        }
        assertEquals(expected, progress);
        assertEquals(0L, sequences.get(0));
        for (int i = 1; i < sequences.size(); i++) {
            assertEquals(sequences.get(i - 1) + 1, sequences.get(i), "numbered without gaps or repeats: " + sequences);
        }
        assertEquals(r.nextSequence() - 1, finished.sequence());
        assertTrue(store.events(id, 0).isEmpty(), "relayed events are deleted once the job ended");
        assertTrue(store.checkpoint(id).isEmpty());
    }

    @Test
    void anotherReplicaRelaysAJobItDidNotStartAndCancelsIt() throws InterruptedException {
        TrainingJobs a = server(settings(false, Optional.empty()));
        KubernetesJobExecutor aExecutor = executor;
        TrainingJobs b = server(settings(false, Optional.empty()));
        KubernetesJobExecutor bExecutor = executor;
        String first = a.start(spec(), null).id();

        // B never saw the start: a watcher there still gets the worker's events and the end, from the store.
        Events onB = new Events();
        b.watch(first, 0, onB);
        assertEquals(TrainingWorker.DONE, workerPod(first, it -> { }));
        bExecutor.poll();
        List<Object> seen = List.copyOf(onB.received);
        assertEquals(21, seen.size(), "20 progress events and the end: " + seen);
        assertEquals(1L, ((JobEvent) seen.get(0)).sequence(), "the worker's events, numbered as it wrote them");
        assertInstanceOf(JobEvent.Finished.class, seen.get(20));
        assertEquals(JobState.SUCCEEDED, b.get(first).state());

        // A cancel on a replica that never followed the job numbers its event after the worker's.
        String running = a.start(spec(), null).id();
        assertEquals(TrainingWorker.RETRY, workerPod(running, it -> {
            if (it == 30) {
                throw new IllegalStateException("pod killed");
            }
        }));
        TrainingJobs c = server(settings(false, Optional.empty()));
        JobRecord before = store.find(running).orElseThrow();
        c.cancel(running);
        JobRecord after = store.find(running).orElseThrow();
        assertEquals(JobState.CANCELLED, after.state());
        assertEquals(before.nextSequence() + 1, after.nextSequence(), "the cancel is the event after the worker's last");
        assertNull(k8sJob(running));

        // A cancel on B of a job A started: A's watcher hears it, the Kubernetes Job is deleted.
        String second = a.start(spec(), null).id();
        Events onA = new Events();
        a.watch(second, 0, onA);
        b.cancel(second);
        assertNull(k8sJob(second));
        aExecutor.poll();
        JobEvent.Cancelled cancelled = assertInstanceOf(JobEvent.Cancelled.class, onA.awaitEnd());
        assertEquals("cancelled while queued", cancelled.message());
        assertEquals(JobState.CANCELLED, a.get(second).state());
        aExecutor.poll();
        assertEquals(0, a.pending());
        assertEquals(0, b.pending());
    }

    @Test
    void aRestartedServerFollowsItsJobsAgainReplaysTheirEventsAndCreatesAJobItNeverCreated() {
        TrainingJobs first = server(settings(false, Optional.empty()));
        String running = first.start(spec(), null).id();
        assertEquals(TrainingWorker.RETRY, workerPod(running, it -> {
            if (it == 30) {
                throw new IllegalStateException("pod killed");
            }
        }));
        // the server stopped between recording a start and creating its Job
        JobRecord orphan = JobRecord.queued("job-" + java.util.UUID.randomUUID(), null, datasetId, MethodName.SUPERVISED,
                MethodName.SUPERVISED, "k8s-model", HP, 5).sequenceAt(1);
        store.save(orphan);
        first.shutdown();
        assertNotNull(k8sJob(running), "a server's stop leaves its Jobs running");

        TrainingJobs restarted = server(settings(false, Optional.empty()));
        restarted.recover();
        Events replay = new Events();
        restarted.watch(running, 1, replay);
        List<Long> progress = replay.received.stream().map(e -> ((JobEvent.Progress) e).progress().iteration()).toList();
        assertEquals(List.of(10L, 20L, 30L), progress, "the worker's events, from the store");
        assertEquals(JobState.RUNNING, restarted.get(running).state());
        assertEquals(2, restarted.pending());

        executor.poll();
        assertNotNull(k8sJob(orphan.id()), "created at the first poll");
        assertEquals(JobState.QUEUED, restarted.get(orphan.id()).state());
    }

    @Test
    void aJobOutOfRetriesFailsWithItsLastPodsReason() throws InterruptedException {
        TrainingJobs jobs = server(settings(false, Optional.empty()));
        String id = jobs.start(spec(), null).id();
        Events events = new Events();
        jobs.watch(id, 0, events);
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName("hpl-train-" + id + "-x1").addToLabels("hpl.io/job-id", id).endMetadata()
                .withNewStatus().withPhase("Failed").addNewContainerStatus().withName("worker")
                    .withNewState().withNewTerminated().withReason("OOMKilled").withExitCode(137).endTerminated().endState()
                .endContainerStatus().endStatus().build()).create();
        Job failed = new JobBuilder(k8sJob(id)).withNewStatus().withFailed(4).addNewCondition().withType("Failed")
                .withStatus("True").withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit")
                .endCondition().endStatus().build();
        client.batch().v1().jobs().inNamespace(NAMESPACE).resource(failed).updateStatus();

        executor.poll();

        JobEvent.Failed end = assertInstanceOf(JobEvent.Failed.class, events.awaitEnd());
        assertEquals(ErrorKind.RESOURCE_EXHAUSTED, end.kind());
        for (String part : List.of("hpl-train-" + id, "4 failed pod(s)", "BackoffLimitExceeded", "OOMKilled",
                "exit code 137", "hpl.training.kubernetes.memory")) {
            assertTrue(end.message().contains(part), end.message());
        }
        JobRecord r = store.find(id).orElseThrow();
        assertEquals(JobState.FAILED, r.state());
        assertEquals("RESOURCE_EXHAUSTED", r.failureCode());
        assertEquals(0, jobs.pending());
    }

    @Test
    void aRequestThatCanNeverTrainIsRecordedFailedAndTheWorkerExitsZero() {
        String id = server(settings(false, Optional.empty())).start(spec(), null).id();
        new DatasetStore(root).delete(datasetId);

        assertEquals(TrainingWorker.DONE, workerPod(id, it -> { }), "no retry: it would fail the same way");

        JobRecord r = store.find(id).orElseThrow();
        assertEquals(JobState.FAILED, r.state());
        assertEquals("NOT_FOUND", r.failureCode());
        executor.poll();
        assertEquals(JobState.FAILED, jobs.get(id).state());
    }

    /** SUPERVISED whose progress reports go through {@code onProgress} after the job's own handling. */
    private static final class Hooked implements TrainingMethod {
        private final SupervisedMethod method = new SupervisedMethod();
        private final LongConsumer onProgress;

        Hooked(LongConsumer onProgress) {
            this.onProgress = onProgress;
        }

        public MethodName name() { return MethodName.SUPERVISED; }
        public String description() { return "SUPERVISED with a progress hook"; }
        public List<HyperParameter<?>> hyperParameters() { return method.hyperParameters(); }
        public boolean semiSupervised() { return false; }

        public TrainingOutcome train(TrainingRun run) {
            return method.train(new TrainingRun(run.table(), run.hyperParameters(), run.seed(), run.device(), p -> {
                run.progress().accept(p);
                onProgress.accept(p.iteration());
            }, run.cancelled(), run.checkpointing()));
        }
    }
}
