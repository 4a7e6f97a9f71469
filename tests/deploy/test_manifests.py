"""What can be checked of the deployment files without a Docker engine or a cluster:
compose, the service image, and the Kubernetes manifests, against the services' settings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from imc_notifications.settings import NotificationsSettings
from imc_registry.settings import RegistrySettings
from imc_roadmaps.settings import RoadmapsSettings
from imc_runtime.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES: dict[str, type[ServiceSettings]] = {
    "registry": RegistrySettings,
    "roadmaps": RoadmapsSettings,
    "notifications": NotificationsSettings,
}


def settings_variables(settings: type[ServiceSettings]) -> set[str]:
    """Every environment variable a settings class reads."""
    names: set[str] = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None)
        if choices:
            names.update(str(choice) for choice in choices)
        names.add(f"IMC_{name.upper()}")
    return names


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


@pytest.fixture(scope="module")
def k8s() -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in sorted((ROOT / "deploy/k8s").glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return documents


def test_each_service_has_a_database_of_its_own(compose: dict[str, Any]) -> None:
    urls = {name: compose["services"][name]["environment"]["IMC_MONGO_URL"] for name in SERVICES}
    hosts = {re.sub(r"mongodb://([^:/]+).*", r"\1", url) for url in urls.values()}
    assert len(hosts) == len(SERVICES)
    for host in hosts:
        assert compose["services"][host]["image"].startswith("mongo:")


def test_compose_runs_the_mailpit_that_make_run_and_the_tests_build(
    compose: dict[str, Any],
) -> None:
    go_mod = (ROOT / "deploy/local/mailpit/go.mod").read_text()
    built = re.search(r"^require github.com/axllent/mailpit (v\S+)$", go_mod, re.MULTILINE)
    assert built is not None
    assert compose["services"]["mailpit"]["image"] == f"axllent/mailpit:{built.group(1)}"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_environment_is_what_the_service_reads(
    compose: dict[str, Any], service: str
) -> None:
    environment = compose["services"][service]["environment"]
    unknown = set(environment) - settings_variables(SERVICES[service])
    assert unknown == set()


def test_every_long_running_container_has_a_healthcheck(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "deploy/docker/Dockerfile").read_text()
    for name, service in compose["services"].items():
        if service.get("restart") == "no":
            continue  # a one-shot init step
        has_own = "healthcheck" in service
        from_image = "build" in service and "HEALTHCHECK" in dockerfile
        assert has_own or from_image, name


def test_published_ports_do_not_clash(compose: dict[str, Any]) -> None:
    published = [
        port.rsplit(":", 2)[-2]
        for service in compose["services"].values()
        for port in service.get("ports", [])
    ]
    assert len(published) == len(set(published))


def test_no_secret_is_written_in_the_compose_file(compose: dict[str, Any]) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for match in re.finditer(r"(IMC_JWT_SECRET|PASSWORD|SECRET)[A-Z_]*:\s*(\S+)", text):
        assert match.group(2).startswith("${"), match.group(0)


def test_services_start_only_when_their_dependencies_are_healthy(
    compose: dict[str, Any],
) -> None:
    for name in SERVICES:
        conditions = {d["condition"] for d in compose["services"][name]["depends_on"].values()}
        assert conditions <= {"service_healthy", "service_completed_successfully"}


def test_the_image_is_multi_stage_slim_and_not_root() -> None:
    dockerfile = (ROOT / "deploy/docker/Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert len(stages) >= 2
    runtime_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    assert re.search(r"^USER\s+(?!root)\S+", runtime_stage, flags=re.MULTILINE)
    assert "HEALTHCHECK" in runtime_stage
    assert "--require-hashes" in dockerfile
    assert "slim" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".data", ".git"} <= set(ignored)


def test_the_image_entrypoint_runs_each_service_module() -> None:
    dockerfile = (ROOT / "deploy/docker/Dockerfile").read_text()
    assert "IMC_SERVICE_MODULE=imc_${SERVICE}" in dockerfile
    for service in SERVICES:
        assert (ROOT / f"services/{service}/src/imc_{service}/__main__.py").exists()


def by_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents if d["kind"] == kind}


@pytest.mark.parametrize("service", SERVICES)
def test_each_deployment_is_probed_resourced_and_unprivileged(
    k8s: list[dict[str, Any]], service: str
) -> None:
    deployment = by_kind(k8s, "Deployment")[service]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert service in by_kind(k8s, "PodDisruptionBudget")
    assert service in by_kind(k8s, "Service")


@pytest.mark.parametrize("service", SERVICES)
def test_deployment_environment_is_what_the_service_reads(
    k8s: list[dict[str, Any]], service: str
) -> None:
    config = by_kind(k8s, "ConfigMap")["imc-hub-config"]["data"]
    container = by_kind(k8s, "Deployment")[service]["spec"]["template"]["spec"]["containers"][0]
    names = set(config) | {e["name"] for e in container["env"]}
    known = set().union(*(settings_variables(s) for s in SERVICES.values()))
    assert names - known == set()


def test_consumers_scale_on_lag_and_the_gateway_on_cpu(k8s: list[dict[str, Any]]) -> None:
    scaled = by_kind(k8s, "ScaledObject")
    assert set(scaled) == {"roadmaps", "notifications"}
    for name, scaled_object in scaled.items():
        trigger = scaled_object["spec"]["triggers"][0]
        assert trigger["type"] == "kafka"
        assert trigger["metadata"]["consumerGroup"] == name
    assert (
        by_kind(k8s, "HorizontalPodAutoscaler")["registry"]["spec"]["metrics"][0]["resource"][
            "name"
        ]
        == "cpu"
    )


def test_the_secret_holds_no_value(k8s: list[dict[str, Any]]) -> None:
    secret = by_kind(k8s, "Secret")["imc-hub-secrets"]
    assert all(value == "" for value in secret["stringData"].values())


def test_compose_seeds_the_programme_once_the_registry_is_healthy(
    compose: dict[str, Any],
) -> None:
    seed = compose["services"]["seed"]
    assert seed["command"][:3] == ["python", "-m", "imc_registry.seed"]
    assert seed["depends_on"]["registry"]["condition"] == "service_healthy"
    assert seed["restart"] == "no"
    assert (ROOT / "services/registry/src/imc_registry/seed/programme.json").exists()


WEB_URLS = {"IMC_REGISTRY_URL", "IMC_ROADMAPS_URL", "IMC_NOTIFICATIONS_URL"}
WEB_VARIABLES = WEB_URLS | {"IMC_NOTIFICATIONS_UPSTREAM"}


def test_the_web_image_builds_from_the_lock_and_serves_unprivileged() -> None:
    dockerfile = (ROOT / "deploy/docker/web.Dockerfile").read_text()
    build_stage, runtime_stage = dockerfile.split("\nFROM ", 2)[1:]
    assert "npm ci" in build_stage
    assert "package-lock.json" in build_stage
    assert re.search(r"^USER\s+(?!root|0\b)\S+", runtime_stage, flags=re.MULTILINE)
    assert "HEALTHCHECK" in runtime_stage
    assert {"web/node_modules", "web/dist"} <= set((ROOT / ".dockerignore").read_text().split())


def test_the_web_config_names_each_service_the_image_is_given() -> None:
    template = (ROOT / "deploy/docker/web.conf.template").read_text()
    config = re.search(r"location = /config\.json \{.*?return 200 '(.*?)';", template, re.S)
    assert config is not None
    assert set(re.findall(r"\$\{(IMC_\w+)\}", config.group(1))) == WEB_URLS
    dockerfile = (ROOT / "deploy/docker/web.Dockerfile").read_text()
    assert set(re.findall(r"(IMC_\w+)=", dockerfile)) == WEB_VARIABLES
    assert set(re.findall(r"\$\{(IMC_\w+)\}", template)) == WEB_VARIABLES
    # Only IMC_* is substituted, so nginx's own $uri survives the rendering.
    assert "NGINX_ENVSUBST_FILTER=^IMC_" in dockerfile
    assert "$uri" in template


def test_services_accept_the_browser_calls_of_the_web_they_are_deployed_with(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    web = compose["services"]["web"]
    assert set(web["environment"]) == WEB_VARIABLES
    (published,) = web["ports"]
    host, port, _inner = published.rsplit(":", 2)
    for service in SERVICES:
        origins = compose["services"][service]["environment"]["IMC_CORS_ORIGINS"].split(",")
        assert f"http://{host}:{port}" in origins
    config = by_kind(k8s, "ConfigMap")["imc-hub-config"]["data"]
    assert config["IMC_CORS_ORIGINS"] == config["IMC_FRONTEND_BASE_URL"]
    container = by_kind(k8s, "Deployment")["web"]["spec"]["template"]["spec"]["containers"][0]
    assert {e["name"] for e in container["env"]} == WEB_VARIABLES
    assert by_kind(k8s, "Deployment")["web"]["spec"]["template"]["spec"]["securityContext"][
        "runAsNonRoot"
    ]


def test_notifications_in_compose_is_reached_through_the_web_proxy(compose: dict[str, Any]) -> None:
    notifications = compose["services"]["notifications"]
    web = compose["services"]["web"]["environment"]
    assert "ports" not in notifications  # so that it scales
    assert web["IMC_NOTIFICATIONS_URL"] == notifications["environment"]["IMC_PUBLIC_BASE_URL"]
    port = notifications["environment"]["IMC_NOTIFICATIONS_PORT"]
    assert web["IMC_NOTIFICATIONS_UPSTREAM"] == f"http://notifications:{port}"
