"""How long notices take to print: 100 real-length notices in each layout.

The notices are the test corpus (22 notices of the six estates, 150–450 characters each),
cycled; every fifth one carries a photograph (1600 × 1000 JPEG) and a QR code, as a notice of
an activity would. Each is rendered to memory, one PDF per notice, as the app prints them.
The first render, which registers both fonts, is timed apart.

    .venv/bin/python bench/notices.py [--count 100] [--layouts a4,large,a3]

Figures go into the docs; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test corpus

from tests.printing import notice_corpus as corpus
from xmen_desktop.printing.documents import NoticeDoc


def notices(count: int) -> list[NoticeDoc]:
    photo = corpus.photo()
    docs = []
    for n in range(count):
        sample = corpus.CORPUS[n % len(corpus.CORPUS)]
        extras = {"image": photo, "qr_text": "tel:63281234"} if n % 5 == 0 else {}
        docs.append(corpus.doc(sample, **extras))  # type: ignore[arg-type]
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--layouts", default="a4,large,a3")
    args = parser.parse_args()

    started = time.perf_counter()
    from xmen_desktop.printing.notices import render_notice

    docs = notices(args.count)
    render_notice(docs[1], io.BytesIO())
    print(f"first notice (imports, both fonts registered): {time.perf_counter() - started:.2f} s")

    for layout in args.layouts.split(","):
        times: list[float] = []
        sizes: list[int] = []
        pages = 0
        for doc in docs:
            out = io.BytesIO()
            begun = time.perf_counter()
            render_notice(doc, out, layout=layout)
            times.append(time.perf_counter() - begun)
            pdf = out.getvalue()
            sizes.append(len(pdf))
            pages += len(re.findall(rb"/Type /Page\b(?!s)", pdf))
        total = sum(times)
        print(
            f"{layout:>5}: {len(docs)} notices in {total:.2f} s "
            f"({1000 * statistics.mean(times):.0f} ms each, median "
            f"{1000 * statistics.median(times):.0f} ms, slowest {1000 * max(times):.0f} ms); "
            f"{pages} pages; {statistics.mean(sizes) / 1000:.0f} kB a PDF on average"
        )


if __name__ == "__main__":
    main()
