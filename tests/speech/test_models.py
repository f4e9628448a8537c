"""The Whisper models' proof: the installed tiny.en verifies against Systran's published
SHA-256; a copy with one byte changed is refused in one sentence, never loaded, and the
default engine falls back to pocketsphinx saying so; a missing model says how to get one;
a verification is remembered until the file changes; base's halves join into a model that
must verify too."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from sessions.errors import NotFound
from sessions.store import Store
from sessions.transcripts import Transcripts
from speech import models
from speech.engines import open_engine
from speech.models import KNOWN, KnownModel, ModelRefused, join_halves, resolve, verify
from tests.conftest import write_study
from tests.speech.voice_sessions import record_voice_session

pytestmark = pytest.mark.timeout(180)
ROOT = Path(__file__).resolve().parents[2]
TINY = KNOWN["tiny.en"]


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test remembers verifications in its own cache and sees no lab models folder."""
    monkeypatch.setenv("UXLAB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("UXLAB_MODELS", raising=False)


@pytest.fixture
def installed() -> Path:
    folder = models.tiny_en_folder()
    assert folder is not None, "tiny.en is installed by make setup (requirements/models.txt)"
    return folder


def changed_copy(installed: Path, into: Path, *, at: int = 40_000_000) -> Path:
    """A copy of tiny.en in a lab models folder with one byte of model.bin changed."""
    folder = into / "tiny.en"
    shutil.copytree(installed, folder, ignore=shutil.ignore_patterns("__pycache__"))
    with open(folder / "model.bin", "r+b") as f:
        f.seek(at)
        byte = f.read(1)
        f.seek(at)
        f.write(bytes([byte[0] ^ 0x01]))
    return folder


def test_the_installed_tiny_en_is_the_published_one(installed):
    assert models.sha256_of(installed / "model.bin") == TINY.sha256
    assert (installed / "model.bin").stat().st_size == TINY.size == 75_537_502
    assert resolve() == resolve("tiny.en") == installed


def test_a_verification_is_remembered_until_the_file_changes(installed, tmp_path):
    path = (installed / "model.bin").resolve()
    assert not models.is_remembered(path, TINY.sha256)
    verify(installed, TINY)
    assert models.is_remembered(path, TINY.sha256)
    copy = tmp_path / "copy"
    shutil.copytree(installed, copy, ignore=shutil.ignore_patterns("__pycache__"))
    verify(copy, TINY)
    assert models.is_remembered((copy / "model.bin").resolve(), TINY.sha256)
    with open(copy / "model.bin", "r+b") as f:   # same size, one byte different
        f.seek(123)
        f.write(b"\x00" if f.read(1) != b"\x00" else b"\x01")
    assert not models.is_remembered((copy / "model.bin").resolve(), TINY.sha256)
    with pytest.raises(ModelRefused, match=r"^refusing .*model\.bin: its SHA-256 \w+… is not the published "
                                           r"1a5afae06a4d… of Systran/faster-whisper-tiny\.en"):
        verify(copy, TINY)


def test_a_model_changed_by_one_byte_is_refused_and_never_loaded(installed, tmp_path):
    lab = tmp_path / "lab-models"
    changed_copy(installed, lab)
    script = ("import sys\nfrom speech.engines import open_engine\n"
              "engine = open_engine(notice=lambda m: print('notice:', m))\n"
              "print('engine:', engine.name)\n"
              "print('loaded:', 'ctranslate2' in sys.modules or 'faster_whisper' in sys.modules)\n")
    env = {"PATH": "/usr/bin:/bin", "UXLAB_MODELS": str(lab), "UXLAB_CACHE": str(tmp_path / "cache"),
           "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    notice, = [line for line in out.stdout.splitlines() if line.startswith("notice:")]
    assert "refusing" in notice and "not the published 1a5afae06a4d…" in notice
    assert notice.endswith("transcribing with pocketsphinx instead (far less accurate)")
    assert "engine: pocketsphinx" in out.stdout and "loaded: False" in out.stdout



def test_whisper_asked_for_by_name_refuses_rather_than_falls_back(installed, tmp_path, monkeypatch):
    monkeypatch.setenv("UXLAB_MODELS", str(tmp_path / "lab"))
    changed_copy(installed, tmp_path / "lab")
    with pytest.raises(ModelRefused, match="^refusing "):
        open_engine("whisper")


def test_uxlab_transcribe_says_it_fell_back_and_pocketsphinx_transcribes(installed, tmp_path):
    lab = tmp_path / "lab-models"
    changed_copy(installed, lab, at=1000)
    store = Store(write_study(tmp_path / "study"))
    sid, _ = record_voice_session(store, [(0.8, "where is the menu for my account")], 4.0)
    store.close()
    result = CliRunner().invoke(main, ["transcribe", str(tmp_path / "study")],
                                env={"UXLAB_MODELS": str(lab), "UXLAB_CACHE": str(tmp_path / "cache")})
    assert result.exit_code == 0, result.output
    warning, = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert "refusing" in warning and "pocketsphinx instead" in warning
    segments = Transcripts(Store(tmp_path / "study")).segments(sid)
    assert segments and {s["engine"] for s in segments} == {"pocketsphinx"}


def test_a_missing_model_says_how_to_get_one(tmp_path, monkeypatch):
    with pytest.raises(NotFound, match=r"no Whisper model in .*nowhere.*huggingface-cli download "
                                       r"Systran/faster-whisper-small\.en"):
        resolve(tmp_path / "nowhere")
    empty = tmp_path / "lab"
    (empty / "tiny.en").mkdir(parents=True)
    monkeypatch.setenv("UXLAB_MODELS", str(empty))
    with pytest.raises(NotFound, match=r"requirements/models\.txt"):
        resolve("tiny.en")
    result = CliRunner().invoke(main, ["transcribe", str(write_study(tmp_path / "s")), "--engine", "whisper",
                                       "--model", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "huggingface-cli download" in result.output
    assert "Traceback" not in result.output


def test_uxlab_models_lists_what_it_can_use(installed, tmp_path):
    own = tmp_path / "lab" / "small.en"
    own.mkdir(parents=True)
    (own / "model.bin").write_bytes(b"x")
    (own / "config.json").write_text("{}")
    result = CliRunner().invoke(main, ["models"], env={"UXLAB_MODELS": str(tmp_path / "lab"),
                                                      "UXLAB_CACHE": str(tmp_path / "cache")})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["tiny.en", "verified", str(installed)]
    assert any(line.startswith(str(own)) and "unchecked" in line for line in lines)
    assert "huggingface-cli download" in lines[-1]


def test_halves_join_into_a_model_that_must_verify(installed, tmp_path):
    """tiny.en's model.bin cut in two and joined is the published file again; halves in the
    wrong order are refused and the join is not kept."""
    first, second = tmp_path / "one", tmp_path / "two"
    shutil.copytree(installed, first, ignore=shutil.ignore_patterns("__pycache__", "model.bin"))
    second.mkdir()
    data = (installed / "model.bin").read_bytes()
    (first / "model.bin.part1").write_bytes(data[: len(data) // 2])
    (second / "model.bin.part2").write_bytes(data[len(data) // 2:])
    joined = join_halves(first, second, ("model.bin.part1", "model.bin.part2"), tmp_path / "joined", TINY)
    assert models.sha256_of(joined / "model.bin") == TINY.sha256
    assert sorted(p.name for p in joined.iterdir()) == ["config.json", "model.bin", "tokenizer.json",
                                                        "vocabulary.txt"]
    shutil.copy(first / "config.json", second / "config.json")
    with pytest.raises(ModelRefused):
        join_halves(second, first, ("model.bin.part2", "model.bin.part1"), tmp_path / "wrong", TINY)
    assert not (tmp_path / "wrong" / "model.bin").exists()
    wrong_size = KnownModel("x", TINY.sha256, TINY.size + 1, "a test's model", "nothing")
    with pytest.raises(ModelRefused, match="bytes, not the 75,537,503 of a test's model"):
        verify(joined, wrong_size)
