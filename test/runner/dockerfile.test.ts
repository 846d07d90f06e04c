// Static checks of runner/Dockerfile (no Docker engine here): what it pins, verifies and runs as.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JIT_CONFIG_VARIABLE } from '../../statemachine/contracts';

const RUNNER_DIR = join(__dirname, '../../runner');
const dockerfile = readFileSync(join(RUNNER_DIR, 'Dockerfile'), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with their continuation lines joined and comment lines dropped, as the builder reads them. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    pending += `${line.replace(/\\\s*$/, '')} `;
    if (continued) continue;
    const match = /^\s*(\S+)\s+([\s\S]*?)\s*$/.exec(pending);
    if (match?.[1] && match[2] !== undefined) instructions.push({ keyword: match[1].toUpperCase(), args: match[2] });
    pending = '';
  }
  return instructions;
}

const instructions = parseDockerfile(dockerfile);
const runs = instructions.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.args);

/** The default value of a build ARG, or undefined when the ARG is missing or has no default. */
function argDefault(name: string): string | undefined {
  const declaration = instructions.find((instruction) => instruction.keyword === 'ARG' && instruction.args.startsWith(`${name}=`));
  return declaration?.args.slice(name.length + 1);
}

function runThatMentions(text: string): string {
  const run = runs.find((command) => command.includes(text));
  if (run === undefined) throw new Error(`no RUN instruction mentions ${text}`);
  return run;
}

describe('runner image Dockerfile', () => {
  test('pins the actions/runner version as a build ARG and downloads exactly that release', () => {
    // GIVEN the Dockerfile
    // WHEN we read the runner version and its download
    const download = runThatMentions('github.com/actions/runner/releases/download');

    // THEN the version is a fixed x.y.z and the URL is built from it and the architecture
    expect(argDefault('RUNNER_VERSION')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(download).toContain(
      'https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/actions-runner-linux-${runner_arch}-${RUNNER_VERSION}.tar.gz',
    );
  });

  test('verifies the runner tarball with sha256sum against a checksum ARG per architecture, before unpacking it', () => {
    // GIVEN the Dockerfile
    const download = runThatMentions('actions-runner-linux-');

    // WHEN we read the checksum ARGs and the download step
    const x64 = argDefault('RUNNER_SHA256_X64');
    const arm64 = argDefault('RUNNER_SHA256_ARM64');

    // THEN both are real SHA-256 values, chosen by TARGETARCH, checked before tar runs
    expect(x64).toMatch(/^[0-9a-f]{64}$/);
    expect(arm64).toMatch(/^[0-9a-f]{64}$/);
    expect(x64).not.toBe(arm64);
    expect(download).toContain('${TARGETARCH');
    expect(download).toContain('amd64) runner_arch=x64; sha256="${RUNNER_SHA256_X64}" ;;');
    expect(download).toContain('arm64) runner_arch=arm64; sha256="${RUNNER_SHA256_ARM64}" ;;');
    expect(download.indexOf('sha256sum --check')).toBeGreaterThan(-1);
    expect(download.indexOf('sha256sum --check')).toBeLessThan(download.indexOf('tar -x'));
  });

  test('fails the build with a clear message when a checksum ARG is empty or the architecture is unknown', () => {
    // GIVEN the download step
    const download = runThatMentions('actions-runner-linux-');

    // WHEN we look for its guards
    // THEN an empty checksum and an unknown architecture both stop the build with a message
    expect(download).toMatch(/if \[ -z "\$\{sha256\}" \]; then\s+echo "no SHA-256 for the [^"]+" >&2;\s+exit 1;/);
    expect(download).toMatch(/\*\) echo "unsupported architecture [^"]+" >&2; exit 1 ;;/);
  });

  test('builds FROM a versioned base image, never latest, pinned by digest', () => {
    // GIVEN every FROM of the Dockerfile
    const bases = instructions.filter((instruction) => instruction.keyword === 'FROM').map((instruction) => instruction.args.split(/\s+/)[0] ?? '');

    // WHEN we split each reference into name, tag and digest
    // THEN each has a dated or numbered tag (not latest) and a sha256 digest
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) {
      const reference = /^(?<name>[^:@]+):(?<tag>[^@]+)@(?<digest>sha256:[0-9a-f]{64})$/.exec(base);
      expect(reference?.groups?.tag).toMatch(/\d/);
      expect(reference?.groups?.tag).not.toMatch(/latest/i);
    }
    expect(dockerfile).not.toMatch(/:latest\b/);
  });

  test('runs as a non-root user set before the ENTRYPOINT', () => {
    // GIVEN the order of the instructions
    const entrypointAt = instructions.findIndex((instruction) => instruction.keyword === 'ENTRYPOINT');
    const users = instructions.slice(0, entrypointAt).filter((instruction) => instruction.keyword === 'USER');

    // WHEN we take the last USER before the ENTRYPOINT
    const user = users.at(-1)?.args;

    // THEN it is set, not root, and no USER after it switches back
    expect(entrypointAt).toBeGreaterThan(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(instructions.slice(entrypointAt).some((instruction) => instruction.keyword === 'USER')).toBe(false);
  });

  test('removes the apt lists in every RUN that fills them', () => {
    // GIVEN the RUN instructions that update apt or run the runner's installdependencies.sh (which does)
    const aptRuns = runs.filter((command) => command.includes('apt-get update') || command.includes('installdependencies.sh'));

    // WHEN we look at how each ends
    // THEN each removes /var/lib/apt/lists after its last apt use, so no layer keeps them
    expect(aptRuns.length).toBeGreaterThanOrEqual(2);
    expect(runThatMentions('installdependencies.sh')).toContain('./bin/installdependencies.sh');
    for (const command of aptRuns) {
      const lastAptUse = Math.max(command.lastIndexOf('apt-get'), command.lastIndexOf('installdependencies.sh'));
      expect(command.lastIndexOf('rm -rf /var/lib/apt/lists/*')).toBeGreaterThan(lastAptUse);
    }
  });

  test('installs the tools jobs and the entrypoint need', () => {
    // GIVEN the apt installs
    const installs = runs.filter((command) => command.includes('apt-get install')).join(' ');

    // WHEN we look for each tool
    // THEN git, curl, ca-certificates, jq, unzip and python3 are there
    for (const tool of ['git', 'curl', 'ca-certificates', 'jq', 'unzip', 'python3']) expect(installs).toMatch(new RegExp(`\\s${tool}(\\s|$)`));
  });

  test('pins the Docker CLI and buildx versions and verifies the Docker apt key', () => {
    // GIVEN the Docker install step
    const docker = runThatMentions('docker-ce-cli');

    // WHEN we read the version ARGs
    // THEN both are fixed x.y.z versions used in exact package pins, and the repository key is checked
    expect(argDefault('DOCKER_VERSION')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(argDefault('BUILDX_VERSION')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(docker).toContain('"docker-ce-cli=5:${DOCKER_VERSION}-1~ubuntu.24.04~noble"');
    expect(docker).toContain('"docker-buildx-plugin=${BUILDX_VERSION}-1~ubuntu.24.04~noble"');
    expect(argDefault('DOCKER_APT_KEY_SHA256')).toMatch(/^[0-9a-f]{64}$/);
    expect(docker).toContain('echo "${DOCKER_APT_KEY_SHA256}  /etc/apt/keyrings/docker.asc" | sha256sum --check');
    expect(docker).not.toMatch(/docker-ce(\s|$)/);
  });

  test('labels the image with the versions it contains', () => {
    // GIVEN the LABEL instructions
    const labels = instructions.filter((instruction) => instruction.keyword === 'LABEL').map((instruction) => instruction.args).join(' ');

    // WHEN we look for the versions
    // THEN the OCI version label and the tool versions are there
    expect(labels).toContain('org.opencontainers.image.version="${RUNNER_VERSION}"');
    expect(labels).toContain('runner.docker-cli.version="${DOCKER_VERSION}"');
    expect(labels).toContain('runner.docker-buildx.version="${BUILDX_VERSION}"');
  });

  test('starts the entrypoint in exec form, from the path the entrypoint is copied to', () => {
    // GIVEN the ENTRYPOINT and the COPY of entrypoint.py
    const entrypoint = instructions.find((instruction) => instruction.keyword === 'ENTRYPOINT')?.args ?? '';
    const copy = instructions.find((instruction) => instruction.keyword === 'COPY' && instruction.args.startsWith('entrypoint.py '));

    // WHEN the ENTRYPOINT is read as JSON (exec form: python3 is PID 1 and receives SIGTERM itself)
    const argv: unknown = JSON.parse(entrypoint);

    // THEN it runs python3 on the copied file, with no shell in between
    expect(argv).toEqual(['/usr/bin/python3', copy?.args.split(/\s+/)[1]]);
    expect(instructions.some((instruction) => instruction.keyword === 'CMD')).toBe(false);
  });

  test('lets run.sh trap stop signals itself and pass them to the listener', () => {
    // GIVEN the ENV instructions
    const env = instructions.filter((instruction) => instruction.keyword === 'ENV').map((instruction) => instruction.args);

    // WHEN we look for the runner's signal switch
    // THEN it is on
    expect(env).toContain('RUNNER_MANUALLY_TRAP_SIG=1');
  });

  test('rejects anything that looks like a credential, and never mentions the JIT config', () => {
    // GIVEN the whole Dockerfile text
    // WHEN we scan it for credential shapes
    const credentialShapes = [
      /gh[pousr]_[A-Za-z0-9]{20,}/, // GitHub tokens
      /github_pat_[A-Za-z0-9_]{20,}/,
      /AKIA[0-9A-Z]{16}/, // AWS access key ids
      /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
      /\b(ARG|ENV)\s+\w*(TOKEN|SECRET|PASSWORD|PRIVATE_KEY|JIT)\w*/i,
    ];

    // THEN none is there: credentials arrive at run time through the task's environment file
    for (const shape of credentialShapes) expect(dockerfile).not.toMatch(shape);
    expect(dockerfile).not.toContain(JIT_CONFIG_VARIABLE);
  });

  test('sends only entrypoint.py to the build context', () => {
    // GIVEN runner/.dockerignore
    const rules = readFileSync(join(RUNNER_DIR, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));

    // WHEN we read its rules
    // THEN everything is ignored except the file the Dockerfile copies
    expect(rules).toEqual(['*', '!entrypoint.py']);
  });
});
