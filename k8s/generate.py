#!/usr/bin/env python3
"""Generates the Kubernetes manifests of LawOS from one table of services.

    python3 k8s/generate.py           write k8s/base/**, k8s/overlays/**,
                                      deploy/gateway/nginx.conf
    python3 k8s/generate.py --check   exit 1 if a committed file differs from
                                      what the table generates (used by
                                      `make k8s-validate`)

The table below (SERVICES) is the single source of the services' phases, ports,
public prefixes and dependencies. It is read by this generator, by
`deploy/tests/test_phases.py` (phase-dependency test, docker-compose.yml
checks) and by `scripts/deploy-local.sh` (through `--table`). Edit the table,
run the generator, commit the table and the generated YAML together.

Phases and sync waves (docs/OPERATIONS.md "Phases"): every object carries the
label `lawos.io/phase: "<n>"` (ARCHITECTURE §1). Argo CD sync waves are
`10*n` for a phase's Deployment, Service, HPA, PDB and NetworkPolicy, and
`10*n - 1` for its migration Jobs, which are Argo CD `Sync` hooks (re-created
on every sync, `BeforeHookCreation`), so each phase migrates, then rolls out
and becomes healthy before the next phase starts. Namespace and ConfigMap are
phase 0 (wave 0), and so is the topology Job (wave 1, a `Sync` hook running
`lawos topology`: every consumer's queue declared before any service starts); the Ingress opens the edge after the last phase (phase 9,
wave 95).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
NAMESPACE = "lawos"
IMAGE = "ghcr.io/lawos/lawos"
IMAGE_TAG = "latest"
PART_OF = "lawos"
PHASE_LABEL = "lawos.io/phase"
WAVE = "argocd.argoproj.io/sync-wave"
# The ingress controller admitted by every NetworkPolicy (ingress-nginx's defaults).
INGRESS_NAMESPACE = "ingress-nginx"
INGRESS_POD_LABELS = {"app.kubernetes.io/name": "ingress-nginx"}
INGRESS_CLASS = "nginx"
INGRESS_HOST = "api.lawos.example.com"
# Infrastructure (phase 0) a service needs before it starts.
INFRA = ("postgres", "redis", "rabbitmq", "s3")


@dataclass(frozen=True)
class Service:
    name: str
    phase: int
    port: int
    prefixes: tuple[str, ...]
    # Hard dependencies: services that must be up (ready) before this one is
    # deployed. Must be of a LOWER phase (tested by deploy/tests/test_phases.py).
    hard: tuple[str, ...] = ()
    # Soft dependencies: services this one calls at run time but can start
    # without (degrades until they answer). Any phase.
    soft: tuple[str, ...] = ()
    infra: tuple[str, ...] = ("postgres", "redis", "rabbitmq")
    # Where the integration map's §1 row says something else, and why.
    note: str = ""


# Integration map §1 (dependency matrix) mapped onto ARCHITECTURE §1's twelve
# services: Customers -> contacts (clients live there), Notes -> matters,
# Assignments -> tasks. Billing is not in the matrix: its row is ours.
# Every service also calls tenants (tenant resolution) and auth's JWKS at run
# time: they are admitted by tenants' and auth's NetworkPolicies without being
# listed here (see `callers`).
SERVICES: tuple[Service, ...] = (
    Service("auth", 1, 8081, ("/api/v1/auth", "/.well-known", "/oauth"),
            hard=(), soft=("rbac",), infra=("postgres", "redis", "rabbitmq"),
            note="provisioning assigns the new user's role in rbac (phase 2): soft, "
                 "auth serves tokens without it and provisioning answers 503"),
    Service("tenants", 1, 8082, ("/api/v1/tenants",),
            hard=(), soft=("auth",),
            note="matrix lists Auth as hard; both are phase 1 (map §5), and tenants "
                 "only needs auth's JWKS per request (fetched lazily), so it is soft here"),
    Service("rbac", 2, 8083, ("/api/v1/rbac",), hard=("auth",)),
    Service("events", 3, 8084, ("/api/v1/events",), hard=("auth", "tenants")),
    Service("contacts", 4, 8085, ("/api/v1/contacts",),
            hard=("auth", "rbac", "tenants"), soft=("events", "matters"),
            note="the conflict check asks matters (phase 5) where people are parties: "
                 "soft, it answers without them when matters is unreachable"),
    Service("matters", 5, 8086, ("/api/v1/matters", "/api/v1/leads", "/webhooks/meta"),
            hard=("contacts", "auth", "rbac"), soft=("events",)),
    Service("channels", 6, 8087, ("/api/v1/channels",),
            hard=("matters", "contacts"), soft=("messages",)),
    Service("messages", 6, 8088, ("/api/v1/messages", "/webhooks/telephony"),
            hard=("matters", "rbac"),
            soft=("channels", "contacts", "events", "documents", "tasks", "billing"),
            note="matrix lists Channels as hard; both are phase 6 (map §5): messages "
                 "checks a channel per request, so it is soft here; its phase-5 "
                 "dependency (matters, via channels) is hard. Per request it also asks "
                 "contacts (an SMS sender, a client's comments), events (audit trails) "
                 "and the owners of commented documents, appointments and time entries: "
                 "those requests answer 503 while they are down"),
    Service("tasks", 7, 8089, ("/api/v1/tasks",), hard=("matters", "rbac"),
            soft=("contacts", "events"),
            note="asks contacts whether a contact attendee exists and events for audit "
                 "trails (soft: those requests answer 503 while they are down)"),
    Service("documents", 7, 8090, ("/api/v1/documents",), hard=("matters", "rbac"),
            soft=("contacts", "events"),
            note="asks matters (a matter document's parent exists), contacts (a client "
                 "document's) and events (audit trails); rbac for every access decision",
            infra=("postgres", "redis", "rabbitmq", "s3")),
    Service("billing", 8, 8091, ("/api/v1/billing",),
            hard=("matters", "contacts", "rbac"), soft=("events", "tasks"),
            infra=("postgres", "redis", "rabbitmq", "s3")),
    Service("notifications", 9, 8092, ("/api/v1/notifications",),
            hard=("events",), soft=("matters", "rbac"),
            note="matrix: Events (hard), all services; it consumes their events, asks "
                 "matters for a matter's team and rbac for decisions and scope holders "
                 "(soft: events are retried until they answer); SMTP and Telnyx are "
                 "external"),
)

BY_NAME = {s.name: s for s in SERVICES}
# Called by every service (tenant resolution; token validation keys).
CALLED_BY_ALL = ("auth", "tenants")


def callers(name: str) -> list[str]:
    """Services admitted by `name`'s NetworkPolicy, in table order."""
    out = []
    for s in SERVICES:
        if s.name == name:
            continue
        if name in CALLED_BY_ALL or name in s.hard or name in s.soft:
            out.append(s.name)
    return out


def hard_dependency_violations(services=None) -> list[str]:
    """Hard dependencies that do not point to a lower phase (must be none)."""
    services = SERVICES if services is None else services
    by_name = {s.name: s for s in services}
    bad = []
    for s in services:
        for dep in s.hard:
            d = by_name.get(dep)
            if d is None:
                bad.append(f"{s.name} -> {dep} (unknown service)")
            elif d.phase >= s.phase:
                bad.append(f"{s.name} (phase {s.phase}) -> {dep} (phase {d.phase})")
    return bad


def phases() -> list[int]:
    return sorted({s.phase for s in SERVICES})


def wave_service(phase: int) -> str:
    return str(phase * 10)


def wave_migration(phase: int) -> str:
    return str(phase * 10 - 1)


# --- objects ------------------------------------------------------------------


def labels(svc: Service, component: str) -> dict:
    return {
        "app.kubernetes.io/name": svc.name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
        PHASE_LABEL: str(svc.phase),
    }


def selector(svc: Service) -> dict:
    return {"app.kubernetes.io/name": svc.name, "app.kubernetes.io/component": "api"}


def meta(name: str, lbls: dict, wave: str, extra_annotations: dict | None = None) -> dict:
    annotations = {WAVE: wave}
    annotations.update(extra_annotations or {})
    return {"name": name, "labels": dict(lbls), "annotations": annotations}


POD_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "runAsGroup": 10001,
    "fsGroup": 10001,
    "seccompProfile": {"type": "RuntimeDefault"},
}
CONTAINER_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "runAsGroup": 10001,
    "readOnlyRootFilesystem": True,
    "allowPrivilegeEscalation": False,
    "privileged": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
RESOURCES = {
    "requests": {"cpu": "100m", "memory": "128Mi"},
    "limits": {"cpu": "1", "memory": "512Mi"},
}


def env_from(svc: Service) -> list:
    return [
        {"configMapRef": {"name": "lawos-config"}},
        {"secretRef": {"name": "lawos-secrets"}},
        # Settings only this service reads (e.g. LAWOS_AUTH_MASTER_KEY, S3 keys).
        {"secretRef": {"name": f"lawos-{svc.name}-secrets", "optional": True}},
    ]


def container(svc: Service, command: list[str], probes: bool) -> dict:
    c = {
        "name": svc.name if probes else "migrate",
        "image": f"{IMAGE}:{IMAGE_TAG}",
        "imagePullPolicy": "IfNotPresent",
        "command": command,
        "envFrom": env_from(svc),
        "env": [{"name": "LAWOS_HTTP_ADDR", "value": f"0.0.0.0:{svc.port}"}] if probes else [],
        "resources": json.loads(json.dumps(RESOURCES)),
        "securityContext": dict(CONTAINER_SECURITY),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    if not c["env"]:
        del c["env"]
    if probes:
        c["ports"] = [{"name": "http", "containerPort": svc.port, "protocol": "TCP"}]
        c["startupProbe"] = {
            "httpGet": {"path": "/livez", "port": "http"},
            "periodSeconds": 2,
            "timeoutSeconds": 2,
            "failureThreshold": 60,
        }
        c["readinessProbe"] = {
            "httpGet": {"path": "/readyz", "port": "http"},
            "periodSeconds": 5,
            "timeoutSeconds": 3,
            "failureThreshold": 3,
        }
        c["livenessProbe"] = {
            "httpGet": {"path": "/livez", "port": "http"},
            "periodSeconds": 10,
            "timeoutSeconds": 3,
            "failureThreshold": 3,
        }
        # Let endpoints drop the pod before the server stops accepting.
        c["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    return c


def pod_spec(svc: Service, cont: dict, restart: str | None = None) -> dict:
    spec = {
        "automountServiceAccountToken": False,
        "securityContext": dict(POD_SECURITY),
        "containers": [cont],
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
    }
    if restart:
        spec["restartPolicy"] = restart
    return spec


def deployment(svc: Service) -> dict:
    lbl = labels(svc, "api")
    spec = pod_spec(svc, container(svc, [f"lawos-{svc.name}", "serve"], probes=True))
    spec["terminationGracePeriodSeconds"] = 30
    spec["topologySpreadConstraints"] = [{
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": selector(svc)},
    }]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(svc.name, lbl, wave_service(svc.phase)),
        "spec": {
            "replicas": 2,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector(svc)},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
            },
            "template": {
                "metadata": {
                    "labels": lbl,
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(svc.port),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": spec,
            },
        },
    }


def k8s_service(svc: Service) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(svc.name, labels(svc, "api"), wave_service(svc.phase)),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(svc),
            "ports": [{"name": "http", "port": svc.port, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def hpa(svc: Service) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta(svc.name, labels(svc, "api"), wave_service(svc.phase)),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": svc.name},
            "minReplicas": 2,
            "maxReplicas": 6,
            "metrics": [{
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
            }],
        },
    }


def pdb(svc: Service) -> dict:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(svc.name, labels(svc, "api"), wave_service(svc.phase)),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(svc)}},
    }


def network_policy(svc: Service) -> dict:
    sources = [{
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": INGRESS_NAMESPACE}},
        "podSelector": {"matchLabels": dict(INGRESS_POD_LABELS)},
    }]
    calling = callers(svc.name)
    if calling:
        sources.append({
            "podSelector": {
                "matchLabels": {"app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/component": "api"},
                "matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": calling}],
            },
        })
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(svc.name, labels(svc, "api"), wave_service(svc.phase),
                         {"lawos.io/callers": ",".join(calling)}),
        "spec": {
            "podSelector": {"matchLabels": selector(svc)},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": sources, "ports": [{"port": "http", "protocol": "TCP"}]}],
        },
    }


def migration_job(svc: Service) -> dict:
    lbl = labels(svc, "migration")
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta(f"migrate-{svc.name}", lbl, wave_migration(svc.phase), {
            "argocd.argoproj.io/hook": "Sync",
            "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
        }),
        "spec": {
            "backoffLimit": 3,
            "activeDeadlineSeconds": 900,
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {"labels": lbl},
                "spec": pod_spec(svc, container(svc, [f"lawos-{svc.name}", "migrate"], probes=False),
                                 restart="Never"),
            },
        },
    }


def topology_job() -> dict:
    """Phase 0: every consumer's queue and bindings declared (`lawos topology`)
    before any service starts, so an event of phase 1 published before phase 3
    rolls out waits in phase 3's queue instead of being dropped by the broker."""
    lbl = {
        "app.kubernetes.io/name": "topology",
        "app.kubernetes.io/component": "migration",
        "app.kubernetes.io/part-of": PART_OF,
        PHASE_LABEL: "0",
    }
    cont = {
        "name": "topology",
        "image": f"{IMAGE}:{IMAGE_TAG}",
        "imagePullPolicy": "IfNotPresent",
        "command": ["lawos", "topology"],
        # LAWOS_AMQP_URL (lawos-secrets) is all it reads.
        "envFrom": [{"configMapRef": {"name": "lawos-config"}},
                    {"secretRef": {"name": "lawos-secrets"}}],
        "resources": json.loads(json.dumps(RESOURCES)),
        "securityContext": dict(CONTAINER_SECURITY),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta("lawos-topology", lbl, "1", {
            "argocd.argoproj.io/hook": "Sync",
            "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
        }),
        "spec": {
            "backoffLimit": 3,
            "activeDeadlineSeconds": 600,
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {"labels": lbl},
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": dict(POD_SECURITY),
                    "containers": [cont],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
                    "restartPolicy": "Never",
                },
            },
        },
    }


def service_docs(svc: Service) -> list[dict]:
    return [migration_job(svc), deployment(svc), k8s_service(svc), hpa(svc), pdb(svc),
            network_policy(svc)]


def phase0_meta(name: str) -> dict:
    return meta(name, {"app.kubernetes.io/part-of": PART_OF, PHASE_LABEL: "0"}, "0")


def namespace() -> dict:
    m = phase0_meta(NAMESPACE)
    m["labels"]["pod-security.kubernetes.io/enforce"] = "restricted"
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": m}


CONFIG = {
    # Non-secret settings (README "Configuration", crates/lawos-http/src/config.rs).
    # Anything here may be overridden by the same key in lawos-secrets (envFrom:
    # the later source wins), e.g. a LAWOS_REDIS_URL that carries a password.
    "LAWOS_REDIS_URL": "redis://lawos-redis.lawos-data.svc.cluster.local:6379",
    "LAWOS_REDIS_PREFIX": "lawos",
    "LAWOS_DB_POOL_SIZE": "8",
    "LAWOS_JWT_ISSUER": f"https://{INGRESS_HOST}",
    "LAWOS_JWT_AUDIENCE": "lawos",
    "LAWOS_JWKS_URL": f"http://auth.{NAMESPACE}.svc.cluster.local:8081/.well-known/jwks.json",
    "LAWOS_TENANTS_URL": f"http://tenants.{NAMESPACE}.svc.cluster.local:8082",
    "LAWOS_EVENTS_URL": f"http://events.{NAMESPACE}.svc.cluster.local:8084",
    "LAWOS_RBAC_URL": f"http://rbac.{NAMESPACE}.svc.cluster.local:8083",
    "LAWOS_CONTACTS_URL": f"http://contacts.{NAMESPACE}.svc.cluster.local:8085",
    "LAWOS_MATTERS_URL": f"http://matters.{NAMESPACE}.svc.cluster.local:8086",
    "LAWOS_MESSAGES_URL": f"http://messages.{NAMESPACE}.svc.cluster.local:8088",
    "LAWOS_TASKS_URL": f"http://tasks.{NAMESPACE}.svc.cluster.local:8089",
    "LAWOS_DOCUMENTS_URL": f"http://documents.{NAMESPACE}.svc.cluster.local:8090",
    "LAWOS_CHANNELS_URL": f"http://channels.{NAMESPACE}.svc.cluster.local:8087",
    "LAWOS_BILLING_URL": f"http://billing.{NAMESPACE}.svc.cluster.local:8091",
    "LAWOS_NOTIFICATIONS_URL": f"http://notifications.{NAMESPACE}.svc.cluster.local:8092",
    # Service tokens (client_credentials) from auth inside the cluster; tokens
    # still carry the public LAWOS_JWT_ISSUER.
    "LAWOS_TOKEN_URL": f"http://auth.{NAMESPACE}.svc.cluster.local:8081/oauth/token",
    "LAWOS_HTTP_WORKERS": "2",
    "LAWOS_BODY_LIMIT_BYTES": "1048576",
    "LAWOS_RATE_LIMIT": "on",
    "LAWOS_RATE_LIMITS": "web=1000/1200,mobile=500/600,admin=2000/2400",
    "LAWOS_LOG_FORMAT": "json",
    "LAWOS_S3_ENDPOINT": "https://s3.us-east-1.amazonaws.com",
    "LAWOS_S3_REGION": "us-east-1",
    "LAWOS_S3_PATH_STYLE": "false",
    "LAWOS_DOCUMENTS_BUCKET": "lawos-documents",
    "RUST_LOG": "info",
}

SECRET_KEYS = {
    "LAWOS_DATABASE_URL": "postgres://lawos_owner:CHANGE-ME@lawos-pg-rw.lawos-data.svc.cluster.local:5432/lawos?sslmode=require",
    "LAWOS_DB_APP_PASSWORD": "CHANGE-ME",
    "LAWOS_CURSOR_KEY": "CHANGE-ME-at-least-32-random-bytes",
    "LAWOS_AMQP_URL": "amqp://lawos:CHANGE-ME@lawos-rabbitmq.lawos-data.svc.cluster.local:5672/%2f",
}


def config_map() -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": phase0_meta("lawos-config"),
            "data": dict(CONFIG)}


def secret_template() -> list[dict]:
    shared = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": phase0_meta("lawos-secrets"),
        "type": "Opaque",
        "stringData": dict(SECRET_KEYS),
    }
    own = {
        "auth": {
            "LAWOS_AUTH_MASTER_KEY": "CHANGE-ME-base64-of-32-random-bytes",
            "LAWOS_ADMIN_EMAIL": "admin@lawos.local",
            "LAWOS_ADMIN_PASSWORD": "CHANGE-ME",
        },
        "contacts": {"LAWOS_PII_KEY": "CHANGE-ME-base64-of-32-random-bytes"},
        # Seal each firm's MyCase OAuth client secret and refresh token, and
        # the Meta page access tokens of lead intake.
        "matters": {
            "LAWOS_MYCASE_TOKEN_KEY": "CHANGE-ME-base64-of-32-random-bytes",
            "LAWOS_META_TOKEN_KEY": "CHANGE-ME-base64-of-32-random-bytes",
        },
        # SMS over Telnyx; remove all three to run without SMS (SMS fail at
        # once, the webhook answers 503).
        "messages": {
            "LAWOS_TELNYX_API_KEY": "CHANGE-ME-telnyx-api-key",
            "LAWOS_TELNYX_MESSAGING_PROFILE_ID": "CHANGE-ME-telnyx-messaging-profile-id",
            "LAWOS_TELNYX_PUBLIC_KEY": "CHANGE-ME-base64-of-the-telnyx-ed25519-public-key",
        },
        # Notification SMS over Telnyx; remove all three to run without them
        # (SMS deliveries fail at once with TELNYX_NOT_CONFIGURED).
        "notifications": {
            "LAWOS_TELNYX_API_KEY": "CHANGE-ME-telnyx-api-key",
            "LAWOS_TELNYX_MESSAGING_PROFILE_ID": "CHANGE-ME-telnyx-messaging-profile-id",
            "LAWOS_NOTIFICATION_SMS_FROM": "CHANGE-ME-e164-number-of-the-profile",
        },
        "documents": {"LAWOS_S3_ACCESS_KEY": "CHANGE-ME", "LAWOS_S3_SECRET_KEY": "CHANGE-ME"},
        "billing": {"LAWOS_S3_ACCESS_KEY": "CHANGE-ME", "LAWOS_S3_SECRET_KEY": "CHANGE-ME"},
    }
    per_service = []
    for svc in SERVICES:
        data = {"LAWOS_SERVICE_CLIENT_SECRET": f"CHANGE-ME-client-secret-of-lawos-{svc.name}"}
        data.update(own.get(svc.name, {}))
        per_service.append({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": phase0_meta(f"lawos-{svc.name}-secrets"),
            "type": "Opaque",
            "stringData": data,
        })
    return [shared] + per_service


def ingress() -> dict:
    paths = []
    for svc in SERVICES:
        for prefix in svc.prefixes:
            paths.append({
                "path": prefix,
                "pathType": "Prefix",
                "backend": {"service": {"name": svc.name, "port": {"name": "http"}}},
            })
    m = meta("lawos", {"app.kubernetes.io/part-of": PART_OF, PHASE_LABEL: str(phases()[-1])},
             str(phases()[-1] * 10 + 5), {"nginx.ingress.kubernetes.io/proxy-body-size": "1m"})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": m,
        "spec": {"ingressClassName": INGRESS_CLASS,
                 "rules": [{"host": INGRESS_HOST, "http": {"paths": paths}}]},
    }


# --- overlays -----------------------------------------------------------------

PART_OF_SELECTOR = f"app.kubernetes.io/part-of={PART_OF}"


def jp(target: dict, ops: list[dict]) -> dict:
    return {"target": target, "patch": yaml.safe_dump(ops, sort_keys=False)}


def overlay(env: str) -> dict:
    if env == "dev":
        resources = {"requests": {"cpu": "50m", "memory": "64Mi"},
                     "limits": {"cpu": "500m", "memory": "256Mi"}}
        replicas, hpa_min, hpa_max = 1, 1, 2
        image = {"name": IMAGE, "newName": "lawos", "newTag": "dev"}
        extra_resources = ["../../base/secret-template"]
        patches = [
            jp({"kind": "ConfigMap", "name": "lawos-config"}, [
                {"op": "replace", "path": "/data/LAWOS_JWT_ISSUER", "value": "http://lawos.localhost"},
                {"op": "replace", "path": "/data/LAWOS_S3_ENDPOINT",
                 "value": "http://lawos-minio.lawos-data.svc.cluster.local:9000"},
                {"op": "replace", "path": "/data/RUST_LOG", "value": "debug,h2=info,hyper=info"},
            ]),
            jp({"kind": "Ingress", "name": "lawos"}, [
                {"op": "replace", "path": "/spec/rules/0/host", "value": "lawos.localhost"},
            ]),
        ]
    else:
        resources = {"requests": {"cpu": "250m", "memory": "256Mi"},
                     "limits": {"cpu": "2", "memory": "1Gi"}}
        replicas, hpa_min, hpa_max = 3, 3, 12
        image = {"name": IMAGE, "newTag": IMAGE_TAG}
        extra_resources = []
        patches = [
            jp({"kind": "PodDisruptionBudget", "labelSelector": PART_OF_SELECTOR}, [
                {"op": "remove", "path": "/spec/maxUnavailable"},
                {"op": "add", "path": "/spec/minAvailable", "value": 1},
            ]),
            jp({"kind": "Ingress", "name": "lawos"}, [
                {"op": "add", "path": "/spec/tls",
                 "value": [{"hosts": [INGRESS_HOST], "secretName": "lawos-tls"}]},
            ]),
            jp({"kind": "ConfigMap", "name": "lawos-config"}, [
                {"op": "replace", "path": "/data/LAWOS_DB_POOL_SIZE", "value": "10"},
            ]),
        ]
    patches = [
        jp({"kind": "Deployment", "labelSelector": PART_OF_SELECTOR}, [
            {"op": "replace", "path": "/spec/replicas", "value": replicas},
            {"op": "replace", "path": "/spec/template/spec/containers/0/resources", "value": resources},
        ]),
        jp({"kind": "Job", "labelSelector": PART_OF_SELECTOR}, [
            {"op": "replace", "path": "/spec/template/spec/containers/0/resources", "value": resources},
        ]),
        jp({"kind": "HorizontalPodAutoscaler", "labelSelector": PART_OF_SELECTOR}, [
            {"op": "replace", "path": "/spec/minReplicas", "value": hpa_min},
            {"op": "replace", "path": "/spec/maxReplicas", "value": hpa_max},
        ]),
    ] + patches
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["../../base"] + extra_resources,
        "labels": [{"pairs": {"lawos.io/env": env}, "includeSelectors": False}],
        "images": [image],
        "patches": patches,
    }


# --- gateway ------------------------------------------------------------------


def nginx_conf() -> str:
    """deploy/gateway/nginx.conf: :8080 routing the prefixes to the services by
    compose name; scripts/deploy-local.sh rewrites `server <svc>:<port>` to
    127.0.0.1 and the /tmp paths to its run directory."""
    lines = [
        "# LawOS gateway: one origin on :8080, routing each public prefix (API.md,",
        "# ARCHITECTURE §1) to its service. Generated by k8s/generate.py from its",
        "# SERVICES table: edit the table, not this file.",
        "#   docker compose: mounted by the `gateway` service (upstreams by service name)",
        "#   make deploy-local: scripts/deploy-local.sh rewrites the upstreams to",
        "#   127.0.0.1:<port> and the /tmp paths to .lawos/run/deploy-local/gateway",
        "worker_processes 1;",
        "pid /tmp/lawos-gateway.pid;",
        "error_log stderr warn;",
        "events { worker_connections 1024; }",
        "",
        "http {",
        "    log_format lawos '$remote_addr \"$request\" $status $body_bytes_sent '",
        "                     'upstream=$upstream_addr rt=$request_time id=$request_id';",
        "    access_log /dev/stdout lawos;",
        "    client_body_temp_path /tmp/lawos-gateway-client-body;",
        "    proxy_temp_path /tmp/lawos-gateway-proxy;",
        "    fastcgi_temp_path /tmp/lawos-gateway-fastcgi;",
        "    uwsgi_temp_path /tmp/lawos-gateway-uwsgi;",
        "    scgi_temp_path /tmp/lawos-gateway-scgi;",
        "    client_max_body_size 1m;  # LAWOS_BODY_LIMIT_BYTES",
        "    server_tokens off;",
        "    proxy_http_version 1.1;",
        "    proxy_set_header Connection \"\";",
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    proxy_set_header X-Forwarded-Host $http_host;",
        "    proxy_connect_timeout 5s;",
        "    proxy_read_timeout 60s;",
        "",
    ]
    for svc in SERVICES:
        lines.append(f"    upstream {svc.name} {{ server {svc.name}:{svc.port}; keepalive 8; }}  # phase {svc.phase}")
    lines += ["", "    server {", "        listen 8080;", ""]
    for svc in SERVICES:
        for prefix in svc.prefixes:
            lines.append(f"        location = {prefix} {{ proxy_pass http://{svc.name}; }}")
            lines.append(f"        location ^~ {prefix}/ {{ proxy_pass http://{svc.name}; }}")
    lines += [
        "",
        "        location = /gateway/healthz { default_type text/plain; return 200 \"ok\\n\"; }",
        "        location / {",
        "            default_type application/json;",
        "            return 404 '{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no LawOS service serves this path\",\"details\":{}}}';",
        "        }",
        "    }",
        "}",
        "",
    ]
    return "\n".join(lines)


# --- files --------------------------------------------------------------------

HEADER = "# Generated by k8s/generate.py from its SERVICES table: edit the table, not this file.\n"


def dump(docs: list[dict], comment: str = "") -> str:
    body = "---\n".join(yaml.safe_dump(d, sort_keys=False, width=100) for d in docs)
    return HEADER + comment + body


def files() -> dict[str, str]:
    out: dict[str, str] = {}
    out["base/namespace.yaml"] = dump([namespace()])
    out["base/config.yaml"] = dump([config_map()])
    out["base/topology.yaml"] = dump(
        [topology_job()],
        "# Phase 0: every service's queues and bindings, declared before any service starts.\n")
    out["base/ingress.yaml"] = dump([ingress()], "# The prefixes of API.md, one path per prefix, to each service's port `http`.\n")
    for svc in SERVICES:
        c = (f"# {svc.name}: phase {svc.phase}, port {svc.port}; hard deps: "
             f"{', '.join(svc.hard) or '-'}; soft: {', '.join(svc.soft) or '-'}; "
             f"callers: {', '.join(callers(svc.name)) or '-'}\n")
        out[f"base/services/{svc.name}.yaml"] = dump(service_docs(svc), c)
    out["base/kustomization.yaml"] = dump([{
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": NAMESPACE,
        "resources": ["namespace.yaml", "config.yaml", "topology.yaml", "ingress.yaml"]
        + [f"services/{s.name}.yaml" for s in SERVICES],
    }], "# Secrets are not part of base: create lawos-secrets and lawos-<service>-secrets\n"
        "# out of band; base/secret-template/ shows the keys.\n")
    out["base/secret-template/secrets.yaml"] = dump(
        secret_template(),
        "# TEMPLATE ONLY: placeholder values, never real secrets. Production creates\n"
        "# these Secrets out of band (External Secrets, Sealed Secrets, or\n"
        "# `kubectl create secret generic lawos-secrets --from-env-file=...`), so that\n"
        "# applying the manifests never overwrites them. The dev overlay includes this\n"
        "# template; replace its values before using the cluster for anything.\n")
    out["base/secret-template/kustomization.yaml"] = dump([{
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": NAMESPACE,
        "resources": ["secrets.yaml"],
    }])
    out["../deploy/gateway/nginx.conf"] = nginx_conf()
    for env in ("dev", "prod"):
        comment = ""
        if env == "prod":
            comment = ("# Release CI pins the image: cd k8s/overlays/prod &&\n"
                       "#   kustomize edit set image ghcr.io/lawos/lawos:<version>\n")
        out[f"overlays/{env}/kustomization.yaml"] = dump([overlay(env)], comment)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="fail if the committed files are stale")
    ap.add_argument("--table", action="store_true",
                    help="print the services table (name phase port hard soft), one per line")
    args = ap.parse_args()
    if args.table:
        for s in SERVICES:
            print(s.name, s.phase, s.port, ",".join(s.hard) or "-", ",".join(s.soft) or "-")
        return 0
    stale = []
    for rel, text in files().items():
        path = ROOT / rel
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(rel)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
                print(f"wrote {(ROOT / rel).resolve().relative_to(ROOT.parent)}")
    if args.check:
        if stale:
            print("k8s/generate.py --check: stale or missing generated files (run python3 k8s/generate.py):",
                  file=sys.stderr)
            for rel in stale:
                print(f"  {(ROOT / rel).resolve().relative_to(ROOT.parent)}", file=sys.stderr)
            return 1
        print(f"k8s/generate.py --check: {len(files())} generated files up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
