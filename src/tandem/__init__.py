"""Tandem: integrated care for stimulant (cocaine) use and depression."""

__version__ = "0.1.0"
