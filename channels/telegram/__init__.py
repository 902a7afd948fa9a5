"""Telegram: the input/output channel (channel.py) and the command that registers its webhook
(webhook.py, `python -m channels.telegram.webhook set-webhook`)."""
