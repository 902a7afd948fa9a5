"""Command-line back office for the support team: `python -m bot.backoffice --help`.

Lists and updates tickets, creates and decides payment objections, loads demo
data. Every change goes through bot.services (so it is audited); personal
numbers are masked in every listing.
"""
