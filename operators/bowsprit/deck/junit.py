"""The junit lens (Prow's pkg/spyglass/lenses/junit): failures first with their output,
then counts of passed and skipped tests, from every junit*.xml of a run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

MAX_OUTPUT = 20_000  # characters of a failure's output shown on the page


@dataclass(frozen=True)
class Case:
    suite: str
    name: str
    classname: str
    time: str
    status: str  # passed, failed, skipped
    output: str = ""


@dataclass
class Report:
    failed: list[Case] = field(default_factory=list)
    passed: list[Case] = field(default_factory=list)
    skipped: list[Case] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # files that did not parse


def _case(suite: str, element: ET.Element) -> Case:
    failure = element.find("failure")
    if failure is None:
        failure = element.find("error")
    status = "passed"
    output = ""
    if failure is not None:
        status = "failed"
        message = failure.get("message") or ""
        output = "\n".join(part for part in (message, failure.text or "") if part.strip())
    elif (skipped := element.find("skipped")) is not None:
        status = "skipped"
        output = skipped.get("message", "")
    for stream in ("system-out", "system-err"):
        found = element.find(stream)
        if status == "failed" and found is not None and (found.text or "").strip():
            output += "\n" + (found.text or "")
    return Case(
        suite=suite,
        name=element.get("name", ""),
        classname=element.get("classname", ""),
        time=element.get("time", ""),
        status=status,
        output=output.strip()[:MAX_OUTPUT],
    )


def parse(files: dict[str, bytes]) -> Report:
    """Test cases of every file (name → content), failed first, each list by suite and
    name; a file that is not JUnit XML is named in `errors`, never fatal."""
    report = Report()
    for name, content in sorted(files.items()):
        try:
            root = ET.fromstring(content)
        except ET.ParseError as error:
            report.errors.append(f"{name}: {error}")
            continue
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for suite in suites:
            for element in suite.findall("testcase"):
                case = _case(suite.get("name", ""), element)
                getattr(report, case.status).append(case)
    for cases in (report.failed, report.passed, report.skipped):
        cases.sort(key=lambda case: (case.suite, case.classname, case.name))
    return report
