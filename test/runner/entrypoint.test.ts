// Black-box tests of runner/entrypoint.py: a real python3 process, a fake run.sh, a fake Docker daemon.
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { JIT_CONFIG_VARIABLE, RUNNER_EXIT_CODE } from '../../statemachine/contracts';
import { closedPort, ENTRYPOINT, EntrypointFixture, type EntrypointLine, type EntrypointResult, FakeDockerDaemon } from './entrypoint-harness';

// Each test owns its fixture (own RUNNER_HOME, own JIT config), so the tests can run concurrently.
const fixtures: EntrypointFixture[] = [];
afterAll(() => fixtures.forEach((fixture) => fixture.remove()));

function newFixture(): EntrypointFixture {
  const fixture = new EntrypointFixture();
  fixtures.push(fixture);
  return fixture;
}

function entrypointLines(result: EntrypointResult): EntrypointLine[] {
  return result.lines.filter((line) => line.source === 'entrypoint');
}

function lineIndex(result: EntrypointResult, message: string): number {
  return result.lines.findIndex((line) => line.message.includes(message));
}

describe('runner entrypoint: one job', () => {
  test.concurrent('starts run.sh with --jitconfig <value> and exits 0 when the job is done', async () => {
    // GIVEN a runner that takes one job and then exits 0
    const { start, runnerHome, jitConfig } = newFixture();
    // WHEN the entrypoint runs
    const result = await start().finished();

    // THEN run.sh got the JIT config as its argument, and the exit code says the job is done
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.ok);
    expect(runnerHome.argv()).toEqual(['--jitconfig', jitConfig]);
    expect(result.lines).toContainEqual(expect.objectContaining({ source: 'runner', message: expect.stringContaining('Running job: build') as string }));
    expect(result.lines).toContainEqual(
      expect.objectContaining({ message: 'run.sh finished', jobStarted: true, job: 'build', jobResult: 'Succeeded', runExitCode: 0 }),
    );
    expect(result.lines.at(-1)).toMatchObject({ message: 'entrypoint exiting', exitCode: RUNNER_EXIT_CODE.ok });
  });

  test.concurrent('removes the JIT config from the environment that run.sh and its jobs see', async () => {
    // GIVEN the JIT config in the container's environment, as the ECS environment file delivers it
    const { start, runnerHome, jitConfig } = newFixture();
    // WHEN the entrypoint starts run.sh
    const result = await start({ SOME_JOB_SETTING: 'kept' }).finished();

    // THEN run.sh sees the rest of the environment but not the JIT config, under any name
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.ok);
    const env = runnerHome.env();
    expect(env?.get('SOME_JOB_SETTING')).toBe('kept');
    expect(env?.has(JIT_CONFIG_VARIABLE)).toBe(false);
    expect([...(env?.values() ?? [])]).not.toContain(jitConfig);
  });

  test.concurrent('masks the JIT config if the runner ever prints it, on stdout or stderr', async () => {
    // GIVEN a runner that prints its own arguments on both streams
    const { start } = newFixture();
    // WHEN the entrypoint forwards its output
    const result = await start({ FAKE_PRINT_ARGS: '1' }).finished();

    // THEN the lines are forwarded with the value masked (afterEach checks that the value itself never appears)
    expect(result.lines).toContainEqual(expect.objectContaining({ source: 'runner', message: 'fake run.sh argv: --jitconfig ***' }));
    expect(result.lines).toContainEqual(expect.objectContaining({ source: 'runner', message: 'fake run.sh stderr argv: --jitconfig ***' }));
  });

  test.concurrent('writes every line as one JSON object with level, message, source and time, and nothing on stderr', async () => {
    // GIVEN a runner that prints its usual lines, an empty one among them
    const { start } = newFixture();
    // WHEN the entrypoint runs
    const result = await start().finished();

    // THEN every stdout line parsed as JSON (the harness parses them) and carries the common fields
    expect(result.stderr).toBe('');
    expect(result.lines.length).toBeGreaterThan(5);
    for (const line of result.lines) {
      expect(typeof line.level).toBe('string');
      expect(typeof line.message).toBe('string');
      expect(['entrypoint', 'runner']).toContain(line.source);
      expect(Date.parse(line.time)).not.toBeNaN();
    }
    expect(result.lines).toContainEqual(expect.objectContaining({ source: 'runner', message: '√ Connected to GitHub' }));
  });

  test.concurrent('exits 12 (runner failed) when run.sh exits with a non-zero code', async () => {
    // GIVEN a runner that exits 3
    const { start } = newFixture();
    // WHEN the entrypoint runs
    const result = await start({ FAKE_EXIT_CODE: '3' }).finished();

    // THEN the entrypoint reports the failure and why
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.runnerFailed);
    expect(entrypointLines(result)).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'runner failed: run.sh exited with code 3', runExitCode: 3 }),
    );
  });

  test.concurrent('exits 12 (runner failed) and says why when run.sh cannot be started', async () => {
    // GIVEN a RUNNER_HOME without run.sh
    const { start, runnerHome } = newFixture();
    const emptyHome = runnerHome.stateDir;

    // WHEN the entrypoint runs
    const result = await start({ RUNNER_HOME: emptyHome }).finished();

    // THEN it fails with the path and the reason
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.runnerFailed);
    expect(entrypointLines(result)).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'runner failed: could not start run.sh',
        path: `${emptyHome}/run.sh`,
        error: expect.stringContaining('No such file or directory') as string,
      }),
    );
  });

  test.concurrent.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '  \n'],
  ])('exits 10 without starting run.sh when the JIT config is %s', async (_case, value) => {
    // GIVEN no usable JIT config in the environment
    const { start, runnerHome } = newFixture();
    // WHEN the entrypoint runs
    const result = await start({ [JIT_CONFIG_VARIABLE]: value }).finished();

    // THEN it names the variable, exits 10 and never starts the runner
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.missingJitConfig);
    expect(result.lines[0]).toMatchObject({ level: 'error', message: expect.stringContaining(JIT_CONFIG_VARIABLE) as string });
    expect(runnerHome.argv()).toBeUndefined();
  });

  test.concurrent.each(['IDLE_TIMEOUT_SECONDS', 'STOP_TIMEOUT_SECONDS', 'DOCKER_WAIT_SECONDS'])(
    'exits 12 naming the variable and the bad value when %s is not a positive number',
    async (variable) => {
      // GIVEN a malformed setting
      const { start, runnerHome } = newFixture();
      // WHEN the entrypoint runs
      const result = await start({ [variable]: 'five' }).finished();

      // THEN it fails before starting anything, with a message that says what to fix
      expect(result.exitCode).toBe(RUNNER_EXIT_CODE.runnerFailed);
      expect(result.lines[0]).toMatchObject({ level: 'error', message: `runner failed: ${variable} must be a positive number of seconds, got 'five'` });
      expect(runnerHome.argv()).toBeUndefined();
    },
  );
});

describe('runner entrypoint: idle timeout', () => {
  test.concurrent('exits 0 and stops run.sh with SIGTERM when no job starts within IDLE_TIMEOUT_SECONDS', async () => {
    // GIVEN a runner that connects but never gets a job, and a short idle timeout
    const { start, runnerHome } = newFixture();
    // WHEN the entrypoint runs
    const result = await start({ FAKE_SCENARIO: 'idle', IDLE_TIMEOUT_SECONDS: '0.5' }).finished();

    // THEN it stops the runner with SIGTERM soon after the timeout and exits 0
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.ok);
    expect(runnerHome.signals()).toEqual(['TERM']);
    expect(result.durationMs).toBeGreaterThanOrEqual(500);
    expect(result.durationMs).toBeLessThan(5000);
    expect(entrypointLines(result)).toContainEqual(
      expect.objectContaining({ message: 'no job started within the idle timeout: stopping the runner', idleTimeoutSeconds: 0.5, connected: true }),
    );
  });

  test.concurrent('lets a job that started before the idle timeout run past it', async () => {
    // GIVEN a job that starts at once and lasts longer than the idle timeout
    const { start, runnerHome } = newFixture();
    // WHEN the entrypoint runs
    const result = await start({ IDLE_TIMEOUT_SECONDS: '1', FAKE_JOB_SECONDS: '1.5' }).finished();

    // THEN the job is not interrupted
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.ok);
    expect(runnerHome.signals()).toEqual([]);
    expect(result.lines).toContainEqual(expect.objectContaining({ message: 'run.sh finished', jobResult: 'Succeeded' }));
  });
});

describe('runner entrypoint: stop signals', () => {
  test.concurrent.each([
    ['SIGTERM', 'TERM', RUNNER_EXIT_CODE.terminated],
    ['SIGINT', 'INT', RUNNER_EXIT_CODE.interrupted],
  ] as const)('exits 128+signal after forwarding %s to run.sh during a job', async (signalName, trapped, exitCode) => {
    // GIVEN a runner in the middle of a job
    const { start, runnerHome } = newFixture();
    const running = start({ FAKE_SCENARIO: 'busy' });
    await running.waitForOutput('Running job: build');

    // WHEN the container is told to stop
    running.signal(signalName);
    const result = await running.finished();

    // THEN run.sh got the same signal, and the exit code says "stopped", not "done"
    expect(result.exitCode).toBe(exitCode);
    expect(runnerHome.signals()).toEqual([trapped]);
    expect(entrypointLines(result)).toContainEqual(
      expect.objectContaining({ message: `received ${signalName}: stopping the runner`, jobStarted: true }),
    );
  });

  test.concurrent('exits 143 after killing a run.sh that ignores SIGTERM for STOP_TIMEOUT_SECONDS', async () => {
    // GIVEN a runner that traps SIGTERM and carries on, and a short stop timeout
    const { start, runnerHome } = newFixture();
    const running = start({ FAKE_SCENARIO: 'stubborn', STOP_TIMEOUT_SECONDS: '0.5' });
    await running.waitForOutput('Running job: build');

    // WHEN the container is told to stop
    const signalledAt = Date.now();
    running.signal('SIGTERM');
    const result = await running.finished();

    // THEN the entrypoint waits out the grace period, kills the runner, and still exits as "stopped"
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.terminated);
    expect(runnerHome.signals()).toEqual(['TERM']);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(500);
    expect(Date.now() - signalledAt).toBeLessThan(5000);
    expect(entrypointLines(result)).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'run.sh did not stop within the grace period: killing it' }),
    );
  });

  test.concurrent('exits 143 without starting run.sh when SIGTERM arrives while it waits for Docker', async () => {
    // GIVEN a Docker daemon that is not ready yet
    const { start, runnerHome } = newFixture();
    const docker = await FakeDockerDaemon.start('never');
    try {
      const running = start({ DOCKER_HOST: docker.dockerHost, DOCKER_WAIT_SECONDS: '30' });
      await running.waitForOutput('waiting for the Docker daemon');

      // WHEN the task is stopped (a Spot interruption, say)
      running.signal('SIGTERM');
      const result = await running.finished();

      // THEN the entrypoint stops waiting at once and never starts the runner
      expect(result.exitCode).toBe(RUNNER_EXIT_CODE.terminated);
      expect(result.durationMs).toBeLessThan(5000);
      expect(runnerHome.argv()).toBeUndefined();
    } finally {
      await docker.stop();
    }
  });
});

describe('runner entrypoint: Docker sidecar', () => {
  test.concurrent('waits until the daemon answers /_ping, then starts run.sh with DOCKER_HOST passed on', async () => {
    // GIVEN a Docker daemon that becomes ready after 700 ms
    const { start, runnerHome } = newFixture();
    const docker = await FakeDockerDaemon.start(700);
    try {
      // WHEN the entrypoint runs with DOCKER_HOST pointing at it
      const result = await start({ DOCKER_HOST: docker.dockerHost }).finished();

      // THEN it polled until the daemon was ready, started the runner only then, and the job can reach Docker
      expect(result.exitCode).toBe(RUNNER_EXIT_CODE.ok);
      expect(result.durationMs).toBeGreaterThanOrEqual(700);
      expect(docker.pings).toBeGreaterThanOrEqual(2);
      expect(lineIndex(result, 'Docker daemon is ready')).toBeGreaterThanOrEqual(0);
      expect(lineIndex(result, 'Docker daemon is ready')).toBeLessThan(lineIndex(result, 'run.sh started'));
      expect(runnerHome.env()?.get('DOCKER_HOST')).toBe(docker.dockerHost);
    } finally {
      await docker.stop();
    }
  });

  test.concurrent('exits 11 quickly when the daemon never answers OK within DOCKER_WAIT_SECONDS', async () => {
    // GIVEN a daemon that keeps answering 503
    const { start, runnerHome } = newFixture();
    const docker = await FakeDockerDaemon.start('never');
    try {
      // WHEN the entrypoint waits at most 0.6 s
      const result = await start({ DOCKER_HOST: docker.dockerHost, DOCKER_WAIT_SECONDS: '0.6' }).finished();

      // THEN it gives up after the wait, says why, and never starts the runner
      expect(result.exitCode).toBe(RUNNER_EXIT_CODE.dockerNotReady);
      expect(result.durationMs).toBeGreaterThanOrEqual(600);
      expect(result.durationMs).toBeLessThan(5000);
      expect(entrypointLines(result)).toContainEqual(
        expect.objectContaining({ level: 'error', dockerHost: docker.dockerHost, lastError: '/_ping answered HTTP 503' }),
      );
      expect(runnerHome.argv()).toBeUndefined();
    } finally {
      await docker.stop();
    }
  });

  test.concurrent('exits 11 when nothing listens on DOCKER_HOST', async () => {
    // GIVEN a DOCKER_HOST where no daemon listens
    const { start } = newFixture();
    const dockerHost = `tcp://127.0.0.1:${await closedPort()}`;

    // WHEN the entrypoint waits at most 0.5 s
    const result = await start({ DOCKER_HOST: dockerHost, DOCKER_WAIT_SECONDS: '0.5' }).finished();

    // THEN it fails as "Docker not ready", with the connection error
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.dockerNotReady);
    expect(result.durationMs).toBeLessThan(5000);
    expect(entrypointLines(result)).toContainEqual(
      expect.objectContaining({ level: 'error', lastError: expect.stringContaining('ConnectionRefusedError') as string }),
    );
  });

  test.concurrent('does not wait for Docker when DOCKER_HOST is not set', async () => {
    // GIVEN a runner class without Docker (no DOCKER_HOST), and a Docker wait that would be noticed
    const { start } = newFixture();
    // WHEN the entrypoint runs
    const result = await start({ DOCKER_WAIT_SECONDS: '30' }).finished();

    // THEN it starts the runner straight away
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.ok);
    expect(result.durationMs).toBeLessThan(5000);
    expect(lineIndex(result, 'waiting for the Docker daemon')).toBe(-1);
    expect(lineIndex(result, 'DOCKER_HOST is not set: not waiting for Docker')).toBeGreaterThanOrEqual(0);
  });

  test.concurrent('exits 12 naming DOCKER_HOST when it is not a tcp:// address', async () => {
    // GIVEN a Docker socket path instead of the sidecar's TCP address
    const { start } = newFixture();
    // WHEN the entrypoint runs
    const result = await start({ DOCKER_HOST: 'unix:///var/run/docker.sock' }).finished();

    // THEN it fails with a message that shows the expected form
    expect(result.exitCode).toBe(RUNNER_EXIT_CODE.runnerFailed);
    expect(result.lines[0]?.message).toBe(
      "runner failed: DOCKER_HOST must look like tcp://127.0.0.1:2375, got 'unix:///var/run/docker.sock'",
    );
  });
});

describe('runner entrypoint: contract with the lifecycle', () => {
  test('defines the exit codes and the JIT variable exactly as statemachine/contracts.ts does', () => {
    // GIVEN the constants of entrypoint.py, read by importing the module (main() does not run on import)
    const script = [
      'import json, entrypoint as e',
      'print(json.dumps({"exitCodes": {"ok": e.EXIT_OK, "missingJitConfig": e.EXIT_MISSING_JIT_CONFIG,',
      '  "dockerNotReady": e.EXIT_DOCKER_NOT_READY, "runnerFailed": e.EXIT_RUNNER_FAILED,',
      '  "terminated": e.EXIT_TERMINATED, "interrupted": e.EXIT_INTERRUPTED},',
      '  "jitConfigVariable": e.JIT_CONFIG_VARIABLE}))',
    ].join('\n');

    // WHEN they are printed
    const printed = execFileSync('python3', ['-B', '-c', script], { cwd: dirname(ENTRYPOINT), encoding: 'utf8' });

    // THEN they equal the contract, name for name
    expect(JSON.parse(printed)).toEqual({ exitCodes: RUNNER_EXIT_CODE, jitConfigVariable: JIT_CONFIG_VARIABLE });
  });
});
