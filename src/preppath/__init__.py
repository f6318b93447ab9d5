"""PrepPath: a voice interview coach for the terminal that works offline."""

__version__ = "0.1.0"
