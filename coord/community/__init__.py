"""The public community page /community: the sections the partnership publishes, suppressed, cached and
rate-limited, without sign-in (docs/security.md, "The public community page")."""

from coord.community.page import bp

__all__ = ["bp"]
