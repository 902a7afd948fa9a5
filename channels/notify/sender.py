"""The notification sender: delivers the outbox (bot.services.notifications) to citizens.

    python -m channels.notify.sender          # `make run` starts it; its own process in `make run-prod`
    python -m channels.notify.sender --once   # deliver what is due now, then exit (cron, tests)

Any number of senders may run (each claims rows with a lease); a sender that dies loses
nothing: its rows are claimed again once their lease (NOTIFY_LEASE_SECONDS) runs out, and
delivered again only where that cannot reach the citizen twice (outbox.py). A delivery
that the channel accepted is marked even if the database is down at that moment: the
sender keeps the outcome and retries the mark until the database answers, and only then
takes new work. SIGTERM finishes the batch in hand, then exits.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import List, Optional

from bot import settings
from bot.services.content import live
from bot.services.notifications import outbox
from bot.store.errors import is_unavailable
from channels.notify import delivery

logger = logging.getLogger("channels.notify.sender")

MARK_RETRY_MAX_SECONDS = 10.0


async def _until_written(fn, *args):
    """Run a bookkeeping write, retrying while the database is unavailable. Any other
    error is a defect: logged and given up (the row's lease then runs out, and it is
    handled as one whose sender died)."""
    delay = 0.2
    while True:
        try:
            return await asyncio.to_thread(fn, *args)
        except Exception as e:
            if not is_unavailable(e):
                logger.error("notifier: bookkeeping failed: %s", type(e).__name__)
                return None
            logger.warning(
                "notifier: database write failed (%s); retrying in %.1f s", type(e).__name__, delay
            )
            await asyncio.sleep(delay)
            delay = min(MARK_RETRY_MAX_SECONDS, delay * 2)


async def process(claim: outbox.Claim, holder: str) -> str:
    """Deliver one claimed row and record the outcome. Returns the row's new state."""
    if claim.in_doubt and claim.channel not in outbox.RETRY_SAFE:
        await _until_written(outbox.mark_unconfirmed, claim, holder)
        logger.warning(
            "notifier: notification %s was handed to %s by a sender that died; "
            "marked unconfirmed (not resent: `backoffice notifications resend`)",
            claim.id,
            claim.channel,
        )
        return "unconfirmed"
    outcome = await delivery.deliver(claim, holder)
    if outcome.marked:
        return "sent" if outcome.ok else "lost"
    if outcome.ok:
        held = await _until_written(outbox.mark_sent, claim, holder, outcome.channel_message_id)
        logger.info("notifier: notification %s sent by %s", claim.id, claim.channel)
        if held:
            await delivery.record_transcript(claim, outcome)
        return "sent" if held else "lost"
    if outcome.deferred_until is not None:
        state = await _until_written(
            outbox.mark_deferred, claim, holder, outcome.error or "deferred", outcome.deferred_until
        )
        logger.info(
            "notifier: notification %s waits for %s (%s) until %s: %s",
            claim.id,
            claim.channel,
            outcome.error,
            outcome.deferred_until.isoformat(timespec="seconds"),
            state,
        )
        return state
    state = await _until_written(
        outbox.mark_failed, claim, holder, outcome.error or "error", outcome.permanent
    )
    logger.info(
        "notifier: notification %s not delivered by %s (%s): %s",
        claim.id,
        claim.channel,
        outcome.error,
        state,
    )
    return state


async def run_once(holder: str, limit: int = 20) -> List[str]:
    """Claim what is due and deliver it; returns the new states (empty: nothing due)."""
    claims = await asyncio.to_thread(outbox.claim, holder, limit)
    if not claims:
        return []
    return list(await asyncio.gather(*(process(c, holder) for c in claims)))


async def run(stop: asyncio.Event, once: bool = False) -> int:
    holder = outbox.holder_name()
    logger.info("notifier: started as %s", holder)
    failures = 0
    while not stop.is_set():
        try:
            states = await run_once(holder)
            failures = 0
        except Exception as e:  # the database is down: wait and try again
            failures += 1
            wait = min(30.0, 0.5 * 2**failures)
            logger.warning(
                "notifier: cannot claim (%s); retrying in %.0f s", type(e).__name__, wait
            )
            states = []
            if once:
                return 2
            await _sleep(stop, wait)
            continue
        if once and not states:
            break
        if not states:
            await _sleep(stop, settings.get().notify_poll_seconds)
    await _close_clients()
    logger.info("notifier: stopped")
    return 0


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        pass


async def _close_clients() -> None:
    try:
        from channels.telegram.channel import close_bot
        from channels.whatsapp import close_client

        await close_bot()
        await close_client()
    except Exception:  # shutting down anyway
        pass


def main(argv: Optional[List[str]] = None) -> int:
    from bot.masking import install_log_masking

    parser = argparse.ArgumentParser(prog="python -m channels.notify.sender", description=__doc__)
    parser.add_argument("--once", action="store_true", help="deliver what is due, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    install_log_masking()
    live.watch()  # what citizens are told follows the texts published in the console

    async def _main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        return await run(stop, once=args.once)

    return asyncio.run(_main())


if __name__ == "__main__":
    sys.exit(main())
