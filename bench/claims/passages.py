#!/usr/bin/env python3
"""Writes passages.tsv: paragraphs quoted verbatim (HTML stripped) from the PostgreSQL 15 manual
(Debian package postgresql-doc-15), plus bees.tsv, a text written for this set about the honeybee
waggle dance. Usage: bench/claims/passages.py [DOCS_DIR] > bench/claims/passages.tsv"""
import html
import re
import sys
from html.parser import HTMLParser

DOCS = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/doc/postgresql-doc-15/html"

# id, page, paragraph numbers (consecutive <p> elements of the page, joined by a space)
CHOSEN = [
    ("p01", "runtime-config-client", [41, 42, 43]),
    ("p02", "runtime-config-client", [53]),
    ("p03", "runtime-config-client", [58]),
    ("p04", "runtime-config-resource", [0]),
    ("p05", "runtime-config-resource", [1]),
    ("p06", "runtime-config-resource", [11]),
    ("p07", "runtime-config-resource", [16]),
    ("p08", "runtime-config-resource", [20]),
    ("p09", "runtime-config-resource", [65]),
    ("p10", "runtime-config-resource", [31]),
    ("p11", "functions-admin", [279]),
    ("p12", "functions-admin", [56]),
    ("p13", "sql-vacuum", [13]),
    ("p14", "storage-toast", [1]),
    ("p15", "storage-toast", [7]),
    ("p16", "storage-toast", [8]),
    ("p17", "sql-cluster", [2]),
    ("p18", "backup-dump", [5]),
    ("p19", "backup-dump", [12]),
    ("p20", "hot-standby", [36]),
    ("p21", "warm-standby", [2]),
    ("p22", "warm-standby", [3]),
    ("p23", "warm-standby", [23]),
    ("p24", "warm-standby", [58]),
    ("p25", "runtime-config-autovacuum", [6]),
    ("p26", "runtime-config-autovacuum", [15]),
    ("p27", "sql-altertable", [3]),
    ("p28", "sql-altertable", [22]),
    ("p29", "sql-altertable", [109]),
    ("p30", "sql-altertable", [114]),
    ("p31", "indexes-types", [0]),
    ("p32", "indexes-types", [18]),
    ("p33", "datatype-numeric", [35]),
    ("p34", "datatype-numeric", [50]),
    ("p35", "wal-intro", [2]),
    ("p36", "mvcc-intro", [1]),
    ("p37", "routine-vacuuming", [3]),
    ("p38", "routine-vacuuming", [6]),
    ("p39", "routine-vacuuming", [25]),
    ("p40", "routine-vacuuming", [29]),
    ("p41", "transaction-iso", [24]),
    ("p42", "datatype-json", [5]),
]

# The two function descriptions are table cells, not paragraphs: quoted from their first words.
CELLS = [
    (
        "p43",
        "functions-admin",
        [
            ("pg_cancel_backend ( pid integer )", "superuser backends."),
            ("pg_terminate_backend ( pid integer", "false is returned."),
        ],
    ),
]


class Paragraphs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found, self.buf = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.buf = []

    def handle_endtag(self, tag):
        if tag == "p" and self.buf is not None:
            self.found.append(squash("".join(self.buf)))
            self.buf = None

    def handle_data(self, data):
        if self.buf is not None:
            self.buf.append(data)


def squash(s):
    return re.sub(r"\s+", " ", s).strip()


def page(name):
    with open(f"{DOCS}/{name}.html", encoding="utf-8") as f:
        return f.read()


def main():
    for pid, name, numbers in CHOSEN:
        parser = Paragraphs()
        parser.feed(page(name))
        text = " ".join(parser.found[n] for n in numbers)
        print(f"{pid}\t{name}.html\t{text}")
    for pid, name, spans in CELLS:
        text = squash(html.unescape(re.sub(r"<[^>]+>", "", page(name))))
        cells = []
        for start, end in spans:
            i = text.index(start)
            cells.append(text[i : text.index(end, i) + len(end)])
        print(f"{pid}\t{name}.html\t{' '.join(cells)}")
    here = __file__.rsplit("/", 1)[0]
    with open(f"{here}/bees.tsv", encoding="utf-8") as f:
        sys.stdout.write(f.read())


main()
