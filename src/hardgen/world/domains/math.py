"""Math and units: a safe expression evaluator, statistics and percentiles over lists, rounding,
percentages, linear systems, small-matrix operations, a catalogue of measurement units with
conversions, named calculator registers (memory) and stored number datasets.

The registers and datasets are the state: `evaluate_expression("principal * rate")` only works after
`store_register` put `principal` and `rate` in memory, and a user's "what is the median of my
monthly sales?" needs `list_datasets` (name -> `DS-...` id) and `get_dataset` (id -> numbers) before
the statistics tool sees a single number. Unknown units and malformed input fail with
`InvalidArgumentError`, naming what was wrong.
"""

from __future__ import annotations

import ast
import math
import random
import re
import statistics
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._domain import Chain, Domain, load_attributes
from hardgen.world._errors import ConflictError, InvalidArgumentError, NotFoundError

_DOCS = ConfigDict(use_attribute_docstrings=True)

UnitCategory = Literal["length", "mass", "temperature", "volume", "speed", "area"]
RoundingMode = Literal["half_even", "half_up", "down", "up", "floor", "ceiling"]
MAX_MATRIX_SIZE = 6
MAX_REGISTERS = 50
REGISTER_NAME = re.compile(r"[a-z_][a-z0-9_]{0,31}")

# symbol -> (name, category, size of one unit in the category's base unit: m, kg, l, m/s, m2).
UNITS: dict[str, tuple[str, str, float]] = {
    "m": ("metre", "length", 1.0),
    "km": ("kilometre", "length", 1000.0),
    "cm": ("centimetre", "length", 0.01),
    "mm": ("millimetre", "length", 0.001),
    "mi": ("mile", "length", 1609.344),
    "yd": ("yard", "length", 0.9144),
    "ft": ("foot", "length", 0.3048),
    "in": ("inch", "length", 0.0254),
    "nmi": ("nautical mile", "length", 1852.0),
    "kg": ("kilogram", "mass", 1.0),
    "g": ("gram", "mass", 0.001),
    "mg": ("milligram", "mass", 1e-6),
    "t": ("tonne", "mass", 1000.0),
    "lb": ("pound", "mass", 0.45359237),
    "oz": ("ounce", "mass", 0.028349523125),
    "st": ("stone", "mass", 6.35029318),
    "l": ("litre", "volume", 1.0),
    "ml": ("millilitre", "volume", 0.001),
    "m3": ("cubic metre", "volume", 1000.0),
    "gal": ("US gallon", "volume", 3.785411784),
    "qt": ("US quart", "volume", 0.946352946),
    "pt": ("US pint", "volume", 0.473176473),
    "cup": ("US cup", "volume", 0.2365882365),
    "fl_oz": ("US fluid ounce", "volume", 0.0295735295625),
    "m/s": ("metre per second", "speed", 1.0),
    "km/h": ("kilometre per hour", "speed", 1 / 3.6),
    "mph": ("mile per hour", "speed", 0.44704),
    "kn": ("knot", "speed", 1852 / 3600),
    "ft/s": ("foot per second", "speed", 0.3048),
    "m2": ("square metre", "area", 1.0),
    "km2": ("square kilometre", "area", 1e6),
    "ha": ("hectare", "area", 1e4),
    "acre": ("acre", "area", 4046.8564224),
    "ft2": ("square foot", "area", 0.09290304),
    "c": ("degree Celsius", "temperature", 1.0),
    "f": ("degree Fahrenheit", "temperature", 1.0),
    "k": ("kelvin", "temperature", 1.0),
}
# Other ways people write units -> catalogue symbol (matched case-insensitively).
UNIT_ALIASES = {
    "meter": "m",
    "meters": "m",
    "metre": "m",
    "metres": "m",
    "kilometer": "km",
    "kilometers": "km",
    "kilometre": "km",
    "kilometres": "km",
    "centimeter": "cm",
    "centimeters": "cm",
    "millimeter": "mm",
    "millimeters": "mm",
    "mile": "mi",
    "miles": "mi",
    "yard": "yd",
    "yards": "yd",
    "foot": "ft",
    "feet": "ft",
    "inch": "in",
    "inches": "in",
    "nautical mile": "nmi",
    "nautical miles": "nmi",
    "kilogram": "kg",
    "kilograms": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "gram": "g",
    "grams": "g",
    "milligram": "mg",
    "milligrams": "mg",
    "tonne": "t",
    "tonnes": "t",
    "metric ton": "t",
    "pound": "lb",
    "pounds": "lb",
    "lbs": "lb",
    "ounce": "oz",
    "ounces": "oz",
    "stone": "st",
    "liter": "l",
    "liters": "l",
    "litre": "l",
    "litres": "l",
    "milliliter": "ml",
    "milliliters": "ml",
    "gallon": "gal",
    "gallons": "gal",
    "quart": "qt",
    "quarts": "qt",
    "pint": "pt",
    "pints": "pt",
    "cups": "cup",
    "fluid ounce": "fl_oz",
    "fluid ounces": "fl_oz",
    "kph": "km/h",
    "kmh": "km/h",
    "knot": "kn",
    "knots": "kn",
    "celsius": "c",
    "°c": "c",
    "fahrenheit": "f",
    "°f": "f",
    "kelvin": "k",
    "hectare": "ha",
    "hectares": "ha",
    "acres": "acre",
    "sq m": "m2",
    "sq ft": "ft2",
}

_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt,
    "abs": abs,
    "round": round,
    "min": min,
    "max": max,
    "log": math.log,
    "log10": math.log10,
    "exp": math.exp,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "floor": math.floor,
    "ceil": math.ceil,
}
_CONSTANTS = {"pi": math.pi, "e": math.e}
_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
}


class ExpressionResult(TypedDict):
    expression: str
    result: float
    registers_used: list[str]


@with_config(_DOCS)
class Statistics(TypedDict):
    count: int
    sum: float
    mean: float
    median: float
    min: float
    max: float
    range: float
    variance: float | None
    """Sample variance (n - 1 denominator); null for a single value."""
    stdev: float | None
    """Sample standard deviation; null for a single value."""


class PercentileResult(TypedDict):
    percentile: float
    method: Literal["linear", "nearest"]
    value: float


class RoundedNumber(TypedDict):
    value: float
    decimals: int
    mode: RoundingMode
    result: float


class PercentageResult(TypedDict):
    part: float
    whole: float
    percent: float


class PercentageChange(TypedDict):
    old_value: float
    new_value: float
    change: float
    percent_change: float


class LinearSolution(TypedDict):
    solution: list[float]
    """Values of the unknowns x1..xn, in the order of the coefficient columns."""


@with_config(_DOCS)
class Conversion(TypedDict):
    value: float
    from_unit: str
    """Catalogue symbol the input was read as."""
    to_unit: str
    result: float
    category: UnitCategory


class UnitInfo(TypedDict):
    symbol: str
    name: str
    category: UnitCategory


class UnitCatalogue(TypedDict):
    units: list[UnitInfo]


class MatrixResult(TypedDict):
    matrix: list[list[float]]
    rows: int
    columns: int


class DeterminantResult(TypedDict):
    determinant: float
    size: int


@with_config(_DOCS)
class RegisterValue(TypedDict):
    name: str
    """Register name; evaluate_expression can use it as a variable."""
    value: float


class RegisterList(TypedDict):
    registers: list[RegisterValue]


class ClearedRegister(TypedDict):
    name: str
    cleared: bool
    last_value: float


@with_config(_DOCS)
class DatasetSummary(TypedDict):
    dataset_id: str
    """Dataset id (e.g. DS-417); get_dataset needs it."""
    name: str
    unit: str
    count: int


class DatasetList(TypedDict):
    datasets: list[DatasetSummary]


@with_config(_DOCS)
class Dataset(TypedDict):
    dataset_id: str
    """Dataset id (e.g. DS-417)."""
    name: str
    unit: str
    values: list[float]


def _clean(x: float) -> float:
    """Round away float noise (0.1 + 0.2 -> 0.3) without hiding real precision."""
    if isinstance(x, float) and not math.isfinite(x):
        raise InvalidArgumentError("the result is not a finite number (overflow or an undefined operation)")
    return float(round(x, 10)) if x != 0 else 0.0


def _values(values: list[float], what: str = "values") -> list[float]:
    if not values:
        raise InvalidArgumentError(f"{what} is empty; give at least one number")
    if len(values) > 10_000:
        raise InvalidArgumentError(f"{what} has more than 10000 numbers")
    if not all(math.isfinite(v) for v in values):
        raise InvalidArgumentError(f"{what} contains a non-finite number")
    return [float(v) for v in values]


def _matrix(matrix: list[list[float]], what: str) -> list[list[float]]:
    if not matrix or not matrix[0]:
        raise InvalidArgumentError(f"{what} is empty")
    width = len(matrix[0])
    if any(len(row) != width for row in matrix):
        raise InvalidArgumentError(f"{what} is not rectangular: every row needs {width} numbers")
    if len(matrix) > MAX_MATRIX_SIZE or width > MAX_MATRIX_SIZE:
        raise InvalidArgumentError(f"{what} is larger than {MAX_MATRIX_SIZE}x{MAX_MATRIX_SIZE}")
    return [[float(x) for x in row] for row in matrix]


def _square(matrix: list[list[float]], what: str) -> list[list[float]]:
    m = _matrix(matrix, what)
    if len(m) != len(m[0]):
        raise InvalidArgumentError(f"{what} must be square, got {len(m)}x{len(m[0])}")
    return m


def _eliminate(m: list[list[float]], rhs: list[list[float]]) -> tuple[float, list[list[float]]]:
    """Gauss-Jordan elimination with partial pivoting on m (n x n), applied to rhs (n x k) too.

    Returns the determinant of m and the solution X of m X = rhs (X empty if m is singular)."""
    n = len(m)
    a = [row[:] + extra[:] for row, extra in zip(m, rhs, strict=True)]
    det = 1.0
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            return 0.0, []
        if pivot != col:
            a[col], a[pivot] = a[pivot], a[col]
            det = -det
        det *= a[col][col]
        lead = a[col][col]
        a[col] = [x / lead for x in a[col]]
        for r in range(n):
            if r != col and a[r][col] != 0:
                factor = a[r][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return det, [row[n:] for row in a]


def _unit(text: str) -> str:
    key = " ".join(text.strip().lower().split())
    key = UNIT_ALIASES.get(key, key)
    if key not in UNITS:
        raise InvalidArgumentError(f"unknown unit {text!r}; list_measurement_units shows the supported units")
    return key


class MathAPI:
    """A calculator with memory registers and stored datasets, plus unit conversion and matrices."""

    def __init__(self) -> None:
        self.registers: dict[str, float] = {}
        self.datasets: dict[str, dict[str, Any]] = {}
        self.next_dataset_number: int = 101

    def load_state(self, state: dict[str, Any]) -> None:
        """Load a state made by `generate_state` (unknown keys are an error, not silently ignored)."""
        load_attributes(self, state, "math")

    # -- expressions -----------------------------------------------------------------------------
    @tool
    def evaluate_expression(self, expression: str) -> ExpressionResult:
        """Evaluate an arithmetic expression; register names stored with store_register act as variables.

        Supports + - * / // % ** and parentheses, the constants pi and e, and the functions sqrt, abs,
        round, min, max, log, log10, exp, sin, cos, tan, floor, ceil. Example: "principal * (1 + rate) ** 3".

        Args:
            expression: The expression, at most 300 characters.

        Returns:
            The value and which registers it read.
        """
        if not expression.strip() or len(expression) > 300:
            raise InvalidArgumentError("expression must be 1 to 300 characters")
        try:
            tree = ast.parse(expression.strip(), mode="eval")
        except SyntaxError:
            raise InvalidArgumentError(f"cannot parse {expression!r} as an arithmetic expression") from None
        used: list[str] = []

        def walk(node: ast.AST) -> float:
            if isinstance(node, ast.Expression):
                return walk(node.body)
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, (int, float))
                and not isinstance(node.value, bool)
            ):
                return node.value
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
                value = walk(node.operand)
                return -value if isinstance(node.op, ast.USub) else value
            if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
                left, right = walk(node.left), walk(node.right)
                if isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)) and right == 0:
                    raise InvalidArgumentError("division by zero")
                if isinstance(node.op, ast.Pow) and (abs(right) > 1000 or abs(left) > 1e100):
                    raise InvalidArgumentError("power too large")
                result = _BINARY[type(node.op)](left, right)
                if isinstance(result, complex):
                    raise InvalidArgumentError("the result is a complex number (fractional power of a negative)")
                return result
            if isinstance(node, ast.Name):
                name = node.id.lower()
                if name in _CONSTANTS:
                    return _CONSTANTS[name]
                if name in self.registers:
                    if name not in used:
                        used.append(name)
                    return self.registers[name]
                raise NotFoundError(f"no register {node.id!r}; store_register it first, or list_registers to see names")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _FUNCTIONS
                and not node.keywords
            ):
                args = [walk(a) for a in node.args]
                try:
                    return _FUNCTIONS[node.func.id](*args)
                except (ValueError, TypeError) as exc:
                    raise InvalidArgumentError(f"{node.func.id}: {exc}") from None
            raise InvalidArgumentError(f"{ast.unparse(node)!r} is not allowed in an expression")

        try:
            value = float(walk(tree))
        except OverflowError:
            raise InvalidArgumentError("the result is too large") from None
        return {"expression": expression.strip(), "result": _clean(value), "registers_used": used}

    # -- statistics ------------------------------------------------------------------------------
    @tool
    def calculate_statistics(self, values: list[float]) -> Statistics:
        """Descriptive statistics of a list of numbers: count, sum, mean, median, min, max, range,
        sample variance and sample standard deviation.

        Args:
            values: The numbers (1 to 10000), e.g. the values of a dataset from get_dataset.

        Returns:
            The statistics.
        """
        xs = _values(values)
        many = len(xs) > 1
        return {
            "count": len(xs),
            "sum": _clean(math.fsum(xs)),
            "mean": _clean(statistics.fmean(xs)),
            "median": _clean(statistics.median(xs)),
            "min": min(xs),
            "max": max(xs),
            "range": _clean(max(xs) - min(xs)),
            "variance": _clean(statistics.variance(xs)) if many else None,
            "stdev": _clean(statistics.stdev(xs)) if many else None,
        }

    @tool
    def calculate_percentile(
        self,
        values: list[float],
        percentile: Annotated[float, Field(ge=0, le=100)],
        method: Literal["linear", "nearest"] = "linear",
    ) -> PercentileResult:
        """The p-th percentile of a list of numbers (50 is the median, 90 the value 90% of the data are below).

        Args:
            values: The numbers (1 to 10000).
            percentile: Which percentile, 0 to 100.
            method: "linear" interpolates between the two closest ranks; "nearest" picks the nearest rank.

        Returns:
            The percentile value.
        """
        xs = sorted(_values(values))
        position = (len(xs) - 1) * percentile / 100
        if method == "nearest":
            value = xs[int(Decimal(position).quantize(Decimal(1), rounding=ROUND_HALF_UP))]
        else:
            low = math.floor(position)
            high = min(low + 1, len(xs) - 1)
            value = xs[low] + (xs[high] - xs[low]) * (position - low)
        return {"percentile": percentile, "method": method, "value": _clean(value)}

    # -- arithmetic helpers ----------------------------------------------------------------------
    @tool
    def round_number(
        self, value: float, decimals: Annotated[int, Field(ge=-10, le=10)] = 0, mode: RoundingMode = "half_up"
    ) -> RoundedNumber:
        """Round a number to a number of decimal places with an explicit rounding rule.

        Args:
            value: The number to round.
            decimals: Decimal places to keep; negative rounds to tens, hundreds, ... (-2 -> nearest 100).
            mode: half_up (2.5 -> 3), half_even (banker's: 2.5 -> 2), down (toward zero), up (away
                from zero), floor (toward -infinity), ceiling (toward +infinity).

        Returns:
            The rounded number.
        """
        if not math.isfinite(value):
            raise InvalidArgumentError("value must be a finite number")
        rounding = {
            "half_even": ROUND_HALF_EVEN,
            "half_up": ROUND_HALF_UP,
            "down": ROUND_DOWN,
            "up": ROUND_UP,
            "floor": ROUND_FLOOR,
            "ceiling": ROUND_CEILING,
        }[mode]
        quantum = Decimal(1).scaleb(-decimals)
        result = Decimal(repr(value)).quantize(quantum, rounding=rounding)
        return {"value": value, "decimals": decimals, "mode": mode, "result": float(result)}

    @tool
    def calculate_percentage(self, part: float, whole: float) -> PercentageResult:
        """What percent `part` is of `whole` (e.g. 45 of 180 is 25%).

        Args:
            part: The portion.
            whole: The total; must not be 0.

        Returns:
            The percentage.
        """
        if whole == 0:
            raise InvalidArgumentError("whole must not be 0")
        return {"part": part, "whole": whole, "percent": _clean(100 * part / whole)}

    @tool
    def calculate_percentage_change(self, old_value: float, new_value: float) -> PercentageChange:
        """Absolute and percentage change from an old value to a new one (e.g. 80 -> 100 is +25%).

        Args:
            old_value: The starting value; must not be 0.
            new_value: The ending value.

        Returns:
            The change and the percent change (negative for a decrease).
        """
        if old_value == 0:
            raise InvalidArgumentError("old_value must not be 0 (percent change from zero is undefined)")
        return {
            "old_value": old_value,
            "new_value": new_value,
            "change": _clean(new_value - old_value),
            "percent_change": _clean(100 * (new_value - old_value) / abs(old_value)),
        }

    @tool
    def solve_linear_system(self, coefficients: list[list[float]], constants: list[float]) -> LinearSolution:
        """Solve n linear equations in n unknowns (n = 1 to 6): coefficients x = constants.

        Example: 2x + y = 5 and x - y = 1 is coefficients [[2, 1], [1, -1]], constants [5, 1].

        Args:
            coefficients: n rows of n numbers, one row per equation.
            constants: The n right-hand sides.

        Returns:
            The unique solution.
        """
        m = _square(coefficients, "coefficients")
        if len(constants) != len(m):
            raise InvalidArgumentError(f"constants needs {len(m)} numbers, one per equation, got {len(constants)}")
        _det, solution = _eliminate(m, [[float(c)] for c in constants])
        if not solution:
            raise InvalidArgumentError("the system has no unique solution (the coefficient matrix is singular)")
        return {"solution": [_clean(row[0]) for row in solution]}

    # -- matrices --------------------------------------------------------------------------------
    @tool
    def multiply_matrices(self, a: list[list[float]], b: list[list[float]]) -> MatrixResult:
        """Matrix product a x b of matrices up to 6x6; a's column count must equal b's row count.

        Args:
            a: Left matrix, as a list of rows.
            b: Right matrix, as a list of rows.

        Returns:
            The product matrix and its shape.
        """
        left, right = _matrix(a, "a"), _matrix(b, "b")
        if len(left[0]) != len(right):
            raise InvalidArgumentError(
                f"cannot multiply {len(left)}x{len(left[0])} by {len(right)}x{len(right[0])}: inner sizes differ"
            )
        product = [
            [_clean(math.fsum(x * y for x, y in zip(row, col, strict=True))) for col in zip(*right, strict=True)]
            for row in left
        ]
        return {"matrix": product, "rows": len(product), "columns": len(product[0])}

    @tool
    def calculate_determinant(self, matrix: list[list[float]]) -> DeterminantResult:
        """Determinant of a square matrix up to 6x6.

        Args:
            matrix: The matrix, as a list of rows.

        Returns:
            The determinant (0 for a singular matrix).
        """
        m = _square(matrix, "matrix")
        det, _ = _eliminate(m, [[] for _ in m])
        return {"determinant": _clean(det), "size": len(m)}

    @tool
    def invert_matrix(self, matrix: list[list[float]]) -> MatrixResult:
        """Inverse of a square, non-singular matrix up to 6x6.

        Args:
            matrix: The matrix, as a list of rows.

        Returns:
            The inverse matrix.
        """
        m = _square(matrix, "matrix")
        identity = [[1.0 if i == j else 0.0 for j in range(len(m))] for i in range(len(m))]
        _det, inverse = _eliminate(m, identity)
        if not inverse:
            raise InvalidArgumentError("the matrix is singular (determinant 0) and has no inverse")
        return {"matrix": [[_clean(x) for x in row] for row in inverse], "rows": len(m), "columns": len(m)}

    # -- units -----------------------------------------------------------------------------------
    @tool
    def convert_measurement(self, value: float, from_unit: str, to_unit: str) -> Conversion:
        """Convert a measurement between units of the same kind (length, mass, temperature, volume, speed, area).

        Units are catalogue symbols ("km", "mi", "lb", "c", "f", "gal", "km/h", "acre") or common names
        ("miles", "pounds", "celsius"); list_measurement_units shows them all.

        Args:
            value: The amount to convert.
            from_unit: The unit of value.
            to_unit: The unit wanted.

        Returns:
            The converted value, with the units as catalogue symbols and their category.
        """
        source, target = _unit(from_unit), _unit(to_unit)
        _, category, size_from = UNITS[source]
        _, target_category, size_to = UNITS[target]
        if category != target_category:
            raise InvalidArgumentError(f"cannot convert {category} ({source}) to {target_category} ({target})")
        if category == "temperature":
            kelvin = {"c": value + 273.15, "f": (value - 32) * 5 / 9 + 273.15, "k": value}[source]
            if kelvin < 0:
                raise InvalidArgumentError(f"{value} {source.upper()} is below absolute zero")
            result = {"c": kelvin - 273.15, "f": (kelvin - 273.15) * 9 / 5 + 32, "k": kelvin}[target]
        else:
            result = value * size_from / size_to
        return {"value": value, "from_unit": source, "to_unit": target, "result": _clean(result), "category": category}  # type: ignore[typeddict-item]

    @tool
    def list_measurement_units(self, category: UnitCategory | None = None) -> UnitCatalogue:
        """The measurement units convert_measurement accepts, optionally of one category.

        Args:
            category: Only units of this kind.

        Returns:
            Each unit's symbol, name and category.
        """
        units = [
            {"symbol": symbol, "name": name, "category": cat}
            for symbol, (name, cat, _) in UNITS.items()
            if category is None or cat == category
        ]
        return {"units": units}  # type: ignore[typeddict-item]

    # -- registers -------------------------------------------------------------------------------
    @staticmethod
    def _register_name(name: str) -> str:
        key = name.strip().lower()
        if not REGISTER_NAME.fullmatch(key):
            raise InvalidArgumentError(
                f"register name {name!r} must start with a letter or _ and use letters, digits, _ (at most 32)"
            )
        if key in _FUNCTIONS or key in _CONSTANTS:
            raise InvalidArgumentError(f"{key!r} is a built-in function or constant; pick another register name")
        return key

    @tool(mutates=True)
    def store_register(self, name: str, value: float, overwrite: bool = False) -> RegisterValue:
        """Store a number in a named memory register, to use later in evaluate_expression or recall_register.

        Args:
            name: Register name, e.g. "rate" (letters, digits, _; case-insensitive).
            value: The number to store.
            overwrite: Replace the register's value if the name is taken; otherwise that is an error.

        Returns:
            The stored register.
        """
        key = self._register_name(name)
        if not math.isfinite(value):
            raise InvalidArgumentError("value must be a finite number")
        if key in self.registers and not overwrite:
            raise ConflictError(
                f"register {key!r} already holds {self.registers[key]:g}; pass overwrite=true to replace it"
            )
        if key not in self.registers and len(self.registers) >= MAX_REGISTERS:
            raise ConflictError(f"all {MAX_REGISTERS} registers are in use; clear_register one first")
        self.registers[key] = float(value)
        return {"name": key, "value": float(value)}

    @tool
    def recall_register(self, name: str) -> RegisterValue:
        """Read the number stored in a register.

        Args:
            name: Register name.

        Returns:
            The register's value.
        """
        key = name.strip().lower()
        if key not in self.registers:
            raise NotFoundError(f"no register {name!r}; list_registers shows the stored names")
        return {"name": key, "value": self.registers[key]}

    @tool
    def list_registers(self) -> RegisterList:
        """Every stored register and its value.

        Returns:
            The registers, sorted by name.
        """
        return {"registers": [{"name": k, "value": v} for k, v in sorted(self.registers.items())]}

    @tool(mutates=True)
    def clear_register(self, name: str) -> ClearedRegister:
        """Delete a register from memory.

        Args:
            name: Register name.

        Returns:
            The cleared register's name and its last value.
        """
        key = name.strip().lower()
        if key not in self.registers:
            raise NotFoundError(f"no register {name!r}; list_registers shows the stored names")
        return {"name": key, "cleared": True, "last_value": self.registers.pop(key)}

    # -- datasets --------------------------------------------------------------------------------
    @tool
    def list_datasets(self) -> DatasetList:
        """The stored number datasets (e.g. "monthly_sales_2024") with their ids.

        Returns:
            Each dataset's id, name, unit and number of values.
        """
        rows: list[DatasetSummary] = [
            {"dataset_id": d["dataset_id"], "name": d["name"], "unit": d["unit"], "count": len(d["values"])}
            for d in self.datasets.values()
        ]
        return {"datasets": sorted(rows, key=lambda d: d["name"])}

    @tool
    def get_dataset(self, dataset_id: str) -> Dataset:
        """The values of a stored dataset.

        Args:
            dataset_id: Dataset id, e.g. "DS-417" (from list_datasets).

        Returns:
            The dataset with its values in stored order.
        """
        if dataset_id not in self.datasets:
            raise NotFoundError(f"no dataset {dataset_id!r}; list_datasets shows dataset ids by name")
        d = self.datasets[dataset_id]
        return {"dataset_id": dataset_id, "name": d["name"], "unit": d["unit"], "values": list(d["values"])}

    @tool(mutates=True)
    def create_dataset(self, name: str, values: list[float], unit: str = "") -> DatasetSummary:
        """Store a list of numbers as a named dataset.

        Args:
            name: Dataset name, unique, e.g. "march_expenses" (letters, digits, _; at most 40).
            values: The numbers (1 to 10000).
            unit: What the numbers measure, e.g. "EUR" or "ms" (at most 20 characters).

        Returns:
            The new dataset's id, name, unit and size.
        """
        key = name.strip().lower()
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
            raise InvalidArgumentError(f"dataset name {name!r} must start with a letter and use letters, digits, _")
        if len(unit) > 20:
            raise InvalidArgumentError("unit is longer than 20 characters")
        xs = _values(values)
        for d in self.datasets.values():
            if d["name"] == key:
                raise ConflictError(f"a dataset named {key!r} exists ({d['dataset_id']})")
        dataset_id = f"DS-{self.next_dataset_number}"
        self.next_dataset_number += 1
        self.datasets[dataset_id] = {"dataset_id": dataset_id, "name": key, "unit": unit.strip(), "values": xs}
        return {"dataset_id": dataset_id, "name": key, "unit": unit.strip(), "count": len(xs)}


# -- generated worlds ----------------------------------------------------------------------------
def generate_state(seed: int) -> dict[str, Any]:
    """Calculator memory with a few registers and six stored datasets of seeded numbers."""
    rng = random.Random(seed)
    registers = {
        "tax_rate": rng.choice((0.07, 0.19, 0.2, 0.21, 0.23)),
        "budget": float(rng.randrange(1500, 6000, 50)),
        "hourly_rate": float(rng.randrange(25, 150, 5)),
    }
    base_sales = rng.uniform(8000, 20000)
    generators: list[tuple[str, str, list[float]]] = [
        ("monthly_sales_2024", "USD", [round(base_sales * rng.uniform(0.7, 1.4), 2) for _ in range(12)]),
        ("daily_steps_march", "steps", [float(rng.randint(2500, 16000)) for _ in range(14)]),
        ("server_latency_ms", "ms", [round(rng.lognormvariate(3.5, 0.5), 1) for _ in range(40)]),
        ("exam_scores", "points", [float(min(100, max(20, round(rng.gauss(72, 12))))) for _ in range(25)]),
        ("fuel_prices", "EUR/l", [round(rng.uniform(1.55, 1.95), 3) for _ in range(10)]),
        ("weekly_run_km", "km", [round(rng.uniform(3, 21), 1) for _ in range(8)]),
    ]
    numbers = rng.sample(range(100, 999), len(generators))
    datasets = {
        f"DS-{n}": {"dataset_id": f"DS-{n}", "name": name, "unit": unit, "values": values}
        for n, (name, unit, values) in zip(numbers, generators, strict=True)
    }
    return {"registers": registers, "datasets": datasets, "next_dataset_number": 1000}


_DATASET_VALUES = [("list_datasets", {}), ("get_dataset", {"dataset_id": "$0.datasets.0.dataset_id"})]

DOMAIN = Domain(
    name="math",
    description=(
        "Math and units: evaluate expressions with named memory registers, statistics and percentiles over "
        "stored datasets or lists, rounding, percentages, linear systems, matrices and unit conversion."
    ),
    environment_class=MathAPI,
    generate_state=generate_state,
    chains=(
        Chain(
            "register_arithmetic",
            "Put a number in memory, compute with it by name, keep the result: the expression only works after "
            "the register exists, and its result is the value stored next.",
            ("store_register", "evaluate_expression", "store_register"),
        ),
        Chain(
            "dataset_summary",
            "Statistics of a dataset the user names: name -> dataset id -> values -> statistics.",
            ("list_datasets", "get_dataset", "calculate_statistics"),
        ),
        Chain(
            "dataset_percentile_to_memory",
            "Keep the 90th percentile of a named dataset in a register for later calculations.",
            ("list_datasets", "get_dataset", "calculate_percentile", "store_register"),
        ),
        Chain(
            "solve_then_use",
            "Solve a linear system, store one unknown, use it in an expression.",
            ("solve_linear_system", "store_register", "evaluate_expression"),
        ),
        Chain(
            "convert_then_round",
            "Convert a measurement, round the result as asked, and keep it in memory.",
            ("convert_measurement", "round_number", "store_register"),
        ),
        Chain(
            "forecast_statistics",
            "Mean and spread of the coming week's highs in a city: weather gives the numbers, math the statistics.",
            ("weather.get_location_id", "weather.get_weather_forecast", "calculate_statistics"),
        ),
        Chain(
            "route_in_miles",
            "A route's length in miles: maps gives kilometres between geocoded places, math converts.",
            ("maps.geocode_address", "maps.geocode_address", "maps.get_directions", "convert_measurement"),
        ),
    ),
    examples={
        "evaluate_expression": [
            ("store_register", {"name": "principal", "value": 1200}),
            ("evaluate_expression", {"expression": "principal * (1 + tax_rate)"}),
        ],
        "calculate_statistics": [*_DATASET_VALUES, ("calculate_statistics", {"values": "$1.values"})],
        "calculate_percentile": [("calculate_percentile", {"values": [12, 15, 11, 19, 23, 14], "percentile": 90})],
        "round_number": [("round_number", {"value": 2.675, "decimals": 2, "mode": "half_even"})],
        "calculate_percentage": [("calculate_percentage", {"part": 45, "whole": 180})],
        "calculate_percentage_change": [("calculate_percentage_change", {"old_value": 80, "new_value": 100})],
        "solve_linear_system": [("solve_linear_system", {"coefficients": [[2, 1], [1, -1]], "constants": [5, 1]})],
        "multiply_matrices": [("multiply_matrices", {"a": [[1, 2], [3, 4]], "b": [[5, 6], [7, 8]]})],
        "calculate_determinant": [("calculate_determinant", {"matrix": [[4, 3], [6, 3]]})],
        "invert_matrix": [("invert_matrix", {"matrix": [[4, 7], [2, 6]]})],
        "convert_measurement": [("convert_measurement", {"value": 26.2, "from_unit": "miles", "to_unit": "km"})],
        "list_measurement_units": [("list_measurement_units", {"category": "volume"})],
        "store_register": [("store_register", {"name": "principal", "value": 1200})],
        "recall_register": [("recall_register", {"name": "budget"})],
        "list_registers": [("list_registers", {})],
        "clear_register": [("clear_register", {"name": "hourly_rate"})],
        "list_datasets": [("list_datasets", {})],
        "get_dataset": _DATASET_VALUES,
        "create_dataset": [
            ("create_dataset", {"name": "march_expenses", "values": [42.5, 18.0, 73.2, 9.99], "unit": "EUR"}),
        ],
    },
)
