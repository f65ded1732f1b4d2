#!/usr/bin/env python3
"""Validates rendered LawOS manifests offline against the Kubernetes OpenAPI
schemas bundled by `kubernetes-validate` (PyPI), in strict mode (unknown fields
are errors).

    k8s/validate.py [--k8s-version 1.30.0 --k8s-version 1.37.0] DIR...

Each DIR is a kustomization (rendered with k8s/render.py, Python renderer) or
a plain YAML file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import kubernetes_validate
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import render  # noqa: E402


def docs_of(target: Path) -> list[dict]:
    if target.is_dir():
        return render.build_python(target)
    with target.open() as f:
        return [d for d in yaml.safe_load_all(f) if d]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("targets", nargs="+", type=Path)
    ap.add_argument("--k8s-version", action="append", dest="versions")
    args = ap.parse_args()
    versions = args.versions or ["1.30.0", "1.37.0"]
    failures = 0
    for target in args.targets:
        docs = docs_of(target)
        for version in versions:
            bad = 0
            for d in docs:
                name = f"{d.get('kind')}/{d.get('metadata', {}).get('name')}"
                try:
                    kubernetes_validate.validate(d, version, strict=True)
                except kubernetes_validate.ValidationError as e:
                    bad += 1
                    path = "/".join(str(p) for p in e.path)
                    print(f"FAIL {target} {name} (k8s {version}, strict): {path}: {e.message}")
                except kubernetes_validate.SchemaNotFoundError as e:
                    bad += 1
                    print(f"FAIL {target} {name} (k8s {version}): no schema: {e}")
            status = "ok" if bad == 0 else f"{bad} invalid"
            print(f"validate {target}: {len(docs)} objects, Kubernetes {version} strict: {status}")
            failures += bad
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
