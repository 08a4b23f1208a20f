"""A manager claims their home ("Claim this home" issue form): the claim checked and answered, then, once a
council steward has confirmed it by phone and added one label, the issue's author added as a maintainer.

The steward confirms a claim as councils do: by ringing the home on a number the council already holds
(the CQC register's, else the one on the home's page), never a number typed in the claim, so the reply
names that number and where it comes from. Only a label added by someone listed in ``stewards.yaml`` (at
the checked-out commit, read from git) approves. The issue's text is untrusted: every value from it is
quoted with ``safetext.outside`` in what is posted, and a login must be a GitHub login (the schema's pattern).

A claim stays for the home it was opened for. The reply that asks a steward to ring a home starts with a
mark naming that home's slug (``MARK``); the first such reply of the workflow's own account on the issue,
which the claimant can neither write nor edit, binds the claim to that home. An issue edited to name another
home is answered that it cannot be moved, and an approval then changes nothing: a steward's label only ever
grants the home the steward was asked to ring.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import forms
from .areas import Area, default_area
from .fsutil import is_slug, not_written
from .kinds import kinds_of
from .load import display_path, load_profile
from .ownership import GitError, is_maintainer, stewards
from .safetext import outside
from .text import with_article
from .schema import Schema, load_schema
from .updates import (ERROR_LIMIT, MAX_BODY, closed_words, council_contact, council_email, edit_profile, find_home, named_page, near_home, parse_body,
                      with_email)
from .validate import check_value, invisible, today as england_today
from .yamlio import NotWritten, write_text_atomic

APPROVED = "claim-approved"  # the one label a steward adds after ringing the home
MARK = "<!-- claim for: {home} -->\n"  # heads each reply asking a steward to ring a home (its slug)
MARKED = re.compile(r"<!-- claim for: ([a-z0-9-]{1,80}) -->\n")
PHONE_SOURCES = (("cqc.phone", "the CQC register's number for the {noun}"),  # {noun}: what the page is of
                 ("contact.phone", "the number on the {noun}'s page (the CQC register gives none)"))


@dataclass
class Claim:
    """What ``claim`` decided, for the workflow (written as JSON) and for the issue comment.

    status: ``waiting`` (a good claim, for a steward to confirm), ``approved`` (the profile now lists the
    author), ``refused`` (a label from someone who is not a steward), ``moved`` (the issue now names another
    home than the one it was opened for, ``bound``), ``unbound`` (a steward's label, but no earlier reply named
    the home to ring; this reply does) or ``invalid`` (the reply says why)."""

    status: str
    author: str
    issue: int | None = None
    home: str | None = None
    name: str | None = None
    path: str | None = None
    phone: str | None = None
    phone_source: str | None = None
    claimant: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    labeller: str | None = None
    pending: int | None = None  # an earlier open claim issue of the same home
    noun: str = "home"  # what the page is of ("agency"), and the words of its two update links:
    links: tuple[str, str] = ("Update vacancies", "Update this home's details")
    council_email: str | None = None  # the directory team's address, when an error names it
    bound: str | None = None  # the slug of the home the claim was opened for (the first reply's MARK)
    bound_name: str | None = None  # its name, and what its page is of
    bound_noun: str = "home"

    def pending_error(self, name: str) -> str:
        return (f"A claim for {name} is already waiting in request #{self.pending}: someone from the council is checking it. "
                f"Comment on #{self.pending} instead of claiming the {self.noun} a second time; this request can be closed")

    @property
    def branch(self) -> str | None:
        return f"claim/issue-{self.issue}" if self.issue is not None else None

    @property
    def commit_message(self) -> str:
        return f"Add {self.author} as maintainer of {self.home}" + (f" (claim, issue #{self.issue})" if self.issue is not None else "")

    def comment(self) -> str:
        """The issue comment, in Markdown; every value from the issue is quoted."""
        home = outside(self.name or "", 120)
        if self.status == "invalid":
            mine = self.pending_error(self.name or "") if self.pending is not None else None  # its issue number a link
            lines = "\n".join(f"- {self.pending_error(home) if e == mine else outside(e, ERROR_LIMIT)}" for e in self.errors)
            return with_email(f"This claim cannot go ahead yet.\n\n{lines}\n", self.council_email)
        if self.status == "failed":  # the error says what the council must mend; the claimant has nothing to do
            return with_email("This claim was confirmed, but not completed, because of a problem on our side: the "
                              "directory could not save it. You do not need to do anything: someone from the council "
                              "will put it right.\n", self.council_email)
        if self.status == "moved":
            was, now = outside(self.bound_name or self.bound or "", 120), home
            why = (f"this claim was opened for **{was}**, and a claim stays for the {self.bound_noun} it was opened for, "
                   f"so it cannot be changed to **{now}**")
            again = (f"To claim **{now}**, open a new claim with the \"Claim it\" link on its page; to go on with this "
                     f"claim for **{was}**, edit this request back to name it")
            if self.labeller is None:
                return f"{why[0].upper()}{why[1:]}. {again}.\n"
            return (f"The label `{APPROVED}` was added, but nothing was changed: {why}, and an approval is only for the "
                    f"{self.bound_noun} a steward was asked to ring. {again}; once a steward has confirmed it with "
                    f"**{was}**, they remove the label and add it again.\n")
        if self.status == "refused":
            return (f"The label `{APPROVED}` was added by {outside(self.labeller or '', 60)}, who is not a council steward "
                    f"(stewards.yaml), so nothing was changed. Only a steward approves a claim, after ringing the {self.noun}.\n")
        who = outside(self.claimant.get(CLAIMANT_NAME, ""), 100)
        role = outside(self.claimant.get(CLAIMANT_ROLE, ""), 100)
        if self.status == "approved":
            # the workflow opens a pull request adding the author to maintainers; merging it closes this issue
            return (f"Someone from the council has confirmed that you work at **{home}**. The council now lets your GitHub "
                    f"account ({outside(self.author, 60)}) update the {self.noun}'s page. When it has, this request is "
                    f"closed. From then on, the **{self.links[0]}** form on the {self.noun}'s page changes it within a few "
                    f"minutes. The council checks what you send with **{self.links[1]}** before it goes on the site.\n")
        if self.phone:
            ring = (f"ring **{home}** on **{outside(self.phone, 30)}**, {self.phone_source}, not a number given in this "
                    f"issue, and ask for {who} ({role})")
        else:
            ring = (f"neither the CQC register nor the {self.noun}'s page gives a phone number for **{home}**: find the {self.noun}'s "
                    f"number in the council's own records (not a number given in this issue) and ask for {who} ({role})")
        mark = MARK.format(home=self.home) if self.home and is_slug(self.home) else ""
        if self.status == "unbound":
            mark += (f"The label `{APPROVED}` was added, but nothing was changed: no earlier reply on this issue named the "
                     f"{self.noun} a steward was to ring, so the approval cannot be matched to one. This reply does: if "
                     f"the {self.noun} confirms, remove the label and add it again.\n\n")
        return mark + (f"Thank you, {who}. Someone from the council will ring the {self.noun} to check that you work "
                       f"there. We say here when they have.\n\n**For the council steward:** {ring}. If they confirm it, add "
                       f"the label `{APPROVED}` to this issue: the automation then opens a pull request adding "
                       f"{outside(self.author, 60)} as a maintainer of {home}.\n")

    def to_json(self) -> str:
        data = asdict(self)
        data.update(branch=self.branch, commit_message=self.commit_message, comment=self.comment())
        return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


CLAIMANT_NAME, CLAIMANT_ROLE = forms.CLAIM_FIELDS[0].label, forms.CLAIM_FIELDS[1].label
MAX_ROLE = 100


def bound_home(replies: list[str]) -> str | None:
    """The slug of the home a claim stays for: the one in the first of ``replies`` (the workflow's own comments on
    the issue, oldest first) that starts with MARK, i.e. the first that asked a steward to ring a home; else None."""
    for text in replies:
        found = MARKED.match(text)
        if found:
            return found[1]
    return None


def register_phone(data: dict[str, Any], noun: str = "home") -> tuple[str | None, str | None]:
    """The number a steward rings to confirm a claim and where it comes from: the CQC register's, else the
    home's own contact.phone; (None, None) when the profile has neither. ``noun``: what the page is of ("agency")."""
    for path, source in PHONE_SOURCES:
        node: Any = data
        for key in path.split("."):
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str) and node.strip():
            return node.strip(), source.format(noun=noun)
    return None, None


def _answer_problems(answers: dict[str, str | None], schema: Schema) -> list[str]:
    """Every answer of the claim form that is missing or not in its field's form."""
    out = []
    for c in forms.CLAIM_FIELDS:
        value = answers.get(c.label)
        if not value:
            out.append(f"{c.label}: is empty; edit this request and fill it in")
            continue
        f = schema.by_path.get(c.rules) if c.rules else None
        wrong = check_value(f, value) if f is not None else invisible(value, multiline=False) or (
            f"is {len(value):,} characters long; shorten it to {MAX_ROLE} or fewer" if len(value) > MAX_ROLE else None)
        if wrong:
            out.append(f"{c.label}: {wrong}")
    return out


def pending_claim(path: Path, issue: int | None, open_claims: list[tuple[int, str]], area: Area, schema: Schema) -> int | None:
    """The number of an earlier open claim issue (``open_claims``: (number, text) of each) for the home at ``path``,
    or None; the first claim of a home goes ahead, a later one waits for it."""
    labels = forms.claim_labels(schema)
    known = {*labels, *(c.label for c in forms.CLAIM_FIELDS), *forms.RETIRED_CLAIM_LABELS}
    for number, text in sorted(open_claims):
        if issue is not None and number >= issue:
            break
        if len(text.encode("utf-8", "surrogatepass")) > MAX_BODY:
            continue
        answers = parse_body(text, schema, known)[0]
        home = next((answers[label] for label in labels if answers.get(label)), None)
        if home and find_home(area.providers, home) == path:
            return number
    return None


def _page_words(data: dict, schema: Schema) -> tuple[str, tuple[str, str]]:
    """What a profile's page is of ("home", "agency") and the words of its two update links (forms.page_links)."""
    k = kinds_of(data, schema)[0]
    return forms.kind_noun(k, schema), forms.page_links(k, schema)


def check_claim(body: str, author: str, repo: Path, issue: int | None = None, approver: str | None = None,
                on: dt.date | None = None, schema: Schema | None = None, area: Area | None = None,
                open_claims: list[tuple[int, str]] | None = None, replies: list[str] | None = None) -> Claim:
    """Check one claim issue against ``repo``'s working tree (a home of ``area``: default the top level's
    providers/); with ``approver`` (who added the approval label), add the author to the home's maintainers
    when the approver is a steward. ``open_claims`` ((number, text) of every open claim issue) refuses a
    second claim of a home while an earlier one is pending. ``replies`` (the text of the workflow's own comments on
    the issue, oldest first; see ``bound_home``) keeps the claim to the home it was opened for: a claim naming
    another is answered ``moved`` and never approved, and with ``approver`` a claim no reply has bound yet is
    answered ``unbound``, not approved. Without ``replies`` (a steward's own run) that is not checked. Never raises
    on bad input."""
    schema = schema or load_schema()
    area = area or default_area(repo)
    res = Claim("invalid", author=author, issue=issue, labeller=approver)
    if len(body.encode("utf-8", "surrogatepass")) > MAX_BODY:
        res.errors = [f"This request is longer than {MAX_BODY // 1024} KB; a claim is much shorter. Open a new claim with the "
                      "\"Claim it\" link on your page in the directory"]
        return res
    labels = forms.claim_labels(schema)  # the page claimed, under its kind's label ("The agency you manage")
    known = {*labels, *(c.label for c in forms.CLAIM_FIELDS), *forms.RETIRED_CLAIM_LABELS}
    answers, twice = parse_body(body, schema, known)
    if not answers:
        names = schema.values.or_list([f"'{forms.claim_form(schema, t)['name']}'" for t in forms.claim_forms(schema)])
        res.errors = [f"This request was not made with the form {names}; open the form with the \"Claim it\" "
                      "link on your page in the directory"]
        return res
    login = re.compile(schema.by_path["maintainers"].item_pattern or r"[A-Za-z0-9-]{1,39}")
    if not login.fullmatch(author):
        res.errors = [f"'{author[:60]}' is not a GitHub username, so it cannot be given the page to look after"]
        return res
    label, home, differing = named_page(answers, labels, forms.CLAIM_HOME_LABEL)
    noun = labels.get(label, "home")
    if differing:
        res.errors = twice + [f"{' and '.join(differing)}: name different pages; open a new claim with the \"Claim it\" link "
                              f"on your {noun}'s page"]
        return res
    path = find_home(area.providers, home) if home else None
    if path is None:
        res.errors = twice + [f"{label}: " + (f"'{home[:80]}' is not {with_article(noun)} in the directory{near_home(area.providers, home)}" if home else "is empty")
                              + f"; use the \"Claim it\" link on your {noun}'s page, which fills it in, or give your CQC location ID"]
        res.errors += _answer_problems(answers, schema)  # the other answers' problems too: every one at once
        return res
    profile, problems = load_profile(path, repo)
    if profile is None:
        res.errors = [str(p) for p in problems]
        return res
    res.home, res.name, res.path = profile.slug, str(profile.data.get("name") or profile.slug), display_path(path, repo)
    res.noun, res.links = _page_words(profile.data, schema)
    res.bound = bound_home(replies) if replies is not None else None
    if res.bound is not None and res.bound != profile.slug:
        res.status = "moved"
        first = find_home(area.providers, res.bound)
        opened = load_profile(first, repo)[0] if first is not None else None
        if opened is not None:
            res.bound_name, res.bound_noun = str(opened.data.get("name") or res.bound), _page_words(opened.data, schema)[0]
        return res
    res.phone, res.phone_source = register_phone(profile.data, res.noun)
    res.claimant = {c.label: (answers.get(c.label) or "") for c in forms.CLAIM_FIELDS}
    res.errors = twice + _answer_problems(answers, schema)
    shut = closed_words(profile.data)
    if shut:  # a closed home's page takes no claim: nobody is to be rung
        res.council_email = council_email(repo, area.config)
        res.errors.append(f"{shut}, or tell {council_contact(repo, area.config)}")
    elif is_maintainer(author, profile.data):
        res.errors.append(f"{author} already looks after the page for {res.name}: use the {res.links[0]} and {res.links[1]} "
                          "links on its page")
    elif profile.data.get("maintainers"):
        listed = ", ".join(str(m) for m in profile.data["maintainers"])
        res.council_email = council_email(repo, area.config)
        res.errors.append(f"The page for {res.name} is already looked after by {listed}, so it cannot be claimed again here. If you now "
                          f"manage it, ask {council_contact(repo, area.config)} to change who looks after its page")
    res.pending = pending_claim(path, issue, open_claims or [], area, schema) if not res.errors else None
    if res.pending is not None:
        res.errors.append(res.pending_error(res.name))
    if res.errors:
        return res
    if approver is None:
        res.status = "waiting"
        return res
    try:
        allowed = approver.lower() in stewards(repo, "HEAD")
    except GitError as exc:
        res.errors = [f"cannot read stewards.yaml from git ({exc}); run claim in the repository"]
        return res
    if not allowed:
        res.status = "refused"
        return res
    if replies is not None and res.bound is None:
        res.status = "unbound"
        return res
    edit = edit_profile(path, {"maintainers": [author]}, on or england_today(), res.path, schema)
    if edit.problems or edit.text is None:
        res.errors = [str(p) for p in edit.problems] or ["the profile could not be changed; a steward must add the maintainer"]
        return res
    try:
        write_text_atomic(path, edit.text)
    except NotWritten as exc:  # the runner's fault, not the claimant's: nothing for them to do
        res.status, res.errors = "failed", [not_written(exc, path.parent, "--repo")]
        return res
    res.status = "approved"
    return res
