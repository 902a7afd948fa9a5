"""Register, remove or inspect the Telegram webhook (the bot's secret and allowed updates):

python -m channels.telegram.webhook set-webhook [--url URL] [--drop-pending-updates]
python -m channels.telegram.webhook delete-webhook
python -m channels.telegram.webhook webhook-info
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import List, Optional

from bot import settings
from channels.telegram.channel import (
    ALLOWED_UPDATES,
    bot_token,
    close_bot,
    make_bot,
    webhook_secret,
)


async def _cli(args: argparse.Namespace) -> int:
    bot = make_bot()  # its own Bot: the command runs on its own event loop
    try:
        if args.command == "set-webhook":
            url = args.url or settings.get().telegram_webhook_url
            if not url:
                print(
                    "Give --url or set TELEGRAM_WEBHOOK_URL "
                    "(https://<host>/webhooks/telegram/webhook).",
                    file=sys.stderr,
                )
                return 2
            await bot.set_webhook(
                url,
                secret_token=webhook_secret(),
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=args.drop_pending_updates or None,
            )
            print(f"webhook set: {url} (allowed updates: {', '.join(ALLOWED_UPDATES)})")
        elif args.command == "delete-webhook":
            await bot.delete_webhook()
            print("webhook deleted")
        else:
            info = await bot.get_webhook_info()
            print(
                json.dumps(
                    {
                        "url": info.url,
                        "pending_update_count": info.pending_update_count,
                        "allowed_updates": list(info.allowed_updates or []),
                        "last_error_message": info.last_error_message,
                    },
                    ensure_ascii=False,
                )
            )
        return 0
    finally:
        await close_bot(bot)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m channels.telegram.webhook", description="Manage the Telegram webhook."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sw = sub.add_parser(
        "set-webhook", help="register the webhook with the secret and allowed updates"
    )
    sw.add_argument("--url", help="public webhook URL (default: TELEGRAM_WEBHOOK_URL)")
    sw.add_argument("--drop-pending-updates", action="store_true")
    sub.add_parser("delete-webhook")
    sub.add_parser("webhook-info")
    args = parser.parse_args(argv)
    if not bot_token():
        print("TELEGRAM_BOT_TOKEN is not set.", file=sys.stderr)
        return 2
    return asyncio.run(_cli(args))


if __name__ == "__main__":
    sys.exit(main())
