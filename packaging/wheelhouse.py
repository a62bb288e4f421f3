"""Build an offline install bundle: the project's wheel and every runtime dependency's wheel.

    python packaging/wheelhouse.py [--source DIR] [--out dist/wheelhouse] [--target win-amd64-3.12]...

On a machine that reaches the package index, this writes into OUT:

- `wheels/`: coopanalysis's own wheel and, for each target below, every runtime dependency
  (pyproject's `dependencies`, with their own dependencies) as a wheel. One folder serves all
  targets: pip picks the wheel of its platform and Python. Dependencies published only as a
  source archive are built once here into pure (`none-any`) wheels; one that is not pure fails
  the build, since it could not be installed on another platform.
- `notebooks/` and `data/`: the reports and the bundled data, which are not inside the wheel.
- `install.sh` (Linux) and `install.ps1` (Windows), `README.md`, and one pinned
  `requirements-TARGET.txt` per target (what that target installs).

pip evaluates environment markers (`; sys_platform == "win32"`, `; python_version >= "3.12"`)
for the machine it runs on, even with `--platform`, so the dependencies a Windows or Python 3.12
target needs (colorama and pywinpty on Windows, aiohttp for papermill on 3.12) would be missing. Each target is therefore resolved in
rounds: the markers of every chosen wheel's requirements are evaluated for the target, and any
requirement left out is added, until none is. The last round resolves from the bundle alone
(`--no-index`), which proves that each target installs offline.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name, parse_wheel_filename
except ImportError:  # pip always carries a copy
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent

# Wheels for glibc 2.28 or older: RHEL 8, Debian 10, Ubuntu 20.04 and later run them.
LINUX_PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)] + [
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
]
LINUX_ENV = {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"}
WINDOWS_ENV = {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64"}


@dataclass(frozen=True)
class Target:
    name: str
    platforms: list[str]
    python: str  # "3.12"
    env: dict[str, str]

    @property
    def abi(self) -> str:
        return "cp" + self.python.replace(".", "")

    def marker_env(self, extra: str = "") -> dict[str, str]:
        return {
            **self.env,
            "python_version": self.python,
            "python_full_version": f"{self.python}.0",
            "implementation_name": "cpython",
            "implementation_version": f"{self.python}.0",
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_version": "",
            "extra": extra,
        }

    def pip_flags(self) -> list[str]:
        flags = ["--only-binary=:all:", "--implementation", "cp", "--python-version", self.python]
        flags += ["--abi", self.abi, "--abi", "abi3", "--abi", "none"]
        for p in self.platforms:
            flags += ["--platform", p]
        return flags


TARGETS = [
    Target(f"{os_name}-{py}", plats, py, env)
    for os_name, plats, env in (("linux-x86_64", LINUX_PLATFORMS, LINUX_ENV), ("win-amd64", ["win_amd64"], WINDOWS_ENV))
    for py in ("3.11", "3.12")
]


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args, "--quiet"], check=True)


def runtime_requirements(source: Path) -> list[str]:
    return list(tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"])


def resolve(reqs: list[str], flags: list[str], wheels: Path, *, offline: bool) -> list[dict]:
    """pip's install report (dry run, nothing installed) for `reqs` under `flags`."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        args = ["install", "--dry-run", "--ignore-installed", "--report", str(report), "--target", str(Path(tmp) / "t")]
        args += ["--find-links", str(wheels)] + (["--no-index"] if offline else []) + flags + reqs
        pip(*args)
        return json.loads(report.read_text(encoding="utf-8"))["install"]


def walk(items: list[dict], target: Target, roots: list[str]) -> tuple[dict[str, dict], list[str]]:
    """Follow `roots` through the chosen wheels' requirements, markers and extras evaluated for `target`.

    Returns the wheels `target` installs (by name) and the requirements that apply on `target`
    but that pip, reading the markers for this machine, did not choose.
    """
    chosen = {canonicalize_name(i["metadata"]["name"]): i for i in items}
    reached: dict[str, dict] = {}
    extras: dict[str, set[str]] = {}
    missed: list[str] = []
    queue = [Requirement(r) for r in roots]
    seen: set[str] = set()
    while queue:
        req = queue.pop()
        if str(req) in seen or (req.marker and not req.marker.evaluate(target.marker_env())):
            continue
        seen.add(str(req))
        name = canonicalize_name(req.name)
        if name not in chosen:
            missed.append(f"{req.name}{req.specifier}")
            continue
        if name in reached and req.extras <= extras[name]:
            continue
        reached[name] = chosen[name]
        extras[name] = extras.get(name, set()) | set(req.extras)
        for text in chosen[name]["metadata"].get("requires_dist") or []:
            dep = Requirement(text)
            if dep.marker is None or any(dep.marker.evaluate(target.marker_env(e)) for e in {"", *extras[name]}):
                dep.marker = None
                queue.append(dep)
    return reached, sorted(set(missed))


def build_sdist_only(reqs: list[str], wheels: Path) -> None:
    """Build, as pure wheels, the dependencies that this machine's resolution takes from a source archive."""
    items = resolve(reqs, [], wheels, offline=False)
    for item in items:
        url = item["download_info"]["url"]
        if url.endswith((".tar.gz", ".zip", ".tar.bz2")):
            print(f"  building {pin(item)} (published only as source) into a wheel")
            pip("wheel", "--no-deps", "--wheel-dir", str(wheels), pin(item))
    for whl in wheels.glob("*.whl"):
        _, _, _, tags = parse_wheel_filename(whl.name)
        if not any(t.platform == "any" for t in tags):
            raise SystemExit(f"{whl.name} was built here and is not pure Python: it cannot serve other platforms")


def settle(target: Target, reqs: list[str], wheels: Path, *, offline: bool) -> tuple[list[dict], dict[str, dict]]:
    """Resolve `reqs` for `target`, adding the requirements pip's markers left out, until none is left out.

    Returns everything pip chose (for this machine's markers: a superset) and what `target` installs.
    """
    reqs = list(reqs)
    for _ in range(10):
        items = resolve(reqs, target.pip_flags(), wheels, offline=offline)
        reached, missed = walk(items, target, reqs)
        if not missed:
            return items, reached
        print(f"  {target.name}: adding {', '.join(missed)} (markers for this target)")
        reqs += missed
    raise SystemExit(f"{target.name}: the requirements did not settle")


def collect_target(target: Target, reqs: list[str], wheels: Path) -> None:
    """Download every wheel `target` needs into `wheels` (and those pip chose by this machine's markers,
    so that pip's own offline resolution in `verify_offline` finds them too)."""
    items, _ = settle(target, reqs, wheels, offline=False)
    pins = sorted(pin(i) for i in items if not in_folder(i["download_info"]["url"], wheels))
    if pins:
        pip("download", "--no-deps", "--dest", str(wheels), "--find-links", str(wheels), *target.pip_flags(), *pins)


def verify_offline(target: Target, wheels: Path) -> list[str]:
    """Resolve `coopanalysis` for `target` from the bundle alone (`--no-index`); the pins it installs."""
    _, reached = settle(target, ["coopanalysis"], wheels, offline=True)
    return sorted(pin(i) for i in reached.values())


def in_folder(url: str, folder: Path) -> bool:
    """Whether `url` names a file already in `folder`."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "file":
        return False
    return Path(urllib.request.url2pathname(parsed.path)).resolve().parent == folder.resolve()


def pin(item: dict) -> str:
    return f"{item['metadata']['name']}=={item['metadata']['version']}"


def copy_tree(src: Path, dst: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc", ".cache")
    shutil.copytree(src, dst, ignore=ignore, dirs_exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=ROOT, help="project folder to build (default: this checkout)")
    ap.add_argument("--out", type=Path, default=ROOT / "dist" / "wheelhouse")
    ap.add_argument("--target", action="append", choices=[t.name for t in TARGETS],
                    help="only this system and Python (repeatable; default: all four)")
    args = ap.parse_args(argv)
    targets = [t for t in TARGETS if not args.target or t.name in args.target]
    source, out = args.source.resolve(), args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    wheels = out / "wheels"
    wheels.mkdir(parents=True)
    reqs = runtime_requirements(source)

    print(f"coopanalysis wheel from {source}")
    pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(source))
    print("dependencies published only as source")
    build_sdist_only(reqs, wheels)
    for target in targets:
        print(f"wheels for {target.name}")
        collect_target(target, reqs, wheels)
    for target in targets:
        pins = verify_offline(target, wheels)
        (out / f"requirements-{target.name}.txt").write_text("\n".join(pins) + "\n", encoding="utf-8")
        print(f"  {target.name}: {len(pins)} packages install offline")

    copy_tree(source / "notebooks", out / "notebooks")
    copy_tree(source / "data", out / "data")
    for name in ("README.md", "install.ps1", "install.sh"):  # install.sh last: tests take it as the finished mark
        shutil.copy2(TEMPLATES / name, out / name)
    (out / "install.sh").chmod(0o755)

    files = [p for p in out.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    whl_size = sum(p.stat().st_size for p in wheels.glob("*.whl"))
    print(f"{out}: {len(files)} files, {size / 2**20:.0f} MiB ({len(list(wheels.glob('*.whl')))} wheels, {whl_size / 2**20:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
