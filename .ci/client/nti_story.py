"""A national training institution (NTI) enrols a cohort with nothing but a client generated
from openapi/openapi.json: a client-credentials token, a cohort of the pre-trial detention
course in French, five learners as JSON rows, the roster and the completion statistics.

`.ci/client/run.sh` generates the client and runs this against a fresh server; it is also a
worked example for integrators. Environment: HELP_URL (the server), HELP_ADMIN_EMAIL and
HELP_ADMIN_PASSWORD (the HELP secretariat's admin, who registers the NTI and its API client).
"""

import datetime
import os
import sys
import typing
import uuid

from help_lms_client import AuthenticatedClient, Client
# The generator groups operations by their first tag: who calls them.
from help_lms_client.api.admin import create_institution
from help_lms_client.api.nti import (
    client_token,
    create_api_client,
    create_cohort,
    enrol_cohort,
)
from help_lms_client.api.public import login
from help_lms_client.api.tutor import cohort_roster, completion_statistics
from help_lms_client.models import (
    BulkResultDto,
    ClientTokenRequest,
    ClientTokenResponse,
    CohortDto,
    CompletionsDto,
    Delivery,
    Country,
    Dimension,
    GrantType,
    InstitutionDto,
    InstitutionKind,
    Language,
    LoginRequest,
    NewApiClient,
    NewApiClientDto,
    NewCohortDto,
    NewInstitution,
    PageRosterEntryDto,
    Profession,
    RosterStatus,
    RowJson,
    RowResultKind,
    TokenResponse,
)

BASE_URL = os.environ["HELP_URL"]
COURSE = "international-cooperation-pre-trial-detention"
LEARNERS = [
    RowJson("claire.moreau@justice.example", "Claire", "Moreau", Profession.JUDGE, Country.FR),
    RowJson("karim.benali@justice.example", "Karim", "Benali", Profession.PROSECUTOR, Country.FR),
    RowJson("elodie.lefevre@justice.example", "Élodie", "Lefèvre", Profession.JUDGE, Country.FR),
    RowJson("t.girard@justice.example", "Thomas", "Girard", Profession.COURT_STAFF, Country.FR),
    RowJson("ines.rousseau@barreau.example", "Inès", "Rousseau", Profession.LAWYER, Country.FR),
]


def check(condition: object, message: str) -> None:
    if not condition:
        print(f"NTI story FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def expect(response, status: int, model: type):
    """The typed answer of a call, or stop with what the server sent."""
    ok = response.status_code == status and isinstance(response.parsed, model)
    body = response.content.decode(errors="replace")
    check(ok, f"expected {status} {model.__name__}, got {response.status_code}: {body}")
    return response.parsed


def query_list(operation, name: str, values: list) -> typing.Any:
    """A list-valued query parameter in the type the generator gave it: a comma-separated
    string while the spec says `type: string`, the list itself once it says `type: array`."""
    hint = typing.get_type_hints(operation.sync_detailed)[name]
    if str in typing.get_args(hint):
        return ",".join(str(value) for value in values)
    return values


def secretariat_registers_the_nti() -> tuple[str, str]:
    """Setup, not the NTI's story: the HELP secretariat registers the institution and its
    API client, and hands the client id and secret to the NTI."""
    public = Client(base_url=BASE_URL, raise_on_unexpected_status=True)
    email = os.environ.get("HELP_ADMIN_EMAIL", "admin@help-lms.local")
    login_body = LoginRequest(email=email, password=os.environ["HELP_ADMIN_PASSWORD"])
    session = expect(login.sync_detailed(client=public, body=login_body), 200, TokenResponse)
    admin = AuthenticatedClient(
        base_url=BASE_URL, token=session.access_token, raise_on_unexpected_status=True
    )

    enm = NewInstitution(
        name="École nationale de la magistrature",
        country=Country.FR,
        kind=InstitutionKind.JUDICIAL_TRAINING,
    )
    institution = expect(
        create_institution.sync_detailed(client=admin, body=enm), 201, InstitutionDto
    )
    new_client = NewApiClient(name="ENM training records")
    created = create_api_client.sync_detailed(institution.id, client=admin, body=new_client)
    api_client = expect(created, 201, NewApiClientDto)
    return str(api_client.id), api_client.client_secret


def nti_story(client_id: str, client_secret: str) -> None:
    # 1. A token for the integration: OAuth 2.0 client credentials.
    public = Client(base_url=BASE_URL, raise_on_unexpected_status=True)
    grant = ClientTokenRequest(
        GrantType.CLIENT_CREDENTIALS, client_id=client_id, client_secret=client_secret
    )
    token = expect(client_token.sync_detailed(client=public, body=grant), 200, ClientTokenResponse)
    check(token.token_type.lower() == "bearer", f"token_type {token.token_type!r}")
    nti = AuthenticatedClient(
        base_url=BASE_URL, token=token.access_token, raise_on_unexpected_status=True
    )

    # 2. A cohort of the course in French, from next Monday, for twelve weeks.
    today = datetime.date.today()
    starts_on = today + datetime.timedelta(days=7 - today.weekday())
    new_cohort = NewCohortDto(
        course=COURSE,
        language=Language.FR,
        name=f"Détention provisoire et coopération internationale, session {starts_on:%m/%Y}",
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(weeks=12),
        capacity=30,
    )
    cohort = expect(create_cohort.sync_detailed(client=nti, body=new_cohort), 201, CohortDto)
    check(cohort.course == COURSE and cohort.language == Language.FR, f"cohort {cohort.to_dict()}")

    # 3. The learners as JSON rows; with an Idempotency-Key a retry after a timeout is safe.
    # The institution mails its learners itself: the activation links come in the answer.
    enrolled = enrol_cohort.sync_detailed(
        cohort.id,
        client=nti,
        body=LEARNERS,
        idempotency_key=str(uuid.uuid4()),
        delivery=Delivery.LINKS,
    )
    result = expect(enrolled, 200, BulkResultDto)
    check(len(result.rows) == len(LEARNERS), f"{len(result.rows)} results for {len(LEARNERS)} rows")
    for learner, row in zip(LEARNERS, result.rows, strict=True):
        created = row.result == RowResultKind.CREATED and row.email == learner.email
        link = row.activation_url if isinstance(row.activation_url, str) else ""
        check(
            created and row.enrolment_id and row.activation_token and row.activation_token in link,
            f"row {row.row} ({learner.email}): {row.result} {row.reason} {row.message}",
        )
    summary = result.summary
    check(summary.created == len(LEARNERS) and summary.rejected == 0, f"{summary.to_dict()}")

    # 4. The roster: every learner, with the profession and country sent.
    page = cohort_roster.sync_detailed(cohort.id, client=nti, limit=100)
    roster = expect(page, 200, PageRosterEntryDto)
    check(roster.total == len(LEARNERS), f"{roster.total} on the roster, expected {len(LEARNERS)}")
    on_roster = {entry.email: entry for entry in roster.items}
    for learner in LEARNERS:
        entry = on_roster.get(learner.email)
        check(entry, f"{learner.email} is not on the roster")
        check(
            (entry.profession, entry.country) == (learner.profession, learner.country),
            f"{learner.email}: {entry.profession}, {entry.country} on the roster",
        )
        # Until a learner activates the account made for them, their line is pending and
        # names no account.
        enrolment = entry.enrolment
        pending = enrolment.cohort_id == cohort.id and enrolment.status == RosterStatus.PENDING
        check(pending and not enrolment.user_id, f"{learner.email}: {enrolment.to_dict()}")

    # 5. The cohort's statistics. For an NTI, groups of fewer than HELP_STATS_MIN_CELL
    # enrolments (5 by default) are suppressed: five learners are just enough to be counted.
    answer = completion_statistics.sync_detailed(
        client=nti,
        group_by=query_list(completion_statistics, "group_by", [Dimension.COHORT]),
        cohort=query_list(completion_statistics, "cohort", [cohort.id]),
    )
    stats = expect(answer, 200, CompletionsDto)
    check(stats.group_by == [Dimension.COHORT], f"grouped by {stats.group_by}")
    rows = [row for row in stats.rows if str(row.cohort) == str(cohort.id)]
    check(len(rows) == 1, f"{len(rows)} statistics rows for the cohort: {stats.to_dict()}")
    row = rows[0]
    check(not row.suppressed, f"suppressed (threshold {stats.suppressed_threshold})")
    check(row.enrolled == len(LEARNERS), f"{row.enrolled} enrolled, expected {len(LEARNERS)}")
    check(row.active == len(LEARNERS) and row.completed == 0, f"statistics {row.to_dict()}")

    print(f"NTI story passed: cohort {cohort.id}, {row.enrolled} learners enrolled and counted")


if __name__ == "__main__":
    nti_story(*secretariat_registers_the_nti())
