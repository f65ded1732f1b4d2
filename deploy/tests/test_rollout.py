"""deploy/rollout: its --dry-run plan, and its real path against a recording
stub of kubectl (no cluster here): each phase migrates, applies and waits for
its rollouts before the next phase is touched, and a failed migration stops it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import yaml

import generate

STUB = """#!/usr/bin/env bash
# records each call; `apply -f -` records the kinds/names it was given
log="$STUB_LOG"
if [[ " $* " == *" apply -f - "* ]]; then
  objs="$(python3 -c 'import sys,yaml; print(" ".join(d["kind"]+"/"+d["metadata"]["name"] for d in yaml.safe_load_all(sys.stdin) if d))')"
  echo "apply $objs" >>"$log"
else
  echo "$*" >>"$log"
fi
if [[ -n "${STUB_FAIL:-}" && " $* " == *" $STUB_FAIL "* ]]; then exit 1; fi
exit 0
"""


def _run(root, tmp_path, *args, fail=None):
    stub = tmp_path / "kubectl"
    stub.write_text(STUB.replace("python3", sys.executable))
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "log"
    env = dict(os.environ, KUBECTL=str(stub), STUB_LOG=str(log), PYTHON=sys.executable)
    if fail:
        env["STUB_FAIL"] = fail
    out = subprocess.run([str(root / "deploy" / "rollout"), *args], capture_output=True, text=True, env=env)
    lines = log.read_text().splitlines() if log.exists() else []
    return out, lines


def test_dry_run_prints_the_plan_without_a_cluster(root, tmp_path, table):
    out, calls = _run(root, tmp_path, "--dry-run", "--overlay", "prod")
    assert out.returncode == 0, out.stderr
    assert calls == [], "a dry run must not call kubectl"
    text = out.stdout
    positions = [text.index(f"=== phase {p} ===") for p in range(10)]
    assert positions == sorted(positions)
    for s in table:
        assert f"job/migrate-{s.name}" in text and f"deployment/{s.name}" in text
        # the service's phase section holds its objects
        section = text[positions[s.phase]:positions[s.phase + 1] if s.phase < 9 else None]
        assert f"rollout status deployment/{s.name}" in section


def test_phases_in_order_each_waited_for(root, tmp_path, table):
    out, calls = _run(root, tmp_path, "--overlay", "dev")
    assert out.returncode == 0, out.stderr + out.stdout
    # The index of the call that finishes each service's rollout, and of the
    # first call touching each service.
    def first(pred):
        return next(i for i, c in enumerate(calls) if pred(c))
    for s in table:
        mig_apply = first(lambda c: c.startswith("apply ") and f"Job/migrate-{s.name}" in c)
        mig_wait = first(lambda c: "wait" in c and f"job/migrate-{s.name}" in c)
        app_apply = first(lambda c: c.startswith("apply ") and f"Deployment/{s.name}" in c.split())
        ready = first(lambda c: f"rollout status deployment/{s.name} " in c)
        assert mig_apply < mig_wait < app_apply < ready
        for later in table:
            if later.phase > s.phase:
                touch = first(lambda c: f"migrate-{later.name}" in c)
                assert ready < touch, f"{later.name} touched before {s.name} was ready"


def test_the_topology_job_runs_in_phase_zero_before_any_migration(root, tmp_path, table):
    out, calls = _run(root, tmp_path, "--overlay", "dev")
    assert out.returncode == 0, out.stderr + out.stdout
    def first(pred):
        return next(i for i, c in enumerate(calls) if pred(c))
    namespace = first(lambda c: c.startswith("apply ") and "Namespace/lawos" in c.split())
    topology = first(lambda c: c.startswith("apply ") and "Job/lawos-topology" in c.split())
    waited = first(lambda c: "wait" in c and "job/lawos-topology" in c)
    migrations = min(first(lambda c: f"migrate-{s.name}" in c) for s in table)
    assert namespace < topology < waited < migrations


def test_failed_migration_stops_before_later_phases(root, tmp_path):
    out, calls = _run(root, tmp_path, "--overlay", "dev", fail="job/migrate-events")
    assert out.returncode == 1
    assert "migration job/migrate-events" in out.stderr
    assert not any("migrate-contacts" in c or "Deployment/contacts" in c.split() for c in calls)
    assert not any(c.startswith("apply ") and "Deployment/events" in c for c in calls)


def test_rendered_phase_filter_matches_the_table(root, table):
    for s in table:
        out = subprocess.run([sys.executable, str(root / "k8s" / "render.py"), str(root / "k8s/overlays/prod"),
                              "--engine", "python", "--phase", str(s.phase), "--component", "migration"],
                             capture_output=True, text=True, check=True)
        names = {d["metadata"]["name"] for d in yaml.safe_load_all(out.stdout) if d}
        assert names == {f"migrate-{o.name}" for o in generate.SERVICES if o.phase == s.phase}
