"""Environment settings shared by the channels (safe local defaults, no secret in the repo).

Pipeline (all channels):
    MAX_INBOUND_CHARS          longest text passed to NLU (default 1000; longer is cut at a word)
    RATE_LIMIT_MESSAGES        messages allowed per user per window (default 20)
    RATE_LIMIT_WINDOW_SECONDS  the window (default 60)
    DEDUP_TTL_SECONDS          how long a delivered update id is remembered (default 7 days,
                               WhatsApp retries for up to 7 days)
    DEDUP_MAX_ENTRIES          bound of the in-process LRU (default 100000)
    RASA_REPLY_TIMEOUT_SECONDS give up waiting for Rasa after this (default 60)
    REDIS_URL                  share dedup and rate-limit state between workers (optional)

Per client address (what lets one client become many senders; docs/security.md):
    REST_RATE_LIMIT_PER_ADDRESS        messages one address may send to the open REST channel
                                       per window (default 120; 0 = off; not applied when
                                       REST_CHANNEL_TOKEN is set: the token holder is trusted)
    REST_RATE_LIMIT_WINDOW_SECONDS     that window (default 60)
    WEBCHAT_SESSIONS_PER_ADDRESS       new widget sessions one address may open per window
                                       (default 20; 0 = off)
    WEBCHAT_SESSIONS_WINDOW_SECONDS    that window (default 600)
    TRUSTED_PROXIES                    comma-separated IPs/CIDRs of reverse proxies whose
                                       X-Forwarded-For is believed (default none: the peer
                                       address is the client)
    ADDRESS_LIMIT_EXEMPT               addresses spared these limits (default loopback
                                       "127.0.0.0/8,::1"; empty: none), channels/edge.py
Cross-origin requests (only the routes a page on another site needs, never with credentials):
    WEBCHAT_ALLOWED_ORIGINS    widget script/style and socket (default "*", see channels/web.py)
    REST_ALLOWED_ORIGINS       REST webhook (default none: same origin only)
Channel specific variables are documented in channels/telegram.py, whatsapp.py, web.py, rest.py.
"""

from __future__ import annotations

# The readers live in bot.settings, the one module that reads the environment.
from bot.settings import env_float, env_int, env_list, env_str  # noqa: F401
