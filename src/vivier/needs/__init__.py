"""The needs census: accounts and roles, buyers' needs and their workflow, the census
counts, the Mission's curated lists of start-ups, start-ups' interest, spreadsheet import,
CSV/PDF export, authorisation rules and the audit log.

Every function takes an open SQLAlchemy session (`vivier.appdb.session_scope`) and, when
it acts for someone, the acting account (`actor`); rules live in `needs.policy`.
"""

ROLES = ("buyer", "mission", "startup", "admin")

DRAFT, SUBMITTED, IN_REVIEW, PUBLISHED, CLOSED = (
    "draft",
    "submitted",
    "in_review",
    "published",
    "closed",
)
STATUSES = (DRAFT, SUBMITTED, IN_REVIEW, PUBLISHED, CLOSED)
STATUS_LABELS = {
    DRAFT: "brouillon",
    SUBMITTED: "soumis",
    IN_REVIEW: "en cours d'examen",
    PUBLISHED: "liste publiée",
    CLOSED: "clos",
}
ROLE_LABELS = {
    "buyer": "acheteur",
    "mission": "Mission French Tech",
    "startup": "start-up",
    "admin": "administrateur",
}
