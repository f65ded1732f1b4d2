"""Structural checks of docker-compose.yml (no Docker engine or compose plugin on
the development machines, so `docker compose config -q` cannot run): the file
parses as YAML with anchors and merge keys resolved, uses only known keys,
every reference resolves, and every service of the table is there with its
one-shot migration, command, port and health check."""

from __future__ import annotations

TOP_KEYS = {"name", "services", "volumes", "networks", "configs", "secrets"}
SERVICE_KEYS = {
    "build", "image", "command", "entrypoint", "environment", "env_file", "depends_on", "ports",
    "volumes", "healthcheck", "restart", "networks", "labels", "working_dir", "user", "profiles",
    "expose", "extra_hosts", "container_name", "read_only", "tmpfs", "cap_drop", "security_opt",
}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


def test_top_level_and_service_keys(compose):
    assert set(k for k in compose if not k.startswith("x-")) <= TOP_KEYS
    for name, svc in compose["services"].items():
        unknown = set(svc) - SERVICE_KEYS
        assert not unknown, f"{name}: unknown keys {unknown}"
        assert "image" in svc or "build" in svc, name


def test_references_resolve(compose):
    services = compose["services"]
    volumes = set(compose.get("volumes") or {})
    for name, svc in services.items():
        deps = svc.get("depends_on") or {}
        for dep, spec in (deps.items() if isinstance(deps, dict) else ((d, {}) for d in deps)):
            assert dep in services, f"{name} depends on unknown {dep}"
            cond = spec.get("condition", "service_started")
            assert cond in CONDITIONS, f"{name} -> {dep}: {cond}"
            if cond == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep}'s health, it has none"
            if cond == "service_completed_successfully":
                assert services[dep].get("restart") == "no", f"{dep} is one-shot: restart must be 'no'"
        for v in svc.get("volumes") or []:
            src = v.split(":", 1)[0] if isinstance(v, str) else v.get("source")
            if src and not src.startswith((".", "/")):
                assert src in volumes, f"{name}: undeclared volume {src}"


def test_published_ports_are_unique(compose):
    seen = {}
    for name, svc in compose["services"].items():
        for p in svc.get("ports") or []:
            host = p.rsplit(":", 1)[0]
            assert host not in seen, f"{name} and {seen.get(host)} both publish {host}"
            seen[host] = name


def test_every_service_and_its_migration(compose, table):
    services = compose["services"]
    for s in table:
        svc = services[s.name]
        assert svc["command"][0] == f"lawos-{s.name}"
        assert svc["command"][1:] in ([], ["serve"])
        assert f"127.0.0.1:{s.port}:{s.port}" in svc["ports"]
        assert f"/dev/tcp/127.0.0.1/{s.port}" in " ".join(svc["healthcheck"]["test"])
        assert "/readyz" in " ".join(svc["healthcheck"]["test"])
        mig = services[f"migrate-{s.name}"]
        assert mig["command"] == [f"lawos-{s.name}", "migrate"]
        assert mig["restart"] == "no"
        assert svc["environment"]["LAWOS_TENANTS_URL"] == "http://tenants:8082"


def test_gateway_if_present(compose, root, table):
    gw = compose["services"].get("gateway")
    if gw is None:
        return
    assert gw["ports"] == ["127.0.0.1:${LAWOS_GATEWAY_PORT:-8080}:8080"]
    assert "./deploy/gateway/nginx.conf:/etc/nginx/nginx.conf:ro" in gw["volumes"]
    conf = (root / "deploy" / "gateway" / "nginx.conf").read_text()
    for s in table:
        assert f"server {s.name}:{s.port};" in conf
        assert gw["depends_on"][s.name] == {"condition": "service_healthy"}
        for prefix in s.prefixes:
            assert f"location ^~ {prefix}/ {{ proxy_pass http://{s.name}; }}" in conf
