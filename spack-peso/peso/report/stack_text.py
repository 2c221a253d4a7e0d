"""A run record as plain terminal lines (Spack colour markup); the command prints them."""

from typing import List

from ..stack.run.records import BAD, counts


def summary_lines(record: dict) -> List[str]:
    colour = {
        "PASSED": "g",
        "BUILT": "g",
        "SKIPPED": "c",
        "NO_TESTS": "c",
        "PENDING": "y",
        "NOT_RUN": "y",
        "PASSED_VACUOUS": "y",
    }
    width = max([len(r["package"]) for r in record["specs"]] + [7])
    lines = []
    for row in record["specs"]:
        c = colour.get(row["status"], "r")
        detail = row.get("reason") or ""
        bad_parts = [p["name"] for p in row.get("parts", []) if p["status"] in ("FAILED", "TIMEOUT")]
        if bad_parts:
            detail = "parts: " + ", ".join(bad_parts) + ("; " + detail if detail else "")
        if row["status"] in BAD and row.get("maintainers"):
            detail += "  (tell: %s)" % ", ".join(row["maintainers"])
        wall = "%6.1fs" % row["wall"] if row.get("wall") is not None else "       "
        lines.append(
            "%-*s %-10s @%s{%-13s} %s %s" % (width, row["package"], row["target"], c, row["status"], wall, detail)
        )
    total = ", ".join("%d %s" % (n, s) for s, n in counts(record).items())
    lines.append("%d specs: %s" % (len(record["specs"]), total))
    lines.extend(installer_lines(record))
    return lines


def installer_lines(record: dict) -> List[str]:
    """``stack build --installers``: one line per cooperating installer, what it built."""
    coop = record.get("installers")
    if not coop:
        return []
    lines = []
    for task in coop["tasks"]:
        state = " @r{lost: %s}" % task["lost"] if task.get("lost") else ""
        kind = "retry installer" if task.get("retry") else "installer"
        lines.append(
            "%s %d on %s built %d spec(s)%s" % (kind, task["task"], task.get("node") or "?", len(task["built"]), state)
        )
    if coop["duplicates"]:
        lines.append("@r{built by more than one installer}: " + ", ".join(coop["duplicates"]))
    return lines
