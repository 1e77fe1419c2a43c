"""vivier: public procurement open data for the "Je choisis la French Tech" plan."""

__version__ = "0.1.0"
