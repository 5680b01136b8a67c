"""The command line: parse, call the API, print. No business logic lives here."""

from autopipe.cli.main import main

__all__ = ["main"]
