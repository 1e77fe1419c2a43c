"""The French digest of one saved search: HTML and plain text, one section per notice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jinja2 import Environment

from vivier.reference import cpv_label
from vivier.reference.places import region_name

_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
HTML = _ENV.from_string(
    """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; max-width: 48em">
<h1>{{ subject }}</h1>
<p>Bonjour,</p>
<p>Votre recherche « {{ search.name }} » ({{ search.describe() }}) a trouvé
{{ count_text }} au {{ day }}.</p>
{% for notice in notices %}
<h2>{{ notice.title }}</h2>
<p>{{ notice.buyer }} — publié le {{ notice.published }}{% if notice.url %} —
<a href="{{ notice.url }}">voir l'avis</a>{% endif %}</p>
<ul>
{% for lot in notice.lots %}
<li><strong>{{ lot.title }}</strong><br>{{ lot.facts }}</li>
{% endfor %}
</ul>
{% endfor %}
<p>Vous recevez ce message parce qu'une recherche enregistrée dans vivier porte votre
adresse. Chaque avis n'est envoyé qu'une fois par recherche.</p>
</body>
</html>
"""
)
TEXT = Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True).from_string(
    """{{ subject }}

Bonjour,

Votre recherche « {{ search.name }} » ({{ search.describe() }})
a trouvé {{ count_text }} au {{ day }}.
{% for notice in notices %}

* {{ notice.title }}
  {{ notice.buyer }} — publié le {{ notice.published }}
{% if notice.url %}
  {{ notice.url }}
{% endif %}
{% for lot in notice.lots %}
  - {{ lot.title }} : {{ lot.facts }}
{% endfor %}
{% endfor %}

Chaque avis n'est envoyé qu'une fois par recherche.
"""
)


@dataclass
class DigestLot:
    title: str
    facts: str


@dataclass
class DigestNotice:
    key: str
    title: str
    buyer: str
    published: str
    url: str | None
    lots: list[DigestLot] = field(default_factory=list)


def _euros(value: float) -> str:
    return f"{value:,.0f} €".replace(",", "\u202f")


def lot_facts(lot: dict) -> str:
    """'date limite 07/02/2017 12:00 ; CPV 50118110 (Services de dépannage...) ; ...'"""
    facts = []
    if lot["deadline"]:
        facts.append(f"date limite {lot['deadline']:%d/%m/%Y %H:%M}")
    else:
        facts.append("date limite non indiquée")
    if lot["cpv"]:
        facts.append(f"CPV {lot['cpv']} ({cpv_label(lot['cpv'])})")
    if lot["region"]:
        facts.append(region_name(lot["region"]) or lot["region"])
    if lot["estimated_value"]:
        facts.append(f"valeur estimée {_euros(lot['estimated_value'])}")
    return " ; ".join(facts)


def group_notices(lots: list[dict]) -> list[DigestNotice]:
    """The lots of a digest grouped by notice, in the order of the lots."""
    notices: dict[str, DigestNotice] = {}
    for lot in lots:
        key = lot["notice_uid"]
        if key not in notices:
            published = lot["publication_date"]
            notices[key] = DigestNotice(
                key=key,
                title=lot["notice_title"] or lot["title"] or "(avis sans titre)",
                buyer=lot["buyer_name"] or "acheteur non indiqué",
                published=f"{published:%d/%m/%Y}" if published else "date inconnue",
                url=lot["url"],
            )
        notices[key].lots.append(DigestLot(lot["title"] or "(lot sans titre)", lot_facts(lot)))
    return list(notices.values())


def render(search, notices: list[DigestNotice], day: date) -> tuple[str, str, str]:
    """(subject, html, text) of the digest of one search."""
    count_text = f"{len(notices)} {'nouveaux' if len(notices) > 1 else 'nouvel'} avis"
    subject = f"vivier — {count_text} pour « {search.name} »"
    values = {
        "subject": subject,
        "search": search,
        "notices": notices,
        "count_text": count_text,
        "day": f"{day:%d/%m/%Y}",
    }
    return subject, HTML.render(**values), TEXT.render(**values)
