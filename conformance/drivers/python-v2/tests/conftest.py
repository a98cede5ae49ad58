import sys
from importlib.metadata import version
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python-testing"))

from driver_testing import Json, bucket, client, driver, mock  # noqa: E402,F401 (fixtures)


@pytest.fixture(scope="session")
def driver_script() -> Path:
    return Path(__file__).resolve().parents[1] / "driver.py"


@pytest.fixture(scope="session")
def sdk() -> Json:
    return {"name": "alibabacloud-oss-v2", "version": version("alibabacloud-oss-v2")}
