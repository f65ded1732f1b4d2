"""Phase-dependency test: no service depends (hard) on a service of its own or a
higher phase, in the services table (k8s/generate.py, the single source) and in
docker-compose.yml's depends_on; the table agrees with docs/ARCHITECTURE.md and
the services' own ports."""

from __future__ import annotations

import re

import generate

INFRA_COMPOSE = {"postgres": "postgres", "redis": "redis", "rabbitmq": "rabbitmq", "s3": "minio"}


def test_table_is_complete_and_consistent(table):
    names = [s.name for s in table]
    assert len(names) == 12 and len(set(names)) == 12
    ports = [s.port for s in table]
    assert ports == list(range(8081, 8093)), "ports are 8081..8092 in ARCHITECTURE §1 order"
    phases = [s.phase for s in table]
    assert phases == sorted(phases), "table is in phase order"
    for s in table:
        for dep in s.hard + s.soft:
            assert dep in generate.BY_NAME, f"{s.name}: unknown dependency {dep}"
            assert dep != s.name, f"{s.name} depends on itself"
        assert not set(s.hard) & set(s.soft), f"{s.name}: hard and soft overlap"
        assert set(s.infra) <= set(generate.INFRA)


def test_no_hard_dependency_on_same_or_higher_phase(table):
    bad = generate.hard_dependency_violations(table)
    assert not bad, "hard dependencies must point to a lower phase: " + "; ".join(bad)


def test_phase_check_catches_violations(table):
    # The integration map's literal rows would fail: tenants -> auth (both
    # phase 1), messages -> channels (both phase 6); so would an upward edge.
    import dataclasses
    broken = [dataclasses.replace(s, hard=s.hard + ("auth",)) if s.name == "tenants"
              else dataclasses.replace(s, hard=s.hard + ("notifications",)) if s.name == "rbac"
              else s for s in table]
    assert generate.hard_dependency_violations(broken) == [
        "tenants (phase 1) -> auth (phase 1)",
        "rbac (phase 2) -> notifications (phase 9)",
    ]


def test_table_matches_architecture_doc(root, table):
    text = (root / "docs" / "ARCHITECTURE.md").read_text()
    doc = {}
    for m in re.finditer(r"^\s*phase (\d+)\s+(.*)$", text, re.M):
        for name, port in re.findall(r"([a-z]+) \((\d+)\)", m.group(2)):
            doc[name] = (int(m.group(1)), int(port))
    assert doc == {s.name: (s.phase, s.port) for s in table}


def test_table_matches_service_crates(root, table):
    # Each service crate declares its port (its ServiceSpec's `port: <n>`).
    for s in table:
        src = " ".join(p.read_text() for p in sorted((root / "services" / s.name).rglob("*.rs")))
        assert re.search(rf"\bport:\s*{s.port}\b", src), f"services/{s.name}: no `port: {s.port}`"


def test_every_matrix_hard_dependency_is_kept_or_explained(table):
    # Integration map §1's hard dependencies that the table turns soft must be
    # same-phase pairs with a note saying why.
    for s in table:
        for dep in s.soft:
            if generate.BY_NAME[dep].phase == s.phase and dep in ("auth", "channels"):
                assert s.note, f"{s.name}: soft {dep} needs a note"


# --- docker-compose.yml --------------------------------------------------------


def _deps(svc: dict) -> dict:
    d = svc.get("depends_on") or {}
    return {k: {"condition": "service_started"} for k in d} if isinstance(d, list) else d


def _phase_of(name: str) -> int | None:
    if name in INFRA_COMPOSE.values():
        return 0
    if name in generate.BY_NAME:
        return generate.BY_NAME[name].phase
    return None


def test_compose_depends_on_follows_phase_order(compose, table):
    services = compose["services"]
    bad = []
    for s in table:
        for dep in _deps(services[s.name]):
            if dep == f"migrate-{s.name}":
                continue
            p = _phase_of(dep)
            assert p is not None, f"compose: {s.name} depends on unknown {dep}"
            if p >= s.phase:
                bad.append(f"{s.name} (phase {s.phase}) -> {dep} (phase {p})")
    assert not bad, "compose depends_on must point to lower phases: " + "; ".join(bad)


def test_compose_migrations_need_only_the_database(compose, table):
    for s in table:
        deps = _deps(compose["services"][f"migrate-{s.name}"])
        assert set(deps) == {"postgres"}, f"migrate-{s.name}: {sorted(deps)}"


def test_compose_starts_after_every_hard_dependency(compose, table):
    services = compose["services"]

    def closure(name: str, seen: set) -> set:
        for dep, cond in _deps(services[name]).items():
            if dep not in seen:
                seen.add(dep)
                closure(dep, seen)
        return seen

    for s in table:
        reach = closure(s.name, set())
        missing = [d for d in s.hard if d not in reach]
        assert not missing, f"compose: {s.name} may start before its hard deps {missing}"
        missing_infra = [INFRA_COMPOSE[i] for i in s.infra if INFRA_COMPOSE[i] not in reach]
        assert not missing_infra, f"compose: {s.name} may start before {missing_infra}"
        own = _deps(services[s.name]).get(f"migrate-{s.name}")
        assert own == {"condition": "service_completed_successfully"}, s.name
        for dep, cond in _deps(services[s.name]).items():
            if dep in generate.BY_NAME:
                assert cond["condition"] == "service_healthy", f"{s.name} -> {dep}"
