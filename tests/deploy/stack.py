"""The single-host deployment of docs/deploy.md, run on this machine with real parts:

- `chroma run` over a copy of the session's index, started as deploy/plan-assistant-chroma.service
  starts it, behind Debian's nginx running deploy/nginx/chroma-auth.conf (the token check);
- two `plan-assistant serve` processes started as deploy/plan-assistant@.service starts them, with
  the settings of deploy/plan-assistant.env, sharing that index and one data folder;
- Debian's nginx running deploy/nginx/plan-assistant.conf in front of them, with HTTPS (a
  self-signed certificate for `localhost`), inside Debian's own /etc/nginx/nginx.conf.

The examples are copied with their ports, paths and server name swapped (files.templated); nothing
else in them is changed. tests/deploy/conftest.py builds it once for the tests of this folder;
bench/bench_deploy.py builds it to measure what each process costs.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from assistant.settings import Settings
from tests.conftest import MODEL_CACHE, free_port, wait_until_up
from tests.deploy import nginx
from tests.deploy.files import DEPLOY, environment_file, exec_start
from tests.deploy.nginx import CHROMA_TOKEN, NAME
from tests.deploy.process import Process

BIN = Path(sys.executable).parent
ADMIN_TOKEN = "deploy-test-admin-token"


@dataclass
class ApiProcess:
    port: int
    process: Process

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"  # as a health check or Prometheus on the host asks

    def is_ready(self) -> bool:
        try:
            return httpx.get(f"{self.base}/api/ready", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def wait_ready(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.is_ready():
            running = self.process.popen.poll() is None
            assert running and time.monotonic() < deadline, "".join(self.process.lines[-20:])
            time.sleep(0.2)

    def records_with(self, request_id: str) -> list[dict]:
        return [r for r in self.process.records() if r.get("request_id") == request_id]


@dataclass
class Stack:
    https_port: int
    http_port: int
    chroma_proxy_port: int
    chroma_port: int
    servers: list[ApiProcess]
    nginx: Process
    chroma: Process
    nginx_dir: Path
    certificate: Path
    corpus: Path
    data: Path  # the data folder both processes share (WorkingDirectory, PLAN_ASSISTANT_DATA_DIR)
    environment: dict[str, str]  # what both processes were started with
    settings: Settings  # what `plan-assistant ingest` on this host would use (through the token check)

    @property
    def base(self) -> str:
        return f"https://{NAME}:{self.https_port}"

    def client(self, local_address: str | None = None, **kwargs: object) -> httpx.Client:
        """A client that trusts the test certificate, from `local_address` (a loopback address)."""
        context = ssl.create_default_context(cafile=str(self.certificate))
        transport = httpx.HTTPTransport(verify=context, local_address=local_address)
        return httpx.Client(base_url=self.base, transport=transport, timeout=60, **kwargs)  # type: ignore[arg-type]

    def access_log(self) -> list[str]:
        return (self.nginx_dir / "plan-assistant.access.log").read_text().splitlines()


def start_chroma(index: Path, port: int) -> Process:
    """deploy/plan-assistant-chroma.service's command, on `index` and `port`."""
    command = exec_start(DEPLOY / "plan-assistant-chroma.service", bin_dir=BIN)
    command = [part.replace("/var/lib/plan-assistant-chroma", str(index)) for part in command]
    command = [str(port) if part == "8100" else part for part in command]
    assert command[1:3] == ["run", "--path"] and "127.0.0.1" in command
    chroma = Process.start(command, env=os.environ | {"NO_COLOR": "1"})
    wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", chroma.popen, 60, "chroma run")
    return chroma


def server_environment(data: Path, corpus: Path, ports: dict[str, int]) -> dict[str, str]:
    """deploy/plan-assistant.env with this test's paths, ports, tokens and name, in a clean
    environment as systemd gives a service (no PLAN_ASSISTANT_* of the test run's own)."""
    file = environment_file(DEPLOY / "plan-assistant.env")
    named = {key: value.replace("assistant.example.org", NAME) for key, value in file.items()}
    swaps = {
        "PLAN_ASSISTANT_CORPUS_DIR": str(corpus),
        "PLAN_ASSISTANT_DATA_DIR": str(data),
        "PLAN_ASSISTANT_MODEL_CACHE_DIR": str(MODEL_CACHE),
        "PLAN_ASSISTANT_CHROMA_PORT": str(ports["chroma_proxy"]),
        "PLAN_ASSISTANT_CHROMA_AUTH_TOKEN": CHROMA_TOKEN,
        "PLAN_ASSISTANT_PUBLIC_BASE_URL": f"https://{NAME}:{ports['https']}",
        "PLAN_ASSISTANT_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    for key in swaps:
        assert key in file, f"{key} is no longer in deploy/plan-assistant.env: update tests/deploy/"
    assert json.loads(named["PLAN_ASSISTANT_ALLOWED_HOSTS"]) == [NAME, "127.0.0.1"]
    return {"PATH": os.environ["PATH"], "HOME": str(data), "LANG": "C.UTF-8"} | named | swaps


def start_api(port: int, data: Path, environment: dict[str, str]) -> ApiProcess:
    """deploy/plan-assistant@.service's command for instance `port`, in its WorkingDirectory."""
    command = exec_start(DEPLOY / "plan-assistant@.service", instance=str(port), bin_dir=BIN)
    return ApiProcess(port, Process.start(command, env=environment, cwd=data))


@contextmanager
def running_stack(
    work: Path, corpus: Path, index: Path, servers: int = 2, settings: dict[str, str] | None = None
) -> Iterator[Stack]:
    """The whole single-host deployment in `work`: Chroma on `index` (a folder of Chroma's, empty
    or holding an index of `corpus`), its token check and the public site in nginx, and `servers`
    API processes ready to answer (unless the index is empty), with `settings` over the env file's."""
    # nginx's workers run as www-data when this runs as root: its folder must be theirs to enter.
    nginx_dir = Path(tempfile.mkdtemp(prefix="plan-assistant-nginx-"))
    nginx_dir.chmod(0o755)
    ports = {name: free_port() for name in ("https", "http", "chroma_proxy", "chroma")}
    api_ports = [free_port() for _ in range(max(servers, 1))]  # nginx needs an upstream, even unused
    data = work / "data"
    data.mkdir(exist_ok=True)
    certificate, key = nginx.self_signed(nginx_dir)
    chroma = proxy = None
    apis: list[ApiProcess] = []
    try:
        chroma = start_chroma(index, ports["chroma"])
        site_files = nginx.sites(nginx_dir, ports, api_ports, certificate, key)
        proxy = nginx.start(nginx_dir, site_files, [ports["https"], ports["http"], ports["chroma_proxy"]])
        environment = server_environment(data, corpus, ports) | (settings or {})
        apis.extend(start_api(port, data, environment) for port in api_ports[:servers])
        ingest = Settings(
            corpus_dir=corpus,
            data_dir=work / "ingest",
            model_cache_dir=MODEL_CACHE,
            chroma_host="127.0.0.1",
            chroma_port=ports["chroma_proxy"],
            chroma_auth_token=CHROMA_TOKEN,  # type: ignore[arg-type]
        )
        yield Stack(
            ports["https"], ports["http"], ports["chroma_proxy"], ports["chroma"], apis, proxy, chroma, nginx_dir,
            certificate, corpus, data, environment, ingest,
        )  # fmt: skip
    finally:
        # The API processes as they are now: a test may have restarted one.
        for process in [*(api.process for api in apis), proxy, chroma]:
            if process is not None:
                process.stop()
        shutil.rmtree(nginx_dir, ignore_errors=True)
