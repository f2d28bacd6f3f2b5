"""Debian's nginx with the examples of deploy/nginx/, on loopback ports, for tests and benchmarks:
a self-signed certificate for NAME where the example has its placeholders, and Debian's own
/etc/nginx/nginx.conf around the site files, with its paths moved into a folder of the caller's."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.deploy.files import DEPLOY, templated
from tests.deploy.process import Process

NGINX = Path("/usr/sbin/nginx")
DEBIAN_NGINX_CONF = Path("/etc/nginx/nginx.conf")
NAME = "localhost"  # the server name and certificate, in place of assistant.example.org
CHROMA_TOKEN = "0123456789abcdef" * 2  # 32 hex digits, as `openssl rand -hex 16` makes
SECOND_UPSTREAM = "    server 127.0.0.1:8011 max_fails=1 fail_timeout=5s;\n"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for NAME, valid for a day: what the example's placeholders stand for."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def main_conf(directory: Path, sites: list[Path]) -> Path:
    """Debian's own /etc/nginx/nginx.conf with its pid, logs and temporary files in `directory`
    and `sites` included where it includes sites-enabled/*."""
    temp_paths = "".join(f"{kind}_temp_path {directory}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi"))
    text = templated(
        DEBIAN_NGINX_CONF.read_text(),
        {
            "pid /run/nginx.pid;": f"pid {directory}/nginx.pid;",
            "error_log /var/log/nginx/error.log;": f"error_log {directory}/error.log;",
            "access_log /var/log/nginx/access.log;": f"access_log {directory}/access.log;",
            "include /etc/nginx/sites-enabled/*;": "\n".join(f"include {site};" for site in sites),
            "http {": f"http {{\n{temp_paths}uwsgi_temp_path {directory}/uwsgi;\nscgi_temp_path {directory}/scgi;\n",
        },
    )
    if os.geteuid() != 0:  # "user" makes sense only for a master started by root
        text = text.replace("user www-data;", "")
    path = directory / "nginx.conf"
    path.write_text(text)
    return path


def sites(directory: Path, ports: dict[str, int], api_ports: list[int], certificate: Path, key: Path) -> list[Path]:
    """deploy/nginx/*.conf with these ports (an upstream line per API port) and paths in `directory`."""
    token_map = directory / "chroma-token.map"
    token_map.write_text(f'"Bearer {CHROMA_TOKEN}" 1;\n')
    snippet = directory / "plan-assistant-proxy.conf"
    snippet.write_text((DEPLOY / "nginx" / "plan-assistant-proxy.conf").read_text())
    more_upstreams = "".join(SECOND_UPSTREAM.replace("8011", str(port)) for port in api_ports[1:])
    site = templated(
        (DEPLOY / "nginx" / "plan-assistant.conf").read_text(),
        {
            SECOND_UPSTREAM: more_upstreams,
            "127.0.0.1:8010": f"127.0.0.1:{api_ports[0]}",
            "listen 80;": f"listen 127.0.0.1:{ports['http']};",
            "listen 80 default_server;": f"listen 127.0.0.1:{ports['http']} default_server;",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{ports['https']} ssl http2;",
            "listen 443 ssl default_server;": f"listen 127.0.0.1:{ports['https']} ssl default_server;",
            "listen [::]:80;": "",  # loopback IPv4 only here
            "listen [::]:80 default_server;": "",
            "listen [::]:443 ssl http2;": "",
            "listen [::]:443 ssl default_server;": "",
            "server_name assistant.example.org;": f"server_name {NAME};",
            "/etc/letsencrypt/live/assistant.example.org/fullchain.pem": str(certificate),
            "/etc/letsencrypt/live/assistant.example.org/privkey.pem": str(key),
            "/var/log/nginx/": f"{directory}/",
            "/etc/nginx/snippets/plan-assistant-proxy.conf": str(snippet),
            "/var/www/letsencrypt": str(directory / "acme"),
        },
    )
    chroma = templated(
        (DEPLOY / "nginx" / "chroma-auth.conf").read_text(),
        {
            "listen 127.0.0.1:8001;": f"listen 127.0.0.1:{ports['chroma_proxy']};",
            "proxy_pass http://127.0.0.1:8100;": f"proxy_pass http://127.0.0.1:{ports['chroma']};",
            "/etc/nginx/plan-assistant-chroma-token.map": str(token_map),
            "/var/log/nginx/": f"{directory}/",
        },
    )
    paths = [directory / "plan-assistant.conf", directory / "plan-assistant-chroma.conf"]
    paths[0].write_text(site)
    paths[1].write_text(chroma)
    return paths


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start(directory: Path, site_files: list[Path], ports: list[int]) -> Process:
    """`nginx -t` on the configuration (its complaint is the failure), then nginx in the foreground
    until every one of `ports` accepts connections."""
    assert NGINX.exists(), "nginx is not installed: `make install` installs Debian's nginx package"
    conf = main_conf(directory, site_files)
    command = [str(NGINX), "-c", str(conf), "-e", str(directory / "error.log")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    nginx = Process.start([*command, "-g", "daemon off;"])
    deadline = time.monotonic() + 20
    while not all(port_open(port) for port in ports):
        assert nginx.popen.poll() is None and time.monotonic() < deadline, (directory / "error.log").read_text()
        time.sleep(0.05)
    return nginx
