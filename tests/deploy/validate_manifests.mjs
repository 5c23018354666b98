#!/usr/bin/env node
// Offline validation of deploy/: the Dockerfile, .dockerignore and every
// kustomize overlay under deploy/overlays, without a cluster or a Docker engine.
//
//   node tests/deploy/validate_manifests.mjs [--repo DIR] [--no-self-tests]
//
// 1. `kubectl kustomize` renders each overlay (env KUBECTL, default `kubectl`;
//    kubectl 1.21+, whose kustomize understands the current syntax). Every
//    kustomization.yaml under deploy/ must use the current fields (resources,
//    patches with a target), not deprecated ones (bases, patchesJson6902, ...).
// 2. Every rendered object is validated against the Kubernetes JSON schemas of
//    the npm package kubernetes-models, and checked for unknown (misspelled)
//    fields against the same package's type definitions.
// 3. Project rules the schemas cannot express: gRPC probes on the
//    --health_listen port, shutdown timings, one writer per store volume,
//    non-root read-only containers, one image, flags the binary knows (from
//    `$REGENATLAS_BIN serve --help`, else the deploy contract's list), ports,
//    backend addresses that resolve to rendered Services, appProtocol on gRPC
//    Service ports, --max_connection_age on the public gRPC fronts, ...
// 4. The Dockerfile: stages FROM digest-pinned images, packages, COPY sources,
//    user, entrypoint, a default command that reads the manifests' key file,
//    runtime libraries of the built binary.
// 5. Negative self-tests: deliberately broken copies of deploy/ (in a temp
//    directory) must be rejected by the rule each one breaks.
//
// Prints one line per check and "N passed, M failed"; exits 1 on any failure.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------
// Project constants (the deploy contract)

// `regenatlas serve` flags of the deploy contract; used only when
// REGENATLAS_BIN is unset (otherwise the binary's own --help is the truth).
const CONTRACT_FLAGS = [
  'role', 'listen', 'data_dir', 'dataset', 'catalog_addr', 'timeline_addr', 'analytics_addr',
  'health_listen', 'metrics_listen', 'auth_keys', 'allow_anonymous_reads', 'tls_cert',
  'tls_key', 'tls_client_ca', 'rate_limit_qps', 'rate_limit_burst', 'shutdown_grace',
  'sync_writes', 'allow_unauthenticated', 'max_concurrent_calls', 'max_watch_streams',
  'executor_threads', 'executor_queue', 'drain_window_ms', 'max_connection_age', 'log_level',
];
const ROLES = ['all', 'catalog', 'timeline', 'analytics', 'gateway'];
const STORE_ROLES = new Set(['all', 'catalog', 'timeline', 'analytics']);
// Which backend address flags each role needs, and which role each one names.
const BACKEND_FLAGS = {
  all: [], catalog: [], timeline: ['catalog_addr'],
  analytics: ['catalog_addr', 'timeline_addr'],
  gateway: ['catalog_addr', 'timeline_addr', 'analytics_addr'],
};
const ADDR_FLAG_ROLE = { catalog_addr: 'catalog', timeline_addr: 'timeline', analytics_addr: 'analytics' };
const PUBLIC_ROLES = new Set(['all', 'gateway']); // roles clients may reach
const FILE_FLAGS = ['auth_keys', 'tls_cert', 'tls_key', 'tls_client_ca'];
const BOOL_FLAGS = ['allow_anonymous_reads', 'sync_writes'];
const INT_FLAGS = ['rate_limit_qps', 'rate_limit_burst'];
const DURATION_FLAGS = ['shutdown_grace', 'max_connection_age'];
const ADDR_FLAGS = ['listen', 'health_listen', 'metrics_listen', 'catalog_addr', 'timeline_addr', 'analytics_addr'];
// Container port name ↔ the flag whose port it must equal.
const PORT_NAMES = { grpc: 'listen', health: 'health_listen', metrics: 'metrics_listen' };
const PUBLIC_SERVICE = 'regenatlas';
// Secrets an overlay expects the operator to create (documented in docs/deploy.md).
const EXTERNAL_SECRETS = new Set(['regenatlas-tls']);
const SPLIT_ROLES = ['analytics', 'catalog', 'gateway', 'timeline'];
const EXPECTED_ROLES = { 'all-in-one': ['all'], split: SPLIT_ROLES, 'split-tls': SPLIT_ROLES };
const RUN_AS_USER = 10001;
const IMAGE_BINARY = '/usr/local/bin/regenatlas';
const IMAGE_DATASET = '/usr/share/regenatlas/data';
// Top-level keys a container may have (Kubernetes core/v1 Container).
const CONTAINER_KEYS = new Set([
  'name', 'image', 'imagePullPolicy', 'command', 'args', 'workingDir', 'ports', 'env', 'envFrom',
  'resources', 'resizePolicy', 'restartPolicy', 'volumeMounts', 'volumeDevices', 'livenessProbe',
  'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath',
  'terminationMessagePolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
]);
const AUTH_ROLES = new Set(['reader', 'curator', 'admin', 'service']);
// Service ports reaching a gRPC --listen port announce the protocol (KEP-3726):
// kubernetes.io/h2c for plaintext, https (IANA; h2 by ALPN) for a TLS port.
const APP_PROTOCOL_PLAINTEXT = 'kubernetes.io/h2c';
const APP_PROTOCOL_TLS = new Set(['https']);
// --max_connection_age on the public gRPC fronts (roles gateway and all): long
// enough not to churn connections, short enough to rebalance after a scale-up.
const CONNECTION_AGE_RANGE = [30, 3600]; // seconds
// Kustomization fields deprecated in kustomize v5, and what replaces them.
const DEPRECATED_KUSTOMIZE_FIELDS = {
  bases: 'resources', patchesJson6902: 'patches (with a target)', patchesStrategicMerge: 'patches',
  commonLabels: 'labels', vars: 'replacements', imageTags: 'images',
};
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
// kubectl 1.21 is the first whose built-in kustomize (v4) renders directories
// under `resources` and JSON patches under `patches`.
const MIN_KUBECTL_MINOR = 21;
const DIGEST_RE = /@sha256:[0-9a-f]{64}$/;

// ---------------------------------------------------------------------------
// Reporting

class Report {
  constructor(quiet) { this.quiet = quiet; this.results = []; }
  check(rule, subject, ok, detail) {
    this.results.push({ rule, subject, ok: !!ok, detail });
    if (!this.quiet) console.log(`${ok ? 'PASS' : 'FAIL'}  ${rule}  ${subject}${detail ? ': ' + detail : ''}`);
    return !!ok;
  }
  info(text) { if (!this.quiet) console.log(`INFO  ${text}`); }
  failed(rule) { return this.results.filter((r) => !r.ok && (!rule || r.rule.endsWith('/' + rule) || r.rule === rule)); }
  passed(rule) { return this.results.filter((r) => r.ok && (r.rule.endsWith('/' + rule) || r.rule === rule)); }
}

// ---------------------------------------------------------------------------
// Small helpers

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20, ...opts });
  return { code: r.error ? -1 : r.status, stdout: r.stdout || '', stderr: (r.stderr || '') + (r.error ? String(r.error) : '') };
}

function parseDuration(s) { // absl/Go style: 20s, 1m30s, 500ms, 1h → seconds
  if (typeof s !== 'string' || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return null;
  const unit = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

function parseHostPort(s) {
  const m = /^(\[[^\]]*\]|[^:\s]*):(\d{1,5})$/.exec(s || '');
  if (!m || Number(m[2]) > 65535) return null;
  return { host: m[1], port: Number(m[2]) };
}

function labelsMatch(selector, labels) {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels && labels[k] === v);
}

function podSelectorMatches(sel, labels) { // a LabelSelector (matchLabels + matchExpressions)
  if (!sel) return false;
  const ml = sel.matchLabels || {};
  if (!Object.entries(ml).every(([k, v]) => labels[k] === v)) return false;
  for (const e of sel.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function underPath(file, dir) {
  const d = dir.endsWith('/') ? dir : dir + '/';
  return file === dir || file.startsWith(d);
}

function findNodeModules() {
  for (let d = SCRIPT_DIR; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules', 'kubernetes-models'))) return path.join(d, 'node_modules');
    if (path.dirname(d) === d) return null;
  }
}

// ---------------------------------------------------------------------------
// Unknown-field detection from kubernetes-models' TypeScript definitions

class TypeIndex {
  constructor(nodeModules) { this.nm = nodeModules; this.files = new Map(); }

  modelFile(apiVersion, kind) {
    const dir = apiVersion.includes('/') ? apiVersion : `v1`;
    return path.join(this.nm, 'kubernetes-models', dir === 'v1' ? 'v1' : dir, `${kind}.d.ts`);
  }

  parse(file) {
    if (this.files.has(file)) return this.files.get(file);
    const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const imports = new Map();
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
      for (const name of m[1].split(',').map((s) => s.trim()).filter(Boolean)) imports.set(name, m[2]);
    }
    const aliases = new Map();
    for (const m of text.matchAll(/export type \{([^}]*)\}/g)) {
      for (const part of m[1].split(',')) {
        const mm = /(\w+)\s+as\s+(\w+)/.exec(part);
        if (mm) aliases.set(mm[2], mm[1]);
      }
    }
    const interfaces = new Map();
    const re = /export interface (\w+)(?:\s+extends\s+([^{]+))?\s*\{/g;
    let m;
    while ((m = re.exec(text))) {
      let i = re.lastIndex, depth = 1;
      const start = i;
      for (; i < text.length && depth > 0; i++) {
        if (text[i] === '{') depth++;
        else if (text[i] === '}') depth--;
      }
      const body = text.slice(start, i - 1);
      const props = new Map();
      // "name"?: TYPE;  — TYPE ends at the first ';' outside braces/angles.
      const pre = /"([^"]+)"\??:\s*/g;
      let pm;
      while ((pm = pre.exec(body))) {
        let j = pre.lastIndex, d = 0;
        for (; j < body.length; j++) {
          const c = body[j];
          if (c === '{' || c === '<' || c === '(') d++;
          else if (c === '}' || c === '>' || c === ')') d--;
          else if (c === ';' && d === 0) break;
        }
        props.set(pm[1], body.slice(pre.lastIndex, j).trim());
        pre.lastIndex = j + 1;
      }
      const ext = (m[2] || '').split(',').map((s) => s.trim()).filter(Boolean);
      interfaces.set(m[1], { props, ext });
      re.lastIndex = i;
    }
    const parsed = { file, imports, aliases, interfaces };
    this.files.set(file, parsed);
    return parsed;
  }

  resolveModule(fromFile, spec) {
    if (spec.startsWith('.')) return path.resolve(path.dirname(fromFile), spec.replace(/\.js$/, '') + '.d.ts');
    if (spec.startsWith('@kubernetes-models/')) return path.join(this.nm, spec + '.d.ts');
    return null;
  }

  // → { props: Map } or null (unknown or not an object type)
  lookup(file, typeName) {
    const f = this.parse(file);
    const local = f.aliases.get(typeName) || typeName;
    if (f.interfaces.has(local)) {
      const it = f.interfaces.get(local);
      const props = new Map(it.props);
      for (const e of it.ext) {
        if (e === 'TypeMeta') { props.set('apiVersion', 'string'); props.set('kind', 'string'); continue; }
        const base = this.lookup(file, e);
        if (!base) return null; // cannot see the whole interface: do not judge
        for (const [k, v] of base.props) props.set(k, v);
      }
      return { props, file };
    }
    if (f.imports.has(typeName)) {
      const target = this.resolveModule(file, f.imports.get(typeName));
      if (!target || !fs.existsSync(target)) return null;
      return this.lookup(target, typeName);
    }
    return null;
  }

  // Appends unknown field paths of `value` (of TypeScript type `type`, in `file`).
  walk(value, type, file, where, out) {
    if (value === null || value === undefined) return;
    type = type.trim();
    let m;
    if ((m = /^Array<([\s\S]*)>$/.exec(type))) {
      if (Array.isArray(value)) value.forEach((v, i) => this.walk(v, m[1], file, `${where}[${i}]`, out));
      return;
    }
    if ((m = /^\{\s*\[key: string\]:\s*([\s\S]*?);?\s*\}$/.exec(type))) {
      if (typeof value === 'object') for (const [k, v] of Object.entries(value)) this.walk(v, m[1], file, `${where}.${k}`, out);
      return;
    }
    if (!/^I\w+$/.test(type) || typeof value !== 'object' || Array.isArray(value)) return;
    const t = this.lookup(file, type);
    if (!t) return;
    for (const [k, v] of Object.entries(value)) {
      if (!t.props.has(k)) { out.push(`${where}.${k}`); continue; }
      this.walk(v, t.props.get(k), t.file, `${where}.${k}`, out);
    }
  }

  unknownFields(obj) {
    const file = this.modelFile(obj.apiVersion, obj.kind);
    if (!fs.existsSync(file)) return { error: `no type definition for ${obj.apiVersion} ${obj.kind}` };
    const f = this.parse(file);
    const iface = [...f.interfaces.keys()].find((n) => n === `I${obj.kind}`);
    if (!iface) return { error: `no interface I${obj.kind} in ${file}` };
    const out = [];
    this.walk(obj, iface, file, obj.kind, out);
    return { unknown: out };
  }
}

// ---------------------------------------------------------------------------
// Dockerfile and .dockerignore

function parseDockerfile(text) {
  const lines = text.split('\n');
  const instrs = [];
  let cur = '', startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (/^\s*#/.test(raw) && cur === '') continue;
    if (/^\s*#/.test(raw)) continue; // comment inside a continuation
    if (cur === '') startLine = i + 1;
    if (/\\\s*$/.test(raw)) { cur += raw.replace(/\\\s*$/, ' '); continue; }
    cur += raw;
    if (cur.trim()) {
      const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(cur.trim());
      if (m) instrs.push({ op: m[1].toUpperCase(), rest: m[2].trim(), line: startLine });
    }
    cur = '';
  }
  const globalArgs = {};
  const stages = [];
  for (const ins of instrs) {
    if (ins.op === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.rest);
      const image = m[1].replace(/\$\{?(\w+)\}?/g, (_, n) => globalArgs[n] ?? '');
      stages.push({ image, name: m[2] || String(stages.length), instrs: [], line: ins.line });
      continue;
    }
    if (!stages.length) {
      if (ins.op === 'ARG') {
        const m = /^(\w+)(?:=("([\s\S]*)"|(\S*)))?$/.exec(ins.rest);
        if (m) globalArgs[m[1]] = (m[3] ?? m[4] ?? '').replace(/\s+/g, ' ').trim();
      }
      continue;
    }
    stages[stages.length - 1].instrs.push(ins);
  }
  return { instrs, stages, globalArgs };
}

function parseCopy(rest) {
  const flags = {};
  let s = rest;
  let m;
  while ((m = /^--(\w+)(?:=(\S+))?\s+/.exec(s))) { flags[m[1]] = m[2] ?? true; s = s.slice(m[0].length); }
  let parts;
  if (s.startsWith('[')) parts = JSON.parse(s);
  else parts = s.split(/\s+/).filter(Boolean);
  return { flags, sources: parts.slice(0, -1), dest: parts[parts.length - 1] };
}

function dockerignoreExcludes(rules, rel) {
  // Docker semantics, simplified: the last matching rule wins; a rule that
  // matches a parent directory matches everything below it.
  const toRe = (p) => new RegExp('^' + p.replace(/\/+$/, '').split('**').map((part) =>
    part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('.*') + '$');
  const candidates = [];
  const segs = rel.split('/');
  for (let i = 1; i <= segs.length; i++) candidates.push(segs.slice(0, i).join('/'));
  let excluded = false;
  for (const r of rules) {
    const neg = r.startsWith('!');
    const pat = (neg ? r.slice(1) : r).replace(/^\/+/, '');
    const re = toRe(pat);
    if (candidates.some((c) => re.test(c))) excluded = !neg;
  }
  return excluded;
}

// Debian package look-ups are slow (apt-cache reads its whole cache): memoized
// for the many validation runs of the self-tests.
const pkgKnown = new Map();
function debianPackageKnown(p) {
  if (!pkgKnown.has(p)) {
    const q = run('dpkg-query', ['-W', '-f=${Status}', p]);
    pkgKnown.set(p, (q.code === 0 && /install ok installed/.test(q.stdout)) ||
      run('apt-cache', ['show', '--no-all-versions', p]).code === 0);
  }
  return pkgKnown.get(p);
}
const libOwner = new Map();
function packageOwning(lib) {
  if (!libOwner.has(lib)) {
    let q = run('dpkg', ['-S', fs.realpathSync(lib)]);
    if (q.code !== 0) q = run('dpkg', ['-S', lib]);
    libOwner.set(lib, q.code === 0 ? q.stdout.split(':')[0].trim() : null);
  }
  return libOwner.get(lib);
}
const lddCache = new Map();
function lddOf(bin) {
  if (!lddCache.has(bin)) lddCache.set(bin, run('ldd', [bin]));
  return lddCache.get(bin);
}

function validateDockerfile(root, rep, ctx) {
  const R = (rule) => `docker/${rule}`;
  const dfPath = path.join(root, 'deploy', 'Dockerfile');
  if (!rep.check(R('parse'), 'deploy/Dockerfile', fs.existsSync(dfPath), 'exists')) return;
  const df = parseDockerfile(fs.readFileSync(dfPath, 'utf8'));
  const { stages, globalArgs } = df;
  ctx.docker = {};

  const build = stages.find((s) => s.name.toLowerCase() === 'build');
  const final = stages[stages.length - 1];
  rep.check(R('stages'), 'multi-stage', stages.length >= 2 && build && final !== build,
    `${stages.length} stages: ${stages.map((s) => `${s.name} (${s.image})`).join(', ')}`);
  const nonDebian = stages.filter((s) => !/^(docker\.io\/(library\/)?)?debian:(bookworm|12)([-.][\w.-]*)?(@sha256:[0-9a-f]{64})?$/.test(s.image));
  rep.check(R('stages'), 'every stage FROM Debian 12 (bookworm)', stages.length > 0 && nonDebian.length === 0,
    nonDebian.length ? `not bookworm: ${nonDebian.map((s) => s.image).join(', ')}` : stages[0]?.image);
  // Reproducible base: every FROM that names an image (not an earlier stage)
  // carries an immutable @sha256 digest.
  const stageNames = new Set();
  const unpinned = [];
  for (const s of stages) {
    if (!stageNames.has(s.image) && !DIGEST_RE.test(s.image)) unpinned.push(`${s.name} (${s.image || 'empty'})`);
    stageNames.add(s.name);
  }
  rep.check(R('pinned'), 'every FROM image pinned by digest (@sha256:<64 hex>)', stages.length > 0 && unpinned.length === 0,
    unpinned.length ? `not pinned: ${unpinned.join(', ')}` : [...new Set(stages.map((s) => s.image))].join(', '));
  if (!build || stages.length < 2) return;

  const runText = (st) => st.instrs.filter((i) => i.op === 'RUN').map((i) => i.rest).join('\n');

  // Build stage installs exactly the APT_PACKAGES of scripts/setup.sh.
  const setupPath = path.join(root, 'scripts', 'setup.sh');
  const ext = run('bash', ['-c', 'eval "$(sed -n \'/^APT_PACKAGES=(/,/^)/p\' "$1")"; printf "%s\\n" "${APT_PACKAGES[@]}"', 'x', setupPath]);
  const setupPkgs = ext.stdout.split('\n').filter(Boolean);
  rep.check(R('build-packages'), 'scripts/setup.sh APT_PACKAGES extractable the way the Dockerfile reads it',
    ext.code === 0 && setupPkgs.length > 0, `${setupPkgs.length} packages`);
  const buildRun = runText(build);
  const readsSetup = build.instrs.some((i) => i.op === 'COPY' && /scripts\/setup\.sh/.test(i.rest)) &&
    /APT_PACKAGES/.test(buildRun) && /scripts\/setup\.sh/.test(buildRun) && /apt-get install/.test(buildRun);
  const missingLiteral = setupPkgs.filter((p) => !new RegExp(`(^|\\s)${p.replace(/[+.]/g, '\\$&')}(\\s|$)`).test(buildRun));
  rep.check(R('build-packages'), 'build stage installs the packages of scripts/setup.sh',
    readsSetup || (setupPkgs.length > 0 && missingLiteral.length === 0),
    readsSetup ? 'reads APT_PACKAGES from scripts/setup.sh' : `missing: ${missingLiteral.join(' ')}`);
  rep.check(R('build'), 'build stage runs CMake with Ninja for target regenatlas',
    /cmake\b[^\n]*-G\s*"?Ninja/.test(buildRun) && /cmake\s+--build\b[^\n]*--target\s+regenatlas\b/.test(buildRun));

  // Runtime stage: only shared libraries.
  const rtArgs = Object.fromEntries(final.instrs.filter((i) => i.op === 'ARG').map((i) => {
    const n = i.rest.split('=')[0];
    return [n, globalArgs[n] ?? ''];
  }));
  const runtimePkgs = (rtArgs.RUNTIME_PACKAGES || '').split(/\s+/).filter(Boolean);
  ctx.docker.runtimePackages = runtimePkgs;
  const finalRun = runText(final).replace(/\$\{?RUNTIME_PACKAGES\}?/g, runtimePkgs.join(' '));
  const installs = [...finalRun.matchAll(/apt-get install([^&;|]*)/g)].flatMap((m) => m[1].split(/\s+/))
    .filter((w) => w && !w.startsWith('-') && !/^\$/.test(w));
  const devish = installs.filter((p) => /-dev$|^(build-essential|cmake|ninja-build|g\+\+|gcc|clang|protobuf-compiler.*|pkg-config)$/.test(p));
  rep.check(R('runtime-packages'), 'runtime stage installs runtime libraries only',
    runtimePkgs.length > 0 && installs.length > 0 && devish.length === 0,
    devish.length ? `build-only packages: ${devish.join(' ')}` : `${installs.length} packages`);
  const unknownPkgs = runtimePkgs.filter((p) => !debianPackageKnown(p));
  rep.check(R('runtime-packages'), 'every RUNTIME_PACKAGES entry is a Debian package', unknownPkgs.length === 0,
    unknownPkgs.length ? `unknown: ${unknownPkgs.join(' ')}` : runtimePkgs.join(' '));
  if (ctx.bin) {
    const ldd = lddOf(ctx.bin);
    const libs = [...ldd.stdout.matchAll(/=>\s+(\/\S+)/g)].map((m) => m[1]);
    const needed = new Set();
    const unowned = [];
    for (const lib of libs) {
      const owner = packageOwning(lib);
      if (owner) needed.add(owner); else unowned.push(lib);
    }
    const lacking = [...needed].filter((p) => !runtimePkgs.includes(p));
    rep.check(R('runtime-libs'), `RUNTIME_PACKAGES cover every shared library of ${path.basename(ctx.bin)} (ldd)`,
      ldd.code === 0 && libs.length > 0 && lacking.length === 0 && unowned.length === 0,
      lacking.length || unowned.length ? `missing packages: ${lacking.join(' ')}${unowned.length ? '; libraries of no Debian package: ' + unowned.join(' ') : ''}` : `${needed.size} packages needed`);
  }

  // COPY sources exist in the repository and are in the build context.
  const ignorePath = path.join(root, '.dockerignore');
  const hasIgnore = fs.existsSync(ignorePath);
  const rules = hasIgnore ? fs.readFileSync(ignorePath, 'utf8').split('\n').map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#')) : [];
  const keptOut = ['build', 'build-analytics', 'node_modules', '.git', 'regenatlas-data']
    .filter((p) => !dockerignoreExcludes(rules, p));
  rep.check(R('dockerignore'), '.dockerignore keeps build trees, node_modules, .git and stores out',
    hasIgnore && keptOut.length === 0, hasIgnore ? (keptOut.length ? `not excluded: ${keptOut.join(' ')}` : '') : 'missing');
  const copies = stages.flatMap((st) => st.instrs.filter((i) => i.op === 'COPY' || i.op === 'ADD').map((i) => ({ st, i, c: parseCopy(i.rest) })));
  for (const { i, c } of copies.filter((x) => !x.c.flags.from)) {
    const bad = c.sources.filter((s) => !fs.existsSync(path.join(root, s)) || dockerignoreExcludes(rules, s.replace(/^\.\/|\/$/g, '')));
    rep.check(R('copy'), `line ${i.line}: COPY ${c.sources.join(' ')}`, c.sources.length > 0 && bad.length === 0,
      bad.length ? `missing from the repository or excluded by .dockerignore: ${bad.join(' ')}` : 'source exists and is in the build context');
  }
  const binCopy = copies.find((x) => x.st === final && x.c.flags.from && x.c.dest === IMAGE_BINARY);
  rep.check(R('copy'), `runtime stage copies the built binary to ${IMAGE_BINARY}`,
    binCopy && stages.some((s) => s.name === binCopy.c.flags.from) && /regenatlas$/.test(binCopy.c.sources[0] || ''));
  const dataCopy = copies.find((x) => x.st === final && !x.c.flags.from && x.c.sources.includes('data'));
  rep.check(R('copy'), 'runtime stage copies data/ to the image dataset path',
    dataCopy && dataCopy.c.dest.replace(/\/$/, '') === IMAGE_DATASET, dataCopy ? dataCopy.c.dest : 'no COPY data');
  ctx.docker.dataset = dataCopy ? dataCopy.c.dest.replace(/\/$/, '') : null;

  // User, entrypoint, command, ports.
  const users = final.instrs.filter((i) => i.op === 'USER');
  const user = users.length ? users[users.length - 1].rest : '';
  const uid = /^(\d+)(:\d+)?$/.exec(user);
  rep.check(R('user'), 'final stage runs as a numeric non-root user', uid && Number(uid[1]) !== 0,
    `USER ${user || '(none: root)'}`);
  ctx.docker.uid = uid ? Number(uid[1]) : null;
  const lastIdx = (op) => final.instrs.map((i) => i.op).lastIndexOf(op);
  rep.check(R('user'), 'USER comes after the last RUN of the final stage', users.length && lastIdx('USER') > lastIdx('RUN'));
  const jsonOf = (op) => { const i = final.instrs.filter((x) => x.op === op).pop(); try { return i && JSON.parse(i.rest); } catch { return null; } };
  const ep = jsonOf('ENTRYPOINT');
  rep.check(R('entrypoint'), `ENTRYPOINT ["${IMAGE_BINARY}"] (exec form)`, Array.isArray(ep) && ep.length === 1 && ep[0] === IMAGE_BINARY, JSON.stringify(ep));
  const cmd = jsonOf('CMD');
  const cmdFlags = Array.isArray(cmd) ? cmd.slice(1).map((a) => /^--([^=]+)/.exec(a)?.[1]).filter(Boolean) : [];
  const badCmd = cmdFlags.filter((f) => !ctx.flags.has(f));
  rep.check(R('cmd'), 'CMD is ["serve", flags...] with known flags', Array.isArray(cmd) && cmd[0] === 'serve' && badCmd.length === 0,
    badCmd.length ? `unknown flags: ${badCmd.join(' ')}` : JSON.stringify(cmd));
  // The default command can write: it reads API keys from a file (mounted by
  // the operator; compared with the manifests' Secret path in validateTree).
  const cmdKeys = Array.isArray(cmd) ? cmd.map((a) => /^--auth_keys=(.+)$/.exec(a)?.[1]).filter(Boolean).pop() : undefined;
  rep.check(R('cmd'), 'CMD takes API keys from an absolute --auth_keys path', !!cmdKeys && cmdKeys.startsWith('/'),
    cmdKeys ? `--auth_keys=${cmdKeys}` : 'no --auth_keys: the default command could never accept a write');
  ctx.docker.cmdAuthKeys = cmdKeys || null;
  const expose = final.instrs.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.rest.split(/\s+/)).map((p) => Number(p.split('/')[0]));
  ctx.docker.expose = new Set(expose);
  const cmdPorts = Array.isArray(cmd) ? cmd.map((a) => /^--\w*listen=(.*)$/.exec(a)?.[1]).filter(Boolean).map((a) => parseHostPort(a)?.port) : [];
  rep.check(R('expose'), 'EXPOSE covers the ports CMD listens on', cmdPorts.length > 0 && cmdPorts.every((p) => ctx.docker.expose.has(p)),
    `EXPOSE ${expose.join(' ')}; CMD ports ${cmdPorts.join(' ')}`);
}

// ---------------------------------------------------------------------------
// Kustomization syntax: current fields only

function kustomizationFiles(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...kustomizationFiles(p));
    else if (KUSTOMIZATION_FILES.includes(e.name)) out.push(p);
  }
  return out.sort();
}

function validateKustomizations(root, rep, ctx) {
  const R = 'kustomize-syntax';
  const files = kustomizationFiles(path.join(root, 'deploy'));
  rep.check(R, 'kustomization files under deploy/', files.length > 0, `${files.length} files`);
  for (const file of files) {
    const rel = path.relative(root, file);
    let k;
    try { k = ctx.yaml.parse(fs.readFileSync(file, 'utf8')) || {}; } catch (e) {
      rep.check(R, rel, false, `not YAML: ${String(e.message || e).slice(0, 200)}`);
      continue;
    }
    const p = [];
    for (const [old, now] of Object.entries(DEPRECATED_KUSTOMIZE_FIELDS)) {
      if (Object.prototype.hasOwnProperty.call(k, old)) p.push(`deprecated \`${old}\` (use ${now})`);
    }
    // A JSON 6902 patch (a list of operations) only applies through a target.
    for (const [i, pt] of (Array.isArray(k.patches) ? k.patches : []).entries()) {
      let body = null;
      try {
        if (typeof pt?.patch === 'string') body = ctx.yaml.parse(pt.patch);
        else if (typeof pt?.path === 'string') body = ctx.yaml.parse(fs.readFileSync(path.join(path.dirname(file), pt.path), 'utf8'));
      } catch (e) { p.push(`patches[${i}]: ${String(e.message || e).slice(0, 120)}`); continue; }
      if (Array.isArray(body) && !(pt.target?.kind && pt.target?.name)) p.push(`patches[${i}] is a JSON patch without target kind and name`);
    }
    rep.check(R, rel, p.length === 0, p.length ? p.join('; ') : 'current kustomize fields only');
  }
}

// ---------------------------------------------------------------------------
// Rendered manifests

function renderOverlay(kubectl, dir) {
  const r = run(kubectl, ['kustomize', dir]);
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  const stderr = lines.filter((l) => !l.startsWith('# Warning')).join('\n');
  const warnings = [...new Set(lines.filter((l) => l.startsWith('# Warning')).map((l) => l.replace(/^# Warning:\s*/, '')))];
  return { ok: r.code === 0, yaml: r.stdout, stderr, warnings };
}

function workloadsOf(objects) {
  return objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'].includes(o.kind));
}

function podSpecOf(w) {
  if (w.kind === 'Pod') return { spec: w.spec || {}, labels: w.metadata?.labels || {} };
  if (w.kind === 'CronJob') return { spec: w.spec?.jobTemplate?.spec?.template?.spec || {}, labels: w.spec?.jobTemplate?.spec?.template?.metadata?.labels || {} };
  return { spec: w.spec?.template?.spec || {}, labels: w.spec?.template?.metadata?.labels || {} };
}

function flagMap(args) {
  const flags = new Map();
  const dup = [];
  for (const a of args || []) {
    const m = /^--([^=]+)(?:=([\s\S]*))?$/.exec(a);
    if (!m) continue;
    if (flags.has(m[1])) dup.push(m[1]);
    flags.set(m[1], m[2] ?? null);
  }
  return { flags, dup };
}

async function validateOverlay(root, name, rep, ctx) {
  const R = (rule) => `${name}/${rule}`;
  const dir = path.join(root, 'deploy', 'overlays', name);
  const r = renderOverlay(ctx.kubectl, dir);
  const { parseAllDocuments } = ctx.yaml;
  let objects = [];
  let parseErr = '';
  if (r.ok) {
    for (const d of parseAllDocuments(r.yaml)) {
      if (d.errors.length) parseErr = d.errors.map((e) => e.message).join('; ');
      const o = d.toJS();
      // kustomize may fold long base64 Secret values over several lines; the
      // API server's decoder skips the newlines, the schema's "byte" format
      // does not: join them first.
      if (o?.kind === 'Secret' && o.data) for (const k of Object.keys(o.data)) o.data[k] = String(o.data[k]).replace(/\s+/g, '');
      if (o) objects.push(o);
    }
  }
  if (!rep.check(R('render'), `kubectl kustomize deploy/overlays/${name}`, r.ok && !parseErr && objects.length > 0,
    r.ok ? (parseErr || `${objects.length} objects`) : r.stderr.slice(0, 400))) return null;
  rep.check(R('kustomize-syntax'), `kubectl kustomize deploy/overlays/${name}: no warnings`, r.warnings.length === 0,
    r.warnings.length ? r.warnings.join(' | ').slice(0, 400) : 'no deprecation warnings');

  const id = (o) => `${o.kind}/${o.metadata?.name}`;
  // Schema and unknown fields, per object.
  for (const o of objects) {
    let ok = false, detail = '';
    try {
      const dir = o.apiVersion.includes('/') ? o.apiVersion : 'v1';
      const mod = await import(`kubernetes-models/${dir}/${o.kind}`);
      const Cls = mod[o.kind];
      new Cls(o).validate();
      ok = true;
    } catch (e) { detail = String(e.message || e).slice(0, 400); }
    rep.check(R('schema'), id(o), ok, ok ? `${o.apiVersion} schema` : detail);
    const uf = ctx.types.unknownFields(o);
    rep.check(R('known-fields'), id(o), !uf.error && uf.unknown.length === 0,
      uf.error || (uf.unknown.length ? `unknown fields: ${uf.unknown.join(', ')}` : 'no unknown fields'));
  }

  const byKind = (k) => objects.filter((o) => o.kind === k);
  const configMaps = new Map(byKind('ConfigMap').map((o) => [o.metadata.name, o]));
  const secrets = new Map(byKind('Secret').map((o) => [o.metadata.name, o]));
  const pvcs = new Map(byKind('PersistentVolumeClaim').map((o) => [o.metadata.name, o]));
  const services = byKind('Service');
  const workloads = workloadsOf(objects);
  const info = []; // per container: { w, c, role, flags, spec, labels }

  rep.check(R('workloads'), 'only Deployments and StatefulSets run the binary',
    workloads.every((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet'), workloads.map(id).join(', '));

  for (const w of workloads) {
    const { spec, labels } = podSpecOf(w);
    const wid = id(w);
    if (w.spec?.selector?.matchLabels) {
      rep.check(R('selectors'), `${wid}: selector matches the pod template labels`, podSelectorMatches(w.spec.selector, labels));
    }
    const containers = [...(spec.initContainers || []), ...(spec.containers || [])];
    const volumes = new Map((spec.volumes || []).map((v) => [v.name, v]));
    const claimTemplates = new Set((w.spec?.volumeClaimTemplates || []).map((t) => t.metadata?.name));
    const psc = spec.securityContext || {};
    for (const c of containers) {
      const cid = `${wid} container ${c.name}`;
      const unknownKeys = Object.keys(c).filter((k) => !CONTAINER_KEYS.has(k));
      rep.check(R('container-fields'), cid, unknownKeys.length === 0,
        unknownKeys.length ? `unknown container fields: ${unknownKeys.join(', ')}` : 'all fields known');

      // $(VAR) expansion: resolve from env and envFrom ConfigMaps.
      const env = new Map();
      const envProblems = [];
      for (const ef of c.envFrom || []) {
        if (ef.configMapRef) {
          const cm = configMaps.get(ef.configMapRef.name);
          if (cm) for (const [k, v] of Object.entries(cm.data || {})) env.set((ef.prefix || '') + k, v);
        } else if (ef.secretRef) {
          const s = secrets.get(ef.secretRef.name);
          if (s) for (const k of Object.keys(s.data || {})) env.set((ef.prefix || '') + k, '<secret>');
        }
      }
      for (const e of c.env || []) {
        if ('value' in e) env.set(e.name, String(e.value));
        else if (e.valueFrom?.configMapKeyRef) {
          const cm = configMaps.get(e.valueFrom.configMapKeyRef.name);
          const v = cm?.data?.[e.valueFrom.configMapKeyRef.key];
          if (v === undefined) envProblems.push(`${e.name}: no ConfigMap key ${e.valueFrom.configMapKeyRef.name}/${e.valueFrom.configMapKeyRef.key}`);
          else env.set(e.name, v);
        } else env.set(e.name, '<dynamic>');
      }
      const args = (c.args || []).map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, n) => {
        if (env.has(n)) return env.get(n);
        envProblems.push(`$(${n}) is not defined`);
        return all;
      }));
      const usesVars = (c.args || []).some((a) => /\$\(/.test(a));
      if (usesVars || envProblems.length) {
        rep.check(R('env-refs'), cid, envProblems.length === 0,
          envProblems.length ? envProblems.join('; ') : '$(VAR) references in args resolve from the rendered ConfigMaps');
      }

      // Image and command.
      const cmdOk = !c.command && args[0] === 'serve';
      rep.check(R('args'), cid, cmdOk, cmdOk ? `image entrypoint with "serve"` : `expected no command and args[0] "serve", got command ${JSON.stringify(c.command)} args[0] ${JSON.stringify(args[0])}`);
      const { flags, dup } = flagMap(args.slice(1));
      const stray = args.slice(1).filter((a) => !a.startsWith('--'));
      const unknown = [...flags.keys()].filter((f) => !ctx.flags.has(f));
      rep.check(R('flags'), cid, unknown.length === 0 && dup.length === 0 && stray.length === 0,
        unknown.length || dup.length || stray.length
          ? [unknown.length && `unknown flags: ${unknown.map((f) => '--' + f).join(' ')} (known: ${ctx.flagSource})`,
            dup.length && `repeated: ${dup.join(' ')}`, stray.length && `not flags: ${stray.join(' ')}`].filter(Boolean).join('; ')
          : `${flags.size} flags, all known to ${ctx.flagSource}`);
      const role = flags.get('role');
      rep.check(R('flags'), `${cid}: --role`, ROLES.includes(role), `--role=${role}`);

      // Flag values are well formed.
      const valueProblems = [];
      for (const f of BOOL_FLAGS) if (flags.has(f) && !['true', 'false'].includes(flags.get(f))) valueProblems.push(`--${f}=${flags.get(f)} (true|false)`);
      for (const f of INT_FLAGS) if (flags.has(f) && !/^[1-9]\d*$/.test(flags.get(f) || '')) valueProblems.push(`--${f}=${flags.get(f)} (positive integer)`);
      for (const f of DURATION_FLAGS) if (flags.has(f) && parseDuration(flags.get(f)) === null) valueProblems.push(`--${f}=${flags.get(f)} (duration)`);
      for (const f of ADDR_FLAGS) if (flags.has(f) && !parseHostPort(flags.get(f))) valueProblems.push(`--${f}=${flags.get(f)} (host:port)`);
      rep.check(R('flag-values'), cid, valueProblems.length === 0, valueProblems.length ? valueProblems.join('; ') : 'booleans, integers, durations and addresses well formed');

      // Ports: listen on all interfaces; containerPorts = the listen flags' ports.
      const listenOn = {};
      const portProblems = [];
      for (const f of ['listen', 'health_listen', 'metrics_listen']) {
        const hp = parseHostPort(flags.get(f));
        if (!hp) { portProblems.push(`--${f} missing`); continue; }
        if (!['0.0.0.0', '[::]', ''].includes(hp.host)) portProblems.push(`--${f}=${flags.get(f)} must listen on all interfaces (0.0.0.0) in a pod`);
        listenOn[f] = hp.port;
      }
      const cports = c.ports || [];
      for (const [pname, f] of Object.entries(PORT_NAMES)) {
        const p = cports.find((x) => x.name === pname);
        if (!p) portProblems.push(`no containerPort named ${pname}`);
        else if (listenOn[f] !== undefined && p.containerPort !== listenOn[f]) portProblems.push(`containerPort ${pname}=${p.containerPort} but --${f} port ${listenOn[f]}`);
      }
      const flagPorts = new Set(Object.values(listenOn));
      for (const p of cports) if (!flagPorts.has(p.containerPort)) portProblems.push(`containerPort ${p.containerPort} is not a --*listen port`);
      if (new Set(Object.values(listenOn)).size !== Object.values(listenOn).length) portProblems.push('two --*listen flags share a port');
      if (ctx.docker?.expose) for (const p of cports) if (!ctx.docker.expose.has(p.containerPort)) portProblems.push(`containerPort ${p.containerPort} not EXPOSEd in the Dockerfile`);
      rep.check(R('ports'), cid, portProblems.length === 0, portProblems.length ? portProblems.join('; ') : `containerPorts ${cports.map((p) => `${p.name}=${p.containerPort}`).join(' ')} match --listen/--health_listen/--metrics_listen`);

      // gRPC probes on the plaintext health port.
      const probeProblems = [];
      for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const pr = c[kind];
        if (!pr) { if (kind !== 'startupProbe') probeProblems.push(`no ${kind}`); continue; }
        const handlers = ['grpc', 'httpGet', 'tcpSocket', 'exec'].filter((h) => pr[h]);
        if (handlers.length !== 1 || handlers[0] !== 'grpc') { probeProblems.push(`${kind} is ${handlers.join('+') || 'empty'}, must be grpc`); continue; }
        if (!Number.isInteger(pr.grpc.port)) probeProblems.push(`${kind}.grpc.port ${JSON.stringify(pr.grpc.port)} is not numeric`);
        else if (pr.grpc.port !== listenOn.health_listen) probeProblems.push(`${kind}.grpc.port ${pr.grpc.port} is not the --health_listen port ${listenOn.health_listen}`);
        const svc = pr.grpc.service ?? '';
        if (svc !== '' && !/^([a-z_][a-z0-9_]*\.)+[A-Z][A-Za-z0-9]*$/.test(svc)) probeProblems.push(`${kind}.grpc.service "${svc}" is not "" or a full service name`);
      }
      rep.check(R('probes'), cid, probeProblems.length === 0, probeProblems.length ? probeProblems.join('; ')
        : `grpc readiness/liveness${c.startupProbe ? '/startup' : ''} on health port ${listenOn.health_listen} (service ${JSON.stringify(c.readinessProbe.grpc.service ?? '')})`);

      // Graceful shutdown timings.
      const grace = spec.terminationGracePeriodSeconds;
      const pre = c.lifecycle?.preStop;
      let sleep = null;
      if (pre?.sleep?.seconds !== undefined) sleep = Number(pre.sleep.seconds);
      else if (pre?.exec?.command) {
        const cmd = pre.exec.command.join(' ');
        const m = /(?:^|[\s/])sleep\s+(\d+(?:\.\d+)?)\s*$/.exec(cmd);
        if (m) sleep = Number(m[1]);
      }
      const sg = parseDuration(flags.get('shutdown_grace') ?? '');
      const t = [];
      if (!Number.isInteger(grace)) t.push('terminationGracePeriodSeconds not set');
      if (sleep === null) t.push('no preStop sleep');
      if (sg === null) t.push('no --shutdown_grace');
      if (!t.length) {
        if (!(grace > sleep)) t.push(`terminationGracePeriodSeconds ${grace} must exceed preStop sleep ${sleep}`);
        if (!(sg < grace - sleep)) t.push(`--shutdown_grace ${sg}s must be < grace ${grace} - preStop ${sleep} = ${grace - sleep}s`);
      }
      rep.check(R('shutdown-timing'), cid, t.length === 0, t.length ? t.join('; ') : `preStop ${sleep}s < grace ${grace}s; --shutdown_grace ${sg}s < ${grace - sleep}s`);

      // Security context (container value, else pod value).
      const sc = c.securityContext || {};
      const eff = (k) => (sc[k] !== undefined ? sc[k] : psc[k]);
      const s = [];
      if (eff('runAsNonRoot') !== true) s.push('runAsNonRoot not true');
      const uid = eff('runAsUser');
      if (!Number.isInteger(uid) || uid === 0) s.push(`runAsUser ${uid}`);
      else if (ctx.docker?.uid != null && uid !== ctx.docker.uid) s.push(`runAsUser ${uid} differs from the image USER ${ctx.docker.uid}`);
      if (sc.readOnlyRootFilesystem !== true) s.push('readOnlyRootFilesystem not true');
      if (sc.allowPrivilegeEscalation !== false) s.push('allowPrivilegeEscalation not false');
      if (sc.privileged) s.push('privileged');
      if (!(sc.capabilities?.drop || []).includes('ALL')) s.push('capabilities do not drop ALL');
      if ((sc.capabilities?.add || []).length) s.push(`adds capabilities ${sc.capabilities.add.join(',')}`);
      if ((sc.seccompProfile || psc.seccompProfile)?.type !== 'RuntimeDefault') s.push('seccompProfile not RuntimeDefault');
      rep.check(R('security'), cid, s.length === 0, s.length ? s.join('; ') : `non-root uid ${uid}, read-only root, no privilege escalation, drop ALL, seccomp RuntimeDefault`);

      // Resources.
      const res = c.resources || {};
      const rs = [];
      for (const k of ['cpu', 'memory']) {
        if (res.requests?.[k] === undefined) rs.push(`no requests.${k}`);
        if (res.limits?.[k] === undefined) rs.push(`no limits.${k}`);
      }
      rep.check(R('resources'), cid, rs.length === 0, rs.length ? rs.join('; ') : `requests ${res.requests.cpu}/${res.requests.memory}, limits ${res.limits.cpu}/${res.limits.memory}`);

      // Volumes: writable data dir on a persistent volume, /tmp an emptyDir,
      // credential files on read-only Secret mounts.
      const mounts = c.volumeMounts || [];
      const mountFor = (file) => mounts.filter((m) => underPath(file, m.mountPath)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
      const v = [];
      const tmp = mounts.find((m) => m.mountPath === '/tmp');
      if (!tmp || !volumes.get(tmp.name)?.emptyDir) v.push('/tmp is not an emptyDir mount');
      for (const m of mounts) if (!volumes.has(m.name) && !claimTemplates.has(m.name)) v.push(`volumeMount ${m.name} has no volume`);
      let dataVolume = null;
      if (STORE_ROLES.has(role)) {
        const dd = flags.get('data_dir');
        const m = dd && dd.startsWith('/') ? mountFor(dd) : null;
        if (!m) v.push(`--data_dir=${dd} is not an absolute path on a volume mount`);
        else {
          if (m.readOnly) v.push(`--data_dir mount ${m.name} is read-only`);
          const vol = volumes.get(m.name);
          if (claimTemplates.has(m.name)) dataVolume = { kind: 'template', name: m.name };
          else if (vol?.persistentVolumeClaim) dataVolume = { kind: 'pvc', name: vol.persistentVolumeClaim.claimName };
          else v.push(`--data_dir is on volume ${m.name}, which is not persistent`);
        }
      } else if (flags.has('data_dir')) v.push(`role ${role} has no store but sets --data_dir`);
      for (const f of FILE_FLAGS) {
        if (!flags.has(f)) continue;
        const file = flags.get(f);
        const m = mountFor(file);
        const vol = m && volumes.get(m.name);
        if (!m || !vol?.secret) { v.push(`--${f}=${file} is not on a Secret volume`); continue; }
        if (!m.readOnly) v.push(`Secret mount ${m.name} is not readOnly`);
        const sec = secrets.get(vol.secret.secretName);
        const key = path.relative(m.mountPath, file);
        if (sec && !Object.keys({ ...(sec.data || {}), ...(sec.stringData || {}) }).includes(key)) v.push(`--${f}: Secret ${sec.metadata.name} has no key ${key}`);
      }
      rep.check(R('volumes'), cid, v.length === 0, v.length ? v.join('; ') : `${STORE_ROLES.has(role) ? `store ${flags.get('data_dir')} on ${dataVolume.kind === 'pvc' ? 'PVC ' + dataVolume.name : 'volumeClaimTemplate ' + dataVolume.name}; ` : ''}/tmp emptyDir; credential files on read-only Secret mounts`);

      // Dataset: none, or the image's bundled dataset.
      if (flags.has('dataset')) {
        const ds = flags.get('dataset');
        const want = ctx.docker?.dataset || IMAGE_DATASET;
        rep.check(R('dataset'), cid, ds === 'none' || ds === want, `--dataset=${ds} (image bundles ${want})`);
      }

      info.push({ w, c, role, flags, labels, spec, dataVolume, listenOn });
    }
  }

  // Topology: the roles this overlay must run.
  const roles = info.map((x) => x.role).sort();
  const expected = EXPECTED_ROLES[name];
  rep.check(R('topology'), `roles ${roles.join(', ')}`,
    expected ? JSON.stringify(roles) === JSON.stringify(expected) : (JSON.stringify(roles) === '["all"]' || JSON.stringify(roles) === JSON.stringify(SPLIT_ROLES)),
    `expected ${(expected || ['all', '| split']).join(', ')}`);

  // One image for every workload.
  const images = [...new Set(info.map((x) => x.c.image))];
  rep.check(R('image'), 'one image for every container', images.length === 1, images.join(', '));
  ctx.images.push(...images);

  // One writer per store volume.
  const claimUsers = new Map();
  for (const x of info) {
    if (!STORE_ROLES.has(x.role)) {
      const replicas = x.w.spec?.replicas ?? 1;
      const usesPvc = (x.spec.volumes || []).some((v) => v.persistentVolumeClaim) || (x.w.spec?.volumeClaimTemplates || []).length;
      rep.check(R('one-writer'), `${id(x.w)} (role ${x.role})`, !usesPvc, usesPvc ? 'a store-less role must not mount persistent volumes' : `stateless, replicas ${replicas}`);
      continue;
    }
    const p = [];
    const w = x.w;
    if (w.spec?.replicas !== 1) p.push(`replicas is ${w.spec?.replicas ?? '(unset)'}, must be 1`);
    if (w.kind === 'StatefulSet') {
      if (x.dataVolume?.kind !== 'template') p.push('store is not on a volumeClaimTemplate');
    } else if (w.kind === 'Deployment') {
      if (w.spec?.strategy?.type !== 'Recreate') p.push(`strategy is ${w.spec?.strategy?.type ?? 'RollingUpdate (default)'}, must be Recreate`);
      if (x.dataVolume?.kind !== 'pvc') p.push('store is not on a PersistentVolumeClaim');
      else if (!pvcs.has(x.dataVolume.name)) p.push(`PVC ${x.dataVolume.name} is not in the rendered output`);
      else {
        const modes = pvcs.get(x.dataVolume.name).spec?.accessModes || [];
        if (modes.some((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod')) p.push(`PVC ${x.dataVolume.name} accessModes ${modes.join(',')}`);
      }
    } else p.push(`${w.kind} cannot guarantee one writer`);
    if (x.dataVolume?.kind === 'pvc') {
      if (claimUsers.has(x.dataVolume.name)) p.push(`PVC ${x.dataVolume.name} also used by ${claimUsers.get(x.dataVolume.name)}`);
      claimUsers.set(x.dataVolume.name, id(w));
    }
    const hpa = byKind('HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.name === w.metadata.name && h.spec?.scaleTargetRef?.kind === w.kind);
    if (hpa) p.push(`scaled by HorizontalPodAutoscaler ${hpa.metadata.name}`);
    rep.check(R('one-writer'), `${id(w)} (role ${x.role})`, p.length === 0,
      p.length ? p.join('; ') : (w.kind === 'StatefulSet' ? 'StatefulSet, replicas 1, volumeClaimTemplate' : 'Deployment, replicas 1, Recreate, own RWO PVC'));
  }

  // References to ConfigMaps, Secrets and PVCs exist.
  for (const w of workloads) {
    const { spec } = podSpecOf(w);
    const missing = [];
    const external = [];
    const needSecret = (n) => { if (!secrets.has(n)) (EXTERNAL_SECRETS.has(n) ? external : missing).push(`Secret ${n}`); };
    const needCm = (n) => { if (!configMaps.has(n)) missing.push(`ConfigMap ${n}`); };
    for (const v of spec.volumes || []) {
      if (v.secret) needSecret(v.secret.secretName);
      if (v.configMap) needCm(v.configMap.name);
      if (v.persistentVolumeClaim && !pvcs.has(v.persistentVolumeClaim.claimName)) missing.push(`PVC ${v.persistentVolumeClaim.claimName}`);
    }
    for (const c of [...(spec.initContainers || []), ...(spec.containers || [])]) {
      for (const ef of c.envFrom || []) { if (ef.configMapRef) needCm(ef.configMapRef.name); if (ef.secretRef) needSecret(ef.secretRef.name); }
      for (const e of c.env || []) {
        if (e.valueFrom?.configMapKeyRef) needCm(e.valueFrom.configMapKeyRef.name);
        if (e.valueFrom?.secretKeyRef) needSecret(e.valueFrom.secretKeyRef.name);
      }
    }
    rep.check(R('references'), `${id(w)}: referenced ConfigMaps, Secrets and PVCs exist`, missing.length === 0,
      (missing.length ? `missing: ${missing.join(', ')}` : 'all rendered') + (external.length ? `; operator-provided: ${external.join(', ')}` : ''));
  }

  // Services select pods and target their ports; StatefulSets have governing Services.
  const podsOf = (svc) => info.filter((x) => labelsMatch(svc.spec?.selector, x.labels));
  const pubSvc = services.find((s) => s.metadata.name === PUBLIC_SERVICE);
  for (const svc of services) {
    const pods = podsOf(svc);
    const p = [];
    if (!pods.length) p.push('selects no pod template');
    for (const port of svc.spec?.ports || []) {
      const tp = port.targetPort ?? port.port;
      for (const x of pods) {
        if (!(x.c.ports || []).some((cp) => (typeof tp === 'number' ? cp.containerPort === tp : cp.name === tp))) p.push(`port ${port.name || port.port}: targetPort ${tp} not in ${id(x.w)}`);
      }
    }
    rep.check(R('services'), id(svc), p.length === 0, p.length ? p.join('; ') : `selects ${[...new Set(pods.map((x) => id(x.w)))].join(', ')}`);
  }
  for (const w of workloads.filter((o) => o.kind === 'StatefulSet')) {
    const gov = services.find((s) => s.metadata.name === w.spec?.serviceName);
    rep.check(R('services'), `${id(w)}: governing Service ${w.spec?.serviceName}`, gov && gov.spec?.clusterIP === 'None' && podsOf(gov).some((x) => x.w === w),
      gov ? (gov.spec?.clusterIP === 'None' ? 'headless, selects the StatefulSet' : 'not headless') : 'missing');
  }

  // appProtocol on every Service port that reaches a gRPC --listen port:
  // kubernetes.io/h2c when the pods serve plaintext, https when they serve TLS
  // (--tls_cert), so that meshes and Gateway implementations balance per
  // request over HTTP/2 and never speak cleartext to a TLS port.
  for (const svc of services) {
    for (const port of svc.spec?.ports || []) {
      const tp = port.targetPort ?? port.port;
      const reached = podsOf(svc).filter((x) => (x.c.ports || []).some((cp) =>
        (typeof tp === 'number' ? cp.containerPort === tp : cp.name === tp) && cp.containerPort === x.listenOn.listen));
      if (!reached.length) continue;
      const tls = [...new Set(reached.map((x) => x.flags.has('tls_cert') && x.flags.get('tls_cert') !== ''))];
      const ap = port.appProtocol;
      let problem = '';
      if (tls.length > 1) problem = 'selects pods with and without TLS on the same port';
      else if (!ap) problem = `no appProtocol (want ${tls[0] ? [...APP_PROTOCOL_TLS].join('|') : APP_PROTOCOL_PLAINTEXT})`;
      else if (tls[0] && !APP_PROTOCOL_TLS.has(ap)) problem = `appProtocol ${ap} on a TLS port (--tls_cert): want ${[...APP_PROTOCOL_TLS].join('|')}`;
      else if (!tls[0] && ap !== APP_PROTOCOL_PLAINTEXT) problem = `appProtocol ${ap} on a plaintext gRPC port: want ${APP_PROTOCOL_PLAINTEXT}`;
      rep.check(R('app-protocol'), `${id(svc)} port ${port.name || port.port}`, !problem,
        problem || `appProtocol ${ap} (${tls[0] ? 'TLS' : 'plaintext'} gRPC)`);
    }
  }

  // Connection balancing on the public gRPC fronts: --max_connection_age makes
  // clients of a ClusterIP Service reconnect (and so spread over replicas and
  // reach new ones); a headless Service lets clients balance every call with
  // dns:/// and round_robin, over ready pods only.
  for (const x of info.filter((i) => PUBLIC_ROLES.has(i.role))) {
    const v = x.flags.get('max_connection_age');
    const sec = parseDuration(v ?? '');
    const [lo, hi] = CONNECTION_AGE_RANGE;
    const replicas = x.w.spec?.replicas ?? 1;
    rep.check(R('connection-age'), `${id(x.w)} (role ${x.role}, replicas ${replicas})`, sec !== null && sec >= lo && sec <= hi,
      v === undefined ? `no --max_connection_age: each client's calls stay on the replica it first reached`
        : sec === null ? `--max_connection_age=${v} is not a duration`
          : sec < lo || sec > hi ? `--max_connection_age=${v} outside ${lo}s..${hi}s` : `--max_connection_age=${v}`);
  }
  if (pubSvc) {
    const heads = services.filter((s) => s.spec?.clusterIP === 'None' && podsOf(s).some((x) => PUBLIC_ROLES.has(x.role)));
    const p = [];
    if (!heads.length) p.push(`no headless Service selecting the pods of Service ${PUBLIC_SERVICE}`);
    for (const h of heads) {
      if (h.spec?.publishNotReadyAddresses) p.push(`${id(h)} publishes not-ready addresses: clients would dial pods that are not serving`);
      const want = (pubSvc.spec?.ports || []).map((q) => q.port).sort().join(',');
      const got = (h.spec?.ports || []).map((q) => q.port).sort().join(',');
      if (want !== got) p.push(`${id(h)} ports ${got} differ from Service ${PUBLIC_SERVICE}'s ${want}`);
    }
    rep.check(R('client-balancing'), `headless Service for dns:/// + round_robin clients`, p.length === 0,
      p.length ? p.join('; ') : heads.map((h) => `${id(h)} (ready pods only, ports as ${PUBLIC_SERVICE})`).join(', '));
  }

  // Public entry point: Service "regenatlas" (ClusterIP by default) in front of
  // the gateway (or the all-in-one server); backends never exposed outside.
  const pub = pubSvc;
  const pubRoles = pub ? [...new Set(podsOf(pub).map((x) => x.role))] : [];
  rep.check(R('public-entry'), `Service ${PUBLIC_SERVICE}`, pub && (pub.spec?.type ?? 'ClusterIP') === 'ClusterIP' && pubRoles.length === 1 && PUBLIC_ROLES.has(pubRoles[0]),
    pub ? `type ${pub.spec?.type ?? 'ClusterIP'}, selects role ${pubRoles.join(',')}` : 'missing');
  for (const svc of services.filter((s) => ['NodePort', 'LoadBalancer'].includes(s.spec?.type) || (s.spec?.externalIPs || []).length)) {
    const r2 = [...new Set(podsOf(svc).map((x) => x.role))];
    rep.check(R('public-entry'), `${id(svc)} (${svc.spec.type})`, r2.every((r) => PUBLIC_ROLES.has(r)), `exposes roles ${r2.join(',')}: only gateway or all may be reachable from outside the cluster`);
  }
  if (!services.some((s) => ['NodePort', 'LoadBalancer'].includes(s.spec?.type))) {
    rep.check(R('public-entry'), 'no NodePort/LoadBalancer Services', true, 'every Service is cluster-internal');
  }

  // Backend addresses name rendered Services of the right role and port.
  for (const x of info) {
    const p = [];
    const need = BACKEND_FLAGS[x.role] || [];
    for (const f of Object.keys(ADDR_FLAG_ROLE)) {
      if (!need.includes(f)) { if (x.flags.has(f)) p.push(`--${f} is not used by role ${x.role}`); continue; }
      const hp = parseHostPort(x.flags.get(f));
      if (!hp) { p.push(`--${f} missing`); continue; }
      const m = /^([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?$/.exec(hp.host);
      if (!m) { p.push(`--${f}=${x.flags.get(f)}: not a Kubernetes Service DNS name`); continue; }
      const svc = services.find((s) => s.metadata.name === m[1] && (!m[2] || !s.metadata.namespace || s.metadata.namespace === m[2]));
      if (!svc) { p.push(`--${f}=${x.flags.get(f)}: no Service ${m[1]}${m[2] ? '.' + m[2] : ''} in the rendered output`); continue; }
      const sp = (svc.spec.ports || []).find((q) => q.port === hp.port);
      if (!sp) { p.push(`--${f}=${x.flags.get(f)}: Service ${m[1]} has no port ${hp.port}`); continue; }
      const targets = podsOf(svc);
      const want = ADDR_FLAG_ROLE[f];
      if (!targets.length || targets.some((t) => t.role !== want)) { p.push(`--${f}: Service ${m[1]} selects roles ${targets.map((t) => t.role).join(',') || 'none'}, not ${want}`); continue; }
      const tp = sp.targetPort ?? sp.port;
      for (const t of targets) {
        const cp = (t.c.ports || []).find((q) => (typeof tp === 'number' ? q.containerPort === tp : q.name === tp));
        if (!cp || cp.containerPort !== t.listenOn.listen) p.push(`--${f}: Service ${m[1]} port ${hp.port} does not reach ${want}'s --listen port ${t.listenOn.listen}`);
      }
    }
    rep.check(R('backends'), `${id(x.w)} (role ${x.role})`, p.length === 0,
      p.length ? p.join('; ') : (need.length ? need.map((f) => `--${f}=${x.flags.get(f)}`).join(' ') + ' → rendered Services' : 'no backends'));
  }

  // Every role authenticates its callers (backends too: the gateway and the
  // other backends call them with the `service` key of the same Secret);
  // auth key files are well formed and, in this repository, obviously fake
  // placeholders.
  for (const x of info) {
    if (x.flags.has('auth_keys')) ctx.authKeyPaths.push(x.flags.get('auth_keys'));
    rep.check(R('auth'), `${id(x.w)} (role ${x.role})`, x.flags.has('auth_keys'), x.flags.has('auth_keys') ? `--auth_keys=${x.flags.get('auth_keys')}` : `role ${x.role} without --auth_keys`);
    rep.check(R('auth'), `${id(x.w)} (role ${x.role}) not unauthenticated`, !x.flags.has('allow_unauthenticated') || x.flags.get('allow_unauthenticated') === 'false', 'no --allow_unauthenticated=true in the manifests');
  }
  for (const s of byKind('Secret').filter((o) => /auth-keys/.test(o.metadata.name))) {
    const text = Object.values(s.data || {}).map((b) => Buffer.from(b, 'base64').toString('utf8')).join('\n');
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    const bad = lines.filter((l) => { const f = l.split(/\s+/); return f.length !== 2 || !AUTH_ROLES.has(f[1]); });
    rep.check(R('auth-keys-format'), id(s), lines.length > 0 && bad.length === 0, bad.length ? `malformed lines: ${bad.length}` : `${lines.length} "key role" lines`);
    const real = lines.filter((l) => !/NOT-A-SECRET/.test(l.split(/\s+/)[0]));
    rep.check(R('placeholder-keys'), id(s), real.length === 0, real.length ? `${real.length} key(s) without the NOT-A-SECRET marker: the repository must hold only placeholder keys` : 'placeholder keys only (marked NOT-A-SECRET)');
  }
  return objects;
}

// ---------------------------------------------------------------------------

async function loadFlags(bin, rep) {
  if (!bin) {
    rep.info('REGENATLAS_BIN unset: checking flags against the deploy contract list');
    return { flags: new Set(CONTRACT_FLAGS), source: 'the deploy contract' };
  }
  const r = run(bin, ['serve', '--help']);
  const flags = new Set([...r.stdout.matchAll(/^\s+--([a-z][a-z0-9_]*)\b/gm)].map((m) => m[1]));
  rep.check('binary/help', `${bin} serve --help`, r.code === 0 && flags.size > 0,
    r.code === 0 ? `${flags.size} flags: ${[...flags].join(' ')}` : r.stderr.slice(0, 300));
  return { flags, source: `${path.basename(bin)} serve --help` };
}

async function validateTree(root, opts) {
  const rep = new Report(opts.quiet);
  const ctx = { kubectl: opts.kubectl, yaml: opts.yaml, types: opts.types, bin: opts.bin, flags: opts.flags.flags, flagSource: opts.flags.source, images: [], authKeyPaths: [] };
  validateDockerfile(root, rep, ctx);
  validateKustomizations(root, rep, ctx);
  const overlaysDir = path.join(root, 'deploy', 'overlays');
  const found = fs.existsSync(overlaysDir) ? fs.readdirSync(overlaysDir).filter((d) => fs.existsSync(path.join(overlaysDir, d, 'kustomization.yaml'))).sort() : [];
  for (const o of ['all-in-one', 'split']) rep.check('overlays', `deploy/overlays/${o}`, found.includes(o), found.includes(o) ? 'present' : 'missing');
  for (const o of opts.overlays ? found.filter((x) => opts.overlays.includes(x)) : found) await validateOverlay(root, o, rep, ctx);
  const imgs = [...new Set(ctx.images)];
  if (!opts.overlays || opts.overlays.length > 1) rep.check('overlays/image', 'same image in every overlay', imgs.length === 1, imgs.join(', '));
  // `docker run` with the default command reads the key file from the same
  // path as the pods, so one mount recipe (docs/deploy.md) serves both.
  const keyPaths = [...new Set(ctx.authKeyPaths)];
  if (ctx.docker?.cmdAuthKeys && keyPaths.length) {
    rep.check('docker/cmd', 'CMD --auth_keys is the manifests\' key file path', keyPaths.length === 1 && keyPaths[0] === ctx.docker.cmdAuthKeys,
      `CMD ${ctx.docker.cmdAuthKeys}; manifests ${keyPaths.join(', ')}`);
  }
  return rep;
}

// Negative self-tests: each mutation breaks one rule in a copy of the tree.
const MUTATIONS = [
  { name: 'probe-port-mismatch', file: 'deploy/base/catalog.yaml', find: 'readinessProbe:\n          grpc:\n            port: 8081', replace: 'readinessProbe:\n          grpc:\n            port: 8082', overlays: ['split'], rule: 'probes' },
  { name: 'liveness-not-grpc', file: 'deploy/base/gateway.yaml', find: 'livenessProbe:\n          grpc:\n            port: 8081\n            service: regenatlas.gateway.v1.GatewayService', replace: 'livenessProbe:\n          tcpSocket:\n            port: 8081', overlays: ['split'], rule: 'probes' },
  { name: 'health-listen-moved', file: 'deploy/base/timeline.yaml', find: '--health_listen=0.0.0.0:8081', replace: '--health_listen=0.0.0.0:8082', overlays: ['split'], rule: 'probes' },
  { name: 'prestop-longer-than-grace', file: 'deploy/overlays/all-in-one/regenatlas.yaml', find: '"/bin/sleep", "5"', replace: '"/bin/sleep", "40"', overlays: ['all-in-one'], rule: 'shutdown-timing' },
  { name: 'shutdown-grace-too-long', file: 'deploy/base/analytics.yaml', find: '--shutdown_grace=20s', replace: '--shutdown_grace=26s', overlays: ['split'], rule: 'shutdown-timing' },
  { name: 'statefulset-two-replicas', file: 'deploy/base/catalog.yaml', find: '  replicas: 1', replace: '  replicas: 2', overlays: ['split'], rule: 'one-writer' },
  { name: 'store-rolling-update', file: 'deploy/overlays/all-in-one/regenatlas.yaml', find: 'type: Recreate', replace: 'type: RollingUpdate', overlays: ['all-in-one'], rule: 'one-writer' },
  { name: 'unknown-flag', file: 'deploy/base/gateway.yaml', find: '--rate_limit_qps=', replace: '--rate_limit_qpss=', overlays: ['split'], rule: 'flags' },
  { name: 'misspelled-container-field', file: 'deploy/base/catalog.yaml', find: '        readinessProbe:', replace: '        readinesProbe:', overlays: ['split'], rule: 'container-fields' },
  { name: 'misspelled-pod-field', file: 'deploy/base/gateway.yaml', find: 'enableServiceLinks: false', replace: 'enableServiceLink: false', overlays: ['split'], rule: 'known-fields' },
  { name: 'misspelled-nested-field', file: 'deploy/base/timeline.yaml', find: 'fsGroupChangePolicy: OnRootMismatch', replace: 'fsGroupChangePolicyy: OnRootMismatch', overlays: ['split'], rule: 'known-fields' },
  { name: 'backend-host-typo', file: 'deploy/base/gateway.yaml', find: '--catalog_addr=catalog:50051', replace: '--catalog_addr=catalgo:50051', overlays: ['split'], rule: 'backends' },
  { name: 'backend-port-wrong', file: 'deploy/base/analytics.yaml', find: '--timeline_addr=timeline:50051', replace: '--timeline_addr=timeline:50052', overlays: ['split'], rule: 'backends' },
  { name: 'backend-wrong-role', file: 'deploy/base/gateway.yaml', find: '--analytics_addr=analytics:50051', replace: '--analytics_addr=timeline:50051', overlays: ['split'], rule: 'backends' },
  { name: 'run-as-root', file: 'deploy/base/catalog.yaml', find: '          runAsUser: 10001', replace: '          runAsUser: 0', overlays: ['split'], rule: 'security' },
  { name: 'writable-root-filesystem', file: 'deploy/base/gateway.yaml', find: 'readOnlyRootFilesystem: true', replace: 'readOnlyRootFilesystem: false', overlays: ['split'], rule: 'security' },
  { name: 'second-image', file: 'deploy/base/timeline.yaml', find: 'image: regenatlas:0.1.0', replace: 'image: regenatlas-dev:0.1.0', overlays: ['split'], rule: 'image' },
  { name: 'schema-type-error', file: 'deploy/base/catalog.yaml', find: '  replicas: 1', replace: '  replicas: one', overlays: ['split'], rule: 'schema' },
  { name: 'container-port-mismatch', file: 'deploy/base/gateway.yaml', find: 'containerPort: 9090', replace: 'containerPort: 9091', overlays: ['split'], rule: 'ports' },
  { name: 'listen-on-loopback', file: 'deploy/base/catalog.yaml', find: '--listen=0.0.0.0:50051', replace: '--listen=127.0.0.1:50051', overlays: ['split'], rule: 'ports' },
  { name: 'broken-kustomization', file: 'deploy/overlays/split/kustomization.yaml', find: '- ../../base', replace: '- ../../bsae', overlays: ['split'], rule: 'render' },
  { name: 'missing-secret', file: 'deploy/base/gateway.yaml', find: 'secretName: regenatlas-auth-keys', replace: 'secretName: regenatlas-auth-key', overlays: ['split'], rule: 'references' },
  { name: 'unresolved-config-var', file: 'deploy/base/gateway.yaml', find: '$(RATE_LIMIT_BURST)', replace: '$(RATE_LIMIT_BURSTS)', overlays: ['split'], rule: 'env-refs' },
  { name: 'bad-config-value', file: 'deploy/base/config/kustomization.yaml', find: 'RATE_LIMIT_QPS=50', replace: 'RATE_LIMIT_QPS=fast', overlays: ['split'], rule: 'flag-values' },
  { name: 'no-memory-limit', file: 'deploy/base/analytics.yaml', find: '          limits:\n            cpu: "2"\n            memory: 1Gi\n', replace: '          limits:\n            cpu: "2"\n', overlays: ['split'], rule: 'resources' },
  { name: 'store-on-tmp', file: 'deploy/base/catalog.yaml', find: '--data_dir=/var/lib/regenatlas/catalog', replace: '--data_dir=/tmp/catalog', overlays: ['split'], rule: 'volumes' },
  { name: 'public-backend', file: 'deploy/base/catalog.yaml', find: '  type: ClusterIP', replace: '  type: LoadBalancer', overlays: ['split'], rule: 'public-entry' },
  { name: 'real-looking-key', file: 'deploy/base/config/auth_keys.sample', find: 'sample-NOT-A-SECRET-admin-key-00000000000', replace: 'k7Qx9admin2b', overlays: ['all-in-one'], rule: 'placeholder-keys' },
  { name: 'dockerfile-runs-as-root', file: 'deploy/Dockerfile', find: 'USER 10001:10001', replace: 'USER root', overlays: [], rule: 'user' },
  { name: 'dockerfile-copies-missing-path', file: 'deploy/Dockerfile', find: 'COPY proto proto', replace: 'COPY protos proto', overlays: [], rule: 'copy' },
  { name: 'dockerignore-drops-source', file: '.dockerignore', find: '!cmd/\n', replace: '', overlays: [], rule: 'copy' },
  { name: 'dockerfile-single-stage', file: 'deploy/Dockerfile', find: 'FROM ${DEBIAN_IMAGE} AS runtime', replace: '', overlays: [], rule: 'stages' },
  { name: 'runtime-lib-missing', file: 'deploy/Dockerfile', find: 'libprotobuf32 ', replace: '', overlays: [], rule: 'runtime-libs', needsBin: true },
  { name: 'kustomize-bases', file: 'deploy/overlays/split/kustomization.yaml', find: 'resources:\n- ../../base', replace: 'bases:\n- ../../base', overlays: ['split'], rule: 'kustomize-syntax' },
  { name: 'kustomize-patchesJson6902', file: 'deploy/overlays/split-tls/kustomization.yaml', find: 'patches:\n- path: gateway-tls.yaml\n  target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: gateway\n', replace: 'patchesJson6902:\n- path: gateway-tls.yaml\n  target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: gateway\npatches:\n', overlays: ['split-tls'], rule: 'kustomize-syntax' },
  { name: 'json-patch-without-target', file: 'deploy/overlays/split-tls/kustomization.yaml', find: '- path: gateway-tls.yaml\n  target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: gateway\n', replace: '- path: gateway-tls.yaml\n', overlays: ['split-tls'], rule: 'kustomize-syntax' },
  { name: 'service-without-app-protocol', file: 'deploy/base/catalog.yaml', find: '    appProtocol: kubernetes.io/h2c\n', replace: '', overlays: ['split'], rule: 'app-protocol' },
  { name: 'public-service-wrong-app-protocol', file: 'deploy/overlays/all-in-one/regenatlas.yaml', find: 'appProtocol: kubernetes.io/h2c', replace: 'appProtocol: http', overlays: ['all-in-one'], rule: 'app-protocol' },
  { name: 'tls-port-announced-as-h2c', file: 'deploy/overlays/split-tls/kustomization.yaml', find: '- path: service-tls.yaml\n  target:\n    version: v1\n    kind: Service\n    name: regenatlas\n', replace: '', overlays: ['split-tls'], rule: 'app-protocol' },
  { name: 'gateway-without-max-connection-age', file: 'deploy/base/gateway.yaml', find: '        - --max_connection_age=5m\n', replace: '', overlays: ['split'], rule: 'connection-age' },
  { name: 'all-in-one-max-connection-age-off', file: 'deploy/overlays/all-in-one/regenatlas.yaml', find: '        - --max_connection_age=5m', replace: '        - --max_connection_age=0s', overlays: ['all-in-one'], rule: 'connection-age' },
  { name: 'headless-gateway-not-ready-pods', file: 'deploy/base/gateway.yaml', find: '  name: regenatlas-headless\n  labels:\n    app.kubernetes.io/name: regenatlas\n    app.kubernetes.io/component: gateway\n    app.kubernetes.io/part-of: regenatlas\nspec:\n', replace: '  name: regenatlas-headless\n  labels:\n    app.kubernetes.io/name: regenatlas\n    app.kubernetes.io/component: gateway\n    app.kubernetes.io/part-of: regenatlas\nspec:\n  publishNotReadyAddresses: true\n', overlays: ['split'], rule: 'client-balancing' },
  { name: 'dockerfile-base-by-tag', file: 'deploy/Dockerfile', findRe: /(ARG DEBIAN_IMAGE=[^@\s]+)@sha256:[0-9a-f]{64}/, replace: '$1', overlays: [], rule: 'pinned' },
  { name: 'dockerfile-cmd-without-auth-keys', file: 'deploy/Dockerfile', find: ', "--auth_keys=/etc/regenatlas/auth/auth_keys"]', replace: ']', overlays: [], rule: 'cmd' },
  { name: 'dockerfile-cmd-keys-elsewhere', file: 'deploy/Dockerfile', find: '"--auth_keys=/etc/regenatlas/auth/auth_keys"]', replace: '"--auth_keys=/etc/regenatlas/keys"]', overlays: ['all-in-one'], rule: 'cmd' },
];

function makeCopy(repo) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'regenatlas-deploy-'));
  for (const e of fs.readdirSync(repo)) {
    if (e === '.git' || e === 'node_modules' || e.startsWith('build')) continue;
    const src = path.join(repo, e);
    if (e === 'deploy' || e === 'scripts' || e === '.dockerignore') fs.cpSync(src, path.join(tmp, e), { recursive: true });
    else fs.symlinkSync(src, path.join(tmp, e));
  }
  return tmp;
}

async function selfTests(repo, opts, rep) {
  const pristineRoot = makeCopy(repo);
  let pristine;
  try { pristine = await validateTree(pristineRoot, { ...opts, quiet: true }); } finally { fs.rmSync(pristineRoot, { recursive: true, force: true }); }
  rep.check('self-test', 'an unmodified copy of the tree', pristine.failed().length === 0,
    pristine.failed().length ? `fails: ${pristine.failed().map((f) => `${f.rule} ${f.subject}`).slice(0, 5).join('; ')}` : `${pristine.results.length} checks pass`);
  for (const m of MUTATIONS) {
    if (m.needsBin && !opts.bin) { rep.info(`self-test ${m.name} skipped: needs REGENATLAS_BIN`); continue; }
    const root = makeCopy(repo);
    try {
      const file = path.join(root, m.file);
      const text = fs.readFileSync(file, 'utf8');
      const found = m.findRe ? m.findRe.test(text) : text.includes(m.find);
      if (!found) { rep.check('self-test', m.name, false, `mutation target not found in ${m.file}: ${m.findRe ? String(m.findRe) : JSON.stringify(m.find)}`); continue; }
      fs.writeFileSync(file, text.replace(m.findRe || m.find, m.replace));
      const r = await validateTree(root, { ...opts, quiet: true, overlays: m.overlays });
      const hit = r.failed(m.rule);
      const cleanBefore = pristine.passed(m.rule).length > 0 && pristine.failed(m.rule).length === 0;
      rep.check('self-test', `${m.name} (${m.file})`, hit.length > 0 && cleanBefore,
        hit.length ? `rejected by ${hit[0].rule}: ${hit[0].subject}${hit[0].detail ? ' — ' + hit[0].detail.slice(0, 160) : ''}` : `NOT rejected by rule ${m.rule}`);
    } finally { fs.rmSync(root, { recursive: true, force: true }); }
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const get = (f) => { const i = argv.indexOf(f); return i >= 0 ? argv[i + 1] : undefined; };
  const repo = path.resolve(get('--repo') || path.join(SCRIPT_DIR, '..', '..'));
  const rep = new Report(false);
  const nm = findNodeModules();
  let yaml = null;
  try {
    yaml = await import('yaml');
    await import('kubernetes-models/apps/v1/Deployment');
  } catch (e) { /* reported below */ }
  const kubectl = process.env.KUBECTL || 'kubectl';
  const kv = run(kubectl, ['version', '--client']);
  const deps = rep.check('setup', 'npm packages yaml and kubernetes-models, kubectl with kustomize', yaml && nm && kv.code === 0,
    `${kubectl}: ${kv.code === 0 ? kv.stdout.split('\n').filter(Boolean).join(' / ').slice(0, 160) : 'not runnable: ' + kv.stderr.slice(0, 200)}` + (yaml && nm ? '' : '; run scripts/setup.sh (npm install)'));
  if (deps) {
    // kubectl 1.20 and older embed kustomize v2.0.3, which knows neither
    // directories under `resources` nor `patches`: say so instead of failing
    // every render with a parse error.
    const vj = run(kubectl, ['version', '--client', '-o', 'json']);
    let minor = NaN, kustomizeVersion = '';
    try { const j = JSON.parse(vj.stdout); minor = parseInt(j.clientVersion?.minor, 10); kustomizeVersion = j.kustomizeVersion || ''; } catch { /* reported below */ }
    rep.check('setup', `kubectl 1.${Number.isNaN(minor) ? '?' : minor} renders current kustomize syntax (resources: directories, patches: with target; needs 1.${MIN_KUBECTL_MINOR}+)`,
      minor >= MIN_KUBECTL_MINOR,
      minor >= MIN_KUBECTL_MINOR ? `kustomize ${kustomizeVersion || '(version not printed)'}` : `too old: its kustomize cannot render deploy/; set KUBECTL to kubectl 1.${MIN_KUBECTL_MINOR} or newer`);
    const bin = process.env.REGENATLAS_BIN || '';
    const flags = await loadFlags(bin, rep);
    const opts = { kubectl, yaml, types: new TypeIndex(nm), bin, flags };
    const main = await validateTree(repo, opts);
    rep.results.push(...main.results);
    if (!argv.includes('--no-self-tests')) await selfTests(repo, opts, rep);
  }
  const failed = rep.results.filter((r) => !r.ok).length;
  const passed = rep.results.length - failed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
