"""HTTP edge helpers for the public channels: who is the client, and which foreign pages
may call a route.

Client address: the TCP peer, unless the peer is one of TRUSTED_PROXIES (comma-separated
IPs or CIDRs, e.g. "127.0.0.1,10.0.0.0/8"); then X-Forwarded-For is read from the right,
skipping trusted proxies, and the first address that is not one is the client. A header
from anyone else is ignored, so a client cannot pick the address it is limited by.

Exempt from the per-address limits: ADDRESS_LIMIT_EXEMPT (IPs/CIDRs, default loopback
"127.0.0.0/8,::1"; set it empty to exempt nobody). A loopback peer is this machine: a
local tool, a test, or a reverse proxy not (yet) named in TRUSTED_PROXIES, and limiting
that one address would limit every citizen at once. Behind a proxy, name it in
TRUSTED_PROXIES so each client is limited; a warning says so the first time a loopback
peer sends X-Forwarded-For unheeded.

CORS: Rasa's global grant (`rasa run --cors`) is not used; it reflected any origin with
credentials on every route, the agent desk included. Only the routes a page on another
site needs (widget assets, REST) add headers, only for configured origins, and never
Access-Control-Allow-Credentials: the widget and REST carry no cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Tuple, Union

from bot import settings

logger = logging.getLogger(__name__)

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
PREFLIGHT_MAX_AGE = "600"


@lru_cache(maxsize=8)
def _networks(spec: str) -> Tuple[Network, ...]:
    networks = []
    for item in spec.split(","):
        item = item.strip()
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                continue  # a typo must not make every address trusted
    return tuple(networks)


def trusted_proxies() -> Tuple[Network, ...]:
    return _networks(settings.get().trusted_proxies)


def _ip(value: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    value = (value or "").strip().strip('"')
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5123"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address, proxies: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def resolve_client(peer: str, forwarded_for: Optional[str], proxies: Iterable[Network]) -> str:
    """The client address given the peer, its X-Forwarded-For header and the trusted proxies."""
    proxies = tuple(proxies)
    current = _ip(peer)
    if not _trusted(current, proxies) or not forwarded_for:
        return str(current) if current is not None else (peer or "unknown")
    for hop in reversed(forwarded_for.split(",")):
        address = _ip(hop)
        if address is None:  # garbage from further out: stop at the last good hop
            break
        current = address
        if not _trusted(address, proxies):
            break
    return str(current)


_warned_untrusted_proxy = False


def client_address(request) -> str:
    """The address a request came from (see the module docstring)."""
    global _warned_untrusted_proxy
    peer = ""
    try:
        peer = request.ip or ""
    except Exception:
        pass
    forwarded, proxies = request.headers.get("X-Forwarded-For"), trusted_proxies()
    if forwarded and not proxies and not _warned_untrusted_proxy:
        peer_ip = _ip(peer)
        if peer_ip is not None and peer_ip.is_loopback:
            _warned_untrusted_proxy = True
            logger.warning(
                "a local reverse proxy sends X-Forwarded-For but TRUSTED_PROXIES is "
                "unset: every client looks like the proxy (docs/security.md)"
            )
    return resolve_client(peer, forwarded, proxies)


def forwarded_proto(request) -> Optional[str]:
    """ "http" or "https" from X-Forwarded-Proto when the peer is one of TRUSTED_PROXIES
    (the scheme the browser used before the proxy ended TLS); None from anyone else."""
    try:
        peer = _ip(request.ip or "")
    except Exception:
        return None
    if not _trusted(peer, trusted_proxies()):
        return None
    first = (request.headers.get("X-Forwarded-Proto") or "").split(",")[0].strip().lower()
    return first if first in ("http", "https") else None


def limit_exempt(address: str) -> bool:
    """Is this client address spared the per-address limits (ADDRESS_LIMIT_EXEMPT)?"""
    spec = settings.get().address_limit_exempt  # set but empty: nobody is exempt
    return _trusted(_ip(address), _networks("127.0.0.0/8,::1" if spec is None else spec))


# -- CORS ------------------------------------------------------------------------------------
def allowed_origins(field: str) -> List[str]:
    """A comma-separated origins setting (e.g. "webchat_allowed_origins") as a list."""
    value = getattr(settings.get(), field)
    return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]


def origin_allowed(origin: Optional[str], allowed: List[str]) -> bool:
    if "*" in allowed:
        return True
    return bool(origin) and origin.rstrip("/") in allowed


def cors_headers(
    request, allowed: List[str], methods: str = "", headers: str = ""
) -> Dict[str, str]:
    """CORS response headers for this request, or {} when its origin is not allowed.
    `methods`/`headers` make it a preflight answer."""
    origin = request.headers.get("Origin")
    if not origin or not origin_allowed(origin, allowed):
        return {}
    out = {"Access-Control-Allow-Origin": "*" if "*" in allowed else origin.rstrip("/")}
    if "*" not in allowed:
        out["Vary"] = "Origin"
    if methods:
        out["Access-Control-Allow-Methods"] = methods
        out["Access-Control-Allow-Headers"] = headers or "Content-Type"
        out["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return out


# -- webhook secrets and signatures (constant time) ------------------------------------------
def secrets_match(expected: str, received: Optional[str]) -> bool:
    """Constant-time comparison; an empty expected secret never matches."""
    if not expected or received is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), str(received).encode("utf-8"))


def meta_signature_valid(app_secret: str, raw_body: bytes, header: Optional[str]) -> bool:
    """X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body with the app secret."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return secrets_match(expected, header.strip())
