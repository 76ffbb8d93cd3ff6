"""Prometheus rules and config (checked by promtool), the Grafana dashboard and provisioning.

Every PromQL expression may use only metrics the service really exports
(:mod:`amer.monitoring.metrics`, plus the client library's process metrics).
"""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import Counter, Gauge, Histogram, Info

from amer.monitoring import metrics
from amer.settings import Settings

DEPLOY = Path(__file__).parents[3] / "deploy"
MONITORING = DEPLOY / "monitoring"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "amer.json"
PROCESS_METRICS = {"process_cpu_seconds_total", "process_resident_memory_bytes", "up"}
PROMQL_WORDS = {
    "sum",
    "max",
    "min",
    "avg",
    "count",
    "rate",
    "irate",
    "increase",
    "histogram_quantile",
    "clamp_min",
    "by",
    "without",
    "and",
    "or",
    "unless",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "topk",
    "abs",
}
needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool missing: apt-get install prometheus (.ci/run installs it)",
)


def exported_metrics() -> set[str]:
    """Sample names the service exposes, from the metric objects themselves."""
    names = set(PROCESS_METRICS)
    for obj in vars(metrics).values():
        if isinstance(obj, Counter):
            names.add(obj._name + "_total")
        elif isinstance(obj, Histogram):
            names |= {obj._name + s for s in ("_bucket", "_sum", "_count")}
        elif isinstance(obj, Info):
            names.add(obj._name + "_info")
        elif isinstance(obj, Gauge):
            names.add(obj._name)
    return names


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (labels, ranges, strings and functions removed)."""
    stripped = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"|\$\w+", " ", expr)
    stripped = re.sub(
        r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", stripped
    )
    words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", stripped))
    return {w for w in words - PROMQL_WORDS if not re.fullmatch(r"\d+(ms|s|m|h|d)?|e\d*", w)}


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_monitoring_metric_names_are_the_shared_contract() -> None:
    assert {
        "amer_requests_total",
        "amer_request_duration_seconds_bucket",
        "amer_requests_in_flight",
        "amer_model_info",
        "amer_entities_total",
        "amer_text_length_chars_bucket",
        "amer_cache_hits_total",
        "amer_cache_misses_total",
        "amer_model_reload_failures_total",
        "amer_drift_score",
        "amer_requests_rejected_total",
    } <= exported_metrics()


def test_monitoring_alert_rules_use_exported_metrics() -> None:
    recorded = {rule["record"] for rule in alert_rules() if "record" in rule}
    for rule in alert_rules():
        unknown = metric_names(rule["expr"]) - exported_metrics() - recorded
        assert not unknown, f"{rule.get('alert') or rule.get('record')}: {unknown}"


def test_monitoring_alerts_cover_the_issue() -> None:
    rules = {rule["alert"]: rule for rule in alert_rules() if "alert" in rule}
    assert (
        "> 0.2" in rules["AmerLatencyP95High"]["expr"]
        and rules["AmerLatencyP95High"]["for"] == "5m"
    )
    assert "> 0.01" in rules["AmerErrorRateHigh"]["expr"]
    assert f"> {Settings().drift_threshold}" in rules["AmerDriftDetected"]["expr"]
    assert "amer_model_reload_failures_total" in rules["AmerModelReloadFailed"]["expr"]


@needs_promtool
def test_monitoring_promtool_checks_and_unit_tests_the_rules() -> None:
    check = subprocess.run(
        ["promtool", "check", "rules", str(MONITORING / "alerts.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    unit = subprocess.run(
        ["promtool", "test", "rules", "alerts_test.yaml"],
        cwd=MONITORING,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unit.returncode == 0, unit.stdout + unit.stderr


@needs_promtool
def test_monitoring_promtool_checks_the_prometheus_config(tmp_path: Path) -> None:
    shutil.copy(MONITORING / "alerts.yaml", tmp_path / "alerts.yaml")
    config = (MONITORING / "prometheus.yml").read_text()
    assert "/etc/prometheus/alerts.yaml" in config
    (tmp_path / "prometheus.yml").write_text(
        config.replace("/etc/prometheus/alerts.yaml", str(tmp_path / "alerts.yaml"))
    )
    done = subprocess.run(
        ["promtool", "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    scrape = yaml.safe_load(config)["scrape_configs"][0]
    assert scrape["dns_sd_configs"][0]["port"] == Settings().port
    assert scrape["metrics_path"] == "/metrics"


def test_monitoring_prometheus_rule_matches_alerts_file() -> None:
    rule = yaml.safe_load((DEPLOY / "k8s" / "base" / "prometheusrule.yaml").read_text())
    assert rule["kind"] == "PrometheusRule"
    assert (
        rule["spec"]["groups"] == yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
    )


def dashboard_panels() -> list[dict[str, Any]]:
    return json.loads(DASHBOARD.read_text())["panels"]


def test_monitoring_dashboard_panels_use_exported_metrics() -> None:
    exprs = [t["expr"] for p in dashboard_panels() for t in p["targets"]]
    assert exprs
    for expr in exprs:
        assert not metric_names(expr) - exported_metrics(), expr


@pytest.mark.parametrize(
    ("title_word", "metric"),
    [
        ("Requests/s", "amer_requests_total"),
        ("p99", "amer_request_duration_seconds_bucket"),
        ("Error rate", "amer_requests_total"),
        ("CPU", "process_cpu_seconds_total"),
        ("Entity mix", "amer_entities_total"),
        ("Drift", "amer_drift_score"),
        ("Model version", "amer_model_info"),
    ],
)
def test_monitoring_dashboard_has_the_required_panels(title_word: str, metric: str) -> None:
    panel = next(p for p in dashboard_panels() if title_word in p["title"])
    assert any(metric in metric_names(t["expr"]) for t in panel["targets"])


def test_monitoring_dashboard_structure() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variable = dashboard["templating"]["list"][0]
    assert variable["type"] == "datasource" and variable["query"] == "prometheus"
    for panel in dashboard["panels"]:
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
        assert panel["datasource"]["uid"] == "${datasource}"
        assert [t["refId"] for t in panel["targets"]] == [
            chr(65 + i) for i in range(len(panel["targets"]))
        ]


def test_monitoring_grafana_provisioning_points_at_the_dashboard_and_prometheus() -> None:
    provisioning = MONITORING / "grafana" / "provisioning"
    (source,) = yaml.safe_load((provisioning / "datasources" / "prometheus.yaml").read_text())[
        "datasources"
    ]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    variable = json.loads(DASHBOARD.read_text())["templating"]["list"][0]
    assert variable["current"]["value"] == source["uid"]
    (provider,) = yaml.safe_load((provisioning / "dashboards" / "amer.yaml").read_text())[
        "providers"
    ]
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    mounts = dict(
        m.split(":")[:2] for m in compose["services"]["grafana"]["volumes"] if m.startswith("./")
    )
    assert mounts["./monitoring/grafana/dashboards"] == provider["options"]["path"]


def test_monitoring_grafana_never_phones_home() -> None:
    ini = configparser.ConfigParser()
    ini.read(MONITORING / "grafana" / "grafana.ini")
    for key in ("reporting_enabled", "check_for_updates", "check_for_plugin_updates"):
        assert ini.getboolean("analytics", key) is False
    assert ini.getboolean("news", "news_feed_enabled") is False
    assert ini.getboolean("snapshots", "external_enabled") is False
