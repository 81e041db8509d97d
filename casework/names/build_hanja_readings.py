"""
Writes `hanja_readings.txt`, the Korean readings of Chinese characters, from the Unicode
Character Database's Unihan `kHangul` field (Debian's `unicode-data` package ships it):

    python -m casework.names.build_hanja_readings /usr/share/unicode/Unihan_Readings.txt.bz2

One line per character: the character, a tab, its readings separated by spaces, the usual one
first (e.g. `金	금 김`). The Unicode data is under the Unicode License v3; the list is generated,
not edited by hand, and checked in so that no deployment needs the Unicode files.
"""

import bz2
import sys
from pathlib import Path

TARGET = Path(__file__).with_name("hanja_readings.txt")


def main(source: str) -> None:
    lines = []
    with bz2.open(source, "rt", encoding="utf-8") as unihan:
        for line in unihan:
            if "\tkHangul\t" not in line:
                continue
            code, _field, value = line.rstrip("\n").split("\t")
            readings = [part.split(":")[0] for part in value.split()]
            lines.append(f"{chr(int(code[2:], 16))}\t{' '.join(dict.fromkeys(readings))}")
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
