"""Matchmaking with explanations: need → start-ups, start-up → buyers, need → suppliers.

`MatchEngine.load(settings)` loads the index built by `vivier index`; see docs/matching.md.
"""

from vivier.match.engine import Match, MatchEngine

__all__ = ["Match", "MatchEngine"]
