#!/usr/bin/env python3
"""Vérifie un dossier d'inspection Jalon, sans Jalon : python3 verifier.py [dossier]

Sur le dossier décompressé (par défaut, celui de ce fichier) :
  1. la signature Ed25519 de manifest.json (manifest.sig) par la clé publique de cle-publique.txt,
     dont l'empreinte est affichée pour la comparer à celle que le centre publie ;
  2. chaque fichier listé dans manifest.json : présent, de la taille et de l'empreinte SHA-256 indiquées ;
  3. la chaîne du journal (journal.jsonl) recalculée événement par événement, jusqu'à l'empreinte
     de tête indiquée dans manifest.json.
Affiche « dossier intègre » (code de sortie 0) ou ce qui ne correspond pas (code 1).
Bibliothèque standard de Python 3.8+ seulement ; la vérification Ed25519 suit le code de référence
de la RFC 8032 (section 6).
"""
import base64
import hashlib
import json
import os
import sys

# --- Ed25519, verification only (RFC 8032, section 6) ------------------------------------------
P = 2 ** 255 - 19
Q = 2 ** 252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _inv(x):
    return pow(x, P - 2, P)


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * _inv(D * y * y + 1)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _add(p1, p2):
    a = (p1[1] - p1[0]) * (p2[1] - p2[0]) % P
    b = (p1[1] + p1[0]) * (p2[1] + p2[0]) % P
    c = 2 * p1[3] * p2[3] * D % P
    d = 2 * p1[2] * p2[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s, point):
    result = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            result = _add(result, point)
        point = _add(point, point)
        s >>= 1
    return result


def _equal(p1, p2):
    return (p1[0] * p2[2] - p2[0] * p1[2]) % P == 0 and (p1[1] * p2[2] - p2[1] * p1[2]) % P == 0


_GY = 4 * _inv(5) % P
_GX = _recover_x(_GY, 0)
_G = (_GX, _GY, 1, _GX * _GY % P)


def _decompress(data):
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


def ed25519_verify(public, message, signature):
    """True when `signature` (64 bytes) is `public`'s (32 bytes) on `message`."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % Q
    return _equal(_mul(s, _G), _add(r, _mul(h, a)))


# --- The file ---------------------------------------------------------------------------------

def fingerprint(public):
    digest = hashlib.sha256(public).hexdigest()
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def canonical(event):
    """An event's content as its hash covers it (Jalon's domain/journal.py)."""
    return json.dumps([event["session"], event["item"], event["item_version"], event["at"], event["user"],
                       event["field"], event["old_value"], event["new_value"]], ensure_ascii=False, separators=(",", ":"))


def check(folder):
    problems = []

    def read(name):
        with open(os.path.join(folder, name), "rb") as handle:
            return handle.read()

    try:
        manifest_bytes = read("manifest.json")
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (OSError, ValueError) as exc:
        return [f"manifest.json illisible ({exc})"], None
    key = None
    try:
        key_text = read("cle-publique.txt").decode("ascii").split()
        key = base64.b64decode(key_text[0])
        signature = base64.b64decode(read("manifest.sig").strip())
        if not ed25519_verify(key, manifest_bytes, signature):
            problems.append("manifest.json : la signature ne correspond pas (manifeste modifié, ou autre clé)")
    except (OSError, ValueError, IndexError) as exc:
        problems.append(f"signature du manifeste illisible ({exc})")
    for entry in manifest.get("fichiers", []):
        name = entry["nom"]
        try:
            body = read(name)
        except OSError:
            problems.append(f"{name} : absent du dossier")
            continue
        if len(body) != entry["taille"] or hashlib.sha256(body).hexdigest() != entry["sha256"]:
            problems.append(f"{name} : modifié (taille ou empreinte SHA-256 différente du manifeste)")
    try:
        lines = read("journal.jsonl").decode("utf-8").splitlines()
    except OSError:
        lines = None
        problems.append("journal.jsonl : absent du dossier")
    if lines is not None:
        previous = str(manifest.get("session"))
        for number, line in enumerate(lines, start=1):
            try:
                event = json.loads(line)
            except ValueError:
                problems.append(f"journal.jsonl, ligne {number} : illisible")
                break
            expected = hashlib.sha256((previous + canonical(event)).encode("utf-8")).hexdigest()
            if event.get("previous") != previous or event.get("hash") != expected:
                problems.append(f"journal.jsonl, ligne {number} (événement {event.get('id')}) : ne suit plus la chaîne "
                                "(événement modifié, supprimé ou inséré)")
                break
            previous = expected
        else:
            if lines and previous != manifest.get("journal_hash"):
                problems.append("journal.jsonl : sa dernière empreinte n'est pas la tête du journal du manifeste "
                                "(derniers événements supprimés)")
            if not lines and not manifest.get("journal_purge"):
                problems.append("journal.jsonl : vide")
    return problems, key


def main(argv):
    folder = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    problems, key = check(folder)
    if key is not None:
        print(f"Clé publique du centre : empreinte {fingerprint(key)}")
        print("Comparez-la à l'empreinte que le centre publie (page Administration, guide scellé).")
    if problems:
        for problem in problems:
            print(f"NON CONFORME : {problem}")
        return 1
    print("dossier intègre")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
