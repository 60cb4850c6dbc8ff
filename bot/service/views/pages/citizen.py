"""One citizen: the lyskurve chart, notes, appointments, conversation and the coordinator's
stratification. Every view of this page is written to the access log."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.checkins.programmes import get_programme
from bot.citizens import registration
from bot.citizens.chat_links import close_links
from bot.citizens.conversation import conversation
from bot.citizens.privacy import ConversationNotErased, NotConfirmed, erase_everywhere
from bot.citizens.reassign import reassign as reassign_citizen
from bot.citizens.stratification import COMPLEXITY_LABELS, COPING_LABELS, LEVEL_LABELS, level_for
from bot.core.errors import Invalid, NotFound
from bot.core.ids import as_id
from bot.core.vocabulary import AlertStatus, AppointmentStatus, CitizenStatus, InvitationStatus
from bot.db import agreements as agreement_db
from bot.db import alerts as alert_db
from bot.db import appointments as appointment_db
from bot.db import checkins as checkin_db
from bot.db import citizens as citizen_db
from bot.db import network as network_db
from bot.db import outcomes as outcome_db
from bot.db import preparations as prep_db
from bot.db import stratifications as stratification_db
from bot.db.access_log import Actor
from bot.db.coordinator_changes import changes_for
from bot.db.coordinators import active_coordinators
from bot.goals import plan as goal_plan
from bot.goals import proposals as goal_proposals
from bot.meetings.preparation import PREPARATION_LABELS
from bot.network import invitations as network_invitations
from bot.network import members as network_members
from bot.outcomes import instruments as ins
from bot.outcomes import record as outcome_record
from bot.outcomes import report as outcome_report
from bot.service.access_log import audited, written_by_use_case
from bot.service.export import export_document
from bot.service.validation import is_id
from bot.service.views.pages.appointments import danish, parse_form
from bot.service.views.pages.common import form_data, own_citizen, path_int
from bot.service.views.privacy import erasure_failed_status, export_response
from bot.service.web.chart import lyskurve_svg
from bot.service.web.outcome_chart import outcome_svg
from bot.service.web.sessions import current_coordinator, login_required


def _outcomes(measures: list, rounds: list, interval_days: int) -> dict:
    """The outcome measures panel: scores over time, the latest experience answers, the rounds."""
    current = next((q for q in rounds if q.status == outcome_report.OPEN), None) or next(
        (q for q in rounds if q.status == outcome_report.PLANNED), None)
    return {
        "outcome_chart": outcome_svg(measures),
        "scores": outcome_report.score_history(measures),
        "experience": outcome_report.latest_answers(measures, ins.InstrumentCode.EXPERIENCE.value),
        "rounds": [(q, outcome_report.round_label(q.round_no, interval_days), outcome_report.round_status_label(q),
                    [outcome_report.SHORT_NAMES.get(code, code) for code in q.instruments])
                   for q in reversed(rounds)],
        "current_round": current,
        "who5_bands": outcome_report.WHO5_BANDS,
    }


async def _page(request: web.Request, citizen, *, status: int = 200, strat_error: str | None = None,
                erase_error: str | None = None, course_error: str | None = None,
                outcome_error: str | None = None, reassign_error: str | None = None,
                reassign_values: dict | None = None, goal_error: str | None = None,
                goal_values: dict | None = None, network_error: str | None = None,
                network_values: dict | None = None):
    now = request.app["clock"].now()

    def load(session):
        return {
            "checkins": checkin_db.list_checkins(session, citizen.id),
            "alerts": [a for a in alert_db.list_alerts(session, citizen_id=citizen.id)
                       if a.status != AlertStatus.RESOLVED],
            "appointments": appointment_db.list_appointments(session, citizen.id),
            "messages": conversation(session, citizen.id),
            "preparations": {p.appointment_id: p for p in prep_db.for_citizen(session, citizen.id)},
            "agreements": agreement_db.for_citizen(session, citizen.id),
            "history": stratification_db.stratification_history(session, citizen.id),
            "measures": outcome_db.answered_measures(session, citizen.id),
            "questionnaires": outcome_db.rounds(session, citizen.id),
            "coordinator_changes": changes_for(session, citizen.id),
            "goal_plans": goal_plan.citizen_plan(session, citizen.id),
            "goal_proposals": goal_proposals.citizen_proposals(session, citizen.id, now),
            "network_members": network_db.members(session, citizen.id),
            "network_invitations": network_db.invitations_for_citizen(session, citizen.id),
            "colleagues": [c for c in active_coordinators(session) if c.id != citizen.coordinator_id],
        }

    data = await request.app["db"].run(load)
    programme = get_programme(citizen.programme)
    context = {
        **data,
        **_outcomes(data["measures"], data["questionnaires"], request.app["settings"].proactive.questionnaire_interval_days),
        "citizen": citizen,
        "programme": programme,
        "area_labels": {a.key: a.label for a in programme.areas},
        "chart": lyskurve_svg(data["checkins"], programme),
        "complexity_labels": COMPLEXITY_LABELS,
        "coping_labels": COPING_LABELS,
        "level_labels": LEVEL_LABELS,
        "strat_error": strat_error,
        "erase_error": erase_error,
        "course_error": course_error,
        "outcome_error": outcome_error,
        "reassign_error": reassign_error,
        "reassign_values": reassign_values or {"coordinator_id": "", "handover_date": "", "handover_time": "10:00"},
        "prep_questions": PREPARATION_LABELS,
        "goal_error": goal_error,
        "goal_values": goal_values or {},
        "goal_status_labels": GOAL_STATUS_LABELS,
        "progress_labels": PROGRESS_LABELS,
        **_network(data, now),
        "network_error": network_error,
        "network_values": network_values or {},
    }
    return aiohttp_jinja2.render_template("citizen.html", request, context, status=status)


@login_required
@audited("view_citizen")
async def show(request: web.Request) -> web.Response:
    citizen = await own_citizen(request, path_int(request))
    return await _page(request, citizen)


@login_required
@audited("stratify")
async def stratify(request: web.Request) -> web.Response:
    """A new judgement is a new row; nothing else in the system ever sets one."""
    citizen = await own_citizen(request, path_int(request))
    form = await form_data(request)
    rationale = form.get("rationale", "")
    try:
        level = level_for(form.get("complexity", ""), form.get("coping", ""))
    except ValueError:
        return await _page(request, citizen, status=422, strat_error="Vælg både funktionsnedsættelse og mestringsevne.")
    if not rationale or len(rationale) > 2000:
        return await _page(request, citizen, status=422, strat_error="Skriv en kort begrundelse (højst 2000 tegn).")
    me, now = current_coordinator(request), request.app["clock"].now()

    def save(session):
        stratification_db.add_stratification(
            session, citizen.id, coordinator_id=me.id, complexity=form["complexity"], coping=form["coping"],
            level=level.number, rationale=rationale, created_at=now,
        )

    await request.app["db"].run(save)
    raise web.HTTPSeeOther(f"/citizens/{citizen.id}#h-strat")


@login_required
@audited("export")
async def export(request: web.Request) -> web.Response:
    """The same document as GET /api/citizens/{id}/export, as a download."""
    citizen = await own_citizen(request, path_int(request))
    now = request.app["clock"].now()
    document = await request.app["db"].run(
        lambda s: export_document(s, citizen, request.app["tracker_events"], now))
    return export_response(document, citizen.id)


@login_required
@audited("erase")
async def erase_citizen(request: web.Request) -> web.Response:
    """Done only when Rasa's own API shows the conversation gone too (bot/citizens/privacy.py)."""
    citizen = await own_citizen(request, path_int(request))
    confirm = (await form_data(request)).get("confirm_phone", "")
    me, app = current_coordinator(request), request.app
    try:
        await erase_everywhere(app["db"], citizen.id, me.id, confirm, app["tracker_events"], app["rasa_conversations"],
                               Actor.of(me.id), app["clock"].now())
    except NotConfirmed:
        return await _page(request, citizen, status=422, erase_error="Telefonnummeret passer ikke. Intet er slettet.")
    except NotFound:
        raise web.HTTPNotFound()
    except ConversationNotErased as exc:
        if not exc.erased:
            return await _page(request, citizen, status=erasure_failed_status(exc), erase_error=(
                "Samtalen med chatbotten kunne ikke slettes. Intet er slettet. Prøv igen senere, "
                "eller kontakt it-afdelingen."))
        raise web.HTTPBadGateway(text=(
            f"Borgerens data er slettet (sletning nr. {exc.erasure_id}), men samtalen med chatbotten kunne ikke "
            "bekræftes slettet. Kontakt it-afdelingen."))
    raise web.HTTPSeeOther("/")


COURSE_ERRORS = {
    "end_reason": "Vælg, hvorfor forløbet slutter.",
    "checkin_interval_days": "Tjek-ind skal være hver 1. til 90. dag.",
    "status": "Vælg, om forløbet skal fortsætte eller afsluttes.",
}


@login_required
@audited("update")
async def course(request: web.Request) -> web.Response:
    """The check-in interval, and ending or resuming the course, with the JSON API's rules
    (bot/citizens/registration.py). Ending asks why ("Hvorfor slutter forløbet?"): the API's
    default reason (other) is not taken for the dashboard, so a missing reason is refused."""
    citizen = await own_citizen(request, path_int(request))
    form = await form_data(request)
    interval = form.get("checkin_interval_days", "")
    changes = {"checkin_interval_days": int(interval) if is_id(interval) else interval}
    if form.get("status"):
        changes["status"] = form["status"]
    if changes.get("status") == CitizenStatus.ENDED and (citizen.status == CitizenStatus.ACTIVE
                                                         or form.get("end_reason")):
        changes["end_reason"] = form.get("end_reason", "")  # "" is refused by the use case
    me, app = current_coordinator(request), request.app
    try:
        await app["db"].run(registration.change, citizen.id, me.id, changes, app["clock"].now(),
                            app["settings"].proactive)
    except NotFound:  # given to a colleague meanwhile
        raise web.HTTPNotFound()
    except Invalid as exc:
        return await _page(request, citizen, status=422,
                           course_error=COURSE_ERRORS.get(exc.field, COURSE_ERRORS["checkin_interval_days"]))
    except registration.OptedOut:
        return await _page(request, citizen, status=409,
                           course_error="Borgeren har skrevet STOP. Kun borgeren kan slå beskeder til igen.")
    raise web.HTTPSeeOther(f"/citizens/{citizen.id}#h-course")


@login_required
@audited("revoke_chat_links")
async def revoke_chat_links(request: web.Request) -> web.Response:
    """"Luk links til webchatten": every web-chat link the citizen has stops working at once
    (bot/citizens/chat_links.py); the coordinator can send a new one afterwards."""
    me, now = current_coordinator(request), request.app["clock"].now()
    citizen = await request.app["db"].run(close_links, path_int(request), me.id, me.id, now)
    raise web.HTTPSeeOther(f"/citizens/{citizen.id}#h-webchat")


@login_required
@audited("request_questionnaire")
async def request_questionnaire(request: web.Request) -> web.Response:
    """"Send WHO-5 nu": the same use case as POST /api/citizens/{id}/questionnaires. The scheduler
    sends it at the next allowed time; a round already being asked is not asked twice."""
    citizen = await own_citizen(request, path_int(request))
    instrument = (await form_data(request)).get("instrument", "")
    me, app = current_coordinator(request), request.app
    now, settings = app["clock"].now(), app["settings"].proactive

    def ask(session):
        row = citizen_db.get_citizen(session, citizen.id, me.id)  # still theirs, in the same transaction
        if row is None:
            raise NotFound("citizen not found")
        return outcome_record.request(session, row, instrument, requested_by=me.id, now=now, settings=settings)

    try:
        await app["db"].run(ask)
    except NotFound:
        raise web.HTTPNotFound()
    except Invalid:
        return await _page(request, citizen, status=422, outcome_error="Vælg et af spørgeskemaerne.")
    raise web.HTTPSeeOther(f"/citizens/{citizen.id}#h-outcomes")


REASSIGN_ERRORS = {"coordinator_id": "Vælg den kollega, der skal overtage borgeren."}


def _handover_at(form: dict[str, str]):
    """The optional handover meeting: none without a date; a date and time in Copenhagen time are
    parsed like the booking form's (raises Invalid naming the field)."""
    if not form.get("handover_date"):
        return None
    return parse_form({"date": form["handover_date"], "time": form.get("handover_time", "")})["starts_at"]


@login_required
@audited("reassign")  # a refusal is logged here; a change by the use case (bot/citizens/reassign.py)
async def reassign(request: web.Request) -> web.Response:
    """"Skift koordinator": the coordinator gives the citizen to an active colleague, with an optional
    handover meeting; the same use case as POST /api/citizens/{id}/reassign. The citizen is no longer
    theirs afterwards, so the answer goes to the overview."""
    citizen = await own_citizen(request, path_int(request))
    form = await form_data(request)
    target = form.get("coordinator_id", "")
    new_id = int(target) if is_id(target) else target  # not a number: the use case refuses it
    me, app = current_coordinator(request), request.app
    now, settings = app["clock"].now(), app["settings"].proactive
    try:
        handover_at = _handover_at(form)
        await app["db"].run(lambda s: reassign_citizen(s, citizen.id, me.id, new_id, now=now, settings=settings,
                                                       handover_at=handover_at))
    except NotFound:
        raise web.HTTPNotFound()
    except Invalid as exc:
        message = REASSIGN_ERRORS.get(exc.field) or danish(exc)
        return await _page(request, citizen, status=422, reassign_error=message, reassign_values=form)
    written_by_use_case(request)
    raise web.HTTPSeeOther("/")


GOAL_STATUS_LABELS = {"active": "Aktivt", "reached": "Nået", "dropped": "Droppet"}
PROGRESS_LABELS = {"ja": "Ja", "lidt": "Lidt", "nej": "Nej"}
GOAL_ERRORS = {
    "text": "Skriv målet eller trinnet med borgerens egne ord (højst 300 tegn).",
    "owner": "Skriv, hvem der gør det (højst 100 tegn), fx Du, Jobcentret eller et navn.",
    "due_date": "Datoen skal være en rigtig dato.",
    "goal": "Målet er ikke aktivt. Sæt det til aktivt igen for at tilføje trin.",
    "done": "Vælg, om trinnet er gjort.",
    "status": "Vælg aktivt, nået eller droppet.",
}


async def _panel_change(request: web.Request, citizen, change, anchor: str, refused) -> web.Response:
    """The goal and network panels' forms: runs `change(session, me_id, now, settings)` for the
    coordinator's own citizen in one transaction, then back to the panel (`anchor`). A refusal
    (Invalid) shows the page again with `refused(exc)`, _page's words for it (422); another
    citizen's row is 404."""
    me, app = current_coordinator(request), request.app
    now, settings = app["clock"].now(), app["settings"].proactive
    try:
        await app["db"].run(lambda s: change(s, me.id, now, settings))
    except NotFound:
        raise web.HTTPNotFound()
    except Invalid as exc:
        return await _page(request, citizen, status=422, **refused(exc))
    raise web.HTTPSeeOther(f"/citizens/{citizen.id}#{anchor}")


def _of_citizen(row, citizen_id: int, what: str):
    """The row, only if it is this page's citizen's (another citizen's id is not found here)."""
    if row.citizen_id != citizen_id:
        raise NotFound(f"{what} not found")
    return row


async def _goal_change(request: web.Request, citizen, change, values: dict) -> web.Response:
    """`change(session, me_id, now)`; a refusal is shown next to the goal forms in Danish."""
    return await _panel_change(request, citizen, lambda s, me, now, _settings: change(s, me, now), "h-goals",
                               lambda exc: {"goal_error": GOAL_ERRORS.get(exc.field, GOAL_ERRORS["text"]),
                                            "goal_values": values})


@login_required
@audited("add_goal")
async def add_goal(request: web.Request) -> web.Response:
    """"Tilføj mål": a goal in the citizen's own words (the same use case as the API)."""
    citizen = await own_citizen(request, path_int(request))
    form = await form_data(request)
    source = "preparation" if form.get("source") == "preparation" else "coordinator"
    return await _goal_change(request, citizen, lambda s, me, now: goal_plan.add_goal(
        s, citizen.id, me, form.get("text", ""), now=now, source=source), {"goal_text": form.get("text", "")})


@login_required
@audited("change_goal")
async def change_goal(request: web.Request) -> web.Response:
    """A goal reached, dropped or active again."""
    citizen = await own_citizen(request, path_int(request))
    goal_id = path_int(request, "goal_id")
    form = await form_data(request)

    def change(s, me, now):
        _of_citizen(goal_plan.find_goal(s, goal_id, me), citizen.id, "goal")
        goal_plan.change_goal(s, goal_id, me, {"status": form.get("status", "")}, now=now)

    return await _goal_change(request, citizen, change, {})


@login_required
@audited("add_goal_step")
async def add_goal_step(request: web.Request) -> web.Response:
    """"Tilføj trin": what, who and (optionally) by when."""
    citizen = await own_citizen(request, path_int(request))
    goal_id = path_int(request, "goal_id")
    form = await form_data(request)

    def add(s, me, now):
        _of_citizen(goal_plan.find_goal(s, goal_id, me), citizen.id, "goal")
        goal_plan.add_step(s, goal_id, me, form.get("text", ""), form.get("owner", ""), form.get("due_date", ""),
                           now=now)

    return await _goal_change(request, citizen, add, {"goal_id": goal_id, "step_text": form.get("text", ""),
                                                      "owner": form.get("owner", ""),
                                                      "due_date": form.get("due_date", "")})


@login_required
@audited("tick_goal_step")
async def tick_goal_step(request: web.Request) -> web.Response:
    """The done tick (done=1) or taking it back (done=0)."""
    citizen = await own_citizen(request, path_int(request))
    step_id = path_int(request, "step_id")
    done = {"1": True, "0": False}.get((await form_data(request)).get("done", ""), "")

    def tick(s, me, now):
        _of_citizen(goal_plan.find_step(s, step_id, me), citizen.id, "step")
        goal_plan.tick_step(s, step_id, done=done, now=now, scope=me)

    return await _goal_change(request, citizen, tick, {})


@login_required
@audited("take_goal_proposal")
async def take_goal_proposal(request: web.Request) -> web.Response:
    """"Gør til mål" beside a wish from the preparation (templates/goal_proposals.html): the same use
    case as the API (bot/goals/proposals.py), then back to the goal panel. A proposal that is not this
    citizen's (or not there, or no number) is the dashboard's 404 page."""
    citizen = await own_citizen(request, path_int(request))
    form = await form_data(request)
    preparation_id, index = form.get("preparation_id", ""), form.get("index", "")
    if not (is_id(preparation_id) and is_id(index)) or as_id(preparation_id) is None:
        raise web.HTTPNotFound()  # as_id: preparation 0 names no row (404, not the use case's 422)
    return await _goal_change(request, citizen, lambda s, me, now: goal_proposals.take_proposal(
        s, citizen.id, me, int(preparation_id), int(index), now=now, created_by=me), {})


# --- the citizen's network (issue 14 §3; docs/decisions.md, "The citizen's network") -------------

NETWORK_ERRORS = {
    "name": "Skriv personens navn (højst 100 tegn).",
    "relation": "Skriv kort, hvem personen er for borgeren (højst 50 tegn), fx mor eller ven.",
    "phone": "Skriv et rigtigt telefonnummer.",
    "consent": "Sæt kryds, når borgeren har sagt ja til, at vi skriver til personen. Ellers kan personen ikke "
               "komme med i netværket.",
    "member_id": "Vælg, hvem fra netværket der skal inviteres.",
    network_invitations.NOT_PLANNED: "Mødet er ikke planlagt længere, så ingen kan inviteres til det.",
    network_invitations.STARTED: "Mødet er begyndt. Man kan kun invitere til et møde, der ikke er begyndt.",
    network_invitations.ALREADY_INVITED: "Personen er allerede inviteret til mødet.",
    network_members.PHONE_IN_NETWORK: "Nummeret er allerede med i borgerens netværk.",
    network_members.PHONE_IS_CITIZENS: "Nummeret er en borgers. En borger kan ikke være med i en andens netværk.",
}


def _network(data: dict, now) -> dict:
    """The "Netværk" panel: the current members, and per upcoming meeting who is invited and what the
    citizen answered to "Vil have med til mødet" in the meeting's preparation (the hint)."""
    current = {m.id: m for m in data["network_members"]}
    invited: dict[int, list] = {}
    for invitation, appointment in data["network_invitations"]:
        if invitation.status == InvitationStatus.INVITED and invitation.member_id in current:
            invited.setdefault(appointment.id, []).append(current[invitation.member_id])
    upcoming = []
    for appointment in data["appointments"]:
        if appointment.status != AppointmentStatus.PLANNED or appointment.starts_at <= now:
            continue
        preparation = data["preparations"].get(appointment.id)
        hint = (preparation.answers or {}).get("attendees") if preparation is not None else None
        people = invited.get(appointment.id, [])
        upcoming.append({"appointment": appointment, "invited": people,
                         "can_invite": [m for m in current.values() if m not in people],
                         "hint": hint if isinstance(hint, str) and hint.strip() else None})
    return {"network_upcoming": upcoming}


async def _network_change(request: web.Request, citizen, change, values: dict) -> web.Response:
    """`change(session, me_id, now, settings)`; the use case's refusal is worded by its field (the
    input, or the reason: NETWORK_ERRORS) next to the network forms."""
    return await _panel_change(request, citizen, change, "h-network", lambda exc: {
        "network_error": NETWORK_ERRORS.get(exc.field, NETWORK_ERRORS["name"]), "network_values": values})


def _citizens_member(session, member_id: int, citizen_id: int, scope: int):
    """The current member, only if they are this page's citizen's."""
    return _of_citizen(network_members.find_member(session, member_id, scope), citizen_id, "network member")


@login_required
@audited("add_network_member")
async def add_network_member(request: web.Request) -> web.Response:
    """"Tilføj til netværket": the same use case as POST /api/citizens/{id}/network; the checkbox is
    the citizen's consent for this person (required)."""
    citizen = await own_citizen(request, path_int(request))
    form = await form_data(request)
    fields = {"name": form.get("name", ""), "relation": form.get("relation", ""), "phone": form.get("phone", ""),
              "consent": form.get("consent") == "yes"}

    def add(s, me, now, settings):
        network_members.add_member(s, citizen.id, me, fields, now=now, added_by=me)

    return await _network_change(request, citizen, add, {k: fields[k] for k in ("name", "relation", "phone")})


@login_required
@audited("remove_network_member")
async def remove_network_member(request: web.Request) -> web.Response:
    """"Fjern (samtykke trukket tilbage)": the same use case as DELETE /api/network/{id}; what
    identifies the person is erased."""
    citizen = await own_citizen(request, path_int(request))
    member_id = path_int(request, "member_id")

    def remove(s, me, now, settings):
        _citizens_member(s, member_id, citizen.id, me)
        network_members.remove_member(s, member_id, me, now=now)

    return await _network_change(request, citizen, remove, {})


@login_required
@audited("invite_network_member")
async def invite_network_member(request: web.Request) -> web.Response:
    """"Inviter": the same use case as POST /api/appointments/{id}/invitations, for this citizen's
    meeting and member only."""
    citizen = await own_citizen(request, path_int(request))
    appointment_id = path_int(request, "appointment_id")
    chosen = (await form_data(request)).get("member_id", "")

    def invite(s, me, now, settings):
        found = appointment_db.get_appointment_with_citizen(s, appointment_id, me)
        if found is None or found[1].id != citizen.id:
            raise NotFound("appointment not found")
        member_id = int(chosen) if is_id(chosen) else chosen  # not a number: the use case refuses it
        if isinstance(member_id, int):
            _citizens_member(s, member_id, citizen.id, me)
        network_invitations.invite(s, appointment_id, me, member_id, now=now, settings=settings)

    return await _network_change(request, citizen, invite, {})
