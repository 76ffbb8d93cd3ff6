"""The image and the single-host stack, checked statically (no container engine here), and the
entry-point commands they run, checked against the real CLI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from amer.settings import Settings

ROOT = Path(__file__).parents[3]
DEPLOY = ROOT / "deploy"
COMPILERS = ("gcc", "g++", "build-essential", "clang", "make ", "cc ")


def stages() -> list[tuple[str, list[str]]]:
    """(FROM line, instructions) per stage, with continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    result: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.upper().startswith("FROM "):
            result.append((line, []))
        elif result:
            result[-1][1].append(line)
    return result


def _args() -> dict[str, str]:
    text = (DEPLOY / "Dockerfile").read_text()
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.MULTILINE))


def test_container_base_image_is_slim_and_pinned_by_version() -> None:
    version = _args()["PYTHON_VERSION"]
    assert re.fullmatch(r"3\.11\.\d+", version)
    for from_line, _ in stages():
        assert "python:${PYTHON_VERSION}-slim-bookworm" in from_line


def test_container_is_multi_stage_and_final_stage_has_no_compilers() -> None:
    all_stages = stages()
    assert len(all_stages) >= 2
    from_line, final = all_stages[-1]
    assert from_line.endswith("AS runtime")
    for instruction in final:
        if instruction.upper().startswith("RUN"):
            assert not any(c in instruction + " " for c in COMPILERS), instruction
    copied = [i for i in final if i.upper().startswith("COPY --FROM=")]
    assert copied == ["COPY --from=build /opt/venv /opt/venv"]


def test_container_runs_as_non_root_with_healthcheck_on_healthz() -> None:
    _, final = stages()[-1]
    users = [i.split()[1] for i in final if i.upper().startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    (health,) = [i for i in final if i.upper().startswith("HEALTHCHECK")]
    assert "/healthz" in health and "AMER_PORT', '8000'" in health
    expose = [i for i in final if i.upper().startswith("EXPOSE")]
    assert expose == [f"EXPOSE {Settings().port}"]


def test_container_model_from_registry_or_baked_by_build_argument() -> None:
    args = _args()
    assert args["MODEL_URI"] == Settings().model_uri
    _, final = stages()[-1]
    assert "COPY ${MODEL_DIR} /opt/amer/model" in final
    assert (ROOT / args["MODEL_DIR"]).is_dir()
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text()
    assert "!runs/*/model/**" in ignore and "!deploy/no-model/**" in ignore


def test_container_copies_only_files_that_exist() -> None:
    for _, instructions in stages():
        for instruction in instructions:
            parts = instruction.split()
            if parts[0] == "COPY" and not parts[1].startswith(("--from", "${")):
                for source in parts[1:-1]:
                    assert (ROOT / source).exists(), source


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def test_compose_has_the_whole_stack() -> None:
    services = compose()["services"]
    assert {"postgres", "mlflow", "api", "ui", "prometheus", "grafana"} <= set(services)
    assert services["api"]["deploy"]["replicas"] == 2
    for name in ("postgres", "prometheus", "grafana"):
        image = services[name]["image"]
        assert re.search(r":v?\d+\.\d+", image), f"{name} image not pinned: {image}"


def test_compose_files_and_secrets_exist() -> None:
    data = compose()
    for service in data["services"].values():
        for volume in service.get("volumes", []):
            if volume.startswith("./"):
                assert (DEPLOY / volume.split(":")[0]).exists(), volume
        for secret in service.get("secrets", []):
            assert secret in data["secrets"]
    assert (DEPLOY / "secrets" / "README.md").is_file()
    assert (
        DEPLOY / data["services"]["api"]["build"]["dockerfile"].removeprefix("deploy/")
    ).is_file()


def test_compose_wires_api_ui_and_tracking_together() -> None:
    services = compose()["services"]
    api_env = services["api"]["environment"]
    Settings.model_validate({k.removeprefix("AMER_").lower(): v for k, v in api_env.items()})
    assert api_env["AMER_TRACKING_URI"] == "http://mlflow:5000"
    assert "--port 5000" in services["mlflow"]["command"][0]
    assert services["ui"]["environment"]["AMER_API_URL"] == f"http://api:{Settings().port}"
    assert services["ui"]["environment"]["AMER_SECRETS_DIR"] == "/run/secrets"
    assert "amer_api_key" in services["ui"]["secrets"]  # read as Settings.api_key
    assert services["grafana"]["environment"]["GF_ANALYTICS_REPORTING_ENABLED"] == "false"


def entry_commands() -> list[list[str]]:
    """Every `amer …` command the image, compose and Kubernetes run."""
    text = (DEPLOY / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert cmd is not None
    commands = [yaml.safe_load(cmd.group(1))]
    for service in compose()["services"].values():
        if service.get("image", "").startswith("amer:") and "entrypoint" not in service:
            commands.append(service["command"])
    for path in (DEPLOY / "k8s" / "base").glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            spec = doc.get("spec", {})
            template = spec.get("jobTemplate", {}).get("spec", spec).get("template")
            for container in (template or {}).get("spec", {}).get("containers", []):
                if "command" not in container:  # the image's entry point: amer
                    commands.append(container["args"])
    return commands


@pytest.fixture(scope="module")
def cli() -> Any:
    from amer.cli import _load_commands
    from amer.cli.common import app

    _load_commands()
    return app


@pytest.mark.parametrize("command", entry_commands(), ids=lambda c: " ".join(c[:2]))
def test_container_entry_commands_exist_with_their_options(cli: Any, command: list[str]) -> None:
    words = [w for w in command if not w.startswith("-")]
    path = [w for w in words if re.fullmatch(r"[a-z-]+", w)][:2]
    result = CliRunner().invoke(cli, [*path, "--help"])
    if result.exit_code != 0:  # a one-word command: the second word was an argument
        path = path[:1]
        result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, f"`amer {shlex.join(path)}` is not a command: {result.output}"
    for option in (w for w in command if w.startswith("--")):
        assert option.split("=")[0] in result.output, f"amer {shlex.join(path)}: no {option}"
