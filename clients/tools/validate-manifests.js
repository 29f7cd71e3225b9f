#!/usr/bin/env node
// Validates rendered Kubernetes YAML (stdin or files) offline: every document against the schema of
// its apiVersion/kind (kubernetes-models), then hpl-server's own rules for the Deployment.
// The schemas catch wrong types and missing fields, not unknown ones; yamllint checks the syntax.
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

// What docs/operations.md promises about the pod; a patch that breaks it fails CI.
function checkDeployment(d) {
  const problems = [];
  const pod = d.spec.template.spec;
  if (!pod.securityContext || pod.securityContext.runAsNonRoot !== true) problems.push('runAsNonRoot');
  for (const c of pod.containers) {
    const sc = c.securityContext || {};
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${c.name}: readOnlyRootFilesystem`);
    if (!(sc.capabilities && (sc.capabilities.drop || []).includes('ALL'))) problems.push(`${c.name}: drop ALL`);
    if (!c.resources || !c.resources.requests || !c.resources.limits) problems.push(`${c.name}: resources`);
    for (const p of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      if (!c[p]) problems.push(`${c.name}: ${p}`);
    }
  }
  return problems;
}

function validate(text, source) {
  let errors = 0;
  for (const doc of YAML.parseAllDocuments(text)) {
    const obj = doc.toJSON();
    if (!obj) continue;
    const name = `${source}: ${obj.kind}/${obj.metadata && obj.metadata.name}`;
    try {
      const Model = modelFor(obj.apiVersion, obj.kind);
      new Model(obj).validate();
      const problems = obj.kind === 'Deployment' ? checkDeployment(obj) : [];
      if (problems.length) throw new Error('missing ' + problems.join(', '));
      console.log(`ok   ${name}`);
    } catch (e) {
      errors++;
      console.log(`FAIL ${name}: ${e.message}`);
    }
  }
  return errors;
}

const files = process.argv.slice(2);
const errors = files.length
  ? files.reduce((n, f) => n + validate(fs.readFileSync(f, 'utf8'), f), 0)
  : validate(fs.readFileSync(0, 'utf8'), 'stdin');
process.exit(errors ? 1 : 0);
