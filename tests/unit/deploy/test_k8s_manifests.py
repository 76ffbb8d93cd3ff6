"""Kubernetes manifests: every overlay renders, validates offline against the Kubernetes schema,
and its probes, autoscaler and network policy point at the service's real ports and routes.

Rendering uses ``kubectl kustomize`` when it is installed; otherwise a small renderer here that
implements the subset of Kustomize the manifests use (resources, namespace, images, strategic
merge patches). When both are available a test checks they agree.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from amer.settings import Settings

K8S = Path(__file__).parents[3] / "deploy" / "k8s"
OVERLAYS = ("staging", "production")
K8S_VERSION = "1.30"
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolume",
    "StorageClass",
    "CustomResourceDefinition",
}
Obj = dict[str, Any]


# --- rendering ------------------------------------------------------------------------------


def _merge(base: Any, patch: Any) -> Any:
    """Strategic merge as Kustomize applies it to our patches: maps merge, lists of named
    maps merge by ``name``, other lists are replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and patch
        and all(isinstance(i, dict) and "name" in i for i in [*base, *patch])
    ):
        by_name = {i["name"]: i for i in base}
        out = [_merge(i, next((p for p in patch if p["name"] == i["name"]), {})) for i in base]
        return out + [p for p in patch if p["name"] not in by_name]
    return patch


def _pod_specs(obj: Obj) -> list[Obj]:
    spec = obj.get("spec", {})
    if obj["kind"] == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    return [spec["template"]["spec"]] if "template" in spec else []


def python_render(directory: Path) -> list[Obj]:
    """Render a kustomization directory with the subset of Kustomize our manifests use."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    objects: list[Obj] = []
    for resource in kustomization.get("resources", []):
        path = directory / resource
        if path.is_dir():
            objects += python_render(path)
        else:
            objects += [d for d in yaml.safe_load_all(path.read_text()) if d]
    for entry in kustomization.get("patches", []):
        patch = yaml.safe_load((directory / entry["path"]).read_text())
        target = next(
            o
            for o in objects
            if o["kind"] == patch["kind"] and o["metadata"]["name"] == patch["metadata"]["name"]
        )
        objects[objects.index(target)] = _merge(target, patch)
    for image in kustomization.get("images", []):
        for obj in objects:
            for pod in _pod_specs(obj):
                for container in pod.get("containers", []):
                    if container["image"].split(":")[0] in (image["name"], image.get("newName")):
                        container["image"] = (
                            f"{image.get('newName', image['name'])}:{image['newTag']}"
                        )
    if "namespace" in kustomization:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = kustomization["namespace"]
    return objects


def kubectl_render(directory: Path) -> list[Obj]:
    done = subprocess.run(
        ["kubectl", "kustomize", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [d for d in yaml.safe_load_all(done.stdout) if d]


@cache
def render(overlay: str) -> tuple[Obj, ...]:
    directory = K8S / "overlays" / overlay
    objects = kubectl_render(directory) if shutil.which("kubectl") else python_render(directory)
    return tuple(objects)


def find(overlay: str, kind: str, name: str) -> Obj:
    return copy.deepcopy(
        next(o for o in render(overlay) if o["kind"] == kind and o["metadata"]["name"] == name)
    )


def _key(obj: Obj) -> tuple[str, str]:
    return obj["kind"], obj["metadata"]["name"]


@cache
def service_paths() -> dict[str, set[str]]:
    """Paths and methods the FastAPI app really serves (the app is built, not started)."""
    from amer.serving.app import create_app

    spec = create_app(Settings(home=Path("/nonexistent-amer-home"))).openapi()
    return {path: {m.upper() for m in ops} for path, ops in spec["paths"].items()}


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_python_renderer_agrees_with_kustomize(overlay: str) -> None:
    directory = K8S / "overlays" / overlay
    ours = {_key(o): o for o in python_render(directory)}
    theirs = {_key(o): o for o in kubectl_render(directory)}
    assert ours == theirs


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_every_manifest_validates_against_the_schema(overlay: str) -> None:
    custom = []
    for obj in render(overlay):
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            custom.append(obj["kind"])
        except kubernetes_validate.ValidationError as e:
            pytest.fail(f"{overlay} {_key(obj)}: {e.message} at {list(e.path)}")
    assert sorted(custom) == ["PrometheusRule", "ServiceMonitor"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_overlay_has_every_part_in_its_namespace(overlay: str) -> None:
    kinds = {_key(o) for o in render(overlay)}
    assert {
        ("Deployment", "amer-api"),
        ("HorizontalPodAutoscaler", "amer-api"),
        ("PodDisruptionBudget", "amer-api"),
        ("NetworkPolicy", "amer-api"),
        ("ConfigMap", "amer-config"),
        ("CronJob", "amer-trigger"),
        ("CronJob", "amer-drift"),
        ("Job", "amer-env-up"),
        ("ServiceMonitor", "amer-api"),
        ("PrometheusRule", "amer"),
        ("Deployment", "amer-ui"),
        ("Deployment", "amer-mlflow"),
        ("Ingress", "amer"),
    } <= kinds
    namespace = {"staging": "amer-staging", "production": "amer"}[overlay]
    assert {o["metadata"].get("namespace") for o in render(overlay)} == {namespace}
    images = {c["image"] for o in render(overlay) for p in _pod_specs(o) for c in p["containers"]}
    assert images == {"registry.hospital.example/amer/amer:0.1.0"}


def _api_container(overlay: str) -> Obj:
    deployment = find(overlay, "Deployment", "amer-api")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def _named_port(container: Obj, port: int | str) -> int:
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in container["ports"] if p["name"] == port)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_api_probes_hit_real_routes_on_the_served_port(overlay: str) -> None:
    container = _api_container(overlay)
    args = container["args"]
    served = int(args[args.index("--port") + 1])
    assert served == Settings().port
    assert args[0] == "serve" and args[args.index("--host") + 1] == "0.0.0.0"
    routes = service_paths()
    for probe, path in (
        ("readinessProbe", "/readyz"),
        ("livenessProbe", "/healthz"),
        ("startupProbe", "/healthz"),
    ):
        get = container[probe]["httpGet"]
        assert get["path"] == path and "GET" in routes[path]
        assert _named_port(container, get["port"]) == served


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_api_has_resources_and_graceful_shutdown(overlay: str) -> None:
    deployment = find(overlay, "Deployment", "amer-api")
    pod = deployment["spec"]["template"]["spec"]
    container = _api_container(overlay)
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind])
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    # preStop plus uvicorn's graceful shutdown (10 s) fit inside the grace period
    assert pod["terminationGracePeriodSeconds"] >= int(pre_stop[1]) + 10 + 5
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert "replicas" not in deployment["spec"], "the HPA owns replicas"


def test_k8s_production_hpa_scales_on_cpu_65_between_2_and_10() -> None:
    hpa = find("production", "HorizontalPodAutoscaler", "amer-api")["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "amer-api",
    }
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    (metric,) = hpa["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"] == {"type": "Utilization", "averageUtilization": 65}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_pdb_and_service_select_the_api_pods(overlay: str) -> None:
    labels = find(overlay, "Deployment", "amer-api")["spec"]["template"]["metadata"]["labels"]
    for kind in ("PodDisruptionBudget", "Service"):
        spec = find(overlay, kind, "amer-api")["spec"]
        selector = spec["selector"].get("matchLabels", spec["selector"])
        assert selector.items() <= labels.items()
    service = find(overlay, "Service", "amer-api")["spec"]["ports"][0]
    assert _named_port(_api_container(overlay), service["targetPort"]) == Settings().port
    minimum = find(overlay, "HorizontalPodAutoscaler", "amer-api")["spec"]["minReplicas"]
    assert minimum - find(overlay, "PodDisruptionBudget", "amer-api")["spec"]["maxUnavailable"] >= 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_network_policy_admits_ui_and_ingress_and_reaches_only_tracking(overlay: str) -> None:
    policy = find(overlay, "NetworkPolicy", "amer-api")["spec"]
    api_labels = find(overlay, "Deployment", "amer-api")["spec"]["template"]["metadata"]["labels"]
    assert policy["podSelector"]["matchLabels"].items() <= api_labels.items()
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    (rule,) = policy["ingress"]
    sources = [
        (
            p.get("namespaceSelector", {})
            .get("matchLabels", {})
            .get("kubernetes.io/metadata.name"),
            p["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
        )
        for p in rule["from"]
    ]
    assert sources == [
        (None, "amer-ui"),
        ("ingress-nginx", "ingress-nginx"),
        ("monitoring", "prometheus"),
    ]
    assert [_named_port(_api_container(overlay), p["port"]) for p in rule["ports"]] == [
        Settings().port
    ]
    tracking, dns = policy["egress"]
    mlflow = find(overlay, "Deployment", "amer-mlflow")["spec"]["template"]
    assert tracking["to"] == [
        {
            "podSelector": {
                "matchLabels": {
                    "app.kubernetes.io/name": mlflow["metadata"]["labels"]["app.kubernetes.io/name"]
                }
            }
        }
    ]
    assert [p["port"] for p in tracking["ports"]] == [
        mlflow["spec"]["containers"][0]["ports"][0]["containerPort"]
    ]
    assert dns["to"][0]["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}
    assert {(p["port"], p["protocol"]) for p in dns["ports"]} == {(53, "UDP"), (53, "TCP")}
    config = find(overlay, "ConfigMap", "amer-config")["data"]
    assert config["AMER_TRACKING_URI"] == "http://amer-mlflow:5000"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_settings_come_from_the_configmap_and_keys_from_a_secret(overlay: str) -> None:
    config = find(overlay, "ConfigMap", "amer-config")["data"]
    Settings.model_validate({k.removeprefix("AMER_").lower(): v for k, v in config.items()})
    container = _api_container(overlay)
    assert container["envFrom"] == [{"configMapRef": {"name": "amer-config"}}]
    pod = find(overlay, "Deployment", "amer-api")["spec"]["template"]["spec"]
    secret_volumes = {v["name"]: v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    keys_dir = str(Path(config["AMER_KEYS_FILE"]).parent)
    assert secret_volumes[mounts[keys_dir]] == "amer-api-keys"
    expected_alias = {"staging": "staging", "production": "production"}[overlay]
    assert config["AMER_MODEL_URI"] == f"models:/amer-ner@{expected_alias}"


@pytest.mark.parametrize(
    ("kind", "name", "command"),
    [
        ("CronJob", "amer-trigger", ["trigger", "run"]),
        ("CronJob", "amer-drift", ["monitor", "drift"]),
        ("Job", "amer-env-up", ["env", "up"]),
    ],
)
def test_k8s_jobs_run_the_amer_commands(kind: str, name: str, command: list[str]) -> None:
    obj = find("production", kind, name)
    (pod,) = _pod_specs(obj)
    assert pod["containers"][0]["args"][:2] == command
    assert pod["restartPolicy"] == "Never"
    assert obj["metadata"]["labels"]["app.kubernetes.io/component"] == "job"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_service_monitor_scrapes_the_metrics_route(overlay: str) -> None:
    monitor = find(overlay, "ServiceMonitor", "amer-api")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    spec = monitor["spec"]
    service = find(overlay, "Service", "amer-api")
    assert spec["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    (endpoint,) = spec["endpoints"]
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics" and "GET" in service_paths()["/metrics"]
    assert set(endpoint) <= {"port", "path", "interval", "scrapeTimeout", "scheme"}
