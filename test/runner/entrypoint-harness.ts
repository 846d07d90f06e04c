// Runs runner/entrypoint.py as the container would, against a fake run.sh and a fake Docker daemon.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { JIT_CONFIG_VARIABLE } from '../../statemachine/contracts';

export const ENTRYPOINT = resolve(__dirname, '../../runner/entrypoint.py');

/** What the fake run.sh does after it connected and listened. */
export type FakeScenario =
  /** Runs one job (FAKE_JOB_SECONDS long), then exits with FAKE_EXIT_CODE. */
  | 'job'
  /** Never gets a job; exits 0 on SIGTERM/SIGINT. */
  | 'idle'
  /** Starts a job that never ends; exits 0 on SIGTERM/SIGINT. */
  | 'busy'
  /** Starts a job that never ends and ignores SIGTERM/SIGINT (only SIGKILL stops it). */
  | 'stubborn';

// A stand-in for actions/runner's run.sh: prints what the real listener prints, records what it was given.
const FAKE_RUN_SH = `#!/usr/bin/env bash
set -u
state="$FAKE_STATE_DIR"
scenario="\${FAKE_SCENARIO:-job}"
printf '%s\\n' "$@" > "$state/argv"
env > "$state/env"

on_signal() {
  echo "$1" >> "$state/signals"
  [ "$scenario" = stubborn ] && return
  echo "Exiting runner..."
  exit 0
}
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT

# Sleeps in the background so that a trapped signal interrupts them; their output goes nowhere so they never
# hold the entrypoint's pipe open.
pause() { sleep "\${FAKE_STEP_SECONDS:-0.05}" >/dev/null 2>&1 & wait $!; }
wait_forever() { while true; do sleep 0.1 >/dev/null 2>&1 & wait $!; done; }
stamp() { date -u '+%Y-%m-%d %H:%M:%SZ'; }

echo "√ Connected to GitHub"
echo ""
echo "Current runner version: '2.337.0'"
pause
echo "$(stamp): Listening for Jobs"
[ "\${FAKE_PRINT_ARGS:-}" = 1 ] && echo "fake run.sh argv: $*"
[ "\${FAKE_PRINT_ARGS:-}" = 1 ] && echo "fake run.sh stderr argv: $*" >&2
pause
[ "$scenario" = idle ] && wait_forever
echo "$(stamp): Running job: build"
sleep "\${FAKE_JOB_SECONDS:-0.05}" >/dev/null 2>&1 & wait $!
case "$scenario" in busy|stubborn) wait_forever ;; esac
echo "$(stamp): Job build completed with result: Succeeded"
echo "Exiting runner..."
exit "\${FAKE_EXIT_CODE:-0}"
`;

/** A fresh RUNNER_HOME holding the fake run.sh, and the directory where it records what it saw. */
export class FakeRunnerHome {
  readonly home = mkdtempSync(join(tmpdir(), 'runner-home-'));
  readonly stateDir = mkdtempSync(join(tmpdir(), 'runner-state-'));

  constructor() {
    writeFileSync(join(this.home, 'run.sh'), FAKE_RUN_SH, { mode: 0o755 });
  }

  /** The arguments run.sh was started with, one per element; undefined when it never started. */
  argv(): string[] | undefined {
    return this.readLines('argv');
  }

  /** The environment run.sh saw, as a map; undefined when it never started. */
  env(): Map<string, string> | undefined {
    const lines = this.readLines('env');
    if (lines === undefined) return undefined;
    return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }

  /** The signals run.sh trapped, in order (TERM, INT). */
  signals(): string[] {
    return this.readLines('signals') ?? [];
  }

  remove(): void {
    rmSync(this.home, { recursive: true, force: true });
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  private readLines(name: string): string[] | undefined {
    const path = join(this.stateDir, name);
    if (!existsSync(path)) return undefined;
    return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
  }
}

/** A fake Docker daemon on 127.0.0.1: GET /_ping answers 503 until `readyAfterMs` after the first ping, then 200 "OK". */
export class FakeDockerDaemon {
  pings = 0;
  private firstPingAt: number | undefined;
  private readonly server: Server;

  private constructor(private readonly readyAfterMs: number | 'never') {
    this.server = createServer((request, response) => {
      if (request.url !== '/_ping') {
        response.writeHead(404).end();
        return;
      }
      this.pings += 1;
      this.firstPingAt ??= Date.now();
      const ready = this.readyAfterMs !== 'never' && Date.now() - this.firstPingAt >= this.readyAfterMs;
      response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'OK' : 'starting');
    });
  }

  static async start(readyAfterMs: number | 'never'): Promise<FakeDockerDaemon> {
    const daemon = new FakeDockerDaemon(readyAfterMs);
    await new Promise<void>((done) => daemon.server.listen(0, '127.0.0.1', done));
    return daemon;
  }

  get dockerHost(): string {
    return `tcp://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

/** A TCP port on 127.0.0.1 where nothing listens: a Docker daemon that never came up. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** A JIT config as GitHub encodes it (base64 JSON), unique per call so a leak cannot be a coincidence. */
function fakeJitConfig(): string {
  const secret = { '.runner': randomUUID(), '.credentials': randomUUID(), '.credentials_rsaparams': randomUUID() };
  return Buffer.from(JSON.stringify(secret)).toString('base64');
}

export interface EntrypointLine {
  level: string;
  message: string;
  source: string;
  time: string;
  [field: string]: unknown;
}

export interface EntrypointResult {
  exitCode: number | null;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
  stderr: string;
  /** stdout parsed as JSON lines. */
  lines: EntrypointLine[];
  durationMs: number;
}

export class RunningEntrypoint {
  private readonly result: Promise<EntrypointResult>;
  private output = '';
  private readonly child: ChildProcess;
  private readonly startedAt = Date.now();

  constructor(
    env: Record<string, string>,
    private readonly jitConfig: string | undefined,
  ) {
    this.child = spawn('python3', [ENTRYPOINT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      this.output += chunk.toString('utf8');
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      this.output += chunk.toString('utf8');
    });
    this.result = new Promise((done, fail) => {
      this.child.on('error', fail);
      this.child.on('close', (exitCode) =>
        done({ exitCode, output: this.output, stderr, lines: parseLines(stdout), durationMs: Date.now() - this.startedAt }),
      );
    });
  }

  /** The entrypoint's exit and output; fails the test if the JIT config appears anywhere in that output. */
  async finished(): Promise<EntrypointResult> {
    const result = await this.result;
    if (this.jitConfig) expect(result.output).not.toContain(this.jitConfig);
    return result;
  }

  /** Resolves once the combined output contains `text`; fails after `timeoutMs`. */
  async waitForOutput(text: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (Date.now() > deadline) throw new Error(`entrypoint never printed ${JSON.stringify(text)}:\n${this.output}`);
      await new Promise((wake) => setTimeout(wake, 10));
    }
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }
}

/** One test's world: a fake RUNNER_HOME, a JIT config of its own, and a way to start the entrypoint in it. */
export class EntrypointFixture {
  readonly jitConfig = fakeJitConfig();
  readonly runnerHome = new FakeRunnerHome();

  /** Starts the entrypoint with the JIT config, the fake run.sh and short timeouts; `undefined` removes a variable. */
  readonly start = (overrides: Record<string, string | undefined> & { FAKE_SCENARIO?: FakeScenario } = {}): RunningEntrypoint => {
    const env: Record<string, string | undefined> = {
      [JIT_CONFIG_VARIABLE]: this.jitConfig,
      RUNNER_HOME: this.runnerHome.home,
      FAKE_STATE_DIR: this.runnerHome.stateDir,
      FAKE_SCENARIO: 'job',
      IDLE_TIMEOUT_SECONDS: '10',
      STOP_TIMEOUT_SECONDS: '5',
      ...overrides,
    };
    const defined = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return new RunningEntrypoint(containerEnv(defined), this.jitConfig);
  };

  remove(): void {
    this.runnerHome.remove();
  }
}

function parseLines(stdout: string): EntrypointLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EntrypointLine);
}

/** The environment of a container: nothing from the developer's shell leaks in (DOCKER_HOST in particular). */
function containerEnv(overrides: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...overrides };
}
