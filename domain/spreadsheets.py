"""What the spreadsheets Jalon imports share (candidates, titres): French CSV (`;`, one header line),
decoded strictly — UTF-8, else Windows-1252, never a mixed file nor an undefined byte — its lines
read by the CSV parser within its limits, and refusals listing the problems (the first 50, then how
many more), each naming its line."""
import csv
import io
import re
import unicodedata

from domain import DomainError
from domain.vocabulary import plural

IMPORT_MAX_PROBLEMS = 50


class InvalidFile(DomainError):
    """A refused file: its problems (the first IMPORT_MAX_PROBLEMS, then how many more); nothing imported."""

    def __init__(self, problems, nothing="rien n'a été importé"):
        super().__init__(f"Fichier refusé, {nothing} : {plural(len(problems), 'problème')}.", "fichier")
        self.problems = problems[:IMPORT_MAX_PROBLEMS]
        if len(problems) > IMPORT_MAX_PROBLEMS:
            self.problems.append(f"… et {plural(len(problems) - IMPORT_MAX_PROBLEMS, 'autre problème', 'autres problèmes')}")


def normalized(text, aliases=None):
    """A column name or a code as typed in a spreadsheet, normalised: « Date de naissance » →
    date_naissance, « Prénom » → prenom (accents, case, spaces and hyphens do not matter), then
    renamed by `aliases`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip().lower()
    plain = re.sub(r"[\s\-'’]+", "_", plain)
    return (aliases or {}).get(plain, plain)


# A UTF-8 character of more than one byte: in a file that is not UTF-8 as a whole, a line holding one
# was written by another program (« LefÃ¨vre » is what Windows-1252 would make of it).
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def decode(content):
    """The text of a file in UTF-8 (with or without BOM) or, failing that, Windows-1252 — what French
    spreadsheets save — decoded strictly, line by line: a line a program wrote in UTF-8 within a
    Windows-1252 file (a mixed file), and a byte Windows-1252 does not define, are refused naming their
    line, never stored as « Ã© » or « � »."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    problems, text = [], []
    lines = content.split(b"\n")
    utf8 = [number for number, line in enumerate(lines, start=1) if _UTF8_MULTIBYTE.search(line) and _is_utf8(line)]
    if utf8:
        shown = ", ".join(str(n) for n in utf8[:10]) + (" …" if len(utf8) > 10 else "")
        raise InvalidFile([f"fichier mêlant deux encodages : UTF-8 à la ligne {shown}, Windows-1252 ailleurs ; "
                           "enregistrez-le de nouveau en « CSV UTF-8 » depuis le tableur"])
    for number, line in enumerate(lines, start=1):
        try:
            text.append(line.decode("cp1252"))
        except UnicodeDecodeError as exc:
            problems.append(f"ligne {number} : octet 0x{line[exc.start]:02X} sans caractère en Windows-1252 ; "
                            "enregistrez le fichier en « CSV UTF-8 » depuis le tableur")
    if problems:
        raise InvalidFile(problems)
    return "\n".join(text)


def _is_utf8(line):
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def rows(content):
    """(line number, cells) of the file's lines, blank lines left out; InvalidFile when the CSV parser
    refuses a line (a cell over its limit of 128 KB)."""
    reader = csv.reader(io.StringIO(decode(content), newline=""), delimiter=";")
    found = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                found.append((reader.line_num, cells))
    except csv.Error as exc:
        raise InvalidFile([f"ligne {reader.line_num} : cellule illisible ou de plus de "
                           f"{csv.field_size_limit() // 1024} Ko"]) from exc
    return found


def without_trailing_blanks(cells):
    """The cells without the empty ones a spreadsheet leaves at the end of a line (« nom;prenom;;; »)."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]
