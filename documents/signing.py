"""The installation's signing key: the inspection file's manifest is signed with it (Ed25519), so that
an inspector checks the file against the key the centre publishes (its fingerprint is shown under
Administration and printed on every sealed guide).

The private key is made on first use in instance/cle-signature.pem (mode 600), or given by the
environment (JALON_SIGNING_KEY, PEM). Its public half is listed in the database (CleSignature) with
its date; rotating the key (`flask --app app rotate-signing-key`) keeps the replaced ones listed.
"""
import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from models import CleSignature, db, now

KEY_FILE = "cle-signature.pem"


def fingerprint(public_raw):
    """The SHA-256 of the raw public key, its first 128 bits in groups of four (as verifier.py prints)."""
    digest = hashlib.sha256(public_raw).hexdigest()
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def _raw(private):
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _write(path, private):
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def private_key(instance_path, given=""):
    """The installation's key (the given PEM, or the instance's file, made when missing), its public
    half listed."""
    if given:
        private = serialization.load_pem_private_key(given.encode("ascii"), password=None)
    else:
        path = Path(instance_path) / KEY_FILE
        if not path.exists():
            try:
                _write(path, Ed25519PrivateKey.generate())
            except FileExistsError:
                pass  # another worker made it meanwhile
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    _listed(_raw(private))
    return private


def _listed(raw):
    encoded = base64.b64encode(raw).decode("ascii")
    with db.atomic():
        if not CleSignature.select().where(CleSignature.cle_publique == encoded).exists():
            CleSignature.update(retiree_le=now()).where(CleSignature.retiree_le.is_null()).execute()
            CleSignature.create(cle_publique=encoded, empreinte=fingerprint(raw), creee_le=now())


def sign(data, instance_path, given=""):
    """(the signature, the raw public key) of `data` by the installation's key."""
    private = private_key(instance_path, given)
    return private.sign(data), _raw(private)


def current(instance_path, given=""):
    """The listed public key in use now (made on first use)."""
    raw = _raw(private_key(instance_path, given))
    return CleSignature.get(CleSignature.cle_publique == base64.b64encode(raw).decode("ascii"))


def rotate(instance_path):
    """A new key in the instance's file; the replaced one stays listed, with the date it was retired."""
    path = Path(instance_path) / KEY_FILE
    if path.exists():
        path.rename(path.with_name(f"{KEY_FILE}.remplacee-{now():%Y%m%d%H%M%S}"))
    return current(instance_path)
