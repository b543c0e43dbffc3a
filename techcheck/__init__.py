"""techcheck: a local tech-safety checkup for people who are being stalked or cyberstalked."""

__version__ = "0.1.0"
