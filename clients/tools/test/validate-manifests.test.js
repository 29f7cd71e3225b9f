// The validator must refuse what a cluster would refuse or silently drop: for every kind the overlays
// render, a copy with one misspelt field fails, naming that field; so do copies that break hpl-server's
// rules. Each starts from a rendered overlay that passes, so a failure is the one change's doing.
// Run: (cd clients/tools && npm ci && npm test); needs kubectl (for `kubectl kustomize`), as .ci/extra-checks.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const YAML = require('yaml');
const { validateText } = require('../validate-manifests.js');

const DEPLOY = path.resolve(__dirname, '../../../deploy');

function kubectl() { // as .ci/extra-checks finds it
  for (const dir of (process.env.PATH || '').split(':').concat('/usr/lib/google-cloud-sdk/bin')) {
    const bin = path.join(dir, 'kubectl');
    if (dir && fs.existsSync(bin)) return bin;
  }
  throw new Error('kubectl not found: it renders the overlays');
}

function render(overlay) {
  const text = execFileSync(kubectl(), ['kustomize', path.join(DEPLOY, 'overlays', overlay)]).toString();
  return YAML.parseAllDocuments(text).map(d => d.toJSON()).filter(Boolean);
}

const failures = (docs) => validateText(docs.map(d => YAML.stringify(d)).join('---\n'), 'test')
  .filter(r => r.problems.length).map(r => `${r.name}: ${r.problems.join('; ')}`);

const find = (docs, kind, name) => {
  const doc = docs.find(d => d.kind === kind && (!name || d.metadata.name.startsWith(name)));
  assert.ok(doc, `${kind} ${name || ''} rendered`);
  return doc;
};

// Renames the last key of a path (['spec', 'strategy', 'rollingUpdate', 'maxSurge']) in place.
function rename(obj, keys, to) {
  const parent = keys.slice(0, -1).reduce((o, k) => o[k], obj);
  const from = keys[keys.length - 1];
  assert.ok(from in parent, `${keys.join('.')} exists`);
  parent[to] = parent[from];
  delete parent[from];
}

// The worker's Job template, parsed out of its ConfigMap and written back.
function editJobTemplate(docs, edit) {
  const cm = find(docs, 'ConfigMap', 'hpl-worker-job-template');
  const job = YAML.parse(cm.data['job.yaml']);
  edit(job);
  cm.data['job.yaml'] = YAML.stringify(job);
}

const SCALE_OUT = render('scale-out');
const fresh = () => structuredClone(SCALE_OUT);

test('every overlay renders and passes as it is', () => {
  for (const overlay of fs.readdirSync(path.join(DEPLOY, 'overlays'))) {
    assert.deepEqual(failures(render(overlay)), [], overlay);
  }
});

test('scale-out renders every kind it promises, and the Job template is validated as a Job', () => {
  for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Role',
    'RoleBinding', 'ServiceAccount', 'ConfigMap']) find(SCALE_OUT, kind);
  const results = validateText(SCALE_OUT.map(d => YAML.stringify(d)).join('---\n'), 'test');
  assert.ok(results.some(r => /ConfigMap\/hpl-worker-job-template-\w+ data job\.yaml: Job\//.test(r.name)),
    results.map(r => r.name).join(', '));
});

// kind, what to misspell, the misspelling (each a mistake a person makes)
const MISSPELT = [
  ['Deployment', 'hpl-server', ['spec', 'strategy', 'rollingUpdate', 'maxSurge'], 'maxsurge'],
  ['Deployment', 'hpl-server', ['spec', 'template', 'spec', 'topologySpreadConstraints', 0, 'whenUnsatisfiable'], 'whenUnsatisfied'],
  ['Service', 'hpl-server', ['spec', 'ports', 0, 'targetPort'], 'targetport'],
  ['HorizontalPodAutoscaler', 'hpl-server', ['spec', 'behavior', 'scaleDown', 'stabilizationWindowSeconds'], 'stabilisationWindowSeconds'],
  ['HorizontalPodAutoscaler', 'hpl-server', ['spec', 'metrics', 0, 'resource', 'target', 'averageUtilization'], 'averageUtilisation'],
  ['PodDisruptionBudget', 'hpl-server', ['spec', 'maxUnavailable'], 'maxUnavailible'],
  ['Role', 'hpl-server', ['rules', 0, 'apiGroups'], 'apiGroup'],
  ['RoleBinding', 'hpl-server', ['subjects', 0, 'namespace'], 'namespaces'],
  ['ServiceAccount', 'hpl-worker', ['automountServiceAccountToken'], 'automountServiceAccountTokens'],
  ['ConfigMap', 'hpl-server-config', ['data'], 'datas'],
  ['Deployment', 'hpl-server', ['metadata', 'labels'], 'label'],
];

for (const [kind, name, keys, to] of MISSPELT) {
  test(`${kind} with ${keys.join('.')} misspelt as ${to} fails`, () => {
    const docs = fresh();
    rename(find(docs, kind, name), keys, to);
    const failed = failures(docs);
    const field = [...keys.slice(0, -1), to].map(k => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').slice(1);
    assert.ok(failed.some(f => f.includes(`unknown field ${field}`)), failed.join('\n') || 'nothing failed');
  });
}

test('the Job template inside its ConfigMap: a misspelt field fails, as in a Job of its own', () => {
  for (const [keys, to] of [
    [['spec', 'backoffLimit'], 'backOffLimit'],
    [['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'readOnlyRootFilesystem'], 'readOnlyRootFileSystem'],
    [['spec', 'podFailurePolicy', 'rules', 0, 'onPodConditions'], 'onPodCondition'],
  ]) {
    const docs = fresh();
    editJobTemplate(docs, job => rename(job, keys, to));
    const failed = failures(docs);
    assert.ok(failed.some(f => f.includes('data job.yaml: Job/') && f.includes(`.${to}`)), failed.join('\n') || `${to}: nothing failed`);
  }
});

test('the Job template must stay a safe worker pod', () => {
  const cases = [
    ['restartPolicy must be Never', job => { job.spec.template.spec.restartPolicy = 'OnFailure'; }],
    ['no container named worker', job => { job.spec.template.spec.containers[0].name = 'trainer'; }],
    ['serviceAccountName must be hpl-worker', job => { job.spec.template.spec.serviceAccountName = 'hpl-server'; }],
    ['automountServiceAccountToken must be false', job => { delete job.spec.template.spec.automountServiceAccountToken; }],
    ['missing runAsNonRoot', job => { delete job.spec.template.spec.securityContext.runAsNonRoot; }],
    ['missing worker: resources', job => { delete job.spec.template.spec.containers[0].resources; }],
  ];
  for (const [message, edit] of cases) {
    const docs = fresh();
    editJobTemplate(docs, edit);
    const failed = failures(docs);
    assert.ok(failed.some(f => f.includes(message)), `${message}: ${failed.join('\n') || 'nothing failed'}`);
  }
  const docs = fresh();
  find(docs, 'ConfigMap', 'hpl-worker-job-template').data['job.yaml'] = 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: worker}]}\n';
  assert.ok(failures(docs).some(f => f.includes('holds 0 batch/v1 Jobs')));
});

test("the server's Role grants exactly what it needs", () => {
  const edits = [
    ['an extra verb', rules => rules[0].verbs.push('patch')],
    ['a missing verb', rules => rules[1].verbs.pop()],
    ['secrets', rules => rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] })],
    ['a wildcard', rules => { rules[0].verbs = ['*']; }],
  ];
  for (const [what, edit] of edits) {
    const docs = fresh();
    edit(find(docs, 'Role', 'hpl-server').rules);
    assert.ok(failures(docs).some(f => f.startsWith('test: Role/hpl-server')), what);
  }
});

test('a RoleBinding subject without a namespace, and a worker account with a token, fail', () => {
  let docs = fresh();
  delete find(docs, 'RoleBinding', 'hpl-server').subjects[0].namespace;
  assert.ok(failures(docs).some(f => f.includes('subject ServiceAccount hpl-server: no namespace')));
  docs = fresh();
  find(docs, 'ServiceAccount', 'hpl-worker').automountServiceAccountToken = true;
  assert.ok(failures(docs).some(f => f.includes('hpl-worker: automountServiceAccountToken must be false')));
});

test('replicas that run at once may not share a ReadWriteOnce claim', () => {
  const cpu = render('cpu'); // one replica, Recreate, an RWO claim: fine
  assert.deepEqual(failures(cpu), []);
  find(cpu, 'Deployment', 'hpl-server').spec.strategy = { type: 'RollingUpdate' };
  assert.ok(failures(cpu).some(f => f.includes('claim hpl-store (ReadWriteOnce) shared by pods that run at once')));
  const docs = fresh(); // scale-out with base's claim put back
  docs.push(find(render('cpu'), 'PersistentVolumeClaim', 'hpl-store'));
  find(docs, 'Deployment', 'hpl-server').spec.template.spec.volumes[0] = { name: 'store', persistentVolumeClaim: { claimName: 'hpl-store' } };
  assert.ok(failures(docs).some(f => f.includes('volume store: claim hpl-store')));
});

test('the other overlays: ServiceMonitor and NetworkPolicy refuse misspelt fields too', () => {
  let docs = render('cpu-monitored');
  rename(find(docs, 'ServiceMonitor'), ['spec', 'endpoints', 0, 'scrapeTimeout'], 'scrapeTimout');
  assert.ok(failures(docs).some(f => f.includes('unknown field spec.endpoints[0].scrapeTimout')));
  docs = render('cpu-secure');
  rename(find(docs, 'NetworkPolicy'), ['spec', 'policyTypes'], 'policyType');
  assert.ok(failures(docs).some(f => f.includes('unknown field spec.policyType')));
});

// A misspelt setting is worse than a misspelt field: the server starts and silently uses the default.
// Every HPL_* variable the manifests set must be a setting of docs/configuration.md.
function documentedSettings() {
  const doc = fs.readFileSync(path.join(DEPLOY, '../docs/configuration.md'), 'utf8');
  return new Set([...doc.matchAll(/^\| `hpl\.[a-z0-9.-]+` \| `(HPL_[A-Z0-9_]+)` \|/gm)].map(m => m[1]));
}

function settingsSet(docs) { // [where, NAME] for every HPL_* variable a rendered overlay sets
  const out = [];
  const pods = [];
  for (const d of docs) {
    if (d.kind === 'ConfigMap') {
      for (const [key, text] of Object.entries(d.data || {})) {
        if (/^HPL_/.test(key)) out.push([`ConfigMap/${d.metadata.name}`, key]);
        if (/\.ya?ml$/.test(key)) {
          for (const inner of YAML.parseAllDocuments(text).map(x => x.toJSON()).filter(x => x && x.kind === 'Job')) {
            pods.push([`ConfigMap/${d.metadata.name} ${key}`, inner.spec.template.spec]);
          }
        }
      }
    }
    if (d.kind === 'Deployment') pods.push([`Deployment/${d.metadata.name}`, d.spec.template.spec]);
  }
  for (const [where, pod] of pods) {
    for (const c of pod.containers) for (const e of c.env || []) if (/^HPL_/.test(e.name)) out.push([where, e.name]);
  }
  return out;
}

test('every HPL_* variable the overlays and the hpl-s3 example set is a documented setting', () => {
  const known = documentedSettings();
  assert.ok(known.has('HPL_STORE_DIR') && known.has('HPL_PREDICT_MAX_ROWS'), 'configuration.md parsed');
  const example = fs.readFileSync(path.join(DEPLOY, 'overlays/scale-out/hpl-s3.env.example'), 'utf8')
    .split('\n').filter(l => /^[A-Z]/.test(l)).map(l => ['hpl-s3.env.example', l.split('=')[0]]);
  assert.ok(example.some(([, k]) => k === 'HPL_STORE_S3_BUCKET'));
  const set = fs.readdirSync(path.join(DEPLOY, 'overlays')).flatMap(o => settingsSet(render(o)).map(([w, k]) => [`${o}: ${w}`, k]));
  assert.ok(set.some(([w, k]) => w.includes('job.yaml') && k === 'HPL_STORE_BACKEND'), 'the Job template is read');
  const unknown = set.concat(example).filter(([, k]) => /^HPL_/.test(k) && !known.has(k));
  assert.deepEqual(unknown, []);
  // and a misspelt one is caught
  const docs = fresh();
  find(docs, 'ConfigMap', 'hpl-server-config').data.HPL_TRAINING_EXECUTER = 'kubernetes';
  assert.deepEqual(settingsSet(docs).filter(([, k]) => !known.has(k)).map(([, k]) => k), ['HPL_TRAINING_EXECUTER']);
});
