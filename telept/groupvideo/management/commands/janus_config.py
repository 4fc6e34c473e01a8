"""Write Janus's configuration from TelePT's settings into a folder for `janus -F`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from telept.groupvideo.config import JanusSetup, render


def _port(url: str, default: int) -> int:
    return urlsplit(url).port or default if url else default


def _names(folder: str) -> list[str]:
    path = Path(folder)
    return sorted(p.name for p in path.glob("*.so")) if path.is_dir() else []


def write_config(folder: Path, *, ice_enforce: str = "", ws_bind: str = "127.0.0.1",
                 debug_level: int = 4) -> Path:
    """Write the four .jcfg files (mode 0600: they hold the secrets) into `folder`."""
    setup = JanusSetup(
        token_secret=settings.JANUS_TOKEN_SECRET, admin_key=settings.JANUS_ADMIN_KEY,
        http_port=_port(settings.JANUS_URL, 8088), admin_port=_port(settings.JANUS_ADMIN_URL, 7088),
        ws_port=_port(settings.JANUS_WS_URL, 8188), rtp_ports=settings.JANUS_RTP_PORTS,
        ice_enforce=ice_enforce, ws_bind=ws_bind, debug_level=debug_level)
    try:
        files = render(setup, configs_folder=str(folder.resolve()),
                       available_plugins=_names(setup.plugins_folder),
                       available_transports=_names(setup.transports_folder),
                       available_events=_names(setup.events_folder),
                       available_loggers=_names(setup.loggers_folder))
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for name, text in files.items():
        path = folder / name
        path.write_text(text)
        path.chmod(0o600)
    return folder


class Command(BaseCommand):
    help = ("Write janus.jcfg, the VideoRoom and the HTTP/WebSocket transport configuration "
            "from JANUS_* settings into a folder (run `janus -F <folder>`).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(Path(settings.BASE_DIR) / "var" / "janus"))
        parser.add_argument("--ice-enforce", default="",
                            help="Interfaces/addresses ICE may use (Janus ice_enforce_list).")
        parser.add_argument("--ws-bind", default="127.0.0.1")
        parser.add_argument("--debug-level", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        folder = write_config(Path(options["dir"]), ice_enforce=options["ice_enforce"],
                              ws_bind=options["ws_bind"], debug_level=options["debug_level"])
        self.stdout.write(str(folder))
