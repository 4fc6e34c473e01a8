"""The files in deploy/ work: nginx accepts its config (`nginx -t`), coturn starts on the
config we generate, and the systemd units run what the README says."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from telept.conftest import require_system

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pt.example.org")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_nginx_accepts_the_config(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    require_system(nginx, "the nginx config test runs `nginx -t` (apt-get install nginx-light)")
    cert, key = _self_signed(tmp_path)
    site = (DEPLOY / "nginx" / "telept.conf").read_text()
    assert "/etc/ssl/telept/fullchain.pem" in site and "/etc/ssl/telept/privkey.pem" in site
    site = site.replace("/etc/ssl/telept/fullchain.pem", str(cert)) \
               .replace("/etc/ssl/telept/privkey.pem", str(key))
    (tmp_path / "telept.conf").write_text(site)
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  {mime}\n  access_log off;\n  client_body_temp_path {tmp_path};\n"
        f"  include {tmp_path}/telept.conf;\n}}\n")
    result = subprocess.run([nginx, "-t", "-q", "-p", str(tmp_path), "-c",
                             str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    # What the app relies on is there: WebSocket upgrade, the proxy headers serve trusts,
    # /metrics kept off the public side, recordings never served from disk.
    for needle in ("proxy_set_header Upgrade $http_upgrade", "X-Forwarded-Proto $scheme",
                   "location = /metrics { return 404; }", "client_max_body_size"):
        assert needle in site
    assert "recordings/" not in site.replace("var/media and var/recordings", "")


def test_the_systemd_units_run_serve_and_the_backup(tmp_path):
    service = (DEPLOY / "systemd" / "telept.service").read_text()
    assert "ExecStart=/opt/telept/.venv/bin/python manage.py serve" in service
    assert "KillSignal=SIGTERM" in service and "TimeoutStopSec=" in service
    backup = (DEPLOY / "systemd" / "telept-backup.service").read_text()
    assert "manage.py backup" in backup
    assert "OnCalendar=" in (DEPLOY / "systemd" / "telept-backup.timer").read_text()
    analyze = shutil.which("systemd-analyze")
    if analyze:  # not on every machine; where it is, it checks the syntax
        result = subprocess.run([analyze, "verify", "--man=no", str(DEPLOY / "systemd" /
                                 "telept-backup.timer")], capture_output=True, text=True,
                                timeout=60, check=False)
        assert "Unknown" not in result.stderr, result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_coturn_config_follows_our_settings(settings):
    settings.TURN_SECRET = "turn-secret-from-settings"
    settings.TURN_URLS = ["turn:turn.example.org:3479?transport=udp",
                          "turns:turn.example.org:5350?transport=tcp"]
    settings.SITE_URL = "https://pt.example.org"
    out = StringIO()
    call_command("coturn_config", stdout=out)
    text = out.getvalue()
    for line in ("static-auth-secret=turn-secret-from-settings", "use-auth-secret",
                 "realm=pt.example.org", "listening-port=3479", "tls-listening-port=5350",
                 "denied-peer-ip=10.0.0.0-10.255.255.255", "no-tls"):
        assert line in text.splitlines(), line


def test_coturn_config_needs_a_secret(settings):
    settings.TURN_SECRET = ""
    with pytest.raises(CommandError, match="TURN_SECRET is empty"):
        call_command("coturn_config", stdout=StringIO())


def test_coturn_starts_on_the_generated_config(settings, tmp_path):
    turnserver = shutil.which("turnserver") or "/usr/bin/turnserver"
    require_system(turnserver, "the coturn config test starts turnserver")
    port = _free_port()
    settings.TURN_SECRET = "turn-secret-from-settings"
    settings.TURN_URLS = [f"turn:127.0.0.1:{port}?transport=udp"]
    out = StringIO()
    call_command("coturn_config", "--listening-ip", "127.0.0.1", "--realm", "pt.example.org",
                 stdout=out)
    config = out.getvalue().replace("log-file=syslog", f"log-file={tmp_path}/turn.log")
    config = config.replace("tls-listening-port=5349", f"tls-listening-port={_free_port()}")
    (tmp_path / "turnserver.conf").write_text(config)
    proc = subprocess.Popen([turnserver, "-c", str(tmp_path / "turnserver.conf"),
                             "--pidfile", str(tmp_path / "turn.pid"), "--no-stdout-log"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        listening = False
        while time.monotonic() < deadline and proc.poll() is None and not listening:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    listening = True
            except OSError:
                time.sleep(0.2)
        assert listening, f"turnserver exited {proc.poll()}: {proc.stderr.read() if proc.poll() is not None else ''}"  # noqa: E501
    finally:
        proc.terminate()
        proc.wait(timeout=10)
