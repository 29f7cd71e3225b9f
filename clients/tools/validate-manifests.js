#!/usr/bin/env node
// Validates rendered Kubernetes YAML (stdin or files) offline, strictly:
//  1. every document against the schema of its apiVersion/kind (kubernetes-models; the Prometheus
//     Operator's for ServiceMonitor): wrong types, missing required fields;
//  2. no field the schema does not define: a misspelt field fails, as `kubectl --validate=strict` would
//     (the API server itself drops unknown fields silently);
//  3. hpl-server's own rules (pod security, probes, storage, RBAC) that docs/operations.md promises.
// A manifest held as YAML in a ConfigMap (a data key ending in .yaml, e.g. the worker's Job template
// in deploy/overlays/scale-out) is validated the same way. Usage: node validate-manifests.js [FILE...]
'use strict';
const fs = require('fs');
const YAML = require('yaml');

function modelFor(apiVersion, kind) {
  // Kubernetes' own kinds ("v1", "apps/v1"), and the Prometheus Operator's ServiceMonitor.
  const models = apiVersion.startsWith('monitoring.coreos.com/')
    ? require(`@kubernetes-models/prometheus-operator/${apiVersion}`)
    : require(`kubernetes-models/${apiVersion}`);
  if (!models[kind]) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return models[kind];
}

// The compiled schemas accept unknown fields, so the model's own validation runs once more on a proxy of
// the document that records what the schema reads: it reads every field it defines (`data.replicas`), and
// enumerates only free-form maps (labels, annotations, ConfigMap data, resource quantities). A field of a
// non-map object that was never read is one the schema does not know. Returns their paths. (kubeconform
// and kubectl --validate=strict need schemas or a cluster that are not reachable offline.) Should a new
// kubernetes-models read objects differently, test/validate-manifests.test.js fails: its misspelt copies
// pass or its clean overlays fail. An untyped field (x-kubernetes-preserve-unknown-fields) holding an
// object would be reported too; no kind used here has one.
function unknownFields(Model, obj) {
  const objects = [];
  const wrap = (value, path) => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v, i) => wrap(v, `${path}[${i}]`));
    const node = { path, keys: Object.keys(value), read: new Set(), map: false };
    objects.push(node);
    const target = Object.fromEntries(node.keys.map(k => [k, wrap(value[k], path ? `${path}.${k}` : k)]));
    return new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === 'string') node.read.add(key);
        return Reflect.get(t, key, receiver);
      },
      has(t, key) {
        if (typeof key === 'string') node.read.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        node.map = true;
        return Reflect.ownKeys(t);
      },
    });
  };
  try {
    Model.prototype.validate.call(wrap(obj, ''));
  } catch (e) { // reported by the plain validation already
  }
  return objects.flatMap(n => (n.map ? [] : n.keys.filter(k => !n.read.has(k)).map(k => (n.path ? `${n.path}.${k}` : k))));
}

// ------------------------------------------------------------------ hpl-server's rules
function checkPod(pod, { probes }) {
  const problems = [];
  if (!pod.securityContext || pod.securityContext.runAsNonRoot !== true) problems.push('runAsNonRoot');
  for (const c of pod.containers) {
    const sc = c.securityContext || {};
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${c.name}: readOnlyRootFilesystem`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation: false`);
    if (!(sc.capabilities && (sc.capabilities.drop || []).includes('ALL'))) problems.push(`${c.name}: drop ALL`);
    if (!c.resources || !c.resources.requests || !c.resources.limits) problems.push(`${c.name}: resources`);
    if (probes) {
      for (const p of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        if (!c[p]) problems.push(`${c.name}: ${p}`);
      }
    }
  }
  return problems.map(p => `missing ${p}`);
}

// A ReadWriteOnce volume can be mounted on one node only: a Deployment that may run two pods at once
// (more than one replica, or a rolling update's surge pod) must not share one.
function checkDeployment(d, all) {
  const problems = checkPod(d.spec.template.spec, { probes: true });
  const twoAtOnce = (d.spec.replicas ?? 1) > 1 || (d.spec.strategy || {}).type !== 'Recreate';
  for (const v of d.spec.template.spec.volumes || []) {
    const claim = v.persistentVolumeClaim && all.find(o => o.kind === 'PersistentVolumeClaim' &&
      o.metadata.name === v.persistentVolumeClaim.claimName);
    const modes = claim ? claim.spec.accessModes || [] : [];
    if (twoAtOnce && claim && !modes.includes('ReadWriteMany') && !modes.includes('ReadOnlyMany')) {
      problems.push(`volume ${v.name}: claim ${claim.metadata.name} (${modes.join(', ')}) shared by pods that run at once`);
    }
  }
  return problems;
}

// What the server may do with the Kubernetes API (scale-out, docs/operations.md): exactly this, no more.
const SERVER_RULES = [
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'delete', 'get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
];
const ruleKey = r => ['apiGroups', 'resources', 'verbs'].map(f => [...(r[f] || [])].sort().join(',')).join(' ');

function checkRole(role) {
  const problems = [];
  const rules = role.rules || [];
  if (rules.some(r => ['apiGroups', 'resources', 'verbs'].some(f => (r[f] || []).includes('*')))) problems.push('a wildcard (*)');
  if (rules.some(r => r.resourceNames || r.nonResourceURLs)) problems.push('resourceNames/nonResourceURLs (not expected)');
  if (role.metadata.name === 'hpl-server') {
    const want = SERVER_RULES.map(ruleKey).sort().join(' | ');
    const got = rules.map(ruleKey).sort().join(' | ');
    if (got !== want) problems.push(`rules must be exactly [${want}], got [${got}]`);
  }
  return problems;
}

function checkRoleBinding(rb) {
  // The API server refuses a ServiceAccount subject without its namespace (kustomize's namespace: fills it).
  return (rb.subjects || []).filter(s => s.kind === 'ServiceAccount' && !s.namespace)
    .map(s => `subject ServiceAccount ${s.name}: no namespace`);
}

function checkServiceAccount(sa) {
  // The workers call no API: no token in their pods.
  return sa.metadata.name === 'hpl-worker' && sa.automountServiceAccountToken !== false
    ? ['hpl-worker: automountServiceAccountToken must be false'] : [];
}

// The worker's Job template (hpl.training.kubernetes.job-template): the server fills in name, image, env,
// resources, serviceAccountName and backoffLimit, and keeps the rest, so the rest must be safe as it is.
function checkJobTemplate(job) {
  const pod = job.spec.template.spec;
  const problems = checkPod(pod, { probes: false });
  if (!pod.containers.some(c => c.name === 'worker')) problems.push('no container named worker');
  if (pod.restartPolicy !== 'Never') problems.push('restartPolicy must be Never (backoffLimit counts failed pods)');
  if (pod.serviceAccountName !== 'hpl-worker') problems.push('serviceAccountName must be hpl-worker');
  if (pod.automountServiceAccountToken !== false) problems.push('automountServiceAccountToken must be false');
  return problems;
}

// ------------------------------------------------------------------ documents
// Returns one { name, problems } per document; nested manifests (YAML in a ConfigMap) follow their ConfigMap.
function validateDocuments(objs, source, all = objs) {
  const results = [];
  for (const obj of objs) {
    if (!obj) continue;
    const name = `${source}: ${obj.kind}/${(obj.metadata && obj.metadata.name) || '(no name)'}`;
    const problems = [];
    const nested = [];
    try {
      const Model = modelFor(obj.apiVersion, obj.kind);
      try {
        new Model(obj).validate();
      } catch (e) {
        problems.push(e.message);
      }
      for (const f of unknownFields(Model, obj)) problems.push(`unknown field ${f}`);
      if (!problems.length) problems.push(...policy(obj, all, nested, source));
    } catch (e) {
      problems.push(e.message);
    }
    results.push({ name, problems });
    results.push(...nested);
  }
  return results;
}

function policy(obj, all, nested, source) {
  switch (obj.kind) {
    case 'Deployment': return checkDeployment(obj, all);
    case 'Role': case 'ClusterRole': return checkRole(obj);
    case 'RoleBinding': case 'ClusterRoleBinding': return checkRoleBinding(obj);
    case 'ServiceAccount': return checkServiceAccount(obj);
    case 'ConfigMap': return checkConfigMap(obj, nested, source);
    default: return [];
  }
}

function checkConfigMap(cm, nested, source) {
  const problems = [];
  const jobs = [];
  for (const [key, text] of Object.entries(cm.data || {})) {
    if (!/\.ya?ml$/.test(key)) continue;
    let docs;
    try {
      docs = parseAll(text);
    } catch (e) {
      problems.push(`data ${key}: ${e.message}`);
      continue;
    }
    const inner = docs.filter(d => d && d.apiVersion && d.kind);
    nested.push(...validateDocuments(inner, `${source}: ConfigMap/${cm.metadata.name} data ${key}`, inner));
    jobs.push(...inner.filter(d => d.apiVersion === 'batch/v1' && d.kind === 'Job'));
  }
  if (cm.metadata.name.startsWith('hpl-worker-job-template')) {
    if (jobs.length !== 1) problems.push(`holds ${jobs.length} batch/v1 Jobs, expected 1 (the worker's template)`);
    else problems.push(...checkJobTemplate(jobs[0]));
  }
  return problems;
}

function parseAll(text) {
  return YAML.parseAllDocuments(text).map(doc => {
    if (doc.errors.length) throw new Error(doc.errors[0].message);
    return doc.toJSON();
  });
}

function validateText(text, source) {
  const objs = parseAll(text);
  return validateDocuments(objs, source, objs.filter(Boolean));
}

module.exports = { validateText, unknownFields };

if (require.main === module) {
  const files = process.argv.slice(2);
  const inputs = files.length ? files.map(f => [fs.readFileSync(f, 'utf8'), f]) : [[fs.readFileSync(0, 'utf8'), 'stdin']];
  let errors = 0;
  for (const [text, source] of inputs) {
    let results;
    try {
      results = validateText(text, source);
    } catch (e) {
      results = [{ name: source, problems: [`not YAML: ${e.message}`] }];
    }
    for (const { name, problems } of results) {
      if (problems.length) errors++;
      console.log(problems.length ? `FAIL ${name}: ${problems.join('; ')}` : `ok   ${name}`);
    }
  }
  process.exit(errors ? 1 : 0);
}
