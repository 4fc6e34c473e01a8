"""Janus's configuration, written from our settings (pure: no Django).

`render` returns the `.jcfg` files (libconfig syntax) for a folder that `janus -F` reads:

- `janus.jcfg`: token auth with our HMAC secret (`token_auth_secret`), the admin secret,
  the RTP port range, which interfaces ICE may use, and every plugin, transport, logger and
  event handler we do not use disabled (only the VideoRoom, HTTP and WebSocket transports);
- `janus.plugin.videoroom.jcfg`: the `admin_key` (only holders may `create` rooms) and no
  static rooms;
- `janus.transport.http.jcfg`: the HTTP API and the admin API on loopback only (Django's
  control plane talks to them; nginx never proxies the admin API);
- `janus.transport.websockets.jcfg`: the WebSocket API the class page uses (on loopback
  by default; nginx proxies it under the site's origin in production); no admin WebSocket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

KEEP_PLUGINS = ("libjanus_videoroom.so",)
KEEP_TRANSPORTS = ("libjanus_http.so", "libjanus_websockets.so")


@dataclass(frozen=True, kw_only=True)
class JanusSetup:
    token_secret: str
    admin_key: str
    http_port: int = 8088
    admin_port: int = 7088
    ws_port: int = 8188
    bind: str = "127.0.0.1"
    ws_bind: str = "127.0.0.1"
    rtp_ports: str = "20000-20999"
    ice_enforce: str = ""  # interfaces or addresses ICE may use (empty: all but ignored)
    ice_ignore: str = "vmnet"
    nat_1_1: str = ""
    plugins_folder: str = "/usr/lib/x86_64-linux-gnu/janus/plugins"
    transports_folder: str = "/usr/lib/x86_64-linux-gnu/janus/transports"
    events_folder: str = "/usr/lib/x86_64-linux-gnu/janus/events"
    loggers_folder: str = "/usr/lib/x86_64-linux-gnu/janus/loggers"
    session_timeout: int = 60
    debug_level: int = 4


def _q(value: str) -> str:
    """A libconfig string: JSON's escaping is libconfig's for the characters we emit."""
    return json.dumps(value)


def _others(available: list[str], keep: tuple[str, ...]) -> str:
    return ",".join(name for name in sorted(available) if name not in keep)


def render(setup: JanusSetup, *, configs_folder: str, available_plugins: list[str],
           available_transports: list[str], available_events: list[str],
           available_loggers: list[str]) -> dict[str, str]:
    if not setup.token_secret or not setup.admin_key:
        raise ValueError("JANUS_TOKEN_SECRET and JANUS_ADMIN_KEY must both be set")
    nat = [f"ice_ignore_list = {_q(setup.ice_ignore)}", "nice_debug = false",
           "full_trickle = true"]
    if setup.ice_enforce:
        nat.append(f"ice_enforce_list = {_q(setup.ice_enforce)}")
    if setup.nat_1_1:
        nat.append(f"nat_1_1_mapping = {_q(setup.nat_1_1)}")
    core = f"""# Written by `manage.py janus_config` from TelePT's settings: edits are overwritten.
general: {{
	configs_folder = {_q(configs_folder)}
	plugins_folder = {_q(setup.plugins_folder)}
	transports_folder = {_q(setup.transports_folder)}
	events_folder = {_q(setup.events_folder)}
	loggers_folder = {_q(setup.loggers_folder)}
	debug_level = {setup.debug_level}
	server_name = "TelePT Janus"
	session_timeout = {setup.session_timeout}
	admin_secret = {_q(setup.admin_key)}
	token_auth = true
	token_auth_secret = {_q(setup.token_secret)}
	hide_dependencies = true
}}
media: {{
	rtp_port_range = {_q(setup.rtp_ports)}
}}
nat: {{
	{chr(10).join(chr(9) + line for line in nat).lstrip()}
}}
plugins: {{
	disable = {_q(_others(available_plugins, KEEP_PLUGINS))}
}}
transports: {{
	disable = {_q(_others(available_transports, KEEP_TRANSPORTS))}
}}
loggers: {{
	disable = {_q(_others(available_loggers, ()))}
}}
events: {{
	broadcast = false
	disable = {_q(_others(available_events, ()))}
}}
"""
    videoroom = f"""# Written by `manage.py janus_config`: TelePT creates rooms (with admin_key).
general: {{
	admin_key = {_q(setup.admin_key)}
	lock_rtp_forward = true
	string_ids = false
}}
"""
    http = f"""# Written by `manage.py janus_config`: loopback only (TelePT's control plane).
general: {{
	json = "compact"
	base_path = "/janus"
	http = true
	port = {setup.http_port}
	ip = {_q(setup.bind)}
	https = false
}}
admin: {{
	admin_base_path = "/admin"
	admin_http = true
	admin_port = {setup.admin_port}
	admin_ip = {_q(setup.bind)}
	admin_https = false
}}
"""
    ws = f"""# Written by `manage.py janus_config`: the class page's Janus API (no admin API here).
general: {{
	json = "compact"
	ws = true
	ws_port = {setup.ws_port}
	ws_ip = {_q(setup.ws_bind)}
	wss = false
}}
admin: {{
	admin_ws = false
	admin_wss = false
}}
"""
    return {"janus.jcfg": core, "janus.plugin.videoroom.jcfg": videoroom,
            "janus.transport.http.jcfg": http, "janus.transport.websockets.jcfg": ws}
