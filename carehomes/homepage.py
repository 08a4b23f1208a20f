"""A home's page body, as ``templates/profile.html`` renders it, in plain Python: nationally 15,403 pages a build.

``profile.html`` stays the page's one readable source: every word and tag here is the template's, in its order,
and tests/test_homepage.py renders both for every bundled, fixture and agency home (open, closed, off the
register, with and without an edit link) and requires the same bytes; an edit to the template that is not made
here too fails it. What the template's machinery costs (a generator step for each of ~270 pieces, a Markup for
each of ~100 values, an attribute lookup through the environment for each of ~160) was about half the page's CPU.
``ProfilePage.render`` takes the template's keywords, so render.home_page takes either.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .views import nice_date

# the For providers page's section for a provider without a GitHub account (its heading's id, on either engine)
NO_ACCOUNT = "../../for-providers/#without-an-account-email-or-phone-the-council"

if TYPE_CHECKING:
    from .schema import Values
    from .views import Group, HomeView, Unknown


def escape(value: Any) -> str:
    """markupsafe.escape(value) as a plain str (what Jinja's autoescape prints): & < > ' " as &amp; &lt; &gt;
    &#39; &#34;; a value with ``__html__`` (Markup) as it is."""
    if isinstance(value, str):
        if type(value) is not str and hasattr(value, "__html__"):
            return str(value.__html__())
        text = value
    elif hasattr(value, "__html__"):
        return str(value.__html__())
    else:
        text = str(value)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "'" in text:
        text = text.replace("'", "&#39;")
    if '"' in text:
        text = text.replace('"', "&#34;")
    return text


# Pieces the same on many pages, made once a process: a group's heading and source (_HEADS), its place in the
# contents (_TOC), its date and age (_DATED: a date's words are shared by thousands of homes), a fact's label (_LABELS).
# Kept from what pages pass in (the face's words, dates), so bounded; past _KEEP pieces each is made again.
_HEADS: dict[tuple[Any, ...], str] = {}
_TOC: dict[tuple[str, str], str] = {}
_DATED: dict[tuple[Any, ...], str] = {}
_LABELS: dict[str, str] = {}
_KEEP = 20_000


def _kept(pieces: dict[Any, str], key: Any, piece: str) -> str:
    """``piece``, kept in ``pieces`` under ``key`` while it holds fewer than _KEEP."""
    if len(pieces) < _KEEP:
        pieces[key] = piece
    return piece


_NEEDS_TABLE = ('<table class="ch-needs">\n<caption>Whether the home has the equipment and staff to accept people with each '
                'need, and how many beds</caption>\n<thead><tr><th scope="col">Need</th><th scope="col">Can accept</th>'
                '<th scope="col">Beds with nursing</th><th scope="col">Beds without nursing</th></tr></thead>\n<tbody>')


class ProfilePage:
    """profile.html for one set of schema values (the template environment's ``values``)."""

    def __init__(self, values: Values):
        self.values = values

    def render(self, *, h: HomeView, groups: list[Group], unknowns: list[Unknown], contact_email: str, json_ld: str) -> str:
        """The page body, byte for byte as ``profile.html`` renders it with these keywords."""
        out: list[str] = []
        add = out.append
        slug, name = escape(h.slug), escape(h.name)
        closed = h.closed
        # the address under the heading (the name, hidden, led it for Pagefind's title: a screen reader heard it twice)
        add(f'<div class="ch-profile" data-slug="{slug}">\n<p class="ch-lede">{escape(h.address_line or h.d["locality"])}</p>\n</div>\n\n')
        if closed:
            add(f'<div class="admonition danger ch-closed" role="note">\n<p class="admonition-title">{escape(h.closed_text)}</p>\n'
                "<p>It is no longer listed in the search, the lists or the counts, and cannot be added to a shortlist. "
                f'Its page is kept for the record. <a href="{escape(h.cqc_url)}" rel="nofollow noopener">See this home on the '
                "CQC website</a>.</p>\n</div>\n")
        elif not h.on_register:
            status = escape(h.status)
            when = h.get("cqc.status_date")
            add(f'<div class="admonition danger" role="note">\n<p class="admonition-title">{status}</p>\n<p>The '
                f'{escape(self.values.owner_source("cqc"))} showed this home as "{status}"'
                + (f" on {escape(nice_date(when))}" if when else "")
                + ". It may no longer be open. Check with CQC or the council before you contact it.</p>\n</div>\n")
        elif h.dormant_text:
            add('<div class="admonition warning" role="note">\n<p class="admonition-title">Not providing care at the moment</p>\n'
                f"<p>{escape(h.dormant_text)}</p>\n</div>\n")
        add('\n<ul class="ch-badges" aria-label="Key facts">\n')
        self._key_facts(add, h, closed)
        if not closed:
            self._ring(add, h)
        add("</ul>\n\n")
        if not closed:
            add(f'<p class="ch-actions">\n<button type="button" class="md-button ch-shortlist" data-slug="{slug}" '
                f'data-name="{name}" hidden>{escape(self.values.shortlist["add"].replace("{name}", h.name))}</button>\n'
                f'<a class="md-button" href="../../compare/">{escape(self.values.find["compareLink"])}</a>\n</p>\n')
        shown = [g for g in groups if g.shown]
        description = h.description_html
        add('<nav class="ch-toc" aria-label="On this page">\n<ul>')
        for g in shown:
            item = _TOC.get((g.id, g.title))
            add(item if item is not None else _kept(_TOC, (g.id, g.title), f'<li><a href="#{escape(g.id)}">{escape(g.title)}</a></li>'))
        if description:
            add(f'<li><a href="#about">About the {escape(h.kind_words["noun"])}</a></li>')
        if unknowns:
            add(f'<li><a href="#not-known">{escape(self.values.unknowns.heading)}</a></li>')
        add("</ul>\n</nav>\n\n")
        for g in shown:
            self._group(add, g)
        add("\n")
        if description:
            noun = escape(h.kind_words["noun"])
            add(f'<section class="ch-group" aria-labelledby="about">\n<h2 id="about">About the {noun}</h2>\n'
                f'<p class="ch-source">Source: the {noun}.</p>\n<div class="ch-description">{description}</div>\n</section>\n')
        add("\n")
        if unknowns:
            self._unknowns(add, h, unknowns)
        add("\n")
        if closed:
            self._mistake(add, h, contact_email)
        elif h.edit_url:
            self._update(add, h, slug, closed, contact_email)
        add(f'<script type="application/ld+json">{json_ld}</script>')
        return "".join(out)

    @staticmethod
    def _key_facts(add: Any, h: HomeView, closed: bool) -> None:
        """The badges: a kind's card lines, or the first kind's type of care (and the other kinds it is), rating, register
        date, free beds and its face's keyFacts."""
        lines = h.key_lines
        if lines is not None:
            for line in lines:
                add(f"<li>{escape(line)}</li>\n")
            return
        add(f"<li>{escape(h.kind_text)}</li>\n<li>")
        if h.rating:
            add(f"CQC rating: {escape(h.rating_text)}")
            when = h.rating_date
            if when:
                add(f" ({escape(nice_date(when))}, {escape(h.age(when))})")
            else:
                add(escape(h.rating_as_at))  # " (as at 20 March 2025, ...)": the date of CQC's unrated entry
            add(escape(h.rating_given))  # ", given to an earlier registration"
            add(escape(h.rating_stale_words))  # that it is older than the limit, as its card says
        else:
            add(f'{escape(h.rating_label)}: <a href="{escape(h.cqc_url)}" rel="nofollow noopener">see the CQC page</a>')
        register = h.register_date
        add(f"</li>\n<li>CQC information dated {escape(h.dated(register)) if register else 'unknown'}</li>\n")
        if not closed:
            add(f"<li>{escape(h.free_text)}</li>\n")
            for line in h.key_extra:
                add(f"<li>{escape(line)}</li>\n")

    @staticmethod
    def _ring(add: Any, h: HomeView) -> None:
        """Who to ring, among the key facts, as its result card says it (a discharge nurse on a phone found the number
        three screens down the page, in its contact group): the number a tel: link; nothing when there is none."""
        parts = h.ring_parts
        if parts is None:  # no number: where to look, as its card says it
            add(f'<li class="ch-ring"><a href="{escape(h.cqc_url)}" rel="nofollow noopener">{escape(h.no_number_words)}</a></li>\n')
            return
        before, number, href, after = parts
        link = f'<a href="{escape(href)}">{escape(number)}</a>' if href else ""
        add(f'<li class="ch-ring">{escape(before)}{link}{escape(after)}</li>\n')

    @staticmethod
    def _group(add: Any, g: Group) -> None:
        """One shown group: heading, source and date, warning, then its needs table or its known facts."""
        key: tuple[Any, ...] = (g.id, g.title, g.source)
        head = _HEADS.get(key)
        if head is None:
            gid = escape(g.id)
            head = _kept(_HEADS, key, f'<section class="ch-group" aria-labelledby="{gid}">\n<h2 id="{gid}">{escape(g.title)}</h2>\n'
                                      f'<p class="ch-source">Source: {escape(g.source)}.')
        add(head)
        for dated in ((g.date_label, g.date, g.age) if g.date else None, g.also):  # its own date, and the register's
            if dated:
                when = _DATED.get(dated)
                add(when if when is not None else _kept(_DATED, dated, f' {escape(dated[0])}: <time datetime="{escape(dated[1])}">'
                                                                       f"{escape(nice_date(dated[1]))}</time> ({escape(dated[2])})."))
        add("</p>\n")
        if g.stale:
            add(f'<div class="admonition warning" role="note"><p class="admonition-title">Possibly out of date</p><p>{escape(g.stale)}</p></div>')
        if g.table:
            add(_NEEDS_TABLE)
            for row in g.table:
                add(f'<tr><th scope="row">{escape(row[0])}</th><td>{escape(row[1])}</td><td>{escape(row[2])}</td>'
                    f"<td>{escape(row[3])}</td></tr>")
            add("</tbody>\n</table>\n")
        else:
            facts = g.known_facts
            if facts:
                add('<dl class="ch-facts">\n')
                for f in facts:
                    href, text = f.href, escape(f.text)
                    label = _LABELS.get(f.label)
                    if label is None:
                        label = _kept(_LABELS, f.label, f"<div><dt>{escape(f.label)}</dt><dd>")
                    if href:
                        rel = ' rel="nofollow noopener"' if href.startswith("http") else ""
                        add(f'{label}<a href="{escape(href)}"{rel}>{text}</a>')
                    else:
                        add(label + text)
                    add(f' <span class="ch-note">({escape(f.note)})</span></dd></div>\n' if f.note else "</dd></div>\n")
                add("</dl>\n")
        add("</section>\n")

    def _unknowns(self, add: Any, h: HomeView, unknowns: list[Unknown]) -> None:
        """The "not known yet" block: one line for each owner (with a link to look them up, for an owner whose facts
        the site does not gather), then the advice with its CQC link."""
        before, link, after = self.values.unknowns.advice_parts()
        add(f'<section class="ch-group ch-unknowns" aria-labelledby="not-known">\n<h2 id="not-known">'
            f"{escape(self.values.unknowns.heading)}</h2>\n<ul>")
        for u in unknowns:
            if u.url:  # the site holds none of the owner's facts: where to look them up
                add(f'<li><strong>{escape(u.lead)}:</strong> {escape(u.link[0])}<a href="{escape(u.url)}" rel="noopener">'
                    f"{escape(u.link[1])}</a>{escape(u.link[2])}.</li>")
            else:
                add(f"<li><strong>{escape(u.lead)}:</strong> {escape(u.text)}.</li>")
        advice = before.replace("the home", "the " + h.kind_words["noun"])  # Jinja's replace filter, on plain text
        add(f'</ul>\n<p>{escape(advice)}<a href="{escape(h.cqc_url)}" rel="nofollow noopener">{escape(link)}</a>'
            f"{escape(after)}</p>\n</section>\n")

    @staticmethod
    def _mistake(add: Any, h: HomeView, contact_email: str) -> None:
        """A closed home's last box: no claim or update forms (it is kept for the record), only how to say it is wrong."""
        url = h.mistake_url(contact_email)
        if url:
            add('<aside class="ch-update" aria-labelledby="update">\n<h2 id="update">Spotted a mistake?</h2>\n'
                f'<p>If this {escape(h.kind_words["noun"])} is still open, or anything here is wrong, <a href="{escape(url)}">'
                "tell the council</a>.</p>\n</aside>\n")

    @staticmethod
    def _update(add: Any, h: HomeView, slug: str, closed: bool, contact_email: str) -> None:
        """The "Is this your home?" box: claim, update forms, the repository and the council's address."""
        w = h.kind_words
        noun = escape(w["noun"])
        add(f'<aside class="ch-update" aria-labelledby="update">\n<h2 id="update">Is this your {noun}? Update this page</h2>\n')
        if not h.get("maintainers"):
            add(f'<p class="ch-claim"><a href="{escape(h.form_url(w["claim_form"]))}">Is this your {noun}? Claim it</a> to '
                f"update this page yourself (someone from the council rings the {noun} once to check).</p>")
        add(f'<p>{escape(w["plural"])} keep their own details up to date with a short form on GitHub (a free GitHub account is needed): no files to edit.</p>\n'
            '<ul class="ch-update-links">\n')
        if not closed:
            add(f'<li><a href="{escape(h.form_url(w["availability_form"]))}">{escape(w["update_link"])}</a></li>')
        add(f'<li><a href="{escape(h.form_url(w["details_form"]))}">Update this {noun}\'s details</a></li>\n</ul>\n'
            f'<p>No GitHub account? Read <a href="{NO_ACCOUNT}">how to update your page</a> by email or phone. If you know GitHub, '
            f'you can <a href="{escape(h.edit_url)}">edit this {noun}\'s file ({slug}.yaml) directly</a>.')
        url = h.mistake_url(contact_email)
        add(f' Spotted a mistake? <a href="{escape(url)}">Tell the council</a>.</p>\n</aside>\n' if url else "</p>\n</aside>\n")
