"""The public sources and where their originals live, for `tractatus data fetch`.

Like scikit-learn's `fetch_*` functions: each file is downloaded once from its canonical URL by
`pooch` into `<data dir>/<source>/`, where `tractatus.data.readers` reads it, and checked against
a pinned sha256. Nothing is downloaded at decision time; only this command touches the network.

Checksums: this registry was written on a machine without internet access, so no sha256 could
be established for the originals, and none is invented. Such a file has `sha256=None`, and
`fetch` refuses it unless the caller passes `allow_unverified=True` (`--allow-unverified`),
in which case it prints the sha256 it got so that it can be pinned here. The Upworthy archive's
OSF download address could not be established either (OSF serves files by an id this registry
does not know): it is a manual download, and `fetch` says where to get it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tractatus.data.readers import CLICKBAIT, DAVIDSON, UPWORTHY
from tractatus.governance.errors import ConfigError, InputError


class DownloadError(ConfigError):
    """A source could not be downloaded, or what arrived does not match its pinned checksum."""


@dataclass(frozen=True)
class RemoteFile:
    filename: str  # the name in <data dir>/<source>/, which the readers recognise
    url: str | None  # None: no direct download address is known (see `Source.landing`)
    sha256: str | None  # None: not established; fetching needs allow_unverified


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    licence: str
    landing: str  # where a person finds the data and its licence
    files: tuple[RemoteFile, ...]


_CLICKBAIT_RAW = "https://github.com/bhargaviparanjape/clickbait/raw/master/dataset"
SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            CLICKBAIT, "Chakraborty et al. 2016 clickbait and news headlines", "MIT",
            "https://github.com/bhargaviparanjape/clickbait",
            (RemoteFile("clickbait_data.gz", f"{_CLICKBAIT_RAW}/clickbait_data.gz", None),
             RemoteFile("non_clickbait_data.gz", f"{_CLICKBAIT_RAW}/non_clickbait_data.gz", None)),
        ),
        Source(
            DAVIDSON, "Davidson et al. 2017 hate speech and offensive language tweets", "MIT",
            "https://github.com/t-davidson/hate-speech-and-offensive-language",
            (RemoteFile(
                "labeled_data.csv",
                "https://raw.githubusercontent.com/t-davidson/hate-speech-and-offensive-language/master/data/labeled_data.csv",
                None,
            ),),
        ),
        Source(
            UPWORTHY, "The Upworthy Research Archive, exploratory packages", "CC BY 4.0",
            "https://osf.io/jd64p/",
            (RemoteFile("upworthy-archive-exploratory-packages-03.12.2020.csv", None, None),),
        ),
    )
}


def resolve_sources(names: list[str] | None) -> list[Source]:
    """The named sources (all of them when none is named); an unknown name is an input error."""
    if not names:
        return list(SOURCES.values())
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise InputError(f"unknown source(s) {', '.join(unknown)}: choose from {', '.join(SOURCES)}")
    return [SOURCES[n] for n in names]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    source: Source,
    data_dir: Path,
    *,
    allow_unverified: bool = False,
    mirror: str | None = None,
    report: Callable[[str], None] = lambda line: None,
) -> list[Path]:
    """Download every file of `source` that is not already present and verified; the local paths.

    `mirror` replaces each canonical URL by `<mirror>/<source>/<filename>` (a copy laid out like
    the data directory). A file whose sha256 is not pinned is refused without `allow_unverified`.
    """
    try:
        import pooch
    except ImportError:
        raise ConfigError("fetching datasets needs pooch: pip install 'tractatus[train]'") from None

    pooch.get_logger().setLevel("WARNING")  # one line per file from us, not pooch's progress chatter
    folder = data_dir / source.name
    paths = []
    for remote in source.files:
        url = f"{mirror.rstrip('/')}/{source.name}/{remote.filename}" if mirror else remote.url
        if url is None:
            target = folder / remote.filename
            if target.is_file():
                paths.append(target)
                continue
            raise DownloadError(
                f"{source.name}: no direct download is known for {remote.filename}; get it from "
                f"{source.landing} and put it in {folder}/"
            )
        if remote.sha256 is None and not allow_unverified:
            raise DownloadError(
                f"{source.name}: no pinned sha256 for {remote.filename} (none could be established "
                f"offline); rerun with --allow-unverified to download it from {url} unchecked"
            )
        known_hash = f"sha256:{remote.sha256}" if remote.sha256 else None
        try:
            path = Path(pooch.retrieve(url, known_hash=known_hash, fname=remote.filename, path=folder, progressbar=False))
        except ValueError as error:  # pooch: the downloaded file's hash does not match
            raise DownloadError(f"{source.name}: {remote.filename} from {url} failed its checksum: "
                                f"{' '.join(str(error).split())}") from None
        except Exception as error:  # network and HTTP errors come from requests/urllib3
            raise DownloadError(f"{source.name}: cannot download {remote.filename} from {url} "
                                f"({type(error).__name__}: {' '.join(str(error).split())[:200]})") from None
        if remote.sha256 is None:
            report(f"warning: {source.name}/{remote.filename} is unverified; its sha256 is {sha256_of(path)}")
        paths.append(path)
    return paths
