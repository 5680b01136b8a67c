"""The HTML report: a JSON-able summary of a search, rendered offline-ready."""

from autopipe.report.leaderboard import leaderboard
from autopipe.report.render import render_report, write_report
from autopipe.report.summary import build_summary

__all__ = ["build_summary", "leaderboard", "render_report", "write_report"]
