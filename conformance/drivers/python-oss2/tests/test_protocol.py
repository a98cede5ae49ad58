"""The protocol cases shared by the Python drivers, run against python-oss2."""

from protocol_cases import *  # noqa: F401,F403
