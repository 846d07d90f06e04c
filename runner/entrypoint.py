#!/usr/bin/env python3
"""Entrypoint of the runner container: one ephemeral GitHub Actions runner, one job, then exit.

Takes the JIT config that ECS delivered in RUNNER_JIT_CONFIG, waits for the Docker sidecar when the task has
one, runs `run.sh --jitconfig`, and exits with a code that the lifecycle's Clean up step reads. The codes must
equal RUNNER_EXIT_CODE in statemachine/contracts.ts (test/runner keeps them in step). Standard library only.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import BinaryIO, Iterable, Mapping, MutableMapping
from urllib.parse import urlsplit

EXIT_OK = 0
EXIT_MISSING_JIT_CONFIG = 10
EXIT_DOCKER_NOT_READY = 11
EXIT_RUNNER_FAILED = 12
# 128 + signal, as a shell reports it: the lifecycle tells a stopped runner from a finished one by these.
EXIT_TERMINATED = 128 + signal.SIGTERM
EXIT_INTERRUPTED = 128 + signal.SIGINT

JIT_CONFIG_VARIABLE = "RUNNER_JIT_CONFIG"
DEFAULT_RUNNER_HOME = "/home/runner"
DEFAULT_DOCKER_WAIT_SECONDS = 60.0
DEFAULT_IDLE_TIMEOUT_SECONDS = 300.0
# ECS sends SIGKILL stopTimeout (120 s) after SIGTERM: stop the runner inside that window, with room to spare.
DEFAULT_STOP_TIMEOUT_SECONDS = 110.0
DEFAULT_DOCKER_PORT = 2375
DOCKER_POLL_SECONDS = 0.25
SUPERVISE_POLL_SECONDS = 0.1
# Grandchildren can hold the output pipe open after run.sh exits; do not let them hold up the exit.
OUTPUT_DRAIN_SECONDS = 2.0
REDACTED = "***"

# What the actions/runner listener prints on its console.
CONNECTED_LINE = re.compile(r"Connected to GitHub")
JOB_STARTED_LINE = re.compile(r"Running job: (?P<job>.+?)\s*$")
JOB_COMPLETED_LINE = re.compile(r"Job (?P<job>.+) completed with result: (?P<result>\w+)")


class ConfigError(Exception):
    """A setting of the container is wrong: the message names the variable and the bad value."""


@dataclass(frozen=True)
class Settings:
    runner_home: str
    docker_address: tuple[str, int] | None
    docker_wait_seconds: float
    idle_timeout_seconds: float
    stop_timeout_seconds: float


class Log:
    """JSON lines on stdout, one flushed write per line, shared by the main thread and the output thread."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, level: str, message: str, source: str = "entrypoint", **fields: object) -> None:
        record = {"level": level, "message": message, "source": source, **fields, "time": now_iso()}
        # Encoded here, not by the stream, so a container without a UTF-8 locale cannot break logging.
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", errors="replace")
        with self._lock:
            self._stream.write(line)
            self._stream.flush()


class StopSignal:
    """Remembers the first SIGTERM or SIGINT; the main loop acts on it between polls."""

    def __init__(self) -> None:
        self.received: int | None = None

    def install(self) -> StopSignal:
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, _frame: object) -> None:
        if self.received is None:
            self.received = signum


class RunnerProgress:
    """What the runner's output said so far: written by the output thread, read by the main thread."""

    def __init__(self) -> None:
        self.connected = threading.Event()
        self.job_started = threading.Event()
        self.job: str | None = None
        self.result: str | None = None

    def observe(self, line: str) -> None:
        if CONNECTED_LINE.search(line):
            self.connected.set()
        started = JOB_STARTED_LINE.search(line)
        if started:
            self.job = started.group("job")
            self.job_started.set()
        completed = JOB_COMPLETED_LINE.search(line)
        if completed:
            self.result = completed.group("result")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def redact(text: str, secret: str) -> str:
    return text.replace(secret, REDACTED) if secret else text


def take_jit_config(environ: MutableMapping[str, str]) -> str:
    # Popped from os.environ (unsetenv), so run.sh and the processes a job starts do not inherit it. It stays in
    # this process's initial environment (/proc/1/environ) and reaches run.sh as an argument, both readable by
    # job steps running as the same user; that is acceptable only because a JIT config is single-use and the
    # runner has consumed it before any job step runs.
    return environ.pop(JIT_CONFIG_VARIABLE, "").strip()


def read_seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigError(f"{name} must be a positive number of seconds, got {raw!r}")
    return seconds


def parse_docker_host(value: str) -> tuple[str, int]:
    parts = urlsplit(value)
    try:
        port = parts.port or DEFAULT_DOCKER_PORT
    except ValueError:
        port = None
    if parts.scheme != "tcp" or not parts.hostname or port is None:
        raise ConfigError(f"DOCKER_HOST must look like tcp://127.0.0.1:2375, got {value!r}")
    return parts.hostname, port


def read_settings(env: Mapping[str, str]) -> Settings:
    docker_host = env.get("DOCKER_HOST", "").strip()
    return Settings(
        runner_home=env.get("RUNNER_HOME", "").strip() or DEFAULT_RUNNER_HOME,
        docker_address=parse_docker_host(docker_host) if docker_host else None,
        docker_wait_seconds=read_seconds(env, "DOCKER_WAIT_SECONDS", DEFAULT_DOCKER_WAIT_SECONDS),
        idle_timeout_seconds=read_seconds(env, "IDLE_TIMEOUT_SECONDS", DEFAULT_IDLE_TIMEOUT_SECONDS),
        stop_timeout_seconds=read_seconds(env, "STOP_TIMEOUT_SECONDS", DEFAULT_STOP_TIMEOUT_SECONDS),
    )


def ping_docker(address: tuple[str, int], timeout_seconds: float) -> str | None:
    """Returns None when the daemon answers GET /_ping with 200 "OK", otherwise why it did not."""
    connection = http.client.HTTPConnection(*address, timeout=timeout_seconds)
    try:
        connection.request("GET", "/_ping")
        response = connection.getresponse()
        body = response.read(64)
        if response.status == 200 and body.strip() == b"OK":
            return None
        return f"/_ping answered HTTP {response.status}"
    except (OSError, http.client.HTTPException) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        connection.close()


def wait_for_docker(address: tuple[str, int], wait_seconds: float, stop: StopSignal, log: Log) -> bool:
    host = f"tcp://{address[0]}:{address[1]}"
    log.write("info", "waiting for the Docker daemon", dockerHost=host, waitSeconds=wait_seconds)
    started = time.monotonic()
    deadline = started + wait_seconds
    problem: str | None = "no answer yet"
    while stop.received is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        problem = ping_docker(address, timeout_seconds=min(1.0, remaining))
        if problem is None:
            log.write("info", "Docker daemon is ready", dockerHost=host,
                      waitedSeconds=round(time.monotonic() - started, 2))
            return True
        time.sleep(max(0.0, min(DOCKER_POLL_SECONDS, deadline - time.monotonic())))
    if stop.received is None:
        log.write("error", "Docker daemon never answered /_ping: is the docker sidecar running and healthy?",
                  dockerHost=host, waitSeconds=wait_seconds, lastError=problem)
    return False


def start_runner(runner_home: str, jit_config: str) -> subprocess.Popen[str]:
    # A session of its own, so signals reach run.sh and its children as a process group.
    return subprocess.Popen(
        [os.path.join(runner_home, "run.sh"), "--jitconfig", jit_config],
        cwd=runner_home,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )


def forward_output(lines: Iterable[str], progress: RunnerProgress, secret: str, log: Log) -> None:
    for raw in lines:
        # The runner should never print its JIT config; if it ever does, it does not reach the logs.
        line = redact(raw.rstrip("\r\n"), secret)
        progress.observe(line)
        log.write("info", line, source="runner")


def signal_group(process: subprocess.Popen[str], signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def stop_runner(process: subprocess.Popen[str], signum: int, grace_seconds: float, log: Log) -> None:
    signal_group(process, signum)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        log.write("warn", "run.sh did not stop within the grace period: killing it", graceSeconds=grace_seconds)
        signal_group(process, signal.SIGKILL)
        process.wait()


def supervise(process: subprocess.Popen[str], progress: RunnerProgress, settings: Settings,
              stop: StopSignal, log: Log) -> int | None:
    """Returns the exit code when the entrypoint stopped the runner, None when run.sh exited by itself."""
    started = time.monotonic()
    while True:
        try:
            process.wait(timeout=SUPERVISE_POLL_SECONDS)
            return None
        except subprocess.TimeoutExpired:
            pass
        if stop.received is not None:
            log.write("info", f"received {signal.Signals(stop.received).name}: stopping the runner",
                      stopTimeoutSeconds=settings.stop_timeout_seconds, jobStarted=progress.job_started.is_set())
            stop_runner(process, stop.received, settings.stop_timeout_seconds, log)
            return 128 + stop.received
        if not progress.job_started.is_set() and time.monotonic() - started >= settings.idle_timeout_seconds:
            # The job was cancelled or another runner took it: a JIT runner would otherwise wait forever.
            log.write("info", "no job started within the idle timeout: stopping the runner",
                      idleTimeoutSeconds=settings.idle_timeout_seconds, connected=progress.connected.is_set())
            stop_runner(process, signal.SIGTERM, settings.stop_timeout_seconds, log)
            return EXIT_OK


def runner_exit_code(return_code: int, progress: RunnerProgress, log: Log) -> int:
    summary = {"runExitCode": return_code, "connected": progress.connected.is_set(),
               "jobStarted": progress.job_started.is_set(), "job": progress.job, "jobResult": progress.result}
    if return_code == 0 and progress.job_started.is_set():
        log.write("info", "run.sh finished", **summary)
        return EXIT_OK
    if return_code == 0:
        # run.sh exits 0 on most listener errors too (bad or used JIT config): say plainly that nothing ran.
        log.write("warn", "run.sh exited without running a job", **summary)
        return EXIT_OK
    reason = f"killed by signal {-return_code}" if return_code < 0 else f"exited with code {return_code}"
    log.write("error", f"runner failed: run.sh {reason}", **summary)
    return EXIT_RUNNER_FAILED


def run_runner(settings: Settings, jit_config: str, stop: StopSignal, log: Log) -> int:
    run_sh = os.path.join(settings.runner_home, "run.sh")
    try:
        process = start_runner(settings.runner_home, jit_config)
    except OSError as error:
        log.write("error", "runner failed: could not start run.sh", path=run_sh,
                  error=redact(f"{type(error).__name__}: {error.strerror or error}", jit_config))
        return EXIT_RUNNER_FAILED
    log.write("info", "run.sh started", path=run_sh, pid=process.pid,
              idleTimeoutSeconds=settings.idle_timeout_seconds)
    progress = RunnerProgress()
    assert process.stdout is not None
    output = threading.Thread(target=forward_output, args=(process.stdout, progress, jit_config, log), daemon=True)
    output.start()
    stopped_code = supervise(process, progress, settings, stop, log)
    output.join(timeout=OUTPUT_DRAIN_SECONDS)
    if stopped_code is not None:
        return stopped_code
    return runner_exit_code(process.wait(), progress, log)


def run(jit_config: str, stop: StopSignal, log: Log) -> int:
    if not jit_config:
        log.write("error", f"no JIT config: {JIT_CONFIG_VARIABLE} is missing or empty "
                           "(the task's environment file should set it)")
        return EXIT_MISSING_JIT_CONFIG
    try:
        settings = read_settings(os.environ)
    except ConfigError as error:
        log.write("error", f"runner failed: {error}")
        return EXIT_RUNNER_FAILED
    if settings.docker_address is None:
        log.write("info", "DOCKER_HOST is not set: not waiting for Docker")
    else:
        ready = wait_for_docker(settings.docker_address, settings.docker_wait_seconds, stop, log)
        if not ready and stop.received is None:
            return EXIT_DOCKER_NOT_READY
    if stop.received is not None:
        log.write("info", f"received {signal.Signals(stop.received).name} before the runner started")
        return 128 + stop.received
    return run_runner(settings, jit_config, stop, log)


def main() -> int:
    log = Log(sys.stdout.buffer)
    stop = StopSignal().install()
    jit_config = take_jit_config(os.environ)
    try:
        code = run(jit_config, stop, log)
    except Exception as error:  # a crash still ends with the runner-failed code, and never with the secret
        log.write("error", "entrypoint crashed", error=redact(f"{type(error).__name__}: {error}", jit_config),
                  traceback=redact(traceback.format_exc(), jit_config))
        code = EXIT_RUNNER_FAILED
    log.write("info", "entrypoint exiting", exitCode=code)
    return code


if __name__ == "__main__":
    sys.exit(main())
