package io.hpl.server.jobs;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.hpl.server.config.ServerConfig;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.store.JobHistoryEntry;
import io.hpl.server.store.JobRecord;
import io.hpl.server.store.JobStore;
import io.hpl.server.store.ModelStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A Kubernetes Job per training job (hpl.training.executor=kubernetes), running this same image in
 * worker mode ({@link TrainingWorker}: env {@code HPL_MODE=worker}, {@code HPL_WORKER_JOB_ID}),
 * which reads the job from the shared store, trains, checkpoints, publishes and records the end
 * there. A failed pod is retried by the Job (backoffLimit) and resumes from the job's checkpoint.
 * The server follows its Jobs with one label-selected list per second, and relays what the workers
 * wrote to the store (the record and the events) to GetJob and the watchers; a Job out of retries
 * fails the job with its last pod's reason; a cancel deletes the Job (propagation background).
 */
final class KubernetesJobExecutor implements TrainingExecutor {
    private static final Logger LOG = Logger.getLogger(KubernetesJobExecutor.class);
    static final String NAME_LABEL = "app.kubernetes.io/name";
    static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    static final String JOB_ID_LABEL = "hpl.io/job-id";
    static final String COMPONENT = "training-worker";
    static final String CONTAINER = "worker";
    static final String GPU_RESOURCE = "nvidia.com/gpu";
    static final Path NAMESPACE_FILE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    /** How often the workers' Jobs and events are read: progress reaches watchers within about this long. */
    static final Duration POLL_EVERY = Duration.ofSeconds(1);

    /**
     * hpl.training.kubernetes.*; {@code gpuJobs}: every job asks for {@code gpus} nvidia.com/gpu
     * (hpl.training.device=gpu: TrainRequest has no device of its own). {@code template}: the job
     * template's YAML, when there is one.
     */
    record Settings(String namespace, String image, String serviceAccount, int backoffLimit, String cpu, String memory,
                    int gpus, boolean gpuJobs, Duration ttlAfterFinished, Optional<String> envFromSecret,
                    Optional<String> template) {
        static Settings of(ServerConfig config) {
            ServerConfig.Kubernetes k = config.training().kubernetes();
            String image = k.image().filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                    "hpl.training.executor=kubernetes needs hpl.training.kubernetes.image (HPL_TRAINING_KUBERNETES_IMAGE):"
                            + " the image workers run, normally the server's own"));
            Optional<String> template = k.jobTemplate().map(file -> {
                try {
                    return Files.readString(Path.of(file));
                } catch (IOException e) {
                    throw new IllegalArgumentException("hpl.training.kubernetes.job-template: cannot read " + file
                            + " (" + e.getMessage() + ")", e);
                }
            });
            return new Settings(k.namespace().filter(s -> !s.isBlank()).orElseGet(KubernetesJobExecutor::ownNamespace),
                    image, k.serviceAccount(), k.backoffLimit(), k.cpu(), k.memory(), k.gpu(),
                    "gpu".equalsIgnoreCase(config.training().device()), k.ttlAfterFinished(), k.envFromSecret(), template);
        }
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final JobStore store;
    private final ModelStore models;
    private final Map<String, TrackedJob> following = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hpl-kubernetes-jobs");
        t.setDaemon(true);
        return t;
    });

    /** {@code pollEvery}: null to leave polling to the caller of {@link #poll()} (tests). */
    KubernetesJobExecutor(KubernetesClient client, Settings settings, JobStore store, ModelStore models,
                          Duration pollEvery) {
        this.client = client;
        this.settings = settings;
        this.store = store;
        this.models = models;
        settings.template().ifPresent(this::parse); // a template that does not parse stops the start, not each job
        if (pollEvery != null) {
            poller.scheduleWithFixedDelay(this::pollQuietly, pollEvery.toMillis(), pollEvery.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        LOG.infof("training jobs run as Kubernetes Jobs in namespace %s, image %s", settings.namespace(), settings.image());
    }

    KubernetesJobExecutor(KubernetesClient client, Settings settings, JobStore store, ModelStore models) {
        this(client, settings, store, models, POLL_EVERY);
    }

    /** The namespace this pod runs in, from its service account; "default" outside a cluster. */
    static String ownNamespace() {
        try {
            return Files.isReadable(NAMESPACE_FILE) ? Files.readString(NAMESPACE_FILE).trim() : "default";
        } catch (IOException e) {
            return "default";
        }
    }

    /** The Kubernetes Job's name: {@code hpl-train-<job id>}, lowercased, DNS-1123 safe, at most 63 characters. */
    static String jobName(String jobId) {
        String name = ("hpl-train-" + jobId.toLowerCase(Locale.ROOT)).replaceAll("[^a-z0-9-]", "-");
        name = name.length() > 63 ? name.substring(0, 63) : name;
        return name.replaceAll("-+$", "");
    }

    static Map<String, String> labels(String jobId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, "hpl-server");
        labels.put(COMPONENT_LABEL, COMPONENT);
        labels.put(JOB_ID_LABEL, jobId);
        return labels;
    }

    private Job parse(String yaml) {
        try {
            Job job = client.getKubernetesSerialization().unmarshal(
                    new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), Job.class);
            if (job == null) {
                throw new IllegalArgumentException("hpl.training.kubernetes.job-template is empty");
            }
            return job;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("hpl.training.kubernetes.job-template does not hold a batch/v1 Job: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The Job for training job {@code jobId}: the template's (or an empty one) with name, labels,
     * the worker container's image, env, envFrom and resources, the service account, backoffLimit,
     * ttlSecondsAfterFinished and restartPolicy Never (each failure a pod of its own, with its reason);
     * unless the template has one, a podFailurePolicy that does not count evictions against backoffLimit.
     */
    Job build(String jobId) {
        Job base = settings.template().map(this::parse).orElseGet(Job::new);
        Map<String, String> labels = labels(jobId);
        Job job = new JobBuilder(base)
                .editOrNewMetadata().withName(jobName(jobId)).withNamespace(settings.namespace())
                    .addToLabels(labels).endMetadata()
                .editOrNewSpec().withBackoffLimit(settings.backoffLimit())
                    .withTtlSecondsAfterFinished((int) Math.min(Integer.MAX_VALUE, settings.ttlAfterFinished().toSeconds()))
                    .editOrNewTemplate().editOrNewMetadata().addToLabels(labels).endMetadata()
                        .editOrNewSpec().withServiceAccountName(settings.serviceAccount()).withRestartPolicy("Never")
                        .endSpec().endTemplate()
                .endSpec().build();
        if (job.getSpec().getPodFailurePolicy() == null) {
            // A pod evicted or preempted (node drain, spot reclaim) did not fail: its retry does not use up backoffLimit.
            job.getSpec().setPodFailurePolicy(new PodFailurePolicyBuilder().addNewRule().withAction("Ignore")
                    .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition()
                    .endRule().build());
        }
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        List<Container> containers = new ArrayList<>(pod.getContainers() == null ? List.of() : pod.getContainers());
        Container worker = containers.stream().filter(c -> CONTAINER.equals(c.getName())).findFirst().orElseGet(() -> {
            Container c = new Container();
            c.setName(CONTAINER);
            containers.add(0, c);
            return c;
        });
        pod.setContainers(containers);
        worker.setImage(settings.image());
        List<EnvVar> env = new ArrayList<>(worker.getEnv() == null ? List.of() : worker.getEnv());
        env.removeIf(e -> e.getName().equals("HPL_MODE") || e.getName().equals("HPL_WORKER_JOB_ID"));
        env.add(new EnvVar("HPL_MODE", "worker", null));
        env.add(new EnvVar("HPL_WORKER_JOB_ID", jobId, null));
        worker.setEnv(env);
        settings.envFromSecret().filter(s -> !s.isBlank()).ifPresent(secret -> {
            var from = new ArrayList<>(worker.getEnvFrom() == null ? List.of() : worker.getEnvFrom());
            if (from.stream().noneMatch(f -> f.getSecretRef() != null && secret.equals(f.getSecretRef().getName()))) {
                from.add(new EnvFromSourceBuilder().withNewSecretRef().withName(secret).endSecretRef().build());
            }
            worker.setEnvFrom(from);
        });
        ResourceRequirements resources = worker.getResources() == null ? new ResourceRequirements() : worker.getResources();
        Map<String, Quantity> requests = new HashMap<>(resources.getRequests() == null ? Map.of() : resources.getRequests());
        Map<String, Quantity> limits = new HashMap<>(resources.getLimits() == null ? Map.of() : resources.getLimits());
        requests.put("cpu", new Quantity(settings.cpu()));
        requests.put("memory", new Quantity(settings.memory()));
        limits.put("cpu", new Quantity(settings.cpu()));
        limits.put("memory", new Quantity(settings.memory()));
        if (settings.gpuJobs()) {
            limits.put(GPU_RESOURCE, new Quantity(Integer.toString(settings.gpus())));
        } else {
            limits.remove(GPU_RESOURCE);
            requests.remove(GPU_RESOURCE);
        }
        resources.setRequests(requests);
        resources.setLimits(limits);
        worker.setResources(resources);
        return job;
    }

    @Override
    public void submit(TrackedJob job) {
        if (create(job, true)) {
            follow(job);
        } else {
            job.attemptOver();
        }
    }

    /**
     * Creates the job's Kubernetes Job; one that exists already (a restarted server, another
     * replica) is fine: the name is the job's, so a job never gets two. False when the API refuses:
     * with {@code failJob} the job is FAILED (a start, answered at once); else it is tried again at
     * the next poll (a job taken up at a restart, while the API may be briefly away).
     */
    private boolean create(TrackedJob job, boolean failJob) {
        try {
            client.batch().v1().jobs().inNamespace(settings.namespace()).resource(build(job.id())).create();
            LOG.infof("training job %s: created Kubernetes Job %s in namespace %s", job.id(), jobName(job.id()),
                    settings.namespace());
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return true;
            }
            if (!failJob) {
                LOG.warnf("training job %s: could not create Kubernetes Job %s yet (%s); trying again", job.id(),
                        jobName(job.id()), e.getMessage());
                return false;
            }
            job.failed(ErrorKind.UNAVAILABLE, "could not create the Kubernetes Job " + jobName(job.id())
                    + " in namespace " + settings.namespace() + " (" + e.getCode() + ": " + e.getMessage()
                    + "); check hpl.training.kubernetes.* and that the server's service account may create"
                    + " batch/v1 jobs there, then start the job again");
            return false;
        }
    }

    @Override
    public void follow(TrackedJob job) {
        following.put(job.id(), job); // its Job exists, or is being created by the replica that started it
        relay(job); // at once: a cancel or a watcher right after this sees the worker's record and numbering
    }

    @Override
    public void cancel(TrackedJob job) {
        try {
            client.batch().v1().jobs().inNamespace(settings.namespace()).withName(jobName(job.id()))
                    .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
            LOG.infof("training job %s: deleted its Kubernetes Job %s", job.id(), jobName(job.id()));
        } catch (KubernetesClientException e) {
            // the record says CANCELLED; the worker sees it in the store and stops on its own
            LOG.warnf("training job %s: could not delete Kubernetes Job %s (%s)", job.id(), jobName(job.id()),
                    e.getMessage());
        }
        if (following.remove(job.id()) != null) {
            job.attemptOver();
        }
    }

    @Override
    public boolean runsElsewhere() {
        return true;
    }

    @Override
    public void shutdown(Duration wait) {
        // The Jobs keep running: a restarted server follows them again (TrainingJobs.recover).
        poller.shutdownNow();
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warnf(e, "following the training Jobs failed; trying again in %s", POLL_EVERY);
        }
    }

    /** One round: relays what the workers wrote, and ends the jobs whose Kubernetes Job failed or vanished. */
    synchronized void poll() {
        if (following.isEmpty()) {
            return;
        }
        Map<String, Job> jobs = new HashMap<>();
        for (Job j : client.batch().v1().jobs().inNamespace(settings.namespace())
                .withLabel(NAME_LABEL, "hpl-server").withLabel(COMPONENT_LABEL, COMPONENT).list().getItems()) {
            String id = j.getMetadata().getLabels() == null ? null : j.getMetadata().getLabels().get(JOB_ID_LABEL);
            if (id != null) {
                jobs.put(id, j);
            }
        }
        for (TrackedJob job : List.copyOf(following.values())) {
            relay(job);
            Job k8s = jobs.get(job.id());
            if (!job.record().state().isFinal()) {
                if (k8s == null && job.record().state() == io.hpl.server.store.JobState.QUEUED) {
                    create(job, false); // the replica that started it stopped before creating it (or is about to)
                } else if (k8s == null) {
                    job.failed(ErrorKind.INTERNAL, "its Kubernetes Job " + jobName(job.id()) + " is gone (deleted"
                            + " outside the server?) before the job ended; start the job again");
                } else if (condition(k8s, "Failed")) {
                    job.failed(kindOf(job), failure(job, k8s));
                } else if (condition(k8s, "Complete")) {
                    relay(job); // the worker recorded its end before exiting 0: read it once more
                    if (!job.record().state().isFinal()) {
                        job.failed(ErrorKind.INTERNAL, "its Kubernetes Job " + jobName(job.id())
                                + " completed without recording how the job ended; the worker pod's log has the details");
                    }
                }
            }
            if (job.record().state().isFinal() && following.remove(job.id()) != null) {
                job.attemptOver();
            }
        }
    }

    /** Reads the worker's record and its events after the ones this server has, and hands them to the job. */
    private void relay(TrackedJob job) {
        Optional<JobRecord> stored = store.find(job.id());
        if (stored.isEmpty()) {
            return;
        }
        List<JobEvent> events = new ArrayList<>();
        for (byte[] e : store.events(job.id(), job.nextSequence())) {
            try {
                events.add(JobEventCodec.decode(e, (name, version) -> models.find(name, version).orElse(null)));
            } catch (UncheckedIOException | IllegalArgumentException ex) {
                LOG.warnf("training job %s: skipping an unreadable event (%s)", job.id(), ex.getMessage());
            }
        }
        job.relay(stored.get(), events);
    }

    private static boolean condition(Job job, String type) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions()
                .stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** An out-of-memory kill is RESOURCE_EXHAUSTED (more memory helps); anything else INTERNAL. */
    private ErrorKind kindOf(TrackedJob job) {
        return lastFailedPod(job.id()).map(KubernetesJobExecutor::podReason).filter(r -> r.contains("OOMKilled"))
                .map(r -> ErrorKind.RESOURCE_EXHAUSTED).orElse(ErrorKind.INTERNAL);
    }

    /** Why the Job failed: its condition, the last failed pod's reason and the worker's last note. */
    private String failure(TrackedJob job, Job k8s) {
        JobCondition failed = k8s.getStatus().getConditions().stream().filter(c -> "Failed".equals(c.getType()))
                .findFirst().orElseThrow();
        int failedPods = k8s.getStatus().getFailed() == null ? 0 : k8s.getStatus().getFailed();
        StringBuilder why = new StringBuilder("its Kubernetes Job " + jobName(job.id()) + " failed after " + failedPods
                + " failed pod(s) (" + failed.getReason() + (failed.getMessage() == null ? "" : ": " + failed.getMessage())
                + ")");
        lastFailedPod(job.id()).ifPresent(pod -> why.append("; last pod ").append(pod.getMetadata().getName())
                .append(": ").append(podReason(pod)));
        List<JobHistoryEntry> history = job.record().history();
        history.stream().map(JobHistoryEntry::note).filter(n -> n != null && n.startsWith("attempt ") && n.contains(" failed ("))
                .reduce((a, b) -> b).ifPresent(n -> why.append("; the worker recorded: ").append(n));
        if (why.toString().contains("OOMKilled")) {
            why.append("; raise hpl.training.kubernetes.memory or make the job smaller");
        }
        return why.toString();
    }

    private Optional<Pod> lastFailedPod(String jobId) {
        try {
            return client.pods().inNamespace(settings.namespace()).withLabel(JOB_ID_LABEL, jobId).list().getItems()
                    .stream().filter(p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()))
                    .max(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())));
        } catch (KubernetesClientException e) {
            return Optional.empty(); // the reason is a courtesy: the Job's condition still says it failed
        }
    }

    static String podReason(Pod pod) {
        StringBuilder reason = new StringBuilder();
        if (pod.getStatus().getReason() != null) {
            reason.append(pod.getStatus().getReason());
            if (pod.getStatus().getMessage() != null) {
                reason.append(" (").append(pod.getStatus().getMessage()).append(")");
            }
        }
        List<ContainerStatus> statuses = pod.getStatus().getContainerStatuses() == null ? List.of()
                : pod.getStatus().getContainerStatuses();
        statuses.stream().filter(s -> CONTAINER.equals(s.getName())).findFirst()
                .or(() -> statuses.stream().findFirst())
                .map(s -> s.getState() == null ? null : s.getState().getTerminated())
                .ifPresent(t -> {
                    if (!reason.isEmpty()) {
                        reason.append("; ");
                    }
                    reason.append("container ").append(CONTAINER).append(" terminated: ")
                            .append(t.getReason() == null ? "exit" : t.getReason())
                            .append(", exit code ").append(t.getExitCode());
                    if (t.getMessage() != null && !t.getMessage().isBlank()) {
                        reason.append(" (").append(t.getMessage().strip()).append(")");
                    }
                });
        return reason.isEmpty() ? "pod failed, no reason given" : reason.toString();
    }
}
