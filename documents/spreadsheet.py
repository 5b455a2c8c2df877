"""CSV as Excel and LibreOffice open it in France: `;` between cells, UTF-8 with a BOM, CRLF lines.
A cell a spreadsheet would run as a formula (=, +, -, @…) gets a leading apostrophe."""
import csv
import io


def csv_bytes(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
