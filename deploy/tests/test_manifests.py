"""Checks of the rendered Kubernetes manifests beyond the schemas: every service
has its objects, probes, limits, hardening, phase label and sync waves, and the
NetworkPolicies admit exactly the callers of the dependency matrix."""

from __future__ import annotations

import subprocess
import sys

import kubernetes_validate
import pytest

import generate
import render

KINDS = ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy")


def _index(docs):
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def test_generated_files_are_up_to_date(root):
    out = subprocess.run([sys.executable, str(root / "k8s" / "generate.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_every_service_has_its_objects(overlay, table):
    env, docs = overlay
    idx = _index(docs)
    for s in table:
        for kind in KINDS:
            assert (kind, s.name) in idx, f"{env}: {kind}/{s.name} missing"
        assert ("Job", f"migrate-{s.name}") in idx
    assert ("Namespace", "lawos") in idx and ("ConfigMap", "lawos-config") in idx
    assert all(d["metadata"].get("namespace") == "lawos" for d in docs if d["kind"] != "Namespace")


def test_phase_labels_and_waves(overlay, table):
    env, docs = overlay
    idx = _index(docs)
    for s in table:
        for kind in KINDS:
            m = idx[(kind, s.name)]["metadata"]
            assert m["labels"][generate.PHASE_LABEL] == str(s.phase)
            assert m["annotations"][generate.WAVE] == str(10 * s.phase)
        job = idx[("Job", f"migrate-{s.name}")]
        assert job["metadata"]["labels"][generate.PHASE_LABEL] == str(s.phase)
        assert int(job["metadata"]["annotations"][generate.WAVE]) == 10 * s.phase - 1
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "Sync"
    for d in docs:
        assert generate.PHASE_LABEL in d["metadata"]["labels"], d["metadata"]["name"]
        assert d["metadata"]["labels"]["lawos.io/env"] == env
    # Waves grow with phases: no object of phase n syncs after one of phase n+1.
    waves = sorted((int(d["metadata"]["labels"][generate.PHASE_LABEL]),
                    int(d["metadata"]["annotations"][generate.WAVE])) for d in docs)
    assert [w for _, w in waves] == sorted(w for _, w in waves)


def test_the_topology_job_declares_every_queue_first(overlay, table):
    _, docs = overlay
    job = _index(docs)[("Job", "lawos-topology")]
    m = job["metadata"]
    assert m["labels"][generate.PHASE_LABEL] == "0"
    assert m["annotations"]["argocd.argoproj.io/hook"] == "Sync"
    wave = int(m["annotations"][generate.WAVE])
    assert all(wave < 10 * s.phase - 1 for s in table), "before every migration"
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never" and pod["securityContext"]["runAsNonRoot"]
    cont = pod["containers"][0]
    assert cont["command"] == ["lawos", "topology"]
    assert {"secretRef": {"name": "lawos-secrets"}} in cont["envFrom"]
    assert cont["securityContext"]["readOnlyRootFilesystem"]


def test_deployments_are_hardened_and_probed(overlay, table):
    env, docs = overlay
    idx = _index(docs)
    for s in table:
        dep = idx[("Deployment", s.name)]
        pod = dep["spec"]["template"]["spec"]
        c = pod["containers"][0]
        assert c["command"] == [f"lawos-{s.name}", "serve"]
        assert c["ports"] == [{"name": "http", "containerPort": s.port, "protocol": "TCP"}]
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert c["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert "startupProbe" in c
        assert c["resources"]["requests"] and c["resources"]["limits"]
        sc = c["securityContext"]
        assert sc["runAsNonRoot"] and sc["runAsUser"] == 10001
        assert sc["readOnlyRootFilesystem"] and sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        job = idx[("Job", f"migrate-{s.name}")]
        jc = job["spec"]["template"]["spec"]["containers"][0]
        assert jc["command"] == [f"lawos-{s.name}", "migrate"]
        assert jc["securityContext"]["readOnlyRootFilesystem"]
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
        hpa = idx[("HorizontalPodAutoscaler", s.name)]["spec"]
        assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == 70
        assert hpa["minReplicas"] == dep["spec"]["replicas"]
        if env == "dev":
            assert dep["spec"]["replicas"] == 1 and hpa["minReplicas"] == 1
        else:
            assert dep["spec"]["replicas"] >= 2
            assert idx[("PodDisruptionBudget", s.name)]["spec"] == {
                "selector": {"matchLabels": generate.selector(s)}, "minAvailable": 1}
            assert "lawos" in c["image"] and c["image"].startswith("ghcr.io/lawos/lawos:")


def test_network_policies_admit_ingress_and_callers_only(overlay, table):
    _, docs = overlay
    idx = _index(docs)
    for s in table:
        np = idx[("NetworkPolicy", s.name)]["spec"]
        assert np["policyTypes"] == ["Ingress"]
        sources = np["ingress"][0]["from"]
        assert sources[0]["namespaceSelector"]["matchLabels"] == {
            "kubernetes.io/metadata.name": generate.INGRESS_NAMESPACE}
        allowed = set(sources[1]["podSelector"]["matchExpressions"][0]["values"]) if len(sources) > 1 else set()
        expected = {o.name for o in table if o.name != s.name and (
            s.name in ("auth", "tenants") or s.name in o.hard or s.name in o.soft)}
        assert allowed == expected, s.name
    # Spot checks from the matrix.
    assert set(generate.callers("matters")) == {"contacts", "channels", "messages", "tasks", "documents", "billing", "notifications"}
    assert set(generate.callers("events")) == {"contacts", "matters", "messages", "tasks", "documents", "billing", "notifications"}
    assert generate.callers("notifications") == []
    assert len(generate.callers("tenants")) == 11 and len(generate.callers("auth")) == 11


def test_ingress_routes_every_prefix(overlay, table):
    _, docs = overlay
    ing = _index(docs)[("Ingress", "lawos")]
    routes = {p["path"]: p["backend"]["service"]["name"]
              for p in ing["spec"]["rules"][0]["http"]["paths"]}
    expected = {"/api/v1/auth": "auth", "/.well-known": "auth", "/oauth": "auth",
                "/api/v1/matters": "matters", "/api/v1/leads": "matters", "/webhooks/meta": "matters",
                "/api/v1/messages": "messages", "/webhooks/telephony": "messages"}
    for s in table:
        if s.name not in ("auth", "matters", "messages"):
            expected[f"/api/v1/{s.name}"] = s.name
    assert routes == expected


def test_secret_template_has_placeholders_only(root):
    docs = render.build_python(root / "k8s" / "base" / "secret-template")
    keys = set()
    for d in docs:
        for k, v in d["stringData"].items():
            keys.add(k)
            if k not in ("LAWOS_ADMIN_EMAIL",):
                assert "CHANGE-ME" in v, f"{d['metadata']['name']}.{k} is not a placeholder"
    assert {"LAWOS_DATABASE_URL", "LAWOS_DB_APP_PASSWORD", "LAWOS_CURSOR_KEY", "LAWOS_AMQP_URL"} <= keys
    base = render.build_python(root / "k8s" / "base")
    assert not [d for d in base if d["kind"] == "Secret"], "base must not overwrite real Secrets"


def test_strict_schema_validation_rejects_unknown_fields():
    # The validator `make k8s-validate` relies on does reject a misspelt field.
    bad = generate.deployment(generate.SERVICES[0])
    bad["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, "1.30.0", strict=True)
    kubernetes_validate.validate(generate.deployment(generate.SERVICES[0]), "1.30.0", strict=True)


def test_python_renderer_refuses_what_it_does_not_know(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: []\nreplicas: [{name: x, count: 2}]\n")
    with pytest.raises(render.RenderError):
        render.build_python(tmp_path)


def test_every_platform_setting_is_configured(root):
    # Each LAWOS_* of crates/lawos-http/src/config.rs is in the ConfigMap, the
    # secret template, or set per Deployment.
    import re
    text = (root / "crates" / "lawos-http" / "src" / "config.rs").read_text()
    settings = set(re.findall(r'"(LAWOS_[A-Z0-9_]+)"', text))
    secrets = set()
    for d in render.build_python(root / "k8s" / "base" / "secret-template"):
        secrets |= set(d["stringData"])
    covered = set(generate.CONFIG) | secrets | {"LAWOS_HTTP_ADDR"}
    assert settings and settings <= covered, sorted(settings - covered)
