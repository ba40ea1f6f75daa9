"""The HR domain: its chains run end to end with real ids flowing between calls, manager-only
decisions, leave balances and the hiring pipeline refuse what they must, and worlds are seeded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from world_helpers import fails, ok

from hardgen.world import default_world
from hardgen.world.domains.hr import generate_state, working_days


def hr_state(session: Any) -> dict[str, Any]:
    return session.state()["hr"]


def a_report(state: dict[str, Any]) -> dict[str, Any]:
    """An employee with a manager and no leave requests of their own."""
    busy = {r["employee_id"] for r in state["leave_requests"].values()}
    return next(e for e in state["employees"].values() if e["manager_id"] and e["employee_id"] not in busy)


@pytest.fixture
def hr() -> Any:
    return default_world(0, domains=["hr"], timeout=None)


@pytest.mark.parametrize("seed", [0, 9])
def test_leave_request_approval_chain(seed: int) -> None:
    session = default_world(seed, domains=["hr"], timeout=None)
    employee = a_report(hr_state(session))
    before = hr_state(session)["leave_balances"][employee["employee_id"]]["vacation"]

    employee_id = ok(session, "find_employee", name=employee["name"].lower())["employees"][0]["employee_id"]
    manager_id = ok(session, "get_employee", employee_id=employee_id)["manager_id"]
    assert manager_id == employee["manager_id"]
    request = ok(
        session,
        "request_leave",
        employee_id=employee_id,
        leave_type="vacation",
        start_date="2025-03-17",
        end_date="2025-03-18",
    )
    assert (request["days"], request["status"]) == (2.0, "pending")
    assert ok(session, "get_leave_balance", employee_id=employee_id)["pending_days"] == 2.0
    approved = ok(session, "approve_leave_request", leave_request_id=request["leave_request_id"], manager_id=manager_id)
    assert (approved["status"], approved["approver_id"]) == ("approved", manager_id)
    balance = ok(session, "get_leave_balance", employee_id=employee_id)
    assert (balance["vacation_days"], balance["pending_days"]) == (before - 2, 0)


def test_only_the_direct_manager_decides_and_only_once(hr: Any) -> None:
    employee = a_report(hr_state(hr))
    request = ok(
        hr,
        "request_leave",
        employee_id=employee["employee_id"],
        leave_type="sick",
        start_date="2025-03-10",
        end_date="2025-03-10",
    )
    ceo = next(e for e in hr_state(hr)["employees"].values() if e["manager_id"] is None)
    if ceo["employee_id"] != employee["manager_id"]:
        message = fails(
            hr,
            "approve_leave_request",
            "PermissionDeniedError",
            leave_request_id=request["leave_request_id"],
            manager_id=ceo["employee_id"],
        )
        assert "get_employee" in message
    fails(
        hr,
        "approve_leave_request",
        "PermissionDeniedError",
        leave_request_id=request["leave_request_id"],
        manager_id=employee["employee_id"],
    )
    ok(hr, "reject_leave_request", leave_request_id=request["leave_request_id"], manager_id=employee["manager_id"])
    fails(
        hr,
        "approve_leave_request",
        "InvalidStateError",
        leave_request_id=request["leave_request_id"],
        manager_id=employee["manager_id"],
    )
    fails(hr, "approve_leave_request", "NotFoundError", leave_request_id="LR-1", manager_id=employee["manager_id"])


def test_leave_needs_balance_and_valid_non_overlapping_dates(hr: Any) -> None:
    employee = a_report(hr_state(hr))
    employee_id = employee["employee_id"]
    vacation = hr_state(hr)["leave_balances"][employee_id]["vacation"]
    # 6 weeks from Monday 2025-03-17 = 30 working days, above every generated balance (at most 25)
    message = fails(
        hr,
        "request_leave",
        "InsufficientFundsError",
        employee_id=employee_id,
        leave_type="vacation",
        start_date="2025-03-17",
        end_date="2025-04-25",
    )
    assert f"{vacation:g}" in message
    fails(
        hr,
        "request_leave",
        "InvalidArgumentError",
        employee_id=employee_id,
        leave_type="vacation",
        start_date="2025-03-01",
        end_date="2025-03-03",
    )
    fails(
        hr,
        "request_leave",
        "InvalidArgumentError",
        employee_id=employee_id,
        leave_type="vacation",
        start_date="2025-03-20",
        end_date="2025-03-19",
    )
    fails(
        hr,
        "request_leave",
        "InvalidArgumentError",
        employee_id=employee_id,
        leave_type="vacation",
        start_date="2025-03-22",
        end_date="2025-03-23",
    )  # a weekend
    fails(
        hr,
        "request_leave",
        "InvalidArgumentError",
        employee_id=employee_id,
        leave_type="vacation",
        start_date="next monday",
        end_date="2025-03-23",
    )
    ok(
        hr,
        "request_leave",
        employee_id=employee_id,
        leave_type="personal" if hr_state(hr)["leave_balances"][employee_id]["personal"] else "vacation",
        start_date="2025-03-20",
        end_date="2025-03-20",
    )
    fails(
        hr,
        "request_leave",
        "ConflictError",
        employee_id=employee_id,
        leave_type="vacation",
        start_date="2025-03-19",
        end_date="2025-03-21",
    )
    fails(
        hr,
        "request_leave",
        "NotFoundError",
        employee_id="E-0",
        leave_type="vacation",
        start_date="2025-03-19",
        end_date="2025-03-21",
    )


def test_the_ceo_has_no_one_to_ask(hr: Any) -> None:
    ceo = next(e for e in hr_state(hr)["employees"].values() if e["manager_id"] is None)
    before = hr_state(hr)["leave_balances"][ceo["employee_id"]]["vacation"]
    request = ok(
        hr,
        "request_leave",
        employee_id=ceo["employee_id"],
        leave_type="vacation",
        start_date="2025-04-07",
        end_date="2025-04-07",
    )
    assert request["status"] == "approved"
    assert ok(hr, "get_leave_balance", employee_id=ceo["employee_id"])["vacation_days"] == before - 1
    assert ok(hr, "get_manager_chain", employee_id=ceo["employee_id"])["managers"] == []


def test_pending_requests_hold_days() -> None:
    session = default_world(0, domains=["hr"], timeout=None)
    employee_id = a_report(hr_state(session))["employee_id"]
    sick = int(hr_state(session)["leave_balances"][employee_id]["sick"])
    weekdays = [d for d in (dt.date(2025, 3, 3) + dt.timedelta(days=k) for k in range(28)) if working_days(d, d)]
    # one single-day sick request per weekday uses up the balance while all are still pending
    for day in weekdays[:sick]:
        ok(
            session,
            "request_leave",
            employee_id=employee_id,
            leave_type="sick",
            start_date=day.isoformat(),
            end_date=day.isoformat(),
        )
    assert ok(session, "get_leave_balance", employee_id=employee_id)["pending_days"] == sick
    day = weekdays[sick].isoformat()
    fails(
        session,
        "request_leave",
        "InsufficientFundsError",
        employee_id=employee_id,
        leave_type="sick",
        start_date=day,
        end_date=day,
    )


def test_payslip_lookup_chain(hr: Any) -> None:
    employee = a_report(hr_state(hr))
    employee_id = ok(hr, "find_employee", name=employee["name"])["employees"][0]["employee_id"]
    periods = [p["period"] for p in ok(hr, "list_payslips", employee_id=employee_id)["payslips"]]
    assert periods == ["2025-02", "2025-01", "2024-12"]
    slip = ok(hr, "get_payslip", employee_id=employee_id, period=periods[0])
    assert slip["gross_pay"] == round(employee["annual_salary"] / 12, 2)
    assert slip["net_pay"] == pytest.approx(slip["gross_pay"] - slip["income_tax"] - slip["pension_contribution"])
    assert "list_payslips" in fails(hr, "get_payslip", "NotFoundError", employee_id=employee_id, period="2023-01")


def test_hire_and_onboard_chain(hr: Any) -> None:
    job = next(j for j in hr_state(hr)["job_openings"].values() if j["status"] == "open")
    job_id = ok(hr, "search_job_openings", keyword=job["title"].upper())["job_openings"]
    job_id = next(j["job_id"] for j in job_id if j["job_id"] == job["job_id"])
    application = ok(
        hr,
        "apply_to_job",
        job_id=job_id,
        candidate_name="Jordan  Blake",
        candidate_email="Jordan.Blake@mail.example.org",
    )
    assert (application["candidate_name"], application["candidate_email"]) == (
        "Jordan Blake",
        "jordan.blake@mail.example.org",
    )
    fails(
        hr,
        "apply_to_job",
        "ConflictError",
        job_id=job_id,
        candidate_name="J B",
        candidate_email="jordan.blake@mail.example.org",
    )
    app_id = application["application_id"]
    fails(hr, "advance_application_stage", "InvalidStateError", application_id=app_id, stage="interview")
    for stage in ("screening", "interview", "offer"):
        assert ok(hr, "advance_application_stage", application_id=app_id, stage=stage)["employee_id"] is None
    hired = ok(hr, "advance_application_stage", application_id=app_id, stage="hired")
    employee_id = hired["employee_id"]
    profile = ok(hr, "get_employee", employee_id=employee_id)
    assert (profile["name"], profile["manager_id"], profile["hire_date"]) == (
        "Jordan Blake",
        job["hiring_manager_id"],
        "2025-03-28",
    )
    assert ok(hr, "find_employee", name="Jordan Blake")["employees"][0]["employee_id"] == employee_id
    checklist = ok(hr, "get_onboarding_checklist", employee_id=employee_id)
    assert checklist["remaining"] == len(checklist["items"]) == 6
    item_id = checklist["items"][2]["item_id"]
    assert ok(hr, "complete_onboarding_item", employee_id=employee_id, item_id=item_id)["remaining"] == 5
    fails(hr, "complete_onboarding_item", "InvalidStateError", employee_id=employee_id, item_id=item_id)
    fails(hr, "complete_onboarding_item", "NotFoundError", employee_id=employee_id, item_id="OB-99999")
    assert hr_state(hr)["job_openings"][job_id]["status"] == "filled"
    fails(hr, "advance_application_stage", "InvalidStateError", application_id=app_id, stage="rejected")
    fails(
        hr,
        "apply_to_job",
        "InvalidStateError",
        job_id=job_id,
        candidate_name="Late Comer",
        candidate_email="late@x.org",
    )
    other = ok(hr, "list_job_applications", job_id=job_id)["applications"]
    open_other = next((a for a in other if a["stage"] == "offer" and a["application_id"] != app_id), None)
    if open_other:
        fails(
            hr,
            "advance_application_stage",
            "InvalidStateError",
            application_id=open_other["application_id"],
            stage="hired",
        )


def test_onboarding_only_for_recent_hires_and_bad_emails_refused(hr: Any) -> None:
    veteran = next(e for e in hr_state(hr)["employees"] if e not in hr_state(hr)["onboarding"])
    assert "recent hires" in fails(hr, "get_onboarding_checklist", "NotFoundError", employee_id=veteran)
    job_id = next(j for j, v in hr_state(hr)["job_openings"].items() if v["status"] == "open")
    fails(
        hr, "apply_to_job", "InvalidArgumentError", job_id=job_id, candidate_name="Ann Lee", candidate_email="ann.lee"
    )


def test_manager_review_chain_and_rules(hr: Any) -> None:
    employee = a_report(hr_state(hr))
    employee_id = ok(hr, "find_employee", name=employee["name"])["employees"][0]["employee_id"]
    manager_id = ok(hr, "get_employee", employee_id=employee_id)["manager_id"]
    args = {
        "employee_id": employee_id,
        "manager_id": manager_id,
        "cycle": "2025-H1",
        "rating": 5,
        "summary": "Led the migration and mentored two new hires.",
    }
    review = ok(hr, "submit_performance_review", **args)
    reviews = ok(hr, "get_performance_reviews", employee_id=employee_id)
    assert reviews["reviews"][-1]["review_id"] == review["review_id"] and reviews["open_cycles"] == ["2025-H1"]
    fails(hr, "submit_performance_review", "ConflictError", **args)
    fails(hr, "submit_performance_review", "InvalidArgumentError", **{**args, "cycle": "2024-H2"})
    fails(hr, "submit_performance_review", "PermissionDeniedError", **{**args, "manager_id": employee_id})
    fails(hr, "submit_performance_review", "ArgumentError", **{**args, "rating": 7})


def test_department_overview_and_manager_chain(hr: Any) -> None:
    departments = ok(hr, "list_departments")["departments"]
    assert sum(d["headcount"] for d in departments) == len(hr_state(hr)["employees"])
    engineering = next(d for d in departments if d["name"] == "Engineering")
    people = ok(hr, "list_department_employees", department_id=engineering["department_id"])["employees"]
    assert len(people) == engineering["headcount"]
    for person in people:
        ok(hr, "get_leave_balance", employee_id=person["employee_id"])
        chain = ok(hr, "get_manager_chain", employee_id=person["employee_id"])["managers"]
        assert chain[-1]["title"] == "Chief Executive Officer"
        if person["employee_id"] != engineering["head_employee_id"]:
            assert engineering["head_employee_id"] in [m["employee_id"] for m in chain]
    fails(hr, "list_department_employees", "NotFoundError", department_id="DEP-99")


def test_office_weather_cross_domain_chain() -> None:
    session = default_world(0, domains=["hr", "weather"], timeout=None)
    employee = a_report(hr_state(session))
    employee_id = ok(session, "find_employee", name=employee["name"])["employees"][0]["employee_id"]
    city = ok(session, "get_employee", employee_id=employee_id)["office_city"]
    location = ok(session, "get_location_id", city=city)
    weather = ok(session, "get_current_weather", location_id=location["location_id"])
    assert weather["city"] == city


def test_message_my_manager_cross_domain_chain() -> None:
    session = default_world(0, domains=["hr", "messaging"], timeout=None)
    chat = session.state()["messaging"]
    owner = chat["owner_username"]
    ok(session, "login_messaging", username=owner, password=chat["passwords"][owner])
    owner_email = next(u["email"] for u in chat["users"].values() if u["username"] == owner)
    blocked = {chat["users"][u]["email"] for pair in chat["blocked"].items() for u in (pair[0], *pair[1])}
    state = hr_state(session)
    employee = next(
        e
        for e in state["employees"].values()
        if e["manager_id"] and state["employees"][e["manager_id"]]["email"] not in blocked | {owner_email}
    )
    employee_id = ok(session, "find_employee", name=employee["name"])["employees"][0]["employee_id"]
    manager_id = ok(session, "get_employee", employee_id=employee_id)["manager_id"]
    manager = ok(session, "get_employee", employee_id=manager_id)
    user_id = ok(session, "find_user_by_email", email=manager["email"])["user_id"]
    sent = ok(session, "send_chat_message", recipient_id=user_id, text="Could you approve my leave request?")
    assert sent["recipient_id"] == user_id
    assert session.state()["messaging"]["users"][user_id]["display_name"] == manager["name"]


def test_generate_state_is_seeded_and_consistent() -> None:
    assert generate_state(2) == generate_state(2)
    assert generate_state(2) != generate_state(3)
    state = generate_state(13)
    employees = state["employees"]
    assert sum(1 for e in employees.values() if e["manager_id"] is None) == 1
    assert all(e["manager_id"] in employees for e in employees.values() if e["manager_id"])
    assert set(state["leave_balances"]) == set(employees)
    assert all(j["hiring_manager_id"] in employees for j in state["job_openings"].values())
