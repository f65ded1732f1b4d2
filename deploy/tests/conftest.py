"""Shared fixtures of the deployment tests (run by `make k8s-validate`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "k8s"))

import generate  # noqa: E402
import render  # noqa: E402


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def table():
    return generate.SERVICES


@pytest.fixture(scope="session")
def compose() -> dict:
    with (ROOT / "docker-compose.yml").open() as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="session", params=["dev", "prod"])
def overlay(request):
    return request.param, render.build_python(ROOT / "k8s" / "overlays" / request.param)
