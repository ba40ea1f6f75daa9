"""Human resources: employees, departments and the reporting line, leave balances and leave
requests, payslips, performance reviews, job openings with an applicant pipeline, and onboarding.

Users speak of people by name ("book Friday off for Kofi Mensah", "approve it as his manager"); the
tools need employee ids (`E-1042`), which only `find_employee` and the listing tools give, and the
approver of a leave request or the author of a review must be the employee's direct manager, whose id
is on `get_employee`. Hiring a candidate creates a new employee with an onboarding checklist, so a
hiring chain continues into onboarding.

Employees are people 100-199 of the shared pool with `email_of(name)` addresses, so they are also
chat users of the messaging domain; offices are cities of the shared pool, so weather and maps know them.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal, cast

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import CITIES, USD_RATES, email_of, person_name
from hardgen.world._domain import Chain, Domain, load_attributes
from hardgen.world._errors import (
    ConflictError,
    InsufficientFundsError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
)

_DOCS = ConfigDict(use_attribute_docstrings=True)

LeaveType = Literal["vacation", "sick", "personal"]
LeaveStatus = Literal["pending", "approved", "rejected"]
ApplicationStage = Literal["applied", "screening", "interview", "offer", "hired", "rejected"]
# A candidate moves one stage forward at a time, or is rejected from any open stage.
HIRING_PIPELINE: tuple[str, ...] = ("applied", "screening", "interview", "offer", "hired")
TODAY = "2025-03-14"
OPEN_REVIEW_CYCLES = ("2025-H1",)
INCOME_TAX_RATE = 0.24
PENSION_RATE = 0.05
ONBOARDING_TASKS = (
    "Sign employment contract",
    "Submit tax and bank details",
    "Collect laptop and badge",
    "Complete security training",
    "Enroll in benefits",
    "Meet your onboarding buddy",
)


@with_config(_DOCS)
class EmployeeSummary(TypedDict):
    employee_id: str
    """Employee id (e.g. E-1042); the other HR tools need it."""
    name: str
    title: str
    department_id: str
    """Department id (e.g. DEP-20)."""
    department_name: str


class EmployeeList(TypedDict):
    employees: list[EmployeeSummary]


@with_config(_DOCS)
class EmployeeDetails(TypedDict):
    employee_id: str
    """Employee id (e.g. E-1042)."""
    name: str
    email: str
    """Work email; chat and calendar systems know people by it."""
    title: str
    department_id: str
    department_name: str
    manager_id: str | None
    """Employee id of the direct manager (who approves leave and writes reviews); null for the CEO."""
    hire_date: str
    office_city: str
    """City of the employee's office."""
    employment_type: Literal["full_time", "part_time", "contractor"]


@with_config(_DOCS)
class DepartmentSummary(TypedDict):
    department_id: str
    """Department id (e.g. DEP-20); pass it to list_department_employees or search_job_openings."""
    name: str
    head_employee_id: str
    headcount: int


class DepartmentList(TypedDict):
    departments: list[DepartmentSummary]


class ManagerLink(TypedDict):
    employee_id: str
    name: str
    title: str


@with_config(_DOCS)
class ManagerChain(TypedDict):
    employee_id: str
    managers: list[ManagerLink]
    """From the direct manager up to the CEO; empty for the CEO."""


class LeaveBalance(TypedDict):
    employee_id: str
    vacation_days: float
    sick_days: float
    personal_days: float
    pending_days: float
    """Days requested in pending requests, reserved until they are decided."""


@with_config(_DOCS)
class LeaveRequest(TypedDict):
    leave_request_id: str
    """Leave request id (e.g. LR-3007); pass it to approve_leave_request or reject_leave_request."""
    employee_id: str
    leave_type: LeaveType
    start_date: str
    end_date: str
    days: float
    """Working days (Monday to Friday) the request covers."""
    status: LeaveStatus
    approver_id: str | None
    """Employee id of whoever decided it; null while pending."""
    note: str


class LeaveRequestList(TypedDict):
    leave_requests: list[LeaveRequest]


@with_config(_DOCS)
class PayslipSummary(TypedDict):
    payslip_id: str
    period: str
    """Pay month, YYYY-MM."""
    net_pay: float
    currency: str


class PayslipList(TypedDict):
    employee_id: str
    payslips: list[PayslipSummary]


@with_config(_DOCS)
class Payslip(TypedDict):
    payslip_id: str
    employee_id: str
    period: str
    """Pay month, YYYY-MM."""
    gross_pay: float
    income_tax: float
    pension_contribution: float
    net_pay: float
    currency: str


@with_config(_DOCS)
class PerformanceReview(TypedDict):
    review_id: str
    employee_id: str
    reviewer_id: str
    cycle: str
    """Review cycle, e.g. 2024-H2."""
    rating: int
    """1 (below expectations) to 5 (outstanding)."""
    summary: str


class ReviewList(TypedDict):
    employee_id: str
    reviews: list[PerformanceReview]
    open_cycles: list[str]


@with_config(_DOCS)
class JobOpening(TypedDict):
    job_id: str
    """Job opening id (e.g. JOB-204); pass it to apply_to_job or list_job_applications."""
    title: str
    department_id: str
    location: str
    status: Literal["open", "filled", "closed"]
    hiring_manager_id: str
    posted_date: str


class JobOpeningList(TypedDict):
    job_openings: list[JobOpening]


class StageChange(TypedDict):
    stage: str
    date: str


@with_config(_DOCS)
class JobApplication(TypedDict):
    application_id: str
    """Application id (e.g. APP-6120); pass it to advance_application_stage."""
    job_id: str
    candidate_name: str
    candidate_email: str
    stage: ApplicationStage
    applied_date: str
    history: list[StageChange]
    employee_id: str | None
    """The new employee's id once the candidate is hired, else null."""


class JobApplicationList(TypedDict):
    job_id: str
    applications: list[JobApplication]


@with_config(_DOCS)
class OnboardingItem(TypedDict):
    item_id: str
    """Checklist item id (e.g. OB-14); pass it to complete_onboarding_item."""
    task: str
    done: bool
    completed_date: str | None


class OnboardingChecklist(TypedDict):
    employee_id: str
    start_date: str
    items: list[OnboardingItem]
    remaining: int


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidArgumentError(f"{what} {value!r} is not a date; use YYYY-MM-DD") from None


def working_days(start: dt.date, end: dt.date) -> int:
    """Monday-to-Friday days from `start` to `end`, both included."""
    return sum(1 for k in range((end - start).days + 1) if (start + dt.timedelta(days=k)).weekday() < 5)



def crowd_state(state: dict[str, Any], seed: int) -> dict[str, Any]:
    """`state` with a long history: two more years of monthly payslips for every employee (the
    months before the three already there, same pay) and a year of past leave that was approved
    or rejected. Leave request ids of that history sort below the first one; the next numbers
    are unchanged, and leave balances stay what they are (the history is last year's)."""
    rng = random.Random(f"hr-crowd:{seed}")
    first = min((p["period"] for p in state["payslips"].values()), default="2024-12")
    year, month = (int(x) for x in first.split("-"))
    periods = []
    for _ in range(24):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        periods.append(f"{year:04d}-{month:02d}")
    older = {}
    for employee in state["employees"].values():
        for period in reversed(periods):
            slip = _payslip(employee, period)
            older[slip["payslip_id"]] = slip
    state["payslips"] = {**older, **state["payslips"]}
    today = dt.date.fromisoformat(state.get("today", TODAY))
    staff = sorted(e for e, v in state["employees"].items() if v["manager_id"])
    leave = []
    for employee_id in rng.sample(staff, min(len(staff), 40)):
        for _ in range(rng.randrange(1, 4)):
            start = today - dt.timedelta(days=rng.randrange(60, 400))
            while start.weekday() >= 5:
                start += dt.timedelta(days=1)
            end = start + dt.timedelta(days=rng.randint(0, 4))
            status = rng.choice(("approved", "approved", "approved", "rejected"))
            leave.append({"employee_id": employee_id, "leave_type": rng.choice(("vacation", "vacation", "personal", "sick")),
                          "start_date": start.isoformat(), "end_date": end.isoformat(),
                          "days": float(working_days(start, end)), "status": status,
                          "approver_id": state["employees"][employee_id]["manager_id"], "note": ""})
    leave.sort(key=lambda r: r["start_date"])
    lowest = min((int(r.split("-")[1]) for r in state["leave_requests"]), default=3001)
    history = {}
    for n, record in enumerate(leave):
        request_id = f"LR-{lowest - len(leave) + n}"
        history[request_id] = {"leave_request_id": request_id, **record}
    state["leave_requests"] = {**history, **state["leave_requests"]}
    return state

def _payslip(employee: dict[str, Any], period: str) -> dict[str, Any]:
    gross = round(employee["annual_salary"] / 12, 2)
    tax = round(gross * INCOME_TAX_RATE, 2)
    pension = round(gross * PENSION_RATE, 2)
    number = employee["employee_id"].split("-")[1]
    return {
        "payslip_id": f"PS-{period.replace('-', '')}-{number}",
        "employee_id": employee["employee_id"],
        "period": period,
        "gross_pay": gross,
        "income_tax": tax,
        "pension_contribution": pension,
        "net_pay": round(gross - tax - pension, 2),
        "currency": employee["currency"],
    }


class HrAPI:
    """The HR system of one company: people, departments, leave, pay, reviews, hiring, onboarding."""

    def __init__(self) -> None:
        self.today: str = TODAY
        self.open_review_cycles: list[str] = list(OPEN_REVIEW_CYCLES)
        self.departments: dict[str, dict[str, Any]] = {}
        self.employees: dict[str, dict[str, Any]] = {}
        self.leave_balances: dict[str, dict[str, float]] = {}
        self.leave_requests: dict[str, dict[str, Any]] = {}
        self.payslips: dict[str, dict[str, Any]] = {}
        self.reviews: dict[str, dict[str, Any]] = {}
        self.job_openings: dict[str, dict[str, Any]] = {}
        self.applications: dict[str, dict[str, Any]] = {}
        self.onboarding: dict[str, dict[str, Any]] = {}
        self.next_employee_number: int = 9001
        self.next_leave_request_number: int = 3001
        self.next_review_number: int = 801
        self.next_application_number: int = 6001
        self.next_onboarding_item_number: int = 1

    def load_state(self, state: dict[str, Any]) -> None:
        """Load a state made by `generate_state` (unknown keys are an error, not silently ignored)."""
        load_attributes(self, state, "HR")

    # -- lookups -----------------------------------------------------------------------------------
    def _employee(self, employee_id: str) -> dict[str, Any]:
        if employee_id not in self.employees:
            raise NotFoundError(f"no employee {employee_id!r}; use find_employee to get employee ids by name")
        return self.employees[employee_id]

    def _department(self, department_id: str) -> dict[str, Any]:
        if department_id not in self.departments:
            raise NotFoundError(f"no department {department_id!r}; use list_departments to see department ids")
        return self.departments[department_id]

    def _leave_request(self, leave_request_id: str) -> dict[str, Any]:
        if leave_request_id not in self.leave_requests:
            raise NotFoundError(f"no leave request {leave_request_id!r}; use list_leave_requests to find it")
        return self.leave_requests[leave_request_id]

    def _job(self, job_id: str) -> dict[str, Any]:
        if job_id not in self.job_openings:
            raise NotFoundError(f"no job opening {job_id!r}; use search_job_openings to find job ids")
        return self.job_openings[job_id]

    def _application(self, application_id: str) -> dict[str, Any]:
        if application_id not in self.applications:
            raise NotFoundError(f"no application {application_id!r}; use list_job_applications to find it")
        return self.applications[application_id]

    def _summary(self, employee: dict[str, Any]) -> EmployeeSummary:
        return {
            "employee_id": employee["employee_id"],
            "name": employee["name"],
            "title": employee["title"],
            "department_id": employee["department_id"],
            "department_name": self.departments[employee["department_id"]]["name"],
        }

    def _pending_days(self, employee_id: str, leave_type: str | None = None) -> float:
        return sum(
            r["days"]
            for r in self.leave_requests.values()
            if r["employee_id"] == employee_id
            and r["status"] == "pending"
            and (leave_type is None or r["leave_type"] == leave_type)
        )

    def _checklist(self, employee_id: str) -> OnboardingChecklist:
        record = self.onboarding[employee_id]
        items = [dict(i) for i in record["items"]]
        return {
            "employee_id": employee_id,
            "start_date": record["start_date"],
            "items": items,  # type: ignore[typeddict-item]
            "remaining": sum(1 for i in items if not i["done"]),
        }

    # -- people and departments -----------------------------------------------------------------
    @tool
    def find_employee(self, name: str) -> EmployeeList:
        """Find employees by name (case-insensitive, partial match) to get their employee ids.

        Args:
            name: Part of the employee's full name, e.g. "Kofi Mensah" or "mensah".

        Returns:
            Matching employees with employee id, title and department.
        """
        needle = name.strip().lower()
        if not needle:
            raise InvalidArgumentError("name is empty; give part of the employee's name")
        found = [self._summary(e) for e in self.employees.values() if needle in e["name"].lower()]
        return {"employees": sorted(found, key=lambda e: (e["name"], e["employee_id"]))}

    @tool
    def get_employee(self, employee_id: str) -> EmployeeDetails:
        """Get an employee's profile: email, title, department, direct manager id, hire date and office.

        The manager id is who may approve the employee's leave and review their performance.

        Args:
            employee_id: Employee id, e.g. "E-1042" (from find_employee).

        Returns:
            The employee's profile.
        """
        e = self._employee(employee_id)
        keys = (
            "employee_id",
            "name",
            "email",
            "title",
            "department_id",
            "manager_id",
            "hire_date",
            "office_city",
            "employment_type",
        )
        details = {**{k: e[k] for k in keys}, "department_name": self.departments[e["department_id"]]["name"]}
        return cast(EmployeeDetails, details)

    @tool
    def list_departments(self) -> DepartmentList:
        """List the company's departments with their ids, heads and headcounts.

        Returns:
            Every department.
        """
        rows: list[DepartmentSummary] = [
            {
                "department_id": d["department_id"],
                "name": d["name"],
                "head_employee_id": d["head_employee_id"],
                "headcount": sum(1 for e in self.employees.values() if e["department_id"] == d["department_id"]),
            }
            for d in self.departments.values()
        ]
        return {"departments": sorted(rows, key=lambda d: d["department_id"])}

    @tool
    def list_department_employees(self, department_id: str) -> EmployeeList:
        """List everyone in a department.

        Args:
            department_id: Department id, e.g. "DEP-20" (from list_departments).

        Returns:
            The department's employees.
        """
        self._department(department_id)
        found = [self._summary(e) for e in self.employees.values() if e["department_id"] == department_id]
        return {"employees": sorted(found, key=lambda e: e["name"])}

    @tool
    def get_manager_chain(self, employee_id: str) -> ManagerChain:
        """The reporting line above an employee: direct manager, their manager, up to the CEO.

        Args:
            employee_id: Employee id, e.g. "E-1042".

        Returns:
            The managers in order, nearest first.
        """
        current = self._employee(employee_id)
        managers: list[ManagerLink] = []
        while current["manager_id"] is not None:
            current = self.employees[current["manager_id"]]
            managers.append({"employee_id": current["employee_id"], "name": current["name"], "title": current["title"]})
        return {"employee_id": employee_id, "managers": managers}

    # -- leave -----------------------------------------------------------------------------------
    @tool
    def get_leave_balance(self, employee_id: str) -> LeaveBalance:
        """An employee's remaining leave days per type, and days held by pending requests.

        Args:
            employee_id: Employee id, e.g. "E-1042".

        Returns:
            Remaining vacation, sick and personal days (approved leave already deducted).
        """
        self._employee(employee_id)
        balance = self.leave_balances[employee_id]
        return {
            "employee_id": employee_id,
            "vacation_days": balance["vacation"],
            "sick_days": balance["sick"],
            "personal_days": balance["personal"],
            "pending_days": self._pending_days(employee_id),
        }

    @tool
    def list_leave_requests(
        self, employee_id: str | None = None, status: LeaveStatus | None = None
    ) -> LeaveRequestList:
        """List leave requests, optionally of one employee and/or in one status.

        Args:
            employee_id: Only this employee's requests (employee id from find_employee).
            status: Only requests in this status.

        Returns:
            Matching leave requests, oldest first.
        """
        if employee_id is not None:
            self._employee(employee_id)
        found = [
            cast(LeaveRequest, dict(r))
            for r in self.leave_requests.values()
            if (employee_id is None or r["employee_id"] == employee_id) and (status is None or r["status"] == status)
        ]
        return {"leave_requests": sorted(found, key=lambda r: r["leave_request_id"])}

    @tool(mutates=True, requires=["find_employee"])
    def request_leave(
        self, employee_id: str, leave_type: LeaveType, start_date: str, end_date: str, note: str = ""
    ) -> LeaveRequest:
        """File a leave request for an employee; it waits for their direct manager's approval
        (the CEO, who has no manager, is approved at once).

        The request counts working days (Monday-Friday). The employee needs enough remaining days of
        that type, after subtracting days held by their other pending requests; it may not overlap
        another pending or approved request. Vacation and personal leave cannot start in the past;
        sick leave may be recorded up to 14 days back.

        Args:
            employee_id: Employee id, e.g. "E-1042" (from find_employee).
            leave_type: Kind of leave.
            start_date: First day off, YYYY-MM-DD.
            end_date: Last day off, YYYY-MM-DD (same as start_date for a single day).
            note: Optional note for the manager (at most 300 characters).

        Returns:
            The new pending request with its id and number of working days.
        """
        employee = self._employee(employee_id)
        start, end = _date(start_date, "start_date"), _date(end_date, "end_date")
        today = _date(self.today, "today")
        if end < start:
            raise InvalidArgumentError(f"end_date {end_date} is before start_date {start_date}")
        earliest = today - dt.timedelta(days=14) if leave_type == "sick" else today
        if start < earliest:
            raise InvalidArgumentError(f"{leave_type} leave cannot start on {start_date}; earliest is {earliest}")
        if (end - start).days > 60:
            raise InvalidArgumentError("a single leave request may span at most 60 days")
        if len(note) > 300:
            raise InvalidArgumentError("note is longer than 300 characters")
        days = working_days(start, end)
        if days == 0:
            raise InvalidArgumentError(f"{start_date} to {end_date} has no working days")
        for other in self.leave_requests.values():
            if (
                other["employee_id"] == employee_id
                and other["status"] in ("pending", "approved")
                and not (end < _date(other["start_date"], "start_date") or start > _date(other["end_date"], "end_date"))
            ):
                raise ConflictError(
                    f"overlaps {other['status']} request {other['leave_request_id']} "
                    f"({other['start_date']} to {other['end_date']})"
                )
        available = self.leave_balances[employee_id][leave_type] - self._pending_days(employee_id, leave_type)
        if days > available:
            raise InsufficientFundsError(
                f"{employee['name']} has {available:g} {leave_type} day(s) available but the request needs {days}"
            )
        leave_request_id = f"LR-{self.next_leave_request_number}"
        self.next_leave_request_number += 1
        request = {
            "leave_request_id": leave_request_id,
            "employee_id": employee_id,
            "leave_type": leave_type,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "days": float(days),
            "status": "pending",
            "approver_id": None,
            "note": note,
        }
        if employee["manager_id"] is None:  # nobody above the CEO: their leave is approved on filing
            request["status"] = "approved"
            self.leave_balances[employee_id][leave_type] -= days
        self.leave_requests[leave_request_id] = request
        return dict(request)  # type: ignore[return-value]

    def _decide(self, leave_request_id: str, manager_id: str, status: str) -> dict[str, Any]:
        request = self._leave_request(leave_request_id)
        self._employee(manager_id)
        if request["status"] != "pending":
            raise InvalidStateError(f"leave request {leave_request_id} is already {request['status']}")
        if manager_id != self.employees[request["employee_id"]]["manager_id"]:
            raise PermissionDeniedError(
                f"{manager_id} is not the direct manager of {request['employee_id']}; "
                "only the direct manager (manager_id on get_employee) may decide leave"
            )
        request["status"] = status
        request["approver_id"] = manager_id
        return request

    @tool(mutates=True, requires=["request_leave", "get_employee"])
    def approve_leave_request(self, leave_request_id: str, manager_id: str) -> LeaveRequest:
        """Approve a pending leave request; the days are deducted from the employee's balance.

        Only the employee's direct manager may approve (get_employee gives the manager id).

        Args:
            leave_request_id: Leave request id, e.g. "LR-3007".
            manager_id: Employee id of the approving direct manager (manager_id on get_employee).

        Returns:
            The approved request.
        """
        request = self._decide(leave_request_id, manager_id, "approved")
        self.leave_balances[request["employee_id"]][request["leave_type"]] -= request["days"]
        return dict(request)  # type: ignore[return-value]

    @tool(mutates=True, requires=["request_leave", "get_employee"])
    def reject_leave_request(self, leave_request_id: str, manager_id: str) -> LeaveRequest:
        """Reject a pending leave request; the reserved days return to the employee.

        Only the employee's direct manager may reject (get_employee gives the manager id).

        Args:
            leave_request_id: Leave request id, e.g. "LR-3007".
            manager_id: Employee id of the deciding direct manager (manager_id on get_employee).

        Returns:
            The rejected request.
        """
        return dict(self._decide(leave_request_id, manager_id, "rejected"))  # type: ignore[return-value]

    # -- pay -------------------------------------------------------------------------------------
    @tool
    def list_payslips(self, employee_id: str) -> PayslipList:
        """List an employee's payslips (pay months and net pay), newest first.

        Args:
            employee_id: Employee id, e.g. "E-1042".

        Returns:
            The employee's payslips.
        """
        self._employee(employee_id)
        slips = [
            cast(PayslipSummary, {k: p[k] for k in ("payslip_id", "period", "net_pay", "currency")})
            for p in self.payslips.values()
            if p["employee_id"] == employee_id
        ]
        return {"employee_id": employee_id, "payslips": sorted(slips, key=lambda p: p["period"], reverse=True)}

    @tool
    def get_payslip(self, employee_id: str, period: str) -> Payslip:
        """Get one payslip: gross pay, income tax, pension contribution and net pay for a month.

        Args:
            employee_id: Employee id, e.g. "E-1042".
            period: Pay month, YYYY-MM, e.g. "2025-02".

        Returns:
            The payslip.
        """
        self._employee(employee_id)
        for slip in self.payslips.values():
            if slip["employee_id"] == employee_id and slip["period"] == period:
                return dict(slip)  # type: ignore[return-value]
        raise NotFoundError(f"no payslip for {employee_id} in {period!r}; list_payslips shows the available months")

    # -- reviews ---------------------------------------------------------------------------------
    @tool
    def get_performance_reviews(self, employee_id: str) -> ReviewList:
        """An employee's performance reviews, and which review cycles are open for new reviews.

        Args:
            employee_id: Employee id, e.g. "E-1042".

        Returns:
            The reviews, oldest cycle first, and the open cycles.
        """
        self._employee(employee_id)
        reviews = sorted(
            (r for r in self.reviews.values() if r["employee_id"] == employee_id), key=lambda r: r["cycle"]
        )
        return {
            "employee_id": employee_id,
            "reviews": [cast(PerformanceReview, dict(r)) for r in reviews],
            "open_cycles": list(self.open_review_cycles),
        }

    @tool(mutates=True, requires=["get_employee"])
    def submit_performance_review(
        self,
        employee_id: str,
        manager_id: str,
        cycle: str,
        rating: Annotated[int, Field(ge=1, le=5)],
        summary: str,
    ) -> PerformanceReview:
        """Submit an employee's performance review for an open cycle. One review per employee per cycle.

        Only the employee's direct manager may review them (get_employee gives the manager id).

        Args:
            employee_id: Employee id of the person reviewed, e.g. "E-1042".
            manager_id: Employee id of the reviewing direct manager (manager_id on get_employee).
            cycle: An open review cycle, e.g. "2025-H1" (get_performance_reviews lists open cycles).
            rating: 1 (below expectations) to 5 (outstanding).
            summary: Review text, 10 to 1000 characters.

        Returns:
            The stored review with its id.
        """
        employee = self._employee(employee_id)
        self._employee(manager_id)
        if cycle not in self.open_review_cycles:
            raise InvalidArgumentError(
                f"review cycle {cycle!r} is not open; open cycles: {', '.join(self.open_review_cycles)}"
            )
        if manager_id != employee["manager_id"]:
            raise PermissionDeniedError(
                f"{manager_id} is not the direct manager of {employee_id}; only they may review"
            )
        if not 10 <= len(summary.strip()) <= 1000:
            raise InvalidArgumentError("summary must be 10 to 1000 characters")
        for review in self.reviews.values():
            if review["employee_id"] == employee_id and review["cycle"] == cycle:
                raise ConflictError(f"{employee_id} already has a {cycle} review ({review['review_id']})")
        review_id = f"RV-{self.next_review_number}"
        self.next_review_number += 1
        review = {
            "review_id": review_id,
            "employee_id": employee_id,
            "reviewer_id": manager_id,
            "cycle": cycle,
            "rating": rating,
            "summary": summary.strip(),
        }
        self.reviews[review_id] = review
        return dict(review)  # type: ignore[return-value]

    # -- hiring ----------------------------------------------------------------------------------
    @tool
    def search_job_openings(
        self,
        keyword: str = "",
        department_id: str | None = None,
        status: Literal["open", "filled", "closed"] | None = "open",
    ) -> JobOpeningList:
        """Search job openings by title keyword and/or department.

        Args:
            keyword: Part of the job title (case-insensitive), e.g. "engineer"; empty matches all.
            department_id: Only openings of this department id (from list_departments).
            status: Only openings in this status; null for every status.

        Returns:
            Matching job openings with their job ids.
        """
        if department_id is not None:
            self._department(department_id)
        needle = keyword.strip().lower()
        found = [
            cast(JobOpening, dict(j))
            for j in self.job_openings.values()
            if needle in j["title"].lower()
            and (department_id is None or j["department_id"] == department_id)
            and (status is None or j["status"] == status)
        ]
        return {"job_openings": sorted(found, key=lambda j: j["job_id"])}

    @tool
    def list_job_applications(self, job_id: str, stage: ApplicationStage | None = None) -> JobApplicationList:
        """List the applications to a job opening, optionally only those in one stage.

        Args:
            job_id: Job opening id, e.g. "JOB-204" (from search_job_openings).
            stage: Only applications in this stage.

        Returns:
            The applications with their ids, stages and history.
        """
        self._job(job_id)
        found = [
            cast(JobApplication, dict(a))
            for a in self.applications.values()
            if a["job_id"] == job_id and (stage is None or a["stage"] == stage)
        ]
        return {"job_id": job_id, "applications": sorted(found, key=lambda a: a["application_id"])}

    @tool(mutates=True, requires=["search_job_openings"])
    def apply_to_job(self, job_id: str, candidate_name: str, candidate_email: str) -> JobApplication:
        """Register a candidate's application to an open job; it starts in the "applied" stage.

        Args:
            job_id: Job opening id, e.g. "JOB-204" (from search_job_openings).
            candidate_name: Candidate's full name.
            candidate_email: Candidate's email address; one application per email per job.

        Returns:
            The new application with its id.
        """
        job = self._job(job_id)
        if job["status"] != "open":
            raise InvalidStateError(f"job {job_id} is {job['status']} and takes no applications")
        name = " ".join(candidate_name.split())
        email = candidate_email.strip().lower()
        if not name or len(name) > 80:
            raise InvalidArgumentError("candidate_name must be 1 to 80 characters")
        local, at, domain = email.partition("@")
        if not (local and at and "." in domain):
            raise InvalidArgumentError(f"{candidate_email!r} is not an email address")
        for a in self.applications.values():
            if a["job_id"] == job_id and a["candidate_email"] == email:
                raise ConflictError(f"{email} already applied to {job_id} ({a['application_id']})")
        application_id = f"APP-{self.next_application_number}"
        self.next_application_number += 1
        application = {
            "application_id": application_id,
            "job_id": job_id,
            "candidate_name": name,
            "candidate_email": email,
            "stage": "applied",
            "applied_date": self.today,
            "history": [{"stage": "applied", "date": self.today}],
            "employee_id": None,
        }
        self.applications[application_id] = application
        return dict(application)  # type: ignore[return-value]

    @tool(mutates=True, requires=["list_job_applications"])
    def advance_application_stage(self, application_id: str, stage: ApplicationStage) -> JobApplication:
        """Move an application through the hiring pipeline.

        The pipeline is applied -> screening -> interview -> offer -> hired, one stage at a time; an
        application can be rejected from any open stage; hired and rejected are final. Hiring creates
        the new employee (in the job's department, reporting to the hiring manager, starting in 14
        days) with an onboarding checklist, and marks the job filled.

        Args:
            application_id: Application id, e.g. "APP-6120".
            stage: The stage to move to.

        Returns:
            The updated application; after hiring, its employee_id is the new employee's id.
        """
        application = self._application(application_id)
        current = application["stage"]
        if current in ("hired", "rejected"):
            raise InvalidStateError(f"application {application_id} is {current}, which is final")
        following = HIRING_PIPELINE[HIRING_PIPELINE.index(current) + 1]
        if stage not in (following, "rejected"):
            raise InvalidStateError(
                f"application {application_id} is in {current}; it can move to {following} or rejected, not {stage}"
            )
        if stage == "hired":
            job = self.job_openings[application["job_id"]]
            if job["status"] != "open":
                raise InvalidStateError(f"job {job['job_id']} is already {job['status']}")
            employee_id = f"E-{self.next_employee_number}"
            self.next_employee_number += 1
            start = _date(self.today, "today") + dt.timedelta(days=14)
            manager = self.employees[job["hiring_manager_id"]]
            self.employees[employee_id] = {
                "employee_id": employee_id,
                "name": application["candidate_name"],
                "email": application["candidate_email"],
                "title": job["title"],
                "department_id": job["department_id"],
                "manager_id": job["hiring_manager_id"],
                "hire_date": start.isoformat(),
                "office_city": job["location"],
                "employment_type": "full_time",
                "annual_salary": job["annual_salary"],
                "currency": manager["currency"],
            }
            self.leave_balances[employee_id] = {"vacation": 20.0, "sick": 10.0, "personal": 2.0}
            self._start_onboarding(employee_id, start.isoformat())
            job["status"] = "filled"
            application["employee_id"] = employee_id
        application["stage"] = stage
        application["history"].append({"stage": stage, "date": self.today})
        return dict(application)  # type: ignore[return-value]

    def _start_onboarding(self, employee_id: str, start_date: str) -> None:
        items = []
        for task in ONBOARDING_TASKS:
            items.append(
                {
                    "item_id": f"OB-{self.next_onboarding_item_number}",
                    "task": task,
                    "done": False,
                    "completed_date": None,
                }
            )
            self.next_onboarding_item_number += 1
        self.onboarding[employee_id] = {"start_date": start_date, "items": items}

    # -- onboarding ------------------------------------------------------------------------------
    @tool
    def get_onboarding_checklist(self, employee_id: str) -> OnboardingChecklist:
        """A new hire's onboarding checklist with item ids and what is still to do.

        Only recent hires have a checklist.

        Args:
            employee_id: Employee id of the new hire, e.g. "E-9001".

        Returns:
            The checklist items and how many remain.
        """
        employee = self._employee(employee_id)
        if employee_id not in self.onboarding:
            raise NotFoundError(f"{employee['name']} ({employee_id}) has no onboarding checklist; only recent hires do")
        return self._checklist(employee_id)

    @tool(mutates=True, requires=["get_onboarding_checklist"])
    def complete_onboarding_item(self, employee_id: str, item_id: str) -> OnboardingChecklist:
        """Tick off one item of a new hire's onboarding checklist.

        Args:
            employee_id: Employee id of the new hire, e.g. "E-9001".
            item_id: Checklist item id, e.g. "OB-14" (from get_onboarding_checklist).

        Returns:
            The updated checklist.
        """
        self.get_onboarding_checklist(employee_id)
        item = next((i for i in self.onboarding[employee_id]["items"] if i["item_id"] == item_id), None)
        if item is None:
            raise NotFoundError(
                f"no item {item_id!r} on {employee_id}'s checklist; get_onboarding_checklist lists them"
            )
        if item["done"]:
            raise InvalidStateError(f"item {item_id} ({item['task']}) is already done")
        item["done"] = True
        item["completed_date"] = self.today
        return self._checklist(employee_id)


# -- generated worlds ----------------------------------------------------------------------------
_DEPARTMENTS = (
    ("Engineering", ("Software Engineer", "Senior Software Engineer", "QA Engineer", "Site Reliability Engineer")),
    ("Sales", ("Account Executive", "Sales Development Rep", "Sales Engineer")),
    ("Marketing", ("Marketing Specialist", "Content Writer", "Growth Analyst")),
    ("Finance", ("Accountant", "Financial Analyst", "Payroll Specialist")),
    ("People", ("HR Generalist", "Recruiter", "People Partner")),
    ("Customer Support", ("Support Specialist", "Support Engineer")),
    ("Operations", ("Operations Analyst", "Office Coordinator", "Procurement Specialist")),
)
_SALARY_USD = {
    "Engineering": 120_000,
    "Sales": 90_000,
    "Marketing": 80_000,
    "Finance": 85_000,
    "People": 75_000,
    "Customer Support": 60_000,
    "Operations": 70_000,
}
_REVIEW_TEXT = (
    "Consistently delivers on commitments and helps the team.",
    "Solid year; should take more ownership of planning.",
    "Outstanding impact on the main launch this half.",
    "Meets expectations; needs to improve written communication.",
)


def generate_state(seed: int) -> dict[str, Any]:
    """An HR world: 7 departments, about 60 employees, leave, 3 months of payslips, reviews,
    job openings with applications and a few new hires onboarding, from `seed`."""
    rng = random.Random(seed)
    today = dt.date.fromisoformat(TODAY)
    people = rng.sample(range(100, 200), 70)
    offices = rng.sample(CITIES, 4)
    employee_numbers = rng.sample(range(1000, 1999), len(people))
    employees: dict[str, Any] = {}

    def add(person: int, title: str, department_id: str, department: str, manager_id: str | None) -> str:
        employee_id = f"E-{employee_numbers[len(employees)]}"
        city = rng.choice(offices) if manager_id else offices[0]
        name = person_name(person)
        base = _SALARY_USD.get(department, 100_000) * rng.uniform(0.85, 1.3) * (1.6 if manager_id is None else 1.0)
        if title.startswith("Head of") or title == "Team Lead":
            base *= 1.3
        employees[employee_id] = {
            "employee_id": employee_id,
            "name": name,
            "email": email_of(name),
            "title": title,
            "department_id": department_id,
            "manager_id": manager_id,
            "hire_date": (today - dt.timedelta(days=rng.randint(60, 3000))).isoformat(),
            "office_city": city[0],
            "employment_type": rng.choice(("full_time",) * 8 + ("part_time", "contractor")),
            "annual_salary": round(base * USD_RATES[city[6]], -2),
            "currency": city[6],
        }
        return employee_id

    departments: dict[str, Any] = {}
    queue = iter(people)
    ceo = add(next(queue), "Chief Executive Officer", "DEP-10", "Executive", None)
    departments["DEP-10"] = {"department_id": "DEP-10", "name": "Executive", "head_employee_id": ceo}
    for k, (department, titles) in enumerate(_DEPARTMENTS):
        department_id = f"DEP-{20 + 10 * k}"
        head = add(next(queue), f"Head of {department}", department_id, department, ceo)
        departments[department_id] = {"department_id": department_id, "name": department, "head_employee_id": head}
        leads = [
            add(next(queue), "Team Lead", department_id, department, head) for _ in range(rng.randint(0, 1) + (k == 0))
        ]
        for _ in range(rng.randint(4, 6)):
            person = next(queue, None)
            if person is None:
                break
            add(person, rng.choice(titles), department_id, department, rng.choice([head, *leads]))

    leave_balances = {
        e: {
            "vacation": float(rng.randint(3, 25)),
            "sick": float(rng.randint(2, 10)),
            "personal": float(rng.randint(0, 3)),
        }
        for e in employees
    }
    leave_requests: dict[str, Any] = {}
    number = 3001
    for employee_id in rng.sample([e for e in employees if employees[e]["manager_id"]], 14):
        start = today + dt.timedelta(days=rng.randint(-40, 60))
        while start.weekday() >= 5:
            start += dt.timedelta(days=1)
        end = start + dt.timedelta(days=rng.randint(0, 4))
        status = "pending" if start > today and rng.random() < 0.6 else rng.choice(("approved", "approved", "rejected"))
        leave_type = rng.choice(("vacation", "vacation", "personal", "sick")) if status != "pending" else "vacation"
        days = float(working_days(start, end))
        if status == "pending" and days > leave_balances[employee_id]["vacation"]:
            leave_balances[employee_id]["vacation"] += days
        leave_requests[f"LR-{number}"] = {
            "leave_request_id": f"LR-{number}",
            "employee_id": employee_id,
            "leave_type": leave_type,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "days": days,
            "status": status,
            "approver_id": None if status == "pending" else employees[employee_id]["manager_id"],
            "note": "",
        }
        number += 1

    payslips: dict[str, Any] = {}
    for employee in employees.values():
        for period in ("2024-12", "2025-01", "2025-02"):
            slip = _payslip(employee, period)
            payslips[slip["payslip_id"]] = slip

    reviews: dict[str, Any] = {}
    review_number = 801
    for employee in employees.values():
        if employee["manager_id"] is None:
            continue
        for cycle in ("2024-H1", "2024-H2"):
            if rng.random() < 0.8:
                reviews[f"RV-{review_number}"] = {
                    "review_id": f"RV-{review_number}",
                    "employee_id": employee["employee_id"],
                    "reviewer_id": employee["manager_id"],
                    "cycle": cycle,
                    "rating": rng.choice((2, 3, 3, 4, 4, 5)),
                    "summary": rng.choice(_REVIEW_TEXT),
                }
                review_number += 1

    job_openings: dict[str, Any] = {}
    applications: dict[str, Any] = {}
    application_number = 6001
    candidates = iter(rng.sample(range(200, 320), 60))
    for k, job_number in enumerate(sorted(rng.sample(range(200, 299), 8))):
        department, titles = rng.choice(_DEPARTMENTS)
        department_id = next(d for d in departments.values() if d["name"] == department)["department_id"]
        head = departments[department_id]["head_employee_id"]
        job_id = f"JOB-{job_number}"
        job_openings[job_id] = {
            "job_id": job_id,
            "title": rng.choice(titles),
            "department_id": department_id,
            "location": employees[head]["office_city"],
            "status": "closed" if k == 7 else "open",
            "hiring_manager_id": head,
            "posted_date": (today - dt.timedelta(days=rng.randint(5, 60))).isoformat(),
            "annual_salary": round(_SALARY_USD[department] * USD_RATES[employees[head]["currency"]], -2),
        }
        for _ in range(rng.randint(1, 5)):
            name = person_name(next(candidates))
            reached = rng.randint(0, 3)
            stage = HIRING_PIPELINE[reached] if rng.random() > 0.2 else "rejected"
            applied = today - dt.timedelta(days=rng.randint(1, 30))
            history = [{"stage": s, "date": applied.isoformat()} for s in HIRING_PIPELINE[: reached + 1]]
            if stage == "rejected":
                history.append({"stage": "rejected", "date": applied.isoformat()})
            applications[f"APP-{application_number}"] = {
                "application_id": f"APP-{application_number}",
                "job_id": job_id,
                "candidate_name": name,
                "candidate_email": email_of(name, "mail.example.org"),
                "stage": stage,
                "applied_date": applied.isoformat(),
                "history": history,
                "employee_id": None,
            }
            application_number += 1

    onboarding: dict[str, Any] = {}
    item_number = 1
    for employee_id in rng.sample([e for e in employees if employees[e]["manager_id"]], 3):
        start = today - dt.timedelta(days=rng.randint(0, 10))
        employees[employee_id]["hire_date"] = start.isoformat()
        items = []
        for task in ONBOARDING_TASKS:
            done = rng.random() < 0.4
            items.append(
                {
                    "item_id": f"OB-{item_number}",
                    "task": task,
                    "done": done,
                    "completed_date": start.isoformat() if done else None,
                }
            )
            item_number += 1
        onboarding[employee_id] = {"start_date": start.isoformat(), "items": items}

    return {
        "today": TODAY,
        "open_review_cycles": list(OPEN_REVIEW_CYCLES),
        "departments": departments,
        "employees": employees,
        "leave_balances": leave_balances,
        "leave_requests": leave_requests,
        "payslips": payslips,
        "reviews": reviews,
        "job_openings": job_openings,
        "applications": applications,
        "onboarding": onboarding,
        "next_employee_number": 9001,
        "next_leave_request_number": number,
        "next_review_number": review_number,
        "next_application_number": application_number,
        "next_onboarding_item_number": item_number,
    }


_HIRE = [
    ("search_job_openings", {"keyword": "Account Executive"}),
    ("list_job_applications", {"job_id": "$0.job_openings.0.job_id", "stage": "offer"}),
    ("advance_application_stage", {"application_id": "$1.applications.0.application_id", "stage": "hired"}),
]

DOMAIN = Domain(
    name="hr",
    description=(
        "Human resources: find employees and departments, the reporting line, leave balances and leave "
        "requests approved by the direct manager, payslips, performance reviews, job openings with a hiring "
        "pipeline, and new hires' onboarding checklists."
    ),
    environment_class=HrAPI,
    generate_state=generate_state,
    crowd=crowd_state,
    chains=(
        Chain(
            "leave_request_approval",
            "Book leave for a named employee and approve it as their manager: the employee id comes from "
            "find_employee, the approver id is manager_id from get_employee, the request id from request_leave.",
            ("find_employee", "get_employee", "request_leave", "approve_leave_request"),
        ),
        Chain(
            "payslip_lookup",
            "Show a named employee's latest net pay breakdown: name -> employee id -> available months -> payslip.",
            ("find_employee", "list_payslips", "get_payslip"),
        ),
        Chain(
            "hire_and_onboard",
            "Take a candidate from offer to hired for a job found by title, then start their onboarding: "
            "hiring creates the employee id the onboarding tools need.",
            (
                "search_job_openings",
                "list_job_applications",
                "advance_application_stage",
                "get_onboarding_checklist",
                "complete_onboarding_item",
            ),
        ),
        Chain(
            "apply_and_screen",
            "Register a candidate for an opening found by title and move them to screening.",
            ("search_job_openings", "apply_to_job", "advance_application_stage"),
        ),
        Chain(
            "manager_review",
            "Write a named employee's review as their manager: the reviewer id is manager_id from get_employee.",
            ("find_employee", "get_employee", "submit_performance_review"),
        ),
        Chain(
            "department_leave_overview",
            "Leave balances of a department's people: department name -> department id -> employee ids -> balances.",
            ("list_departments", "list_department_employees", "get_leave_balance"),
        ),
        Chain(
            "office_weather",
            "Weather at a named employee's office: get_employee gives the office city, weather needs its location id.",
            ("find_employee", "get_employee", "weather.get_location_id", "weather.get_current_weather"),
        ),
        Chain(
            "message_my_manager",
            "Chat with a named employee's manager: get_employee gives manager_id, the manager's profile gives the "
            "email that finds their chat user id.",
            (
                "find_employee",
                "get_employee",
                "get_employee",
                "messaging.find_user_by_email",
                "messaging.send_chat_message",
            ),
        ),
    ),
    examples={
        "find_employee": [("find_employee", {"name": "Farid Tanaka"})],
        "get_employee": [
            ("find_employee", {"name": "Farid Tanaka"}),
            ("get_employee", {"employee_id": "$0.employees.0.employee_id"}),
        ],
        "list_departments": [("list_departments", {})],
        "list_department_employees": [
            ("list_departments", {}),
            ("list_department_employees", {"department_id": "$0.departments.1.department_id"}),
        ],
        "get_manager_chain": [
            ("find_employee", {"name": "Farid Tanaka"}),
            ("get_manager_chain", {"employee_id": "$0.employees.0.employee_id"}),
        ],
        "get_leave_balance": [
            ("find_employee", {"name": "Olga Weber"}),
            ("get_leave_balance", {"employee_id": "$0.employees.0.employee_id"}),
        ],
        "list_leave_requests": [("list_leave_requests", {"status": "pending"})],
        "request_leave": [
            ("find_employee", {"name": "Olga Weber"}),
            (
                "request_leave",
                {
                    "employee_id": "$0.employees.0.employee_id",
                    "leave_type": "vacation",
                    "start_date": "2025-03-24",
                    "end_date": "2025-03-28",
                    "note": "Family trip",
                },
            ),
        ],
        "approve_leave_request": [
            ("list_leave_requests", {"status": "pending"}),
            ("get_employee", {"employee_id": "$0.leave_requests.0.employee_id"}),
            (
                "approve_leave_request",
                {"leave_request_id": "$0.leave_requests.0.leave_request_id", "manager_id": "$1.manager_id"},
            ),
        ],
        "reject_leave_request": [
            ("list_leave_requests", {"status": "pending"}),
            ("get_employee", {"employee_id": "$0.leave_requests.0.employee_id"}),
            (
                "reject_leave_request",
                {"leave_request_id": "$0.leave_requests.0.leave_request_id", "manager_id": "$1.manager_id"},
            ),
        ],
        "list_payslips": [
            ("find_employee", {"name": "Farid Tanaka"}),
            ("list_payslips", {"employee_id": "$0.employees.0.employee_id"}),
        ],
        "get_payslip": [
            ("find_employee", {"name": "Farid Tanaka"}),
            ("get_payslip", {"employee_id": "$0.employees.0.employee_id", "period": "2025-02"}),
        ],
        "get_performance_reviews": [
            ("find_employee", {"name": "Farid Tanaka"}),
            ("get_performance_reviews", {"employee_id": "$0.employees.0.employee_id"}),
        ],
        "submit_performance_review": [
            ("find_employee", {"name": "Farid Tanaka"}),
            ("get_employee", {"employee_id": "$0.employees.0.employee_id"}),
            (
                "submit_performance_review",
                {
                    "employee_id": "$0.employees.0.employee_id",
                    "manager_id": "$1.manager_id",
                    "cycle": "2025-H1",
                    "rating": 4,
                    "summary": "Shipped the billing migration early and mentors new hires.",
                },
            ),
        ],
        "search_job_openings": [("search_job_openings", {"keyword": "analyst"})],
        "list_job_applications": [
            ("search_job_openings", {"keyword": "analyst"}),
            ("list_job_applications", {"job_id": "$0.job_openings.0.job_id"}),
        ],
        "apply_to_job": [
            ("search_job_openings", {"keyword": "Support Engineer"}),
            (
                "apply_to_job",
                {
                    "job_id": "$0.job_openings.0.job_id",
                    "candidate_name": "Jordan Blake",
                    "candidate_email": "jordan.blake@mail.example.org",
                },
            ),
        ],
        "advance_application_stage": _HIRE,
        "get_onboarding_checklist": [
            ("find_employee", {"name": "Hana Yilmaz"}),
            ("get_onboarding_checklist", {"employee_id": "$0.employees.0.employee_id"}),
        ],
        "complete_onboarding_item": [
            *_HIRE,
            ("get_onboarding_checklist", {"employee_id": "$2.employee_id"}),
            ("complete_onboarding_item", {"employee_id": "$2.employee_id", "item_id": "$3.items.0.item_id"}),
        ],
    },
)
