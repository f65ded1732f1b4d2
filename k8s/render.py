#!/usr/bin/env python3
"""Renders a kustomization offline, with `kubectl kustomize` / `kustomize build`
when one is installed, else with a minimal Python renderer of exactly the
kustomize features LawOS's manifests use.

    k8s/render.py k8s/overlays/prod                      the rendered YAML
    k8s/render.py k8s/overlays/prod --phase 3 --component migration
                                                         only phase 3's migration Jobs
    k8s/render.py k8s/overlays/prod --plan               phase, wave, kind, name per object
    k8s/render.py rendered.yaml --phase 3             filter an already rendered file
    k8s/render.py k8s/overlays/prod --compare            fail unless the Python renderer and
                                                         kustomize give the same objects

The Python renderer supports: `resources` (files and directories with a
kustomization.yaml), `namespace`, `labels` (pairs, includeSelectors: false),
`commonLabels` (metadata only; rejected if a selector would need it), `images`
(name, newName, newTag), and `patches` with an inline JSON 6902 patch (ops add,
replace, remove) and a target (kind, name, labelSelector with `k=v[,k=v]`).
Anything else stops it with an error rather than being ignored.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

PHASE_LABEL = "lawos.io/phase"
WAVE = "argocd.argoproj.io/sync-wave"
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                  "PriorityClass", "StorageClass", "IngressClass", "PersistentVolume"}
KNOWN_KEYS = {"apiVersion", "kind", "resources", "namespace", "labels", "commonLabels",
              "images", "patches"}


LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class RenderError(Exception):
    pass


def load_docs(path: Path) -> list[dict]:
    with path.open() as f:
        return [d for d in yaml.load_all(f, Loader=LOADER) if d]


def kustomization_file(d: Path) -> Path:
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        if (d / name).exists():
            return d / name
    raise RenderError(f"{d}: no kustomization.yaml")


def json_pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise RenderError(f"bad JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def apply_op(doc: dict, op: dict) -> None:
    parts = json_pointer(op["path"])
    parent = doc
    for p in parts[:-1]:
        parent = parent[int(p)] if isinstance(parent, list) else parent[p]
    last = parts[-1]
    kind = op["op"]
    if isinstance(parent, list):
        idx = len(parent) if last == "-" else int(last)
        if kind == "add":
            parent.insert(idx, copy.deepcopy(op["value"]))
        elif kind == "replace":
            parent[idx] = copy.deepcopy(op["value"])
        elif kind == "remove":
            del parent[idx]
        else:
            raise RenderError(f"unsupported op {kind}")
        return
    if kind == "add":
        parent[last] = copy.deepcopy(op["value"])
    elif kind == "replace":
        if last not in parent:
            raise RenderError(f"replace: {op['path']} does not exist")
        parent[last] = copy.deepcopy(op["value"])
    elif kind == "remove":
        if last not in parent:
            raise RenderError(f"remove: {op['path']} does not exist")
        del parent[last]
    else:
        raise RenderError(f"unsupported op {kind}")


def matches(doc: dict, target: dict) -> bool:
    unknown = set(target) - {"kind", "name", "labelSelector"}
    if unknown:
        raise RenderError(f"unsupported patch target keys {sorted(unknown)}")
    if "kind" in target and doc.get("kind") != target["kind"]:
        return False
    if "name" in target and doc["metadata"].get("name") != target["name"]:
        return False
    if "labelSelector" in target:
        lbls = doc["metadata"].get("labels") or {}
        for term in target["labelSelector"].split(","):
            if "=" not in term or "!=" in term:
                raise RenderError(f"unsupported labelSelector {target['labelSelector']!r}")
            k, v = term.split("=", 1)
            if lbls.get(k.strip()) != v.strip():
                return False
    return True


def set_image(container: dict, images: list[dict]) -> None:
    image = container.get("image", "")
    name, tag = image, None
    if "@" not in image and ":" in image.rsplit("/", 1)[-1]:
        name, tag = image.rsplit(":", 1)
    for img in images:
        if img["name"] == name:
            unknown = set(img) - {"name", "newName", "newTag"}
            if unknown:
                raise RenderError(f"unsupported images keys {sorted(unknown)}")
            new_name = img.get("newName", name)
            new_tag = img.get("newTag", tag)
            container["image"] = f"{new_name}:{new_tag}" if new_tag else new_name


def pod_specs(doc: dict) -> list[dict]:
    spec = doc.get("spec") or {}
    if doc["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"):
        return [spec["template"]["spec"]]
    if doc["kind"] == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    if doc["kind"] == "Pod":
        return [spec]
    return []


def build_python(directory: Path) -> list[dict]:
    directory = directory.resolve()
    k = load_docs(kustomization_file(directory))[0]
    unknown = set(k) - KNOWN_KEYS
    if unknown:
        raise RenderError(f"{directory}: unsupported kustomization keys {sorted(unknown)}")
    docs: list[dict] = []
    for res in k.get("resources", []):
        p = directory / res
        if p.is_dir():
            docs.extend(build_python(p))
        else:
            docs.extend(load_docs(p))
    if k.get("namespace"):
        for d in docs:
            if d["kind"] not in CLUSTER_SCOPED:
                d["metadata"]["namespace"] = k["namespace"]
    common = k.get("commonLabels") or {}
    label_sets = [common] if common else []
    for entry in k.get("labels", []):
        unknown = set(entry) - {"pairs", "includeSelectors", "includeTemplates"}
        if unknown or entry.get("includeSelectors") or entry.get("includeTemplates"):
            raise RenderError("labels: only pairs with includeSelectors/includeTemplates false are supported")
        label_sets.append(entry["pairs"])
    if common:
        raise RenderError("commonLabels changes selectors; use labels with includeSelectors: false")
    for pairs in label_sets:
        for d in docs:
            d["metadata"].setdefault("labels", {}).update(pairs)
    for patch in k.get("patches", []):
        if set(patch) - {"target", "patch"} or not isinstance(patch.get("patch"), str):
            raise RenderError("patches: only inline JSON 6902 patches with a target are supported")
        ops = yaml.safe_load(patch["patch"])
        if not isinstance(ops, list):
            raise RenderError("patches: strategic-merge patches are not supported")
        hit = False
        for d in docs:
            if matches(d, patch["target"]):
                hit = True
                for op in ops:
                    apply_op(d, op)
        if not hit:
            raise RenderError(f"patch target {patch['target']} matches nothing")
    images = k.get("images", [])
    if images:
        for d in docs:
            for spec in pod_specs(d):
                for c in spec.get("containers", []) + spec.get("initContainers", []):
                    set_image(c, images)
    seen = set()
    for d in docs:
        key = ident(d)
        if key in seen:
            raise RenderError(f"duplicate object {key}")
        seen.add(key)
    return docs


def kustomize_command() -> list[str] | None:
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        probe = subprocess.run(["kubectl", "kustomize", "--help"], capture_output=True)
        if probe.returncode == 0:
            return ["kubectl", "kustomize"]
    return None


def build_kustomize(directory: Path) -> list[dict]:
    cmd = kustomize_command()
    if cmd is None:
        raise RenderError("neither kustomize nor kubectl is installed")
    out = subprocess.run(cmd + [str(directory)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RenderError(f"{' '.join(cmd)} {directory}: {out.stderr.strip()}")
    return [d for d in yaml.load_all(out.stdout, Loader=LOADER) if d]


def render(directory: Path, engine: str = "auto") -> list[dict]:
    if directory.is_file():  # an already rendered YAML stream
        return load_docs(directory)
    if engine == "python" or (engine == "auto" and kustomize_command() is None):
        return build_python(directory)
    return build_kustomize(directory)


def ident(d: dict) -> tuple[str, str, str]:
    return (d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"])


def phase_of(d: dict) -> int:
    v = (d["metadata"].get("labels") or {}).get(PHASE_LABEL)
    if v is None:
        raise RenderError(f"{ident(d)} has no {PHASE_LABEL} label")
    return int(v)


def component_of(d: dict) -> str:
    return (d["metadata"].get("labels") or {}).get("app.kubernetes.io/component", "")


KIND_ORDER = ["Namespace", "ConfigMap", "Secret", "Job", "Service", "Deployment",
              "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Ingress"]


def ordered(docs: list[dict]) -> list[dict]:
    def key(d):
        kind = KIND_ORDER.index(d["kind"]) if d["kind"] in KIND_ORDER else len(KIND_ORDER)
        return (phase_of(d), int(d["metadata"].get("annotations", {}).get(WAVE, "0")), kind,
                d["metadata"]["name"])
    return sorted(docs, key=key)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("directory", type=Path)
    ap.add_argument("--engine", choices=["auto", "python", "kustomize"], default="auto")
    ap.add_argument("--phase", type=int)
    ap.add_argument("--component", choices=["all", "migration", "app"], default="all",
                    help="migration: the migration Jobs; app: everything else")
    ap.add_argument("--plan", action="store_true")
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args()
    try:
        if args.compare:
            if kustomize_command() is None:
                print("render --compare: no kustomize/kubectl here; Python renderer only")
                build_python(args.directory)
                return 0
            a = {ident(d): d for d in build_python(args.directory)}
            b = {ident(d): d for d in build_kustomize(args.directory)}
            diff = sorted(set(a) ^ set(b)) + sorted(k for k in set(a) & set(b) if a[k] != b[k])
            if diff:
                print(f"render --compare {args.directory}: Python renderer and "
                      f"{' '.join(kustomize_command())} differ on:", file=sys.stderr)
                for k in diff:
                    print(f"  {k}", file=sys.stderr)
                return 1
            print(f"render --compare {args.directory}: {len(a)} objects identical "
                  f"(Python renderer = {' '.join(kustomize_command())})")
            return 0
        docs = ordered(render(args.directory, args.engine))
        if args.phase is not None:
            docs = [d for d in docs if phase_of(d) == args.phase]
        if args.component == "migration":
            docs = [d for d in docs if component_of(d) == "migration"]
        elif args.component == "app":
            docs = [d for d in docs if component_of(d) != "migration"]
        if args.plan:
            for d in docs:
                wave = d["metadata"].get("annotations", {}).get(WAVE, "-")
                print(phase_of(d), wave, d["kind"], d["metadata"]["name"], component_of(d) or "-")
            return 0
        sys.stdout.write("---\n".join(yaml.dump(d, Dumper=DUMPER, sort_keys=False, width=100) for d in docs))
        return 0
    except (RenderError, KeyError, ValueError, OSError) as e:
        print(f"render: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
