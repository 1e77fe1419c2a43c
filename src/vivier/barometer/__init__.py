"""The barometer: the start-up share of public procurement (method: docs/barometer-method.md)."""

from vivier.barometer.compute import check_perimeter, compute_barometer, latest_year

__all__ = ["check_perimeter", "compute_barometer", "latest_year"]
