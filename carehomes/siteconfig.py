"""The site config checks: what the build reads from mkdocs.yml (read by ``configfile``, the one reader),
every setting of the wrong kind named, and the map's tile server and attribution checked and written safely."""
from __future__ import annotations

import difflib
import html
import ipaddress
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .configfile import ConfigFileError, directory_of, load_config_chain
from .ages import Age, parse_age
from .safetext import UNSAFE_IN_ADDRESS, plain, web_address
from .schema import ROOT, STALENESS
from .sources.postcodes import area_of
from .validate import EMAIL


@dataclass
class SiteConfig:
    """What the build reads from mkdocs.yml."""

    path: Path
    raw: dict
    inherited: bool = False  # the file INHERITs another: raw is the merged settings
    tagged: bool = False  # a setting had a tag (!ENV ...), read as empty in raw

    @property
    def directory(self) -> dict:
        return (self.raw.get("extra") or {}).get("directory") or {}

    @property
    def edit_base(self) -> str | None:
        """The repository's web editor address for the folder holding this config's providers/: the top
        level, or an area's folder (areas/NAME/) when the config is an area's."""
        repo = self.directory.get("repository")
        branch = self.directory.get("branch", "main")
        return f"{repo.rstrip('/')}/edit/{branch}/{area_folder(self.path)}" if repo else None


def area_folder(config: Path) -> str:
    """``areas/NAME/`` when ``config`` is an area's (areas/NAME/mkdocs.yml in this repository), else ""."""
    folder = config.resolve().parent
    if folder.parent == (ROOT / "areas").resolve():
        return f"areas/{folder.name}/"
    return ""


def not_a_site(path: Path) -> str | None:
    """Why the settings at ``path`` cannot build this directory's site, or None: an empty file, or one without
    extra.directory (neither this repository's mkdocs.yml nor one inheriting it), which mkdocs would build from its
    own defaults (docs/ as the pages, no theme of ours) and fail in ways that name neither. ConfigFileError when the
    file cannot be read (read_config says why)."""
    raw = load_config_chain(path).raw
    extra = raw.get("extra", {})
    if extra is None or (isinstance(extra, dict) and extra.get("directory") in (None, {})):  # a wrong type: config_problems
        # says so; 'directory:' with nothing under it (or an !ENV tag, read as empty) is as if it were not there
        what = "is empty" if not raw else "has no extra.directory settings"
        return (f"{path}: {what}, so it is not this directory's settings: start from the repository's mkdocs.yml, or "
                "for an area write INHERIT: ../../mkdocs.yml and then only what differs (docs/areas.md)")
    return None


def read_config(path: Path) -> SiteConfig:
    """The site config at ``path`` (INHERIT resolved as mkdocs does); ConfigFileError naming the file and
    every key that is the wrong kind, so no setting fails later as a traceback inside a template."""
    chain = load_config_chain(path)
    problems = [f"{key} is empty; give the {what}, like {key}: \"...\"" for key, what in
                (("site_name", "site's name"), ("site_url", "site's address")) if key in chain.raw
                and chain.raw[key] is None]  # also an unset !ENV without a default, or another tag (read as empty)
    problems += config_problems(chain.raw)
    if problems:
        raise ConfigFileError("\n".join(f"{path}: {p}" for p in problems))
    return SiteConfig(path, chain.raw, len(chain.files) > 1, chain.tagged)


def fsa_codes(value: Any) -> list[int] | None:
    """extra.directory.fsa_authorities as the FSA's local authority codes (whole numbers, 1 to 99999), or None when it
    is not a list of them (895 alone, {895: x}, ["895"])."""
    ok = isinstance(value, list) and all(isinstance(c, int) and not isinstance(c, bool) and 0 < c < 100_000 for c in value)
    return value if ok else None


PHONE = re.compile(r"[0-9+() -]+")  # a council's phone line as the pages show it, and link to (tel:)
DIRECTORY_TEXT = ("council", "area", "contact_email", "contact_phone", "placement_email", "placement_phone", "repository", "branch",
                  "oruk_api_url")


def config_problems(raw: dict[str, Any]) -> list[str]:
    """Every setting the build reads from mkdocs.yml that has the wrong kind of value, one line each."""
    out = [f"{key} must be text; write it in quotes, like {key}: \"...\"" for key in ("site_name", "site_url")
           if raw.get(key) is not None and not isinstance(raw[key], str)]  # the feed's title, every page's address
    out += _markup_problems("site_name", raw.get("site_name"))  # the theme writes the site's name into every page as HTML
    url = raw.get("site_url")
    if isinstance(url, str) and url.strip() and not web_address(url):  # every link of the report and the feed starts with it
        out.append(f"site_url '{plain(url, 80)}' is not the site's web address (http:// or https://, then the host); give the "
                   "address the site is published at, like site_url: \"https://www.example.org/care-homes/\"")
    extra = raw.get("extra")
    if extra is not None and not isinstance(extra, dict):
        return out + ["extra must be a mapping (extra: then indented settings such as directory:)"]
    d = (extra or {}).get("directory")
    if d is None:
        return out
    if not isinstance(d, dict):
        return out + ["extra.directory must be a mapping (council:, area:, map: ... indented under it)"]
    for key in DIRECTORY_TEXT:
        if key in d and not isinstance(d[key], str):
            out.append(f"extra.directory.{key} must be text; write it in quotes, like {key}: \"...\"")
    for key, like in (("repository", "https://github.com/your-council/care-homes"), ("oruk_api_url", "https://api.example.gov.uk/oruk")):
        value = d.get(key)
        if isinstance(value, str) and value.strip() and not _https_link(value.strip()):
            # every home page links to the repository's forms; the ORUK package names the API: never javascript: or a local host
            out.append(f"extra.directory.{key} '{value[:80]}' is not an https:// address of a real host; "
                       f"give one like {key}: \"{like}\"")
    for key in ("council", "area"):  # the For providers page's Markdown names the council as written
        out += _markup_problems(f"extra.directory.{key}", d.get(key))
    for key, like in (("contact_email", "care.directory@your-council.gov.uk"), ("placement_email", "care.placements@your-council.gov.uk")):
        value = d.get(key)
        if isinstance(value, str) and value.strip() and not EMAIL.fullmatch(value.strip()):
            # the For providers page links to it as written (mailto:), and a manager is told to write to it
            out.append(f"extra.directory.{key} '{value[:80]}' is not an email address; give the address alone, like {key}: {like}")
    for key in ("contact_phone", "placement_phone"):
        value = d.get(key)
        if isinstance(value, str) and value.strip() and not (PHONE.fullmatch(value.strip()) and sum(c.isdigit() for c in value) >= 6):
            out.append(f"extra.directory.{key} '{value[:80]}' is not a phone number; write only its digits, spaces and + ( ) -, "
                       f"like {key}: \"01432 260000\"")
    months = d.get("cqc_stale_months")
    if months is not None and (isinstance(months, bool) or not isinstance(months, int) or months < 1):
        out.append("extra.directory.cqc_stale_months must be a whole number of months, like cqc_stale_months: 3")
    out += staleness_problems(d.get("staleness"))
    areas = d.get("postcode_areas")
    if areas is not None and areas != "all" and not (isinstance(areas, list) and all(isinstance(a, str) for a in areas)):
        out.append("extra.directory.postcode_areas must be a list of postcode areas, like [HR, WR], or: all")
    codes = d.get("fsa_authorities")
    if codes is not None and fsa_codes(codes) is None:
        # 895 alone, or {895: x}, read as "lists no FSA local authority" (the hostile review)
        out.append("extra.directory.fsa_authorities must be a list of the FSA's local authority codes (whole numbers), like "
                   "[895] for Herefordshire, or [] for none")
    places = d.get("localities")
    if places is not None and not isinstance(places, dict):
        out.append("extra.directory.localities must map each locality to its postcode districts, like Leominster: [HR6]")
    elif places:
        bad = [str(k) for k, v in places.items()
               if not (isinstance(k, str) and isinstance(v, list) and v and all(isinstance(p, str) for p in v))]
        out += [f"extra.directory.localities: {name[:60]!r} must have a list of its postcode districts, like "
                "Leominster: [HR6] (a list, in square brackets, of at least one)" for name in bad]
        if not bad:
            out += locality_problems(places)
    m = d.get("map")
    if m is not None and not isinstance(m, dict):
        out.append("extra.directory.map must be a mapping with tiles: and attribution: indented under it")
    elif m:
        if "tiles" in m and not isinstance(m["tiles"], str):
            out.append("extra.directory.map.tiles must be text; write it in quotes")
        elif m.get("tiles"):
            out += [f"extra.directory.map.tiles {p}" for p in [tiles_problem(m["tiles"])] if p]
        out += attribution_problems(m.get("attribution"))
    return out


DISTRICT_OR_SECTOR = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?( [0-9])?")  # a postcode's outward code, then its sector's digit


def locality_problems(places: dict[str, list[str]]) -> list[str]:
    """A council's localities (name -> postcode districts or sectors) where a home could not be placed by them: an
    empty district (which every postcode starts with) or one named by two localities (a home there went, without a
    word, to whichever name sorts last); a locality with no name, or two names that differ only in case or spaces, or
    one named as the market page's tables' own rows ("Total", "Unknown")."""
    from .market import OWN_ROWS  # the tables' own row names (market imports nothing of this module's)

    out: list[str] = []
    seen: dict[str, str] = {}
    names: dict[str, str] = {}
    own_rows = {row.casefold(): row for row in OWN_ROWS}
    for name in places:
        key = " ".join(name.split()).casefold()
        if not key:
            out.append("extra.directory.localities has a locality with no name; name each, like Leominster: [HR6]")
        elif key in names:  # the market page's tables would have two columns of one name (its data package invalid)
            out.append(f"extra.directory.localities names {plain(names[key], 60)!r} and {plain(name, 60)!r}, one name "
                       "written two ways; name each locality once")
        elif key in own_rows:  # a row of its own in the market page's tables, and the report's, beside theirs
            out.append(f"extra.directory.localities names a locality {plain(name, 60)!r}, which the market page's tables "
                       f"call their own {own_rows[key]!r} row; give it the place's name")
        names.setdefault(key, name)
    for name, prefixes in places.items():
        for prefix in prefixes:
            key = " ".join(prefix.upper().split())
            if not key:
                out.append(f"extra.directory.localities.{plain(name, 60)} has an empty postcode district; give districts "
                           "or sectors, like [HR6, 'HR1 2']")
            elif not DISTRICT_OR_SECTOR.fullmatch(prefix.strip().upper()):  # "BN2  8", "BN2 6XX": matched no home, unsaid
                out.append(f"extra.directory.localities.{plain(name, 60)}: {plain(prefix, 30)!r} is not a postcode district "
                           "(HR6) nor a sector (HR1 2, one space, one digit); write it as one")
            elif key in seen and seen[key] != name:
                out.append(f"extra.directory.localities: {key} is in both {plain(seen[key], 60)} and {plain(name, 60)}; "
                           "a postcode district or sector belongs to one locality: name it in one of them")
            seen.setdefault(key, name)
    return out


def _markup_problems(key: str, value: Any) -> list[str]:
    """A name the pages show as written: one holding <, > or " would be read as HTML (or end an attribute), and [ or ]
    as a Markdown link, whatever its address (the hostile review: "[x](javascript:alert(7))" in the council's name was
    a link on the open data and for-providers pages)."""
    if isinstance(value, str) and any(c in value for c in '<>"[]'):
        return [f"{key} '{value[:80]}' holds <, >, \", [ or ], which a page would read as HTML or a link; write the name "
                "without them"]
    return []


TILES_EXAMPLE = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}  # tile servers the tests start on this computer
ATTRIBUTION_EXAMPLE = ("attribution: [{text: '\u00a9'}, {text: OpenStreetMap, url: 'https://www.openstreetmap.org/copyright'}, "
                       "{text: contributors}]")
DEFAULT_ATTRIBUTION = [{"text": "\u00a9"}, {"text": "OpenStreetMap", "url": "https://www.openstreetmap.org/copyright"},
                       {"text": "contributors"}]


def _real_host(host: str) -> bool:
    """A host on the internet: a public IP address, or a dotted name of letters, digits and hyphens."""
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        labels = host.rstrip(".").split(".")
        return len(labels) > 1 and not labels[-1].isdigit() and all(
            re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", label) for label in labels)


def tiles_problem(url: str) -> str | None:
    """What is wrong with a tile server address, parsed (not a prefix test): https:// and a real host,
    or http(s) on this computer (127.0.0.1, ::1, localhost) for tests; {z}/{x}/{y} in it."""
    how = f"give an https:// address with {{z}}, {{x}} and {{y}} in it, like {TILES_EXAMPLE}"
    if UNSAFE_IN_ADDRESS.search(url):
        return f"has spaces, quotes or other characters no address has; {how}"
    try:
        parts = urllib.parse.urlsplit(url)
        host, _port = (parts.hostname or ""), parts.port
    except ValueError:
        return f"'{url[:80]}' is not an address; {how}"
    host = host.replace("{s}", "a")  # Leaflet's subdomains: {s}.tile.example is a.tile.example, b.tile...
    if parts.username is not None or parts.password is not None:
        return f"'{url[:80]}' has a user name or password in it; {how}"
    if host in LOOPBACK:
        if parts.scheme not in ("http", "https"):
            return f"'{url[:80]}' is not an http:// or https:// address; {how}"
    elif parts.scheme != "https":
        return f"'{url[:80]}' is not https:// (only a tile server on this computer, for tests, may use http://); {how}"
    elif not _real_host(host):
        return f"'{url[:80]}' has no real host name ('{host[:60]}' is not a public name or address); {how}"
    missing = [k for k in ("{z}", "{x}", "{y}") if k not in url]
    if missing:
        return f"'{url[:80]}' has no {', '.join(missing)}; {how}"
    return None


def attribution_problems(value: Any) -> list[str]:
    """What is wrong with extra.directory.map.attribution: text (old form), or a list of items, each
    text: and an optional url: that is https://."""
    if value is None or isinstance(value, str):
        return []
    if not isinstance(value, list):
        return [f"extra.directory.map.attribution must be a list of text: and url: items, like {ATTRIBUTION_EXAMPLE}"]
    out = []
    for i, item in enumerate(value, 1):
        where = f"extra.directory.map.attribution item {i}"
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or set(item) - {"text", "url"}:
            out.append(f"{where} must be text: and, if it is a link, url:, like {{text: OpenStreetMap, "
                       "url: 'https://www.openstreetmap.org/copyright'}")
            continue
        url = item.get("url")
        if url is not None and not (isinstance(url, str) and _https_link(url)):
            out.append(f"{where}: url must be an https:// address of a real host, like https://www.openstreetmap.org/copyright")
    return out


def _https_link(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    return (parts.scheme == "https" and _real_host(host) and parts.username is None
            and not UNSAFE_IN_ADDRESS.search(url))


STALENESS_EXAMPLE = "staleness: {register: 6 months, rating: 3 years}"


def staleness_problems(value: Any) -> list[str]:
    """What is wrong with extra.directory.staleness: a mapping of the schema's staleness names to '7 days',
    '3 months' or '2 years'."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [f"extra.directory.staleness must be a mapping of names to ages, like {STALENESS_EXAMPLE}"]
    out = []
    for key, age in value.items():
        if key not in STALENESS:
            out.append(f"extra.directory.staleness.{key} is not a staleness setting; use one of {', '.join(STALENESS)}")
        elif parse_age(age) is None:
            out.append(f"extra.directory.staleness.{key} must be a number of days, months or years, like {key}: 6 months")
    return out


def staleness(directory: dict[str, Any]) -> dict[str, Age]:
    """The deployment's staleness thresholds over the schema's (the one reader of extra.directory.staleness):
    the old cqc_stale_months: N is read as staleness.register: N months (staleness_warnings says so)."""
    out: dict[str, Age] = {}
    months = directory.get("cqc_stale_months")
    if isinstance(months, int) and not isinstance(months, bool) and months >= 1:
        out["register"] = Age(months, "month")
    given = directory.get("staleness")
    for key, text in (given.items() if isinstance(given, dict) else ()):
        age = parse_age(text)
        if key in STALENESS and age is not None:
            out[key] = age
    return out


def ungathered(directory: dict[str, Any]) -> frozenset[str]:
    """The owners whose facts this site does not gather at all (the one reader of this for the pages): "fsa" when
    extra.directory.fsa_authorities lists no FSA local authority (not set, or [], as Oldham's), so a home's page says
    the directory holds no food hygiene ratings (x-directory.unknowns.notHeldBy), not that the FSA's say nothing."""
    codes = directory.get("fsa_authorities")
    return frozenset() if isinstance(codes, list) and codes else frozenset({"fsa"})


def staleness_warnings(directory: dict[str, Any]) -> list[str]:
    """A warning while mkdocs.yml still has the old cqc_stale_months, naming the key that replaces it."""
    months = directory.get("cqc_stale_months")
    if months is None:
        return []
    return [f"mkdocs.yml: extra.directory.cqc_stale_months is replaced by extra.directory.staleness.register; "
            f"write staleness: {{register: {months} months}} instead (read as that this time)"]


def map_warnings(directory: dict[str, Any]) -> list[str]:
    """A warning when map.attribution is still the old text form with HTML in it: it is shown as plain text."""
    m = directory.get("map")
    value = m.get("attribution") if isinstance(m, dict) else None
    if isinstance(value, str) and re.search(r"<[A-Za-z/!?]|&#?[A-Za-z0-9]+;", value):
        return ["mkdocs.yml: extra.directory.map.attribution has HTML in it, which is shown as plain text, never as "
                f"markup; write it as a list of text and links instead, like {ATTRIBUTION_EXAMPLE}"]
    return []


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.casefold())) - {"council", "city", "county", "borough", "district", "of", "the", "and"}


# Every setting of extra.directory the build or a command reads; any other is a slip ('placment_phone') that does nothing
DIRECTORY_KEYS = (*DIRECTORY_TEXT, "cqc_stale_months", "staleness", "postcode_areas", "codepoint", "fsa_authorities", "map",
                  "localities")


def unknown_setting_warnings(directory: dict[str, Any], config: str = "mkdocs.yml") -> list[str]:
    """A warning for each key of extra.directory no command reads, with the setting it most looks like."""
    out = []
    for key in directory:
        if key not in DIRECTORY_KEYS:
            near = difflib.get_close_matches(str(key), DIRECTORY_KEYS, n=1)
            out.append(f"{config}: extra.directory.{plain(str(key), 40)} is not a setting, so it does nothing; "
                       + (f"did you mean {near[0]}? " if near else "") + "the settings are in docs/stewards.md")
    return out


TITLES = (("site_name", "every page's title shows it"), ("site_description", "every page's description for search engines says it"))


def title_warnings(raw: dict[str, Any], config: str = "mkdocs.yml") -> list[str]:
    """Warnings when the site's name or description does not name its area (extra.directory.area): an area's settings
    that INHERIT the top level's and leave one out keep the top level's ('Find a care home in Herefordshire, ...' on
    every page of Devon's site)."""
    area = directory_of(raw).get("area")
    if not isinstance(area, str) or not _words(area):
        return []
    return [f"{config}: {key} '{plain(text, 80)}' does not name {plain(area, 80)} (extra.directory.area), and {shows}; "
            f"write {key} for {plain(area, 80)} in {config}"
            for key, shows in TITLES if isinstance(text := raw.get(key), str) and text.strip() and not _words(area) & _words(text)]


def place_warnings(directory: dict[str, Any], profiles: list[dict[str, Any]], config: str = "mkdocs.yml") -> list[str]:
    """Warnings when the site's settings are another place's than its profiles': no profile's locality shares a
    word with extra.directory.area (the site would be titled for Herefordshire while listing Leeds), and the
    postcode areas of the profiles' addresses that postcode_areas leaves out (a search from a postcode there
    would be outside the site's areas). Nothing for no profiles, or for settings not of the usual shapes."""
    out: list[str] = []
    area = directory.get("area")
    localities = sorted({str(p["locality"]) for p in profiles if isinstance(p.get("locality"), str) and p["locality"].strip()})
    if isinstance(area, str) and area.strip() and localities and not any(_words(area) & _words(lo) for lo in localities):
        named = ", ".join(repr(lo) for lo in localities[:3]) + (f" and {len(localities) - 3} more" if len(localities) > 3 else "")
        out.append(f"{config}: extra.directory.area is '{area}', but the profiles are in {named}; build with your area's "
                   "settings (--config, or --area: see docs/areas.md), or set area, council and the contacts there")
    wanted = directory.get("postcode_areas")
    if isinstance(wanted, list) and all(isinstance(a, str) for a in wanted):
        given = {a.strip().upper() for a in wanted}
        homes: dict[str, int] = {}
        for p in profiles:
            address = p.get("address")
            code = address.get("postcode") if isinstance(address, dict) else None
            at = area_of(code) if isinstance(code, str) else None
            if at and at not in given:
                homes[at] = homes.get(at, 0) + 1
        if homes:
            listed = ", ".join(f"{a} ({n:,})" for a, n in sorted(homes.items(), key=lambda x: (-x[1], x[0])))
            out.append(f"{config}: extra.directory.postcode_areas is [{', '.join(wanted)}], but profiles have postcodes in "
                       f"{listed}: a search from a postcode there is outside the site's areas; add them to postcode_areas")
    return out


def gathering_warnings(directory: dict[str, Any], profiles: list[dict[str, Any]], config: str = "mkdocs.yml") -> list[str]:
    """A warning when the settings say the site gathers no food hygiene ratings (``ungathered``: no
    fsa_authorities) while profiles carry one (imported by hand with import-fsa FILE): every other home's page would
    say the directory holds none, which it does. Nothing otherwise."""
    if "fsa" not in ungathered(directory):
        return []
    rated = sum(1 for p in profiles if isinstance(f := p.get("food_hygiene"), dict) and f.get("rating") not in (None, ""))
    if not rated:
        return []
    return [f"{config}: extra.directory.fsa_authorities lists no FSA local authority, but {rated:,} "
            f"profile{'s carry a food hygiene rating' if rated != 1 else ' carries a food hygiene rating'}: the pages "
            "of the others say this directory holds no food hygiene ratings; list the FSA's codes for the council there "
            "(fsa_authorities: [895] for Herefordshire; see docs/deployment.md)"]


def attribution_html(value: Any) -> str:
    """The map's attribution as finished HTML built here: every text escaped, links only to https
    addresses (rel="noopener"). An old text value is plain text; no configuration string is ever markup."""
    if value is None:
        value = DEFAULT_ATTRIBUTION
    if isinstance(value, str):
        return html.escape(value)
    parts = []
    for item in value:
        text = html.escape(item["text"])
        url = item.get("url")
        parts.append(f'<a href="{html.escape(url)}" rel="noopener">{text}</a>' if url and _https_link(url) else text)
    return " ".join(parts)
