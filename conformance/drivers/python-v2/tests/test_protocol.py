"""The protocol cases shared by the Python drivers, run against python-v2."""

from protocol_cases import *  # noqa: F401,F403
