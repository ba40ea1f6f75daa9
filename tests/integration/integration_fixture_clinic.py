"""A clinic front desk written the way third-party tool classes are: no HardGen decorator, state
loaded by `_load_scenario`, schemas only in a BFCL-style JSON docs file
(tests/integration/data/clinic_docs.json), errors raised as plain exceptions."""

from __future__ import annotations

import copy
from typing import Any


class ClinicDesk:
    def __init__(self) -> None:
        self.staff: dict[str, dict[str, str]] = {}
        self.patients: dict[str, dict[str, Any]] = {}
        self.doctors: dict[str, dict[str, Any]] = {}
        self.appointments: dict[str, dict[str, Any]] = {}
        self.notes: dict[str, dict[str, Any]] = {}
        self.logged_in_as: str | None = None
        self.next_number = 500

    def _load_scenario(self, scenario: dict[str, Any]) -> None:
        scenario = copy.deepcopy(scenario)
        self.staff = scenario["staff"]
        self.patients = scenario["patients"]
        self.doctors = scenario["doctors"]
        self.appointments = scenario.get("appointments", {})
        self.notes = scenario.get("notes", {})

    def _new_id(self, prefix: str) -> str:
        self.next_number += 1
        return f"{prefix}-{self.next_number}"

    def _need_login(self) -> None:
        if self.logged_in_as is None:
            raise PermissionError("log in at the front desk first")

    def staff_login(self, staff_id: str, password: str) -> dict[str, Any]:
        if self.staff.get(staff_id, {}).get("password") != password:
            raise PermissionError("wrong staff id or password")
        self.logged_in_as = staff_id
        return {"staff_id": staff_id, "logged_in": True}

    def find_patient(self, name: str) -> dict[str, Any]:
        hits = [p for p in self.patients.values() if p["name"].lower() == name.strip().lower()]
        if not hits:
            raise LookupError(f"no patient named {name!r}")
        return dict(hits[0])

    def list_doctors(self) -> dict[str, Any]:
        return {"doctors": [dict(d) for d in self.doctors.values()]}

    def get_doctor_schedule(self, doctor_id: str) -> dict[str, Any]:
        if doctor_id not in self.doctors:
            raise LookupError(f"no doctor {doctor_id!r}")
        booked = sorted(a["date"] for a in self.appointments.values() if a["doctor_id"] == doctor_id)
        return {"doctor_id": doctor_id, "booked_dates": booked}

    def book_appointment(self, patient_id: str, doctor_id: str, date: str) -> dict[str, Any]:
        self._need_login()
        if patient_id not in self.patients or doctor_id not in self.doctors:
            raise LookupError("unknown patient or doctor")
        if any(a["doctor_id"] == doctor_id and a["date"] == date for a in self.appointments.values()):
            raise ValueError(f"the doctor is already booked on {date}")
        appointment = {"appointment_id": self._new_id("AP"), "patient_id": patient_id, "doctor_id": doctor_id,
                       "date": date, "status": "booked"}
        self.appointments[appointment["appointment_id"]] = appointment
        return dict(appointment)

    def list_patient_appointments(self, patient_id: str) -> dict[str, Any]:
        if patient_id not in self.patients:
            raise LookupError(f"no patient {patient_id!r}")
        return {"appointments": [dict(a) for a in self.appointments.values() if a["patient_id"] == patient_id]}

    def cancel_appointment(self, appointment_id: str) -> dict[str, Any]:
        self._need_login()
        appointment = self.appointments.get(appointment_id)
        if appointment is None or appointment["status"] != "booked":
            raise LookupError(f"no booked appointment {appointment_id!r}")
        appointment["status"] = "cancelled"
        return dict(appointment)

    def add_patient_note(self, patient_id: str, text: str) -> dict[str, Any]:
        self._need_login()
        if patient_id not in self.patients:
            raise LookupError(f"no patient {patient_id!r}")
        note = {"note_id": self._new_id("NT"), "patient_id": patient_id, "text": text}
        self.notes[note["note_id"]] = note
        return dict(note)


SCENARIO: dict[str, Any] = {
    "staff": {"ST-7": {"staff_id": "ST-7", "name": "Ivy Mensah", "password": "ivy-lantern-3"},
              "ST-9": {"staff_id": "ST-9", "name": "Theo Brandt", "password": "moss-kettle-8"}},
    "patients": {
        "PA-101": {"patient_id": "PA-101", "name": "Rosa Delgado", "birth_date": "1984-03-12"},
        "PA-102": {"patient_id": "PA-102", "name": "Henrik Olsen", "birth_date": "1990-11-02"},
        "PA-103": {"patient_id": "PA-103", "name": "Amina Yusuf", "birth_date": "1977-06-25"},
    },
    "doctors": {
        "DR-1": {"doctor_id": "DR-1", "name": "Dr. Clara Moreau", "specialty": "dermatology"},
        "DR-2": {"doctor_id": "DR-2", "name": "Dr. Omar Haddad", "specialty": "cardiology"},
        "DR-3": {"doctor_id": "DR-3", "name": "Dr. Lena Fischer", "specialty": "pediatrics"},
    },
    "appointments": {
        "AP-301": {"appointment_id": "AP-301", "patient_id": "PA-101", "doctor_id": "DR-2", "date": "2025-05-06",
                   "status": "booked"},
        "AP-302": {"appointment_id": "AP-302", "patient_id": "PA-103", "doctor_id": "DR-1", "date": "2025-05-09",
                   "status": "booked"},
    },
}
