"""The frontierkit warning tree."""

__all__ = ["FallbackWarning", "FrontierkitWarning", "PerformanceWarning"]


class FrontierkitWarning(UserWarning):
    """Base class of every warning frontierkit emits."""


class FallbackWarning(FrontierkitWarning):
    """A slower backend than the one asked for (or expected) is computing the result."""


class PerformanceWarning(FrontierkitWarning):
    """The call works but is likely to be slow (for example, a huge quadratic-memory GPU job)."""
