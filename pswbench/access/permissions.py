"""Who may open which page and upload for which trust. Enforced in the data layer, below the pages;
pure functions. What each role may *receive* of other trusts' figures is pswbench.access.disclosure.

* Analysts (HEE) see every trust by name, in full, and may upload for any trust.
* Trust leads see their own trust in full; other trusts appear as stable anonymised
  "Peer NN" labels, and small numbers (fewer than 5 people) for other trusts are suppressed.
  They may upload only for their own trust.
* Board members see the snapshot and definitions only, under the same anonymisation and
  suppression as trust leads, and never upload.
"""

from __future__ import annotations

from pswbench.access.auth import User

PAGES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "analyst": (
        "overview",
        "regions",
        "benchmark",
        "workforce_profile",
        "conditions",
        "snapshot",
        "upload",
        "submissions",
        "definitions",
    ),
    "trust_lead": (
        "benchmark",
        "snapshot",
        "upload",
        "regions",
        "overview",
        "workforce_profile",
        "conditions",
        "definitions",
    ),
    # A board member's own trust's conditions and demographics are in the snapshot's remit.
    "board": ("snapshot", "definitions"),
}


class NotPermitted(PermissionError):
    """The signed-in user may not do this; str(exc) is a plain message."""


def is_analyst(user: User) -> bool:
    return user.role == "analyst"


def can_view_trust_named(user: User, trust_code: str | None) -> bool:
    """May this user see this trust's code and name (rather than a peer label)?"""
    if is_analyst(user):
        return True
    return trust_code is not None and trust_code == user.trust_code


def can_upload_for(user: User, trust_code: str | None) -> bool:
    """Analysts for any trust; trust leads for their own trust only; board members never."""
    if not trust_code:
        return False
    if is_analyst(user):
        return True
    if user.role == "trust_lead":
        return trust_code == user.trust_code
    return False


def pages_for(user: User) -> list[str]:
    """The page keys this user may open, in menu order (none for an unknown role)."""
    return list(PAGES_BY_ROLE.get(user.role, ()))


def require_page(user: User, page_key: str) -> None:
    """Raise NotPermitted unless the user may open the page."""
    if page_key not in pages_for(user):
        raise NotPermitted("You do not have access to this page. Ask an HEE analyst if you need it.")
